import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrationsDir } from './paths';

export type Db = Database.Database;

/** Opens (and creates) the database file, sets the pragmas, and applies pending migrations. */
export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  // Erased personal data must not linger in free pages of the file.
  db.pragma('secure_delete = ON');
  migrate(db);
  return db;
}

/** Applies db/migrations/NNNN_name.sql files above PRAGMA user_version, each in its own transaction. */
export function migrate(db: Db, dir = migrationsDir): number {
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
    applied++;
  }
  return applied;
}

/** Flushes the WAL into the main file: call on shutdown. */
export function closeDb(db: Db): void {
  if (!db.open) return;
  if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
