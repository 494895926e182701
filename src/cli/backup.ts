import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { audit } from '../audit';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import type { Io } from './run';

/** What a backup is summarised by: enough to see at a glance that it holds the panel's work. */
const COUNTS: [string, string][] = [
  ['registrants', 'people registered'],
  ['members', 'panel members'],
  ['room_sessions', 'sessions'],
  ['room_commands', 'room commands'],
  ['vote_ballots', 'open ballots'],
  ['secret_ballots', 'secret ballots'],
  ['vote_sealed', 'sealed ballots of open votes'],
  ['summary_versions', 'published summaries'],
];

export const BACKUP_USAGE = `citizens-panel backup FILE
      Writes a consistent copy of the database named by $DATABASE to FILE (a new file), while the app runs,
      checks it, records it in the audit trail, and says how to restore it.
`;

/**
 * citizens-panel backup FILE: a consistent copy of the database named by $DATABASE, taken while the app runs.
 * `VACUUM INTO` reads one snapshot (in WAL mode the app keeps writing meanwhile) into a new, compact file,
 * which is then checked and summarised. Restoring is: stop the app, put the copy in place of the database
 * file (removing its -wal and -shm files), start the app (README, Backups).
 */
export function backupCommand(args: string[], io: Io): number {
  const fail = (message: string) => {
    io.err(`citizens-panel backup: ${message}\n`);
    return 2;
  };
  if (args.length !== 1 || args[0].startsWith('-')) return fail(`give one argument, the file to write the backup to, such as backups/panel-2026-11-23.db\n\n${BACKUP_USAGE}`);
  const target = path.resolve(args[0]);
  const { DATABASE, KEYS_DIR } = loadConfig(io.env ?? process.env);
  if (!fs.existsSync(DATABASE)) return fail(`there is no database at ${DATABASE} to back up. Set $DATABASE to the app's database file.`);
  if (fs.existsSync(target)) return fail(`${target} exists already. Choose a new name (a backup never overwrites a file).`);
  if (!fs.existsSync(path.dirname(target))) return fail(`the folder ${path.dirname(target)} does not exist. Create it first.`);

  const started = Date.now();
  const source = new Database(DATABASE, { readonly: true, fileMustExist: true });
  // The copy holds everyone's data: readable by its owner only, from the moment it is made.
  const umask = process.umask(0o077);
  try {
    source.pragma('busy_timeout = 5000');
    source.prepare('VACUUM INTO ?').run(target);
  } catch (err) {
    fs.rmSync(target, { force: true });
    return fail(`the copy failed: ${(err as Error).message}. Nothing was written; check the disk has room and try again.`);
  } finally {
    process.umask(umask);
    source.close();
  }

  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      copy.close();
      fs.rmSync(target, { force: true });
      return fail(`the copy did not pass SQLite's integrity check (${String(check)}), so it was deleted. Try again; if it fails again, the database itself needs checking.`);
    }
    // A copy of everyone's data: recorded in the live database (not in the copy), or not kept.
    const recorded = recordBackup(DATABASE, target);
    if (recorded !== true) {
      copy.close();
      fs.rmSync(target, { force: true });
      return fail(`the backup could not be recorded in the audit trail (${recorded}), so it was deleted. Try again in a minute.`);
    }
    const tables = new Set(copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const counts = COUNTS.filter(([table]) => tables.has(table)).map(([table, label]) => `${copy.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number} ${label}`);
    const size = fs.statSync(target).size;
    io.out(`Backed up ${DATABASE} to ${target} (${(size / 1024 / 1024).toFixed(1)} MiB in ${Date.now() - started} ms): ${counts.join(', ')}.\n`);
    io.out(`Integrity check: ok. To restore: stop the app, copy this file to ${DATABASE}, delete ${DATABASE}-wal and ${DATABASE}-shm if present, and start the app.\n`);
    io.out(`The key folder (${KEYS_DIR ?? `${DATABASE}.keys`}) is not in this backup, on purpose (docs/voting.md): copy it separately, to somewhere else. Without it, a secret vote open at the time of the backup cannot be counted after a restore.\n`);
    return 0;
  } finally {
    if (copy.open) copy.close();
  }
}

/** Writes `cli.backup` to the audit trail of the database backed up: true, or what went wrong. */
function recordBackup(database: string, target: string): true | string {
  let live: Database.Database | undefined;
  try {
    live = new Database(database, { fileMustExist: true });
    live.pragma('busy_timeout = 5000');
    audit(live, systemClock, { userId: null, panelId: null, action: 'cli.backup', detail: { via: 'cli', file: path.basename(target) } });
    return true;
  } catch (err) {
    return (err as Error).message;
  } finally {
    live?.close();
  }
}
