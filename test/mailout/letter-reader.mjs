// Reads a PDF of letters back as a resident's phone and eyes would: each page's text, and its QR code decoded
// from pixels (the page rendered by PDF.js onto a canvas, then read by jsQR). Prints JSON: { pages: [{ text, qr }] }.
// A separate process because PDF.js is an ES module. Usage: node letter-reader.mjs file.pdf [--first N]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas } from '@napi-rs/canvas';
import jsQR from 'jsqr';

const require = createRequire(import.meta.url);
const fonts = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';
const [file, flag, n] = process.argv.slice(2);
const pdf = await getDocument({ data: new Uint8Array(fs.readFileSync(file)), standardFontDataUrl: fonts, verbosity: 0 }).promise;
const count = flag === '--first' ? Math.min(Number(n), pdf.numPages) : pdf.numPages;
/**
 * The page's text as a reader sees it, not in the order it was drawn: lines from the top (items within 2 points of
 * one height are one line), each from the left, with a space where there is a gap between two pieces.
 */
function inReadingOrder(items) {
  const lines = [];
  for (const item of items.filter((i) => i.str.trim())) {
    const [x, y] = [item.transform[4], item.transform[5]];
    const line = lines.find((l) => Math.abs(l.y - y) < 2);
    if (line) line.items.push({ x, item });
    else lines.push({ y, items: [{ x, item }] });
  }
  return lines
    .sort((a, b) => b.y - a.y)
    .map((l) => {
      l.items.sort((a, b) => a.x - b.x);
      return l.items.reduce((text, { x, item }, i) => {
        const before = l.items[i - 1];
        const gap = before ? x - (before.x + before.item.width) : 0;
        return text + (i > 0 && gap > 1 && !/\s$/.test(text) && !/^\s/.test(item.str) ? ' ' : '') + item.str;
      }, '');
    })
    .join('\n');
}

const pages = [];
for (let p = 1; p <= count; p++) {
  const page = await pdf.getPage(p);
  const text = inReadingOrder((await page.getTextContent()).items);
  const viewport = page.getViewport({ scale: 2 });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  context.fillStyle = 'white';
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: context, viewport, canvas }).promise;
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  pages.push({ text, qr: jsQR(image.data, image.width, image.height)?.data ?? null });
}
process.stdout.write(JSON.stringify({ numPages: pdf.numPages, pages }));
