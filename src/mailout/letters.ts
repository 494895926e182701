import PDFDocument from 'pdfkit';
import type { Writable } from 'node:stream';
import type { Panel } from '../panels/repo';
import { formatCode } from './codes';
import { FONTS, type LetterSettings } from './letter-text';
import { MARGIN, MM, WINDOW } from './page';
import { qrMaker, qrOps } from './qr';
import type { LetterRow } from './repo';

/**
 * The letters of a wave as one PDF (issue 21), one household per page (two in large print), written to `out`
 * as they are made: pages are read a batch at a time and the writer waits whenever `out` is full, so 30,000
 * letters never sit in memory. A4, the address in the envelope's window (page.ts).
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

/** The address a letter's QR code carries: the registration form, with the household's code filled in. */
export const registrationLink = (site: string, panel: Pick<Panel, 'slug'>, code: string): string => `${site}/register/${panel.slug}?code=${code}`;

export async function writeLetters(out: Writable, ctx: LetterContext, pages: AsyncIterable<Addressed[]>, onLetter?: () => void): Promise<number> {
  // Pages are buffered only within a letter (flushed after each): the first letter's are still open when its
  // template's forms are made.
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, autoFirstPage: false, bufferPages: true, info: { Title: `Letters: ${ctx.panel.title}`, Author: ctx.letter.sender || ctx.panel.title } });
  doc.registerFont('body', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  // Written by hand, not piped: a piped PDFKit document keeps pushing into its own buffer while `out` is full. Its
  // many small pieces (a dozen a letter) go out together, a few letters' worth at a time.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length) out.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  doc.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    if ((pendingBytes += chunk.length) >= 64 * 1024) flush();
  });
  const ended = new Promise<void>((resolve) => doc.once('end', () => resolve(flush())));
  const kids = open(doc)._root.data.Pages.data.Kids;
  let written = 0;
  let template: Template | undefined;
  let count = 0;
  // The first letter draws its own QR code; after it, a worker makes each page of letters' codes while the page
  // before is laid out (a page read ahead).
  let maker: ReturnType<typeof qrMaker> | undefined;
  const link = (l: Addressed) => registrationLink(ctx.site, ctx.panel, l.code);
  const it = pages[Symbol.asyncIterator]();
  let current = await it.next();
  let currentQr: Promise<Buffer[]> | undefined;
  try {
    outer: while (!current.done) {
      const letters = current.value;
      const ahead = await it.next();
      let nextQr: Promise<Buffer[]> | undefined;
      let qrs: Buffer[] | undefined;
      // PDFKit's fonts keep every word they have laid out, and each letter brings new ones (its address, its code).
      for (const font of Object.values(open(doc)._fontFamilies)) font.layoutCache = Object.create(null);
      for (const [i, letter] of letters.entries()) {
        if (out.destroyed) break outer; // the download was cancelled
        if (!template) template = firstLetter(doc, ctx, letter);
        else {
          if (!qrs) {
            maker ??= qrMaker(template.qrAt);
            qrs = await (currentQr ?? maker.make(letters.map(link)));
            if (!ahead.done) nextQr = maker.make(ahead.value.map(link));
          }
          stamp(doc, ctx, template, letter, qrs[i]);
        }
        doc.flushPages();
        // PDFKit holds every page's objects until the end, for the page tree, which needs only their numbers.
        for (; written < kids.length; written++) kids[written].data = {};
        count++;
        onLetter?.();
        // Now and then, a turn of the event loop (so a room running beside the printing is not held up), and a
        // wait while the reader is behind (so the letters never pile up in memory).
        if (count % YIELD_EVERY === 0) {
          flush();
          await (out.writableNeedDrain ? drained(out) : new Promise<void>((resolve) => setImmediate(resolve)));
        }
      }
      currentQr = nextQr;
      current = ahead;
    }
  } finally {
    maker?.close();
  }
  if (count === 0) doc.addPage().font('body').fontSize(12).text('This wave has no letters.');
  doc.end();
  await ended;
  if (out.destroyed) return count;
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('close', resolve);
    out.once('error', reject);
    out.end();
  });
  return count;
}

/** When `out` can take more, or has closed. */
const drained = (out: Writable) =>
  new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });

const YIELD_EVERY = 20;

/**
 * What every letter of a wave shares, laid out once: per page, a PDF form (XObject) with the page's text, and
 * where the household's own parts go (its address, its code and its QR code). Each letter then costs a few
 * lines of content, not the layout of every paragraph: fast, and a PDF a fraction of the size.
 */
interface Template {
  forms: { name: string; ref: PDFKit.PDFKitReference }[];
  codeAt: { page: number; x: number; y: number; width: number };
  qrAt: { page: number; x: number; y: number; size: number };
}

interface OpenPage {
  write(data: string | Buffer): void;
  resources: { data: { Font?: Record<string, unknown> } };
  xobjects: Record<string, unknown>;
}
interface OpenDocument {
  page: OpenPage;
  _root: { data: { Pages: { data: { Kids: { data: unknown }[] } } } };
  _fontFamilies: Record<string, { layoutCache?: Record<string, unknown> }>;
  addContent(data: string): unknown;
  bufferedPageRange(): { start: number; count: number };
}
const open = (doc: PDFKit.PDFDocument) => doc as unknown as OpenDocument;
const FLIP = /^1 0 0 -1 0 [\d.]+ cm$/;
let formNumber = 0;

/** The first letter: its shared parts laid out with the content captured into forms, then its own parts. */
function firstLetter(doc: PDFKit.PDFDocument, ctx: LetterContext, letter: Addressed): Template {
  doc.addPage();
  const first = doc.bufferedPageRange().start;
  const captured = new Map<OpenPage, string[]>();
  const real = open(doc).addContent;
  open(doc).addContent = (data: string) => {
    const ops = captured.get(open(doc).page) ?? [];
    ops.push(data);
    captured.set(open(doc).page, ops);
    return doc;
  };
  let slots: Omit<Template, 'forms'>;
  try {
    slots = layoutShared(doc, ctx);
  } finally {
    open(doc).addContent = real;
  }
  const forms = [...captured].map(([page, ops], i) => {
    // A page started during the layout begins with its own flip of the y axis: that stays on the page.
    if (i > 0 && FLIP.test(ops[0])) page.write(ops.shift()!);
    const ref = doc.ref({ Type: 'XObject', Subtype: 'Form', FormType: 1, BBox: [0, 0, doc.page.width, doc.page.height], Resources: { ProcSet: ['PDF', 'Text'], Font: { ...page.resources.data.Font } } });
    ref.end(ops.join('\n'));
    return { name: `Letter${++formNumber}p${i}`, ref };
  });
  const template = { forms, ...slots };
  const qr = qrOps(registrationLink(ctx.site, ctx.panel, letter.code), slots.qrAt);
  forms.forEach((_, i) => {
    doc.switchToPage(first + i);
    drawPage(doc, ctx, template, i, letter, qr);
  });
  return template;
}

/** A later letter: its pages, each the shared form and the household's own parts. */
function stamp(doc: PDFKit.PDFDocument, ctx: LetterContext, template: Template, letter: Addressed, qr: Buffer): void {
  template.forms.forEach((_, i) => {
    doc.addPage();
    drawPage(doc, ctx, template, i, letter, qr);
  });
}

/** A letter's page: the shared form, then the household's address, code and QR code (`qr`, from qrOps) where they go. */
function drawPage(doc: PDFKit.PDFDocument, ctx: LetterContext, template: Template, i: number, letter: Addressed, qr: Buffer): void {
  const form = template.forms[i];
  open(doc).page.xobjects[form.name] = form.ref;
  open(doc).addContent(`q /${form.name} Do Q`);
  const { largePrint } = ctx;
  if (i === 0) {
    const address = ['The Householder', letter.line1, letter.line2, letter.town, letter.postcode].filter(Boolean);
    doc.font('body').fontSize(largePrint ? 14 : 11).text(address.join('\n'), WINDOW.x + 4 * MM, WINDOW.y + 3 * MM, { width: WINDOW.width - 8 * MM, height: WINDOW.height - 6 * MM, lineGap: 1 });
  }
  const { codeAt, qrAt } = template;
  if (codeAt.page === i) doc.font('bold').fontSize(codeSize(ctx)).text(formatCode(letter.code), codeAt.x, codeAt.y, { width: codeAt.width, characterSpacing: 2, lineBreak: false });
  if (qrAt.page === i) {
    open(doc).page.write(qr);
    doc.fill('black');
  }
}

const codeSize = (ctx: LetterContext) => (ctx.largePrint ? 26 : 20);

/** The height of "To register", its instructions, the code and the phone line, as layoutShared writes them. */
function registerBlockHeight(doc: PDFKit.PDFDocument, ctx: LetterContext, width: number, [scan, call]: string[]): number {
  const size = ctx.largePrint ? 16 : 10.5;
  let height = doc.font('bold').fontSize(size).heightOfString('To register', { width });
  height += doc.font('body').heightOfString(scan, { width }) + 0.3 * doc.currentLineHeight(true);
  height += doc.font('bold').fontSize(codeSize(ctx)).currentLineHeight(true);
  if (call) height += doc.font('body').fontSize(size).heightOfString(call, { width });
  return height;
}

/** Everything but the household's address, code and QR code; returns where those go. */
function layoutShared(doc: PDFKit.PDFDocument, ctx: LetterContext): Omit<Template, 'forms'> {
  const { panel, letter: text, site, largePrint } = ctx;
  const size = largePrint ? 16 : 10.5;
  const right = doc.page.width - MARGIN;
  const textWidth = right - MARGIN;
  const first = doc.bufferedPageRange().start;
  const pageNow = () => doc.bufferedPageRange().start + doc.bufferedPageRange().count - 1 - first;

  // The sender, top right; the address (the household's own) goes in the envelope's window.
  doc.font('bold').fontSize(largePrint ? 13 : 10).text(text.sender || panel.title, MARGIN + textWidth / 2, MARGIN, { width: textWidth / 2, align: 'right' });

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
  const qrSize = largePrint ? 40 * MM : 30 * MM;
  const narrow = textWidth - qrSize - 6 * MM;
  const scan = `Scan the code on the right with your phone's camera, or go to ${site.replace(/^https?:\/\//, '')}/register/${panel.slug} and enter your code:`;
  const call = d.contactPhone ? `Or call ${d.contactName ? `${d.contactName} on ` : ''}${d.contactPhone}, and we will register you over the phone.` : '';
  // The block is kept on one page, next to its QR code: a new page if it would not fit.
  const block = Math.max(qrSize, registerBlockHeight(doc, ctx, narrow, [scan, call]));
  if (doc.y + 4 * MM + block > doc.page.height - MARGIN) doc.addPage();
  y = doc.y + 4 * MM;
  const qrAt = { page: pageNow(), x: right - qrSize, y, size: qrSize };
  doc.font('bold').fontSize(size).text('To register', MARGIN, y, { width: narrow });
  doc.font('body').text(scan, { width: narrow });
  doc.moveDown(0.3).font('bold').fontSize(codeSize(ctx));
  const codeAt = { page: pageNow(), x: doc.x, y: doc.y, width: narrow };
  doc.y += doc.currentLineHeight(true);
  doc.font('body').fontSize(size);
  if (call) doc.text(call, MARGIN, doc.y, { width: narrow });

  // Help in other languages, and where the privacy notice is.
  doc.y = Math.max(doc.y, y + qrSize) + 6 * MM;
  // The routes print no letter without a phone number (mailout-routes.ts).
  const help = text.help.replace(/\{phone\}/g, d.contactPhone);
  doc.font('body').fontSize(largePrint ? 13 : 8.5).text(help, MARGIN, doc.y, { width: textWidth, lineGap: 1 });
  doc.moveDown(0.5).text(`How we use your details: ${site}/privacy`, { width: textWidth });
  return { codeAt, qrAt };
}

