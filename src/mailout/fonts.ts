import * as fontkit from 'fontkit';
import path from 'node:path';
import { FONTS } from './letter-text';

/**
 * The fonts a letter in any of our languages is set in (issue 22): DejaVu Sans for Latin, Greek and Cyrillic (and
 * the punctuation and digits of every script), Noto Sans Arabic for Arabic letters, Mukta Mahee for Gurmukhi.
 * Each character is given the font of its script; one no font holds is reported, never printed as a box.
 *
 * Mukta Mahee, not Noto Sans Gurmukhi: fontkit 2.0.4 (PDFKit's layout engine) stops on the null GPOS anchors
 * Noto Sans Gurmukhi has for its vowel signs (foliojs/fontkit#367). The WOFF files, not the WOFF2: fontkit's
 * subsetting of a WOFF2 with composite glyphs writes past its buffer.
 */
export type FontName = 'body' | 'bold' | 'mono' | 'arabic' | 'arabic-bold' | 'gurmukhi' | 'gurmukhi-bold';
type Family = 'latin' | 'arabic' | 'gurmukhi';

const fontsource = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files', file);
const FILES: Record<FontName, string> = {
  body: FONTS.regular,
  bold: FONTS.bold,
  mono: path.join(path.dirname(FONTS.regular), 'DejaVuSansMono.ttf'),
  arabic: fontsource('noto-sans-arabic', 'noto-sans-arabic-arabic-400-normal.woff'),
  'arabic-bold': fontsource('noto-sans-arabic', 'noto-sans-arabic-arabic-700-normal.woff'),
  gurmukhi: fontsource('mukta-mahee', 'mukta-mahee-gurmukhi-400-normal.woff'),
  'gurmukhi-bold': fontsource('mukta-mahee', 'mukta-mahee-gurmukhi-700-normal.woff'),
};

/** Registers every letter font with a PDFKit document, under its FontName. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, file] of Object.entries(FILES)) doc.registerFont(name, file);
}

const opened = new Map<FontName, fontkit.Font>();
const fontOf = (name: FontName): fontkit.Font => {
  let font = opened.get(name);
  if (!font) opened.set(name, (font = fontkit.openSync(FILES[name]) as fontkit.Font));
  return font;
};

/** How much larger a font is set than the size asked for, so its letters look as large as DejaVu Sans's beside them. */
const SCALE: Partial<Record<FontName, number>> = { arabic: 1.2, 'arabic-bold': 1.2, gurmukhi: 1.2, 'gurmukhi-bold': 1.2 };
export const scaleOf = (name: FontName): number => SCALE[name] ?? 1;

/**
 * How far a font's lines reach above and below the baseline, per point of the size asked for. Noto Sans Arabic
 * declares room for marks stacked three high (1.37 em up, 0.74 down), which would double-space every line: a
 * line is given at most 1 em above and half an em below, which the words of our letters stay within.
 */
export function extent(name: FontName): { ascent: number; descent: number } {
  const f = fontOf(name);
  return { ascent: Math.min(1, f.ascent / f.unitsPerEm) * scaleOf(name), descent: Math.max(-0.5, f.descent / f.unitsPerEm) * scaleOf(name) };
}

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u;
const GURMUKHI = /[\u0A00-\u0A7F]/u;
/** Marks and joiners belong with the letter before them. */
const FOLLOWS = /[\p{M}\u200C\u200D\uFE00-\uFE0F]/u;
/** Direction controls: they steer the layout (script-text.ts) and are not drawn. */
export const CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const faces: Record<Family, { regular: FontName; bold: FontName }> = {
  latin: { regular: 'body', bold: 'bold' },
  arabic: { regular: 'arabic', bold: 'arabic-bold' },
  gurmukhi: { regular: 'gurmukhi', bold: 'gurmukhi-bold' },
};
const has = (name: FontName, ch: string) => fontOf(name).hasGlyphForCodePoint(ch.codePointAt(0)!);

/**
 * The font for each UTF-16 unit of `text` (`style` the weight, or the link's monospace), in the text's order:
 * undefined for a character no font holds. A mark takes its letter's font; a space or a direction control, the
 * Latin one.
 */
export function fontsFor(text: string, style: 'regular' | 'bold' | 'mono'): (FontName | undefined)[] {
  const weight = style === 'bold' ? 'bold' : 'regular';
  const out: (FontName | undefined)[] = [];
  for (const ch of text) {
    const before = out[out.length - 1];
    let font: FontName | undefined;
    if (/\s/.test(ch) || CONTROL.test(ch)) font = style === 'mono' ? 'mono' : faces.latin[weight];
    else if (FOLLOWS.test(ch) && before && has(before, ch)) font = before;
    else {
      const family: Family = ARABIC.test(ch) ? 'arabic' : GURMUKHI.test(ch) ? 'gurmukhi' : 'latin';
      const first = family === 'latin' && style === 'mono' ? 'mono' : faces[family][weight];
      font = [first, faces.latin[weight], faces.arabic[weight], faces.gurmukhi[weight]].find((name) => has(name, ch));
    }
    for (let i = 0; i < ch.length; i++) out.push(font);
  }
  return out;
}

/** The characters of `text` that no letter font can print, each once. */
export function unprintable(text: string): string[] {
  const fonts = fontsFor(text, 'regular');
  const missing = new Set<string>();
  let at = 0;
  for (const ch of text) {
    if (!fonts[at]) missing.add(ch);
    at += ch.length;
  }
  return [...missing];
}
