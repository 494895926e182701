import * as fontkit from 'fontkit';
import path from 'node:path';
import { z } from 'zod';

/**
 * What a letter says beyond the panel's own details (issue 21): who sends it, and a few lines in the panel's
 * community languages on how to get help. The letters are set in DejaVu Sans (embedded), which has Latin, Greek
 * and Cyrillic letters; a line in a script it cannot set (Gurmukhi, Gujarati, and right-to-left Arabic and Urdu) is refused in words, not
 * printed as empty boxes (issue 22 takes the other scripts).
 */
export const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const FONTS = { regular: path.join(FONT_DIR, 'DejaVuSans.ttf'), bold: path.join(FONT_DIR, 'DejaVuSans-Bold.ttf') };

/** `{phone}` in a help line becomes the panel's contact number. Translations: check with a translator before use. */
export const DEFAULT_HELP = [
  'If you need this letter in large print or another language, or help to register, call {phone}.',
  'Polski: Jeśli potrzebujesz pomocy z tym listem, zadzwoń pod numer {phone}.',
  'Română: Dacă aveți nevoie de ajutor cu această scrisoare, sunați la {phone}.',
  'Português: Se precisar de ajuda com esta carta, ligue para {phone}.',
  'Français : Si vous avez besoin d’aide avec cette lettre, appelez le {phone}.',
].join('\n');

let font: fontkit.Font | undefined;
const fontCovers = (cp: number): boolean => (font ??= fontkit.openSync(FONTS.regular) as fontkit.Font).hasGlyphForCodePoint(cp);

/** Hebrew and Arabic letters: the font has some, but the PDF library lays them out left to right, so not yet. */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;

/** The characters of `text` the letter's font cannot set, each once. */
export function unprintable(text: string): string[] {
  return [...new Set([...text].filter((ch) => !/\s/.test(ch) && (RIGHT_TO_LEFT.test(ch) || !fontCovers(ch.codePointAt(0)!))))];
}

const printable = (field: string) => (text: string, ctx: z.RefinementCtx) => {
  const missing = unprintable(text);
  if (missing.length) ctx.addIssue({ code: 'custom', message: `${field}: the letter's font cannot print ${missing.slice(0, 5).join(' ')} (other scripts come with the languages work, issue 22). Write it in Latin, Greek or Cyrillic letters, or leave it out.` });
};

export const letterSettings = z.object({
  sender: z.string().trim().max(300, 'Sender: at most 300 characters.').superRefine(printable('Sender')),
  help: z.string().trim().max(1500, 'Help lines: at most 1,500 characters.').superRefine(printable('Help lines')),
});
export type LetterSettings = z.infer<typeof letterSettings>;

export const DEFAULT_LETTER: LetterSettings = { sender: '', help: DEFAULT_HELP };
