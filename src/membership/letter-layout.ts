import { MARGIN, MM, WINDOW } from '../mailout/page';
import { qrOps } from '../mailout/qr';
import { drawText, type SetText, setText, type TextStyle } from '../mailout/script-text';
import { LINK } from '../messages/outbox';

/**
 * One member's invitation letter on one A4 page (issue 22), in the stage-one letters' frame (mailout/page.ts):
 * the sender and the date top right, the member's name and address in the envelope's window, then the letter's
 * words, their personal link as text beside its QR code where the words say `[[link]]`. A letter in a
 * right-to-left language is set from the right, its QR code on the left. The words are made smaller, a half
 * point at a time, until the letter fits its page.
 */
export interface LetterPage {
  dir: 'ltr' | 'rtl';
  sender: string;
  date: string;
  /** Name, address lines, postcode. */
  address: string[];
  heading: string;
  /** Said first, when the letter is not in the member's own language. */
  note?: string;
  /** Paragraphs; the one that is exactly `[[link]]` is where the link and its QR code go. */
  paragraphs: string[];
  link: string;
}

const QR_SIZE = 32 * MM;
const SIZES = [11, 10.5, 10, 9.5, 9, 8.5, 8];

interface Block {
  set: SetText;
  /** The link's block: its QR code, beside the text. */
  qr?: boolean;
  gap: number;
}

export function drawLetter(doc: PDFKit.PDFDocument, letter: LetterPage): void {
  doc.addPage();
  const width = doc.page.width - 2 * MARGIN;
  const align = letter.dir === 'rtl' ? 'right' : 'left';
  const head = setText(doc, `${letter.sender}\n${letter.date}`, { size: 10, weight: 'bold', dir: 'auto', align: 'right' }, width / 2);
  drawText(doc, head, MARGIN + width / 2, MARGIN);
  drawAddress(doc, letter.address);

  const top = WINDOW.y + WINDOW.height + 8 * MM;
  const room = doc.page.height - MARGIN - top;
  const blocks = SIZES.map((size) => layout(doc, letter, size, width)).find((b) => total(b) <= room) ?? layout(doc, letter, SIZES[SIZES.length - 1], width);
  let y = top;
  for (const block of blocks) {
    if (block.qr) {
      const qrX = align === 'right' ? MARGIN : MARGIN + width - QR_SIZE;
      const textX = align === 'right' ? MARGIN + QR_SIZE + 6 * MM : MARGIN;
      drawText(doc, block.set, textX, y + Math.max(0, (QR_SIZE - block.set.height) / 2));
      drawQr(doc, letter.link, qrX, y);
      y += Math.max(QR_SIZE, block.set.height) + block.gap;
    } else {
      y = drawText(doc, block.set, MARGIN, y) + block.gap;
    }
  }
}

/** The name and address, as large as will fit the envelope's window, each line in its own direction. */
function drawAddress(doc: PDFKit.PDFDocument, lines: string[]): void {
  const width = WINDOW.width - 8 * MM;
  const style = (size: number): TextStyle => ({ size, dir: 'auto', align: 'left' });
  const fits = [11, 10, 9, 8].map((size) => setText(doc, lines.join('\n'), style(size), width)).find((s) => s.height <= WINDOW.height - 6 * MM);
  drawText(doc, fits ?? setText(doc, lines.join('\n'), style(7), width), WINDOW.x + 4 * MM, WINDOW.y + 3 * MM);
}

function layout(doc: PDFKit.PDFDocument, letter: LetterPage, size: number, width: number): Block[] {
  const style = (over: Partial<TextStyle> = {}): TextStyle => ({ size, dir: letter.dir, align: letter.dir === 'rtl' ? 'right' : 'left', ...over });
  const gap = 0.6 * size;
  const blocks: Block[] = [{ set: setText(doc, letter.heading, style({ size: size + 5, weight: 'bold' }), width), gap }];
  if (letter.note) blocks.push({ set: setText(doc, letter.note, style({ weight: 'bold', dir: 'ltr', align: 'left' }), width), gap });
  for (const p of letter.paragraphs) {
    if (p === LINK) blocks.push({ set: setText(doc, letter.link, style({ size: size + 1, weight: 'mono', dir: 'ltr' }), width - QR_SIZE - 6 * MM), qr: true, gap: gap * 1.5 });
    else blocks.push({ set: setText(doc, p, style(), width), gap });
  }
  return blocks;
}

const total = (blocks: Block[]) => blocks.reduce((h, b) => h + (b.qr ? Math.max(QR_SIZE, b.set.height) : b.set.height) + b.gap, 0);

interface OpenPage {
  page: { write(data: Buffer): void };
}

/** The QR code, drawn as the stage-one letters draw theirs (qr.ts): filled rectangles, sharp at any size. */
function drawQr(doc: PDFKit.PDFDocument, link: string, x: number, y: number): void {
  (doc as unknown as OpenPage).page.write(qrOps(link, { x, y, size: QR_SIZE }));
  doc.fill('black');
}
