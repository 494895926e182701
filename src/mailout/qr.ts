import QRCode from 'qrcode';
import { startWorker } from '../worker';

/** Where a letter's QR code goes, in PDF points on the page as PDFKit draws it (y down from the top). */
export interface QrPlace {
  x: number;
  y: number;
  size: number;
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * A QR code as PDF drawing operations: one filled rectangle per run of dark modules, inside a quiet zone of two
 * modules. Sharp at any size, and small. The caller fills them (`f`).
 */
export function qrOps(text: string, at: QrPlace): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = at.size / (n + 2 * quiet);
  const ops: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; ) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && qr.modules.get(r, c)) c++;
      ops.push(`${round(at.x + (start + quiet) * cell)} ${round(at.y + (r + quiet) * cell)} ${round((c - start) * cell)} ${round(cell)} re`);
    }
  }
  return Buffer.from(`${ops.join('\n')}\n`, 'latin1');
}

/** A batch of codes' operations in one buffer (moved between threads, not copied), and where each ends. */
export function packOps(all: Buffer[]): { buffer: ArrayBuffer; ends: number[] } {
  const packed = Buffer.allocUnsafeSlow(all.reduce((n, b) => n + b.length, 0));
  const ends: number[] = [];
  let at = 0;
  for (const b of all) ends.push((at += b.copy(packed, at)));
  return { buffer: packed.buffer as ArrayBuffer, ends };
}

function unpackOps({ buffer, ends }: { buffer: ArrayBuffer; ends: number[] }): Buffer[] {
  return ends.map((end, i) => Buffer.from(buffer, i === 0 ? 0 : ends[i - 1], end - (i === 0 ? 0 : ends[i - 1])));
}

/**
 * QR codes made in a worker thread, a batch at a time: choosing each code's mask is most of a letter's cost, and
 * the letters' own thread can lay out one batch while the worker makes the next one's codes.
 */
export function qrMaker(at: QrPlace) {
  // Small heaps: the codes are made and dropped, and a large young generation only lets garbage pile up.
  const worker = startWorker(__filename, 'qr-worker', at, { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 });
  let next = 0;
  let closed = false;
  const waiting = new Map<number, { resolve: (ops: Buffer[]) => void; reject: (err: Error) => void }>();
  // Closed on purpose (the letters are done, or the download was cancelled): what was asked ahead is dropped.
  const fail = (err: Error) => {
    if (!closed) for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; ops?: { buffer: ArrayBuffer; ends: number[] }; message?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ops) w?.resolve(unpackOps(m.ops));
    else w?.reject(new Error(`the QR codes' worker thread failed: ${m.message}`));
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`the QR codes' worker thread stopped (exit code ${code})`)));
  return {
    make(texts: string[]): Promise<Buffer[]> {
      const id = next++;
      const made = new Promise<Buffer[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, texts });
      });
      // Asked ahead and perhaps never awaited (the download cancelled): a failure must not go unhandled.
      made.catch(() => {});
      return made;
    },
    close: () => {
      closed = true;
      void worker.terminate();
    },
  };
}
