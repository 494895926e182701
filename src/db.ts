import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { opened, refuseUnlike, refuseUnusable } from './db-checks';
import { migrationsDir } from './paths';

export type Db = Database.Database;

/**
 * Statements prepared once per database (rule 6): `const statements = preparedOnce((db) => ({ name: db.prepare(…) }))`,
 * then `statements(db).name.get(…)` prepares them on first use and keeps them as long as the database.
 */
export function preparedOnce<T>(prepare: (db: Db) => T): (db: Db) => T {
  const kept = new WeakMap<Db, T>();
  return (db) => {
    let q = kept.get(db);
    if (!q) kept.set(db, (q = prepare(db)));
    return q;
  };
}

export interface OpenOptions {
  /** Make a new database even where an empty file stands (`citizens-panel init`): start-up refuses one. */
  create?: boolean;
  /** Told when migrations are applied: each one's name, for the log an upgrade reads. */
  migrated?: (file: string) => void;
}

/**
 * Opens the database file, sets the pragmas, and applies pending migrations. A missing file is made, readable by
 * its owner only; a file that is not this toolkit's database is refused in words that name it and say what to do
 * (checks.ts): an empty file, another application's tables, a schema newer than this code, a damaged file.
 */
export function openDb(file: string, options: OpenOptions = {}): Db {
  const onDisk = file !== ':memory:';
  if (onDisk) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    refuseUnusable(file, options.create ?? false);
    // Made here, so the file (and the -wal and -shm files SQLite gives the same mode) is its owner's alone.
    if (!fs.existsSync(file) || fs.statSync(file).size === 0) fs.writeFileSync(file, '', { mode: 0o600 });
  }
  const db = opened(file, () => new Database(file));
  try {
    opened(file, () => {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      // Erased personal data must not linger in free pages of the file.
      db.pragma('secure_delete = ON');
      if (onDisk) refuseUnlike(db, file);
      migrate(db, migrationsDir, options.migrated);
    });
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies db/migrations/NNNN_name.sql files above PRAGMA user_version, each in its own transaction. */
export function migrate(db: Db, dir = migrationsDir, told?: (file: string) => void): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort();
  let applied = 0;
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (version <= current) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
    told?.(file);
    applied++;
  }
  return applied;
}

/** SQLite's error codes (and their extended forms) that mean nothing can be stored just now, in words. */
const STORAGE_PROBLEMS: [RegExp, string][] = [
  [/^SQLITE_FULL/, 'its disk is full'],
  [/^SQLITE_READONLY/, 'its database cannot be written to'],
  [/^SQLITE_(IOERR|CANTOPEN)/, 'its disk reported an error'],
  [/^SQLITE_(BUSY|LOCKED)/, 'its database is busy'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'part of its database file is damaged'],
];

/**
 * When an error means the database cannot store anything just now (disk full, file read-only, an I/O fault,
 * locked too long), the words for the person whose action was refused; otherwise undefined. Nothing was stored:
 * the transaction that hit it rolled back.
 */
export function storageProblem(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  // By name, not instanceof: the native module keeps the first SqliteError class it was given (one per process).
  if ((err as Error)?.name !== 'SqliteError' || typeof code !== 'string') return undefined;
  const why = STORAGE_PROBLEMS.find(([prefix]) => prefix.test(code))?.[1];
  return why && `The server could not save this because ${why}. Nothing was changed. Tell the organiser, then try again in a minute.`;
}

/** Flushes the WAL into the main file: call on shutdown. */
export function closeDb(db: Db): void {
  if (!db.open) return;
  if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
