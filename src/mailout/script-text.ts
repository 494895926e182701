import bidiFactory from 'bidi-js';
import { CONTROL, extent, type FontName, fontsFor, scaleOf } from './fonts';

/**
 * Text in any of our scripts, set on a PDF page (issue 22). PDFKit wraps and draws text left to right in one font;
 * a letter in Arabic reads right to left, and a line in Punjabi or Arabic holds Latin names, numbers and links
 * too. So a paragraph is broken into lines here (at spaces; a word too long for a line, such as a link, after a
 * "/" or where it must), each line put in the order it is read by the Unicode bidirectional algorithm (bidi-js),
 * and drawn a piece at a time: a piece is a run of one font and one direction, and PDFKit's layout engine
 * (fontkit) joins its Arabic letters and places its Gurmukhi vowel signs. Spaces are gaps between pieces.
 */
export interface TextStyle {
  size: number;
  weight?: 'regular' | 'bold' | 'mono';
  /** The paragraph's direction; 'auto' takes it from its first letter that has one. */
  dir: 'ltr' | 'rtl' | 'auto';
  align: 'left' | 'right';
}

interface Piece {
  font: FontName;
  text: string;
  x: number;
}
interface Line {
  pieces: Piece[];
  width: number;
  ascent: number;
  descent: number;
}
/** A paragraph broken into lines for a width, ready to draw; `height` is what it takes on the page. */
export interface SetText {
  lines: Line[];
  height: number;
  width: number;
  style: TextStyle;
}

const bidi = bidiFactory();
/** Space between lines, per point of size, over what the fonts themselves reach. */
const LEADING = 0.15;
/** Letters of the right-to-left scripts: a piece holding one is turned round by fontkit itself. */
const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;

/** Breaks `text` (a "\n" is a line break) into lines of at most `width` points, in the order they are read. */
export function setText(doc: PDFKit.PDFDocument, text: string, style: TextStyle, width: number): SetText {
  const lines = text.split('\n').flatMap((line) => setLine(doc, line.replace(/\s+/g, ' ').trim(), style, width));
  const height = lines.reduce((h, l) => h + lineHeight(l, style), 0);
  return { lines, height, width, style };
}

const lineHeight = (l: Line, style: TextStyle) => l.ascent - l.descent + LEADING * style.size;

/** Draws what setText made with its top left at (x, y); returns the y below it. */
export function drawText(doc: PDFKit.PDFDocument, set: SetText, x: number, y: number): number {
  for (const line of set.lines) {
    const left = set.style.align === 'right' ? x + set.width - line.width : x;
    for (const piece of line.pieces) doc.font(piece.font).fontSize(set.style.size * scaleOf(piece.font)).text(piece.text, left + piece.x, y + line.ascent, { lineBreak: false, baseline: 'alphabetic' });
    y += lineHeight(line, set.style);
  }
  return y;
}

/** One line of the text (no "\n"), broken where it must be, as the lines' [start, end) in it. */
function setLine(doc: PDFKit.PDFDocument, line: string, style: TextStyle, width: number): Line[] {
  if (!line) return [];
  const weight = style.weight ?? 'regular';
  const fonts = fontsFor(line, weight);
  const missing = fonts.findIndex((f) => !f);
  if (missing >= 0) throw new Error(`No font can print "${line[missing]}" (check the text with unprintable() first).`);
  const measure = (start: number, end: number) => runs(line, fonts as FontName[], start, end).reduce((w, r) => w + widthOf(doc, r.font, r.text, style.size), 0);
  const space = widthOf(doc, weight === 'mono' ? 'mono' : 'body', ' ', style.size);
  const ranges: [number, number][] = [];
  let current: [number, number] | undefined;
  let used = 0;
  for (const word of line.matchAll(/\S+/g)) {
    let start = word.index;
    const end = start + word[0].length;
    let w = measure(start, end);
    if (current && used + space + w <= width) {
      current[1] = end;
      used += space + w;
      continue;
    }
    if (current) ranges.push(current);
    // A word wider than the line goes over as many lines as it needs.
    while (w > width) {
      const cut = cutAt(line, start, end, (e) => measure(start, e) <= width);
      ranges.push([start, cut]);
      start = cut;
      w = measure(start, end);
    }
    current = [start, end];
    used = w;
  }
  if (current) ranges.push(current);
  const levels = bidi.getEmbeddingLevels(line, style.dir);
  return ranges.map(([start, end]) => inOrder(doc, line, fonts as FontName[], levels, start, end, style.size, space));
}

/** Where to break a word that does not fit: after the last "/" that fits, else after the last character that does. */
function cutAt(line: string, start: number, end: number, fits: (end: number) => boolean): number {
  let cut = start;
  for (let i = start + 1; i <= end; i++) {
    if (i < end && /[\p{M}\uDC00-\uDFFF]/u.test(line[i])) continue; // never between a letter and its mark
    if (!fits(i)) break;
    cut = i;
  }
  if (cut === start) return Math.min(end, start + (line.codePointAt(start)! > 0xffff ? 2 : 1));
  const slash = line.lastIndexOf('/', cut - 1);
  return slash > start && slash + 1 < cut ? slash + 1 : cut;
}

/** The text's runs of one font, in its own order, direction controls left out. */
function runs(line: string, fonts: FontName[], start: number, end: number): { font: FontName; text: string }[] {
  const out: { font: FontName; text: string }[] = [];
  for (let i = start; i < end; i++) {
    if (CONTROL.test(line[i])) continue;
    const last = out[out.length - 1];
    if (last && last.font === fonts[i]) last.text += line[i];
    else out.push({ font: fonts[i], text: line[i] });
  }
  return out;
}

const widthOf = (doc: PDFKit.PDFDocument, font: FontName, text: string, size: number) => doc.font(font).fontSize(size * scaleOf(font)).widthOfString(text);

/** One line's pieces, left to right as they are seen, with their places. */
function inOrder(doc: PDFKit.PDFDocument, line: string, fonts: FontName[], levels: ReturnType<typeof bidi.getEmbeddingLevels>, start: number, end: number, size: number, space: number): Line {
  // The whole text's indices, those of this line put in the order they are seen.
  const seen = bidi.getReorderedIndices(line, levels, start, end - 1).slice(start, end);
  const groups: { font: FontName; level: number; first: number; last: number }[] = [];
  const gapsBefore: number[] = [];
  let gaps = 0;
  for (const i of seen) {
    if (CONTROL.test(line[i])) continue;
    if (line[i] === ' ') {
      gaps++;
      continue;
    }
    const level = levels.levels[i];
    const g = groups[groups.length - 1];
    const next = level % 2 ? g?.last - 1 : g?.last + 1;
    if (g && !gaps && g.font === fonts[i] && g.level === level && i === next) g.last = i;
    else {
      groups.push({ font: fonts[i], level, first: i, last: i });
      gapsBefore.push(gaps);
    }
    gaps = 0;
  }
  let x = 0;
  let ascent = 0;
  let descent = 0;
  const pieces = groups.map((g, n) => {
    x += gapsBefore[n] * (n > 0 ? space : 0);
    const logical = line.slice(Math.min(g.first, g.last), Math.max(g.first, g.last) + 1);
    // Right to left: fontkit turns a run of Arabic round itself; anything else (brackets, a colon) is turned here, mirrored.
    const text = g.level % 2 && !RTL_LETTER.test(logical) ? [...logical].reverse().map((c) => bidi.getMirroredCharacter(c) ?? c).join('') : logical;
    const piece = { font: g.font, text, x };
    x += widthOf(doc, g.font, text, size);
    const e = extent(g.font);
    ascent = Math.max(ascent, e.ascent * size);
    descent = Math.min(descent, e.descent * size);
    return piece;
  });
  return { pieces, width: x, ascent, descent };
}
