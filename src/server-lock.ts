import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Who holds a database's server lock, as the lock file says. */
interface Holder {
  pid: number;
  host: string;
  started_at: number;
}

export interface ServerLock {
  release(): void;
}

/**
 * One server per database. The lock is a small SQLite file beside the database, `<DATABASE>.lock`, kept inside an
 * open write transaction for as long as the server runs: the operating system lets it go when the process ends,
 * however it ends, so a crashed server leaves no stale lock. Readers are not blocked, so a second server can read
 * who holds it and say so. Other processes (`citizens-panel backup`, `user add`) use the database as before.
 */
export function holdServerLock(databaseFile: string, now = Date.now()): ServerLock {
  const file = `${databaseFile}.lock`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const lock = new Database(file);
  try {
    lock.pragma('busy_timeout = 0');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL)');
    lock.exec('BEGIN IMMEDIATE');
  } catch (err) {
    const busy = /^SQLITE_BUSY/.test(String((err as { code?: unknown }).code));
    const holder = busy ? (lock.prepare('SELECT pid, host, started_at FROM holder').get() as Holder | undefined) : undefined;
    lock.close();
    if (!busy) throw new Error(`The server's lock file ${file} could not be used (${(err as Error).message}). Check the database's folder can be written by this user.`);
    const who = holder ? `process ${holder.pid} on ${holder.host}, started ${new Date(holder.started_at).toISOString()}` : 'another process';
    throw new Error(
      `Another server is already using the database ${databaseFile} (${who}). Two servers on one database would lose each other's work, so this one will not start. ` +
        `Stop the other one first (or give this one its own DATABASE). A process manager must run one instance only, not a cluster. Backups (citizens-panel backup) work while the server runs.`,
    );
  }
  lock.exec('DELETE FROM holder');
  lock.prepare('INSERT INTO holder (pid, host, started_at) VALUES (?, ?, ?)').run(process.pid, os.hostname(), now);
  lock.exec('COMMIT');
  // Between the commit and here another server may take the lock: then this one is the second, and refuses.
  try {
    lock.exec('BEGIN IMMEDIATE');
  } catch {
    lock.close();
    return holdServerLock(databaseFile, now);
  }
  return {
    release: () => {
      if (!lock.open) return;
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}
