/**
 * A reader for SQLite's write-ahead log, written from the file format
 * (https://www.sqlite.org/fileformat2.html#walformat) rather than through SQLite, so a test can see what an attacker
 * holding copies of `x.db` and `x.db-wal` sees: not only the current rows but the database as it stood after every
 * committed transaction still in the log (rule 8).
 *
 * `readWal` parses and checks the log the way SQLite's recovery does; `replay` turns it into one database image per
 * committed transaction; `openImage` / `withImage` open an image read-only so the test can ask it questions in SQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export type WalFrame = { page: number; data: Buffer };
/** The frames of one committed transaction, in log order, and the database size (in pages) its commit recorded. */
export type WalTransaction = { frames: WalFrame[]; dbSizeAfterCommit: number };
/**
 * `trailingFrames` counts valid frames after the last commit: pages of a transaction still running (or rolled back
 * after its pages spilled to the log). They belong to no committed transaction, but they are in the file.
 */
export type Wal = {
  pageSize: number;
  salt1: number;
  salt2: number;
  bigEndian: boolean;
  transactions: WalTransaction[];
  trailingFrames: number;
};
/** The two 32-bit running sums SQLite keeps; each frame's checksum continues from the one before. */
export type Checksum = readonly [number, number];

export const WAL_HEADER_SIZE = 32;
export const FRAME_HEADER_SIZE = 24;
/** The low bit of the magic says how checksum words are read: 1 big-endian, 0 little-endian. */
export const MAGIC_LITTLE_ENDIAN = 0x377f0682;
export const MAGIC_BIG_ENDIAN = 0x377f0683;
/** The only format version there has ever been; SQLite refuses to open a log with another. */
const FORMAT_VERSION = 3007000;

/** What SQLite concludes from a log it cannot use (too short, bad magic, bad page size, bad header checksum). */
function emptyWal(): Wal {
  return { pageSize: 0, salt1: 0, salt2: 0, bigEndian: false, transactions: [], trailingFrames: 0 };
}

/**
 * SQLite's WAL checksum: a Fletcher-like sum over pairs of 32-bit words, continuing from `seed`. The words are read
 * in the byte order the magic names, but the resulting sums are always *stored* big-endian, like every other
 * integer in the file. `>>> 0` keeps the arithmetic in unsigned 32 bits, as C's u32 overflow does.
 */
export function walChecksum(data: Buffer, bigEndian: boolean, seed: Checksum = [0, 0]): Checksum {
  if (data.length % 8 !== 0) throw new Error(`WAL checksums cover whole 8-byte words, got ${data.length} bytes`);
  let [s0, s1] = seed;
  for (let i = 0; i < data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** The committed transactions in a WAL file, oldest first, checked and cut off exactly where SQLite would. */
export function readWal(buf: Buffer): Wal {
  const header = readHeader(buf);
  if (!header) return emptyWal();
  const frameSize = FRAME_HEADER_SIZE + header.pageSize;
  const transactions: WalTransaction[] = [];
  let pending: WalFrame[] = [];
  let sum = header.checksum;
  for (let at = WAL_HEADER_SIZE; at + frameSize <= buf.length; at += frameSize) {
    const frame = readFrame(buf.subarray(at, at + frameSize), header, sum);
    // The first bad frame is the end of the log: later ones are torn writes or leftovers of an older generation.
    if (!frame) break;
    sum = frame.checksum;
    pending.push({ page: frame.page, data: frame.data });
    if (frame.dbSize !== 0) {
      transactions.push({ frames: pending, dbSizeAfterCommit: frame.dbSize });
      pending = [];
    }
  }
  // Whatever is left in `pending` was written by a transaction that never committed (or is still running).
  const { pageSize, salt1, salt2, bigEndian } = header;
  return { pageSize, salt1, salt2, bigEndian, transactions, trailingFrames: pending.length };
}

type Header = { pageSize: number; salt1: number; salt2: number; bigEndian: boolean; checksum: Checksum };

/** The 32-byte header, or undefined when SQLite would ignore the whole file. */
function readHeader(buf: Buffer): Header | undefined {
  if (buf.length < WAL_HEADER_SIZE) return undefined;
  const magic = buf.readUInt32BE(0);
  const pageSize = buf.readUInt32BE(8);
  const powerOfTwo = (pageSize & (pageSize - 1)) === 0;
  if ((magic & ~1) >>> 0 !== MAGIC_LITTLE_ENDIAN || !powerOfTwo || pageSize < 512 || pageSize > 65536) return undefined;
  const bigEndian = (magic & 1) === 1;
  const checksum = walChecksum(buf.subarray(0, 24), bigEndian);
  if (!sameChecksum(checksum, buf, 24)) return undefined;
  // SQLite checks the version only after the checksum, and fails the open rather than ignoring the log.
  const version = buf.readUInt32BE(4);
  if (version !== FORMAT_VERSION) throw new Error(`unknown WAL format version ${version}`);
  return { pageSize, salt1: buf.readUInt32BE(16), salt2: buf.readUInt32BE(20), bigEndian, checksum };
}

type Frame = WalFrame & { dbSize: number; checksum: Checksum };

/**
 * One frame (24-byte header, then the page), or undefined if it is not part of the current log. The checksum
 * covers the first 8 header bytes and the page but not the salts, so the salts are checked separately: they are
 * what tells this generation's frames from an older one's.
 */
function readFrame(frame: Buffer, header: Header, previous: Checksum): Frame | undefined {
  const page = frame.readUInt32BE(0);
  const sameSalts = frame.readUInt32BE(8) === header.salt1 && frame.readUInt32BE(12) === header.salt2;
  if (page === 0 || !sameSalts) return undefined;
  const data = frame.subarray(FRAME_HEADER_SIZE);
  const checksum = walChecksum(data, header.bigEndian, walChecksum(frame.subarray(0, 8), header.bigEndian, previous));
  if (!sameChecksum(checksum, frame, 16)) return undefined;
  // Copied, so the caller may change the log buffer afterwards without changing what was read from it.
  return { page, dbSize: frame.readUInt32BE(4), checksum, data: Buffer.from(data) };
}

function sameChecksum(sum: Checksum, buf: Buffer, at: number): boolean {
  return sum[0] === buf.readUInt32BE(at) && sum[1] === buf.readUInt32BE(at + 4);
}

/** The page numbers a transaction wrote, in log order (a page may appear more than once). */
export function pagesOf(tx: WalTransaction): number[] {
  return tx.frames.map((f) => f.page);
}

/**
 * The database as it stood after each committed transaction in `wal`, applied in turn over `dbFile` (the main file
 * copied at the same moment). Element i is the image after transaction i; each is a separate buffer.
 */
export function replay(dbFile: Buffer, wal: Buffer): Buffer[] {
  const { pageSize, transactions } = readWal(wal);
  const images: Buffer[] = [];
  let image = dbFile;
  for (const tx of transactions) {
    image = applyTransaction(image, tx, pageSize);
    images.push(image);
  }
  return images;
}

/**
 * Page N lives at (N-1)*pageSize. The commit frame's size is the truth about the file's length: pages past it are
 * gone (a VACUUM can shrink the file), and a page the log never wrote stays as the previous image had it.
 */
function applyTransaction(previous: Buffer, tx: WalTransaction, pageSize: number): Buffer {
  const image = Buffer.alloc(tx.dbSizeAfterCommit * pageSize);
  previous.copy(image, 0, 0, Math.min(previous.length, image.length));
  for (const { page, data } of tx.frames) {
    if (page <= tx.dbSizeAfterCommit) data.copy(image, (page - 1) * pageSize);
  }
  return image;
}

export type OpenedImage = { db: Database.Database; close: () => void };

/**
 * Opens a copy of `image` read-only in a fresh temporary directory; `close` closes it and removes the directory.
 *
 * The image keeps its header as it is (bytes 18 and 19 are 2, "WAL mode"): SQLite then looks for `x.db-wal`, finds
 * none and creates an empty one plus `x.db-shm` even on a read-only connection. That needs a writable directory,
 * which a temporary one is, and the empty log adds nothing, so the queries see exactly the image's pages.
 */
export function openImage(image: Buffer): OpenedImage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-image-'));
  const file = path.join(dir, 'image.db');
  fs.writeFileSync(file, image);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const close = (): void => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { db, close };
}

/** Runs `use` on the opened image and always cleans up, even when `use` throws (a failed expectation). */
export function withImage<T>(image: Buffer, use: (db: Database.Database) => T): T {
  const opened = openImage(image);
  try {
    return use(opened.db);
  } finally {
    opened.close();
  }
}
