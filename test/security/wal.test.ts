/**
 * The WAL reader in wal.ts, against real SQLite files: a writer in WAL mode with automatic checkpoints off, its
 * `x.db` and `x.db-wal` copied while it is still open (what a backup or an attacker would get), then replayed one
 * committed transaction at a time. Each image must hold exactly the rows the writer saw after that transaction.
 * The opposite checksum byte order is produced by re-encoding a real log, and SQLite itself must accept the result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  FRAME_HEADER_SIZE,
  MAGIC_BIG_ENDIAN,
  MAGIC_LITTLE_ENDIAN,
  WAL_HEADER_SIZE,
  type Checksum,
  type Wal,
  pagesOf,
  readWal,
  replay,
  walChecksum,
  withImage,
} from './wal';

/** `note` as hex text: jest compares long strings at once but Buffers byte by byte, which takes seconds here. */
type Row = { id: number; choice: string; note: string };
type Copy = { main: Buffer; wal: Buffer };

let dir: string;
let file: string;
let db: Database.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-test-'));
  file = path.join(dir, 'panel.db');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Without this SQLite folds the log back into the main file after 1000 pages, and the history with it.
  db.pragma('wal_autocheckpoint = 0');
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Both files as they are on disk right now, with the writer still open (closing it would checkpoint). */
function copyFiles(): Copy {
  return { main: fs.readFileSync(file), wal: fs.readFileSync(`${file}-wal`) };
}

function rowsOf(conn: Database.Database): Row[] {
  return conn.prepare('SELECT id, choice, hex(note) AS note FROM ballots ORDER BY id').all() as Row[];
}

/** Runs each step as one transaction and returns the rows the writer sees after each. */
function commitEach(steps: (() => void)[]): Row[][] {
  return steps.map((step) => {
    db.transaction(step)();
    return rowsOf(db);
  });
}

const insert = (id: number, choice: string, note: Buffer | null = null) => () =>
  void db.prepare('INSERT INTO ballots (id, choice, note) VALUES (?, ?, ?)').run(id, choice, note);
const createTable = () => void db.exec('CREATE TABLE ballots (id INTEGER PRIMARY KEY, choice TEXT NOT NULL, note BLOB)');
/** A blob far bigger than a page, so the row lives mostly on overflow pages. */
const blob = (seed: number) => Buffer.alloc(10_000, seed);

const history = [
  createTable,
  insert(1, 'yes'),
  () => {
    insert(2, 'no')();
    insert(3, 'abstain')();
  },
  () => void db.prepare("UPDATE ballots SET choice = 'no' WHERE id = 1").run(),
  () => void db.prepare('DELETE FROM ballots WHERE id = 2').run(),
  () => {
    for (let id = 10; id < 30; id++) insert(id, 'long', blob(id))();
  },
  () => void db.prepare('DELETE FROM ballots WHERE id >= 20').run(),
];

describe('walChecksum', () => {
  // Worked by hand from the definition: s0 += x0 + s1; s1 += x1 + s0, over the words 1, 2, 3, 4.
  const words = Buffer.from('00000001000000020000000300000004', 'hex');

  it('reads big-endian words', () => {
    expect(walChecksum(words, true)).toEqual([7, 14]);
  });

  it('reads little-endian words', () => {
    expect(walChecksum(words, false)).toEqual([0x07000000, 0x0e000000]);
  });

  it('continues from a seed and wraps at 32 bits like a C u32', () => {
    const ones = Buffer.alloc(8, 0xff);
    const seed: Checksum = [0xffffffff, 1];
    // s0 = 0xffffffff + 0xffffffff + 1 = 0xffffffff; s1 = 1 + 0xffffffff + 0xffffffff = 0xffffffff (mod 2^32).
    expect(walChecksum(ones, true, seed)).toEqual([0xffffffff, 0xffffffff]);
    expect(walChecksum(Buffer.alloc(0), false, seed)).toEqual(seed);
  });

  it('matches the header checksum SQLite wrote', () => {
    db.exec('CREATE TABLE t (x)');
    const { wal } = copyFiles();
    const bigEndian = wal.readUInt32BE(0) === MAGIC_BIG_ENDIAN;
    const sum = walChecksum(wal.subarray(0, 24), bigEndian);
    expect(sum).toEqual([wal.readUInt32BE(24), wal.readUInt32BE(28)]);
  });
});

describe('replay', () => {
  it('gives the database as it stood after each committed transaction', () => {
    const expected = commitEach(history);
    const { main, wal } = copyFiles();
    const images = replay(main, wal);
    expect(images).toHaveLength(history.length);
    images.forEach((image, i) => expect(withImage(image, rowsOf)).toEqual(expected[i]));
    // The main file was never checkpointed: every ballot above came out of the log alone.
    expect(withImage(main, (conn) => conn.prepare('SELECT name FROM sqlite_master').all())).toEqual([]);
  });

  it('keeps every page of a transaction that spans many', () => {
    commitEach(history);
    const { pageSize, transactions } = readWal(copyFiles().wal);
    const big = transactions[5];
    expect(big.frames.length).toBeGreaterThan((20 * 10_000) / pageSize);
    expect(big.dbSizeAfterCommit).toBeGreaterThanOrEqual(Math.max(...pagesOf(big)));
  });

  it('gives nothing for an empty log', () => {
    expect(readWal(Buffer.alloc(0)).transactions).toEqual([]);
    expect(replay(Buffer.alloc(0), Buffer.alloc(0))).toEqual([]);
  });
});

describe('where the log ends', () => {
  it('drops a transaction whose last frame was torn', () => {
    const expected = commitEach(history);
    const { main, wal } = copyFiles();
    const torn = wal.subarray(0, wal.length - 100);
    const images = replay(main, torn);
    expect(images).toHaveLength(history.length - 1);
    expect(withImage(images[images.length - 1], rowsOf)).toEqual(expected[history.length - 2]);
  });

  // Offsets inside a frame: a byte of the page (covered by the checksum) and of salt-1 (not covered by it).
  it.each([
    ['checksum fails', FRAME_HEADER_SIZE + 100],
    ['salt differs', 8],
  ])('stops at the first frame whose %s, even if later frames are intact', (_why, offset) => {
    commitEach(history);
    const { wal } = copyFiles();
    const { pageSize, transactions } = readWal(wal);
    const framesBefore = transactions.slice(0, 3).reduce((n, tx) => n + tx.frames.length, 0);
    const damaged = Buffer.from(wal);
    damaged[WAL_HEADER_SIZE + framesBefore * (FRAME_HEADER_SIZE + pageSize) + offset] ^= 1;
    expect(readWal(damaged).transactions).toHaveLength(3);
  });

  it('returns no frames of a transaction that has not committed', () => {
    const expected = commitEach(history.slice(0, 3));
    // A tiny page cache makes SQLite spill the running transaction's pages into the log before COMMIT.
    db.pragma('cache_size = 5');
    db.exec('BEGIN');
    for (let id = 100; id < 120; id++) insert(id, 'pending', blob(id))();
    const { main, wal } = copyFiles();
    db.exec('ROLLBACK');
    const read = readWal(wal);
    expect(read.transactions).toHaveLength(3);
    expect(read.trailingFrames).toBeGreaterThan(0);
    const images = replay(main, wal);
    expect(withImage(images[2], rowsOf)).toEqual(expected[2]);
  });

  it('reads only the current generation of a log reused after a checkpoint', () => {
    commitEach(history);
    const before = readWal(copyFiles().wal);
    const [checkpoint] = db.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
    expect(checkpoint.busy).toBe(0);
    const expected = commitEach([insert(40, 'after'), () => void db.prepare('DELETE FROM ballots WHERE id = 1').run()]);
    const { main, wal } = copyFiles();
    const after = readWal(wal);
    // The new generation overwrote the start of the file. The old frames after it are still there, intact, but
    // they carry the old salts (and their checksums chain from the old header), so they end the log.
    const frames = after.transactions.flatMap((tx) => tx.frames).length;
    const used = WAL_HEADER_SIZE + frames * (FRAME_HEADER_SIZE + after.pageSize);
    expect(wal.length).toBeGreaterThan(used);
    expect(after.salt1).toBe(before.salt1 + 1);
    expect(after.salt2).not.toBe(before.salt2);
    expect(after.transactions).toHaveLength(2);
    const images = replay(main, wal);
    images.forEach((image, i) => expect(withImage(image, rowsOf)).toEqual(expected[i]));
  });
});

describe('both checksum byte orders', () => {
  it('reads a log re-encoded in the other order, as SQLite itself does', () => {
    const expected = commitEach(history);
    const { main, wal } = copyFiles();
    const native = readWal(wal);
    const other = reencode(wal, !native.bigEndian);
    expect(other.readUInt32BE(0)).toBe(native.bigEndian ? MAGIC_LITTLE_ENDIAN : MAGIC_BIG_ENDIAN);
    const read = readWal(other);
    expect(read.bigEndian).toBe(!native.bigEndian);
    expect(contents(read)).toEqual(contents(native));
    // SQLite reading the re-encoded log proves the checksum is right in that order too, not just self-consistent.
    expect(sqliteRows(main, other)).toEqual(expected[expected.length - 1]);
  });
});

/** Transactions with pages as hex, which jest compares far faster than Buffers. */
function contents(wal: Wal): { size: number; frames: [number, string][] }[] {
  return wal.transactions.map((tx) => ({
    size: tx.dbSizeAfterCommit,
    frames: tx.frames.map((f): [number, string] => [f.page, f.data.toString('hex')]),
  }));
}

/** The same log with the other magic and every checksum recomputed in that byte order. */
function reencode(wal: Buffer, bigEndian: boolean): Buffer {
  const out = Buffer.from(wal);
  out.writeUInt32BE(bigEndian ? MAGIC_BIG_ENDIAN : MAGIC_LITTLE_ENDIAN, 0);
  let sum = writeSum(out, 24, walChecksum(out.subarray(0, 24), bigEndian));
  const frameSize = FRAME_HEADER_SIZE + out.readUInt32BE(8);
  for (let at = WAL_HEADER_SIZE; at + frameSize <= out.length; at += frameSize) {
    const headed = walChecksum(out.subarray(at, at + 8), bigEndian, sum);
    sum = writeSum(out, at + 16, walChecksum(out.subarray(at + FRAME_HEADER_SIZE, at + frameSize), bigEndian, headed));
  }
  return out;
}

function writeSum(buf: Buffer, at: number, sum: Checksum): Checksum {
  buf.writeUInt32BE(sum[0], at);
  buf.writeUInt32BE(sum[1], at + 4);
  return sum;
}

/** What SQLite's own reader makes of a main file and a log: no shared memory file, so it recovers from the log. */
function sqliteRows(main: Buffer, wal: Buffer): Row[] {
  const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-sqlite-'));
  try {
    const copy = path.join(copyDir, 'copy.db');
    fs.writeFileSync(copy, main);
    fs.writeFileSync(`${copy}-wal`, wal);
    const conn = new Database(copy, { readonly: true, fileMustExist: true });
    try {
      return rowsOf(conn);
    } finally {
      conn.close();
    }
  } finally {
    fs.rmSync(copyDir, { recursive: true, force: true });
  }
}
