import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Writable } from 'node:stream';
import type { Panel } from '../panels/repo';
import { formatCode } from './codes';
import { FONTS, type LetterSettings } from './letter-text';
import type { LetterRow } from './repo';

/**
 * The letters of a wave as one PDF (issue 21), one household per page (two in large print), written to `out`
 * as they are made: pages are read a batch at a time and the writer waits whenever `out` is full, so 30,000
 * letters never sit in memory. A4, the address placed for a standard DL window envelope (20 mm from the left,
 * 50 mm from the top, 90 × 35 mm), which a letter folded in three shows.
 */
export interface LetterContext {
  panel: Panel;
  letter: LetterSettings;
  /** The site's address, without a trailing slash. */
  site: string;
  closes: string;
  householdLimit: number;
  largePrint: boolean;
  /** How many households the wave writes to. */
  letters: number;
}

export interface Addressed extends LetterRow {
  code: string;
}

const MM = 72 / 25.4;
const WINDOW = { x: 20 * MM, y: 50 * MM, width: 90 * MM, height: 35 * MM };
const MARGIN = 20 * MM;

/** The address a letter's QR code carries: the registration form, with the household's code filled in. */
export const registrationLink = (site: string, panel: Pick<Panel, 'slug'>, code: string): string => `${site}/register/${panel.slug}?code=${code}`;

export async function writeLetters(out: Writable, ctx: LetterContext, pages: AsyncIterable<Addressed[]>, onLetter?: () => void): Promise<number> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, autoFirstPage: false, info: { Title: `Letters: ${ctx.panel.title}`, Author: ctx.letter.sender || ctx.panel.title } });
  doc.registerFont('body', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  doc.pipe(out);
  let count = 0;
  for await (const page of pages) {
    for (const letter of page) {
      writeLetter(doc, ctx, letter);
      count++;
      onLetter?.();
    }
    if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  if (count === 0) doc.addPage().font('body').fontSize(12).text('This wave has no letters.');
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('close', resolve);
    out.once('error', reject);
  });
  doc.end();
  await finished;
  return count;
}

function writeLetter(doc: PDFKit.PDFDocument, ctx: LetterContext, letter: Addressed): void {
  const { panel, letter: text, site, largePrint } = ctx;
  const size = largePrint ? 16 : 10.5;
  doc.addPage();
  const right = doc.page.width - MARGIN;
  const textWidth = right - MARGIN;

  // The sender, top right; the address in the envelope's window.
  doc.font('bold').fontSize(largePrint ? 13 : 10).text(text.sender || panel.title, MARGIN + textWidth / 2, MARGIN, { width: textWidth / 2, align: 'right' });
  const address = ['The Householder', letter.line1, letter.line2, letter.town, letter.postcode].filter(Boolean);
  doc.font('body').fontSize(largePrint ? 14 : 11).text(address.join('\n'), WINDOW.x + 4 * MM, WINDOW.y + 3 * MM, { width: WINDOW.width - 8 * MM, height: WINDOW.height - 6 * MM, lineGap: 1 });

  let y = WINDOW.y + WINDOW.height + 10 * MM;
  doc.font('bold').fontSize(largePrint ? 22 : 16).text(`You are invited: ${panel.title}`, MARGIN, y, { width: textWidth });
  doc.moveDown(0.4);
  doc.font('body').fontSize(size);
  const para = (s: string) => s && doc.text(s, { width: textWidth, paragraphGap: largePrint ? 6 : 4 });
  para(`Your household is one of ${ctx.letters.toLocaleString('en-GB')} chosen at random from every address in the area to be invited to a citizens' panel. The panel will meet to answer one question:`);
  doc.font('bold');
  para(panel.question);
  doc.font('body');
  const d = panel.details;
  para([d.dates && `When: ${d.dates}.`, d.venue && `Where: ${d.venue}.`].filter(Boolean).join(' '));
  para(d.expenses && `What is offered: ${d.expenses}`);
  para(d.access && `Care and access: ${d.access}`);
  para(`From those who register, the panel is drawn by a second lottery so that it reflects the area as a whole. Up to ${ctx.householdLimit} ${ctx.householdLimit === 1 ? 'person' : 'people'} aged 16 or over living here may register, but only one can be on the panel. Registration closes on ${ctx.closes}.`);

  // The code and the QR code, side by side.
  const link = registrationLink(site, panel, letter.code);
  const qrSize = largePrint ? 40 * MM : 30 * MM;
  if (doc.y + qrSize + 10 * MM > doc.page.height - MARGIN) doc.addPage();
  y = doc.y + 4 * MM;
  doc.font('bold').fontSize(size).text('To register', MARGIN, y, { width: textWidth - qrSize - 6 * MM });
  doc.font('body').text(`Scan the code on the right with your phone's camera, or go to ${site.replace(/^https?:\/\//, '')}/register/${panel.slug} and enter your code:`, { width: textWidth - qrSize - 6 * MM });
  doc.moveDown(0.3).font('bold').fontSize(largePrint ? 26 : 20).text(formatCode(letter.code), { width: textWidth - qrSize - 6 * MM, characterSpacing: 2 });
  doc.font('body').fontSize(size);
  if (d.contactPhone) doc.text(`Or call ${d.contactName ? `${d.contactName} on ` : ''}${d.contactPhone}, and we will register you over the phone.`, { width: textWidth - qrSize - 6 * MM });
  drawQr(doc, link, right - qrSize, y, qrSize);

  // Help in other languages, and where the privacy notice is.
  doc.y = Math.max(doc.y, y + qrSize) + 6 * MM;
  // Without a phone number, the next best way to reach the team: its email, else the site.
  const help = text.help.replace(/\{phone\}/g, d.contactPhone || d.contactEmail || site);
  doc.font('body').fontSize(largePrint ? 13 : 8.5).text(help, MARGIN, doc.y, { width: textWidth, lineGap: 1 });
  doc.moveDown(0.5).text(`How we use your details: ${site}/privacy`, { width: textWidth });
}

/** The QR code as filled squares (one rectangle per run of dark modules): sharp at any size, and small. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + 2 * quiet);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; ) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && qr.modules.get(r, c)) c++;
      doc.rect(x + (start + quiet) * cell, y + (r + quiet) * cell, (c - start) * cell, cell);
    }
  }
  doc.fill('black');
}
