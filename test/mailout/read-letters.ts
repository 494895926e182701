import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface ReadBack {
  numPages: number;
  pages: { text: string; qr: string | null }[];
}

/** A PDF read back by PDF.js and jsQR in another process (letter-reader.mjs): its pages' text and QR codes. */
export async function readLetters(pdf: Buffer, first?: number): Promise<ReadBack> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-letters-')), 'letters.pdf');
  fs.writeFileSync(file, pdf);
  const args = [path.join(__dirname, 'letter-reader.mjs'), file, ...(first ? ['--first', String(first)] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return JSON.parse(stdout) as ReadBack;
}

/**
 * The letter's code as printed on a page (under "enter your code:"), dashes and spaces taken out. PDF.js guesses
 * word gaps from glyph positions, and the code's wide letter spacing sometimes reads as a space.
 */
export function codeOn(page: { text: string }): string | undefined {
  const line = /enter\s+your\s+code:\s*\n([^\n]+)/.exec(page.text)?.[1];
  return line?.replace(/[\s-]/g, '');
}
