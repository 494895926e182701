import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Config, loadConfig } from '../config';
import { newestSchema, refuseUnusable } from '../db-checks';
import type { Io } from './run';

export const DOCTOR_USAGE = `citizens-panel doctor
      Checks this installation without changing anything: the configuration, PUBLIC_URL, the demo setting, the
      database named by $DATABASE (opened read-only: quick check, schema), who can read its files and key folder,
      and free disk space. One line per check: ok, warning or problem, with what to do.
      Exit status: 0 when there is no problem (warnings do not fail), 1 when there is one.
`;

type Level = 'ok' | 'warning' | 'problem';
interface Finding {
  level: Level;
  check: string;
  text: string;
}

/** citizens-panel doctor: reads the settings and the files, writes nothing, and says what to fix. */
export function doctorCommand(args: string[], io: Io): number {
  if (args.length > 0) {
    io.err(`citizens-panel doctor: it takes no arguments (it reads the same environment as the server).\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  const env = io.env ?? process.env;
  const findings: Finding[] = [];
  const say = (level: Level, check: string, text: string) => findings.push({ level, check, text });

  let config: Config | undefined;
  try {
    config = loadConfig(env);
    say('ok', 'configuration', `the settings are valid (NODE_ENV=${config.NODE_ENV}${config.production ? ', production' : ''})`);
  } catch (err) {
    const problems = (err as Error).message.replace(/^Invalid configuration:\n\s*/, '').split(/\n\s*/);
    say('problem', 'configuration', `${problems.join('; ')}. Fix ${problems.length === 1 ? 'it' : 'them'} in the server's environment (or its env file) and run citizens-panel doctor again`);
  }
  if (config) {
    checkPublicUrl(config, say);
    if (config.production && config.SEED_DEMO) say('problem', 'demo', 'SEED_DEMO=true in production: an empty database would get demo accounts and synthetic residents. Remove SEED_DEMO or set SEED_DEMO=false');
    else say('ok', 'demo', config.SEED_DEMO ? 'SEED_DEMO is on (development): an empty database gets the Coventry demo' : 'SEED_DEMO is off');
  }
  // The files can be checked even when another setting is wrong: read them as development would find them. Modes
  // first, as found: opening a database in WAL mode, even read-only, makes SQLite create an empty -wal file if none is.
  const files = config ?? lenient(env);
  if (files) {
    checkModes(files, say);
    checkDatabase(files.DATABASE, say);
    checkDisk(files, say);
  }

  const width = Math.max(...findings.map((f) => f.level.length)) + 2;
  for (const f of findings) io.out(`${f.level.padEnd(width)}${f.check}: ${f.text}\n`);
  const problems = findings.filter((f) => f.level === 'problem').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (problems) io.out(`\n${plural(problems, 'problem')}, ${plural(warnings, 'warning')}: fix the problems above, then run citizens-panel doctor again.\n`);
  else io.out(`\nNo problems${warnings ? `; ${plural(warnings, 'warning')} worth fixing` : ''}.\n`);
  return problems ? 1 : 0;
}

/** The settings the file checks need when the whole configuration does not parse (production's rules set aside). */
function lenient(env: NodeJS.ProcessEnv): Config | undefined {
  try {
    return loadConfig({ ...env, NODE_ENV: 'development' });
  } catch {
    return undefined;
  }
}

type Say = (level: Level, check: string, text: string) => void;

function checkPublicUrl(config: Config, say: Say): void {
  const url = config.PUBLIC_URL;
  if (!url) {
    say('ok', 'PUBLIC_URL', `not set: links point to http://localhost:${config.PORT}, which is fine for development only. Set PUBLIC_URL before going live`);
  } else if (config.production && !url.startsWith('https:')) {
    say('problem', 'PUBLIC_URL', `${url} is not https: in production, passwords and join links must not cross the network in clear. Put TLS in front (docs/operations.md) and set PUBLIC_URL=https://…`);
  } else {
    say('ok', 'PUBLIC_URL', `${url}, used for every link and for the room's Origin check`);
  }
}

/** The file: there, a database, passing the quick check, at the schema this code knows. Opened read-only. */
function checkDatabase(file: string, say: Say): void {
  if (!fs.existsSync(file)) {
    say('problem', 'database', `there is no database at ${file}. Set DATABASE to the app's database file, or create a new one with citizens-panel init`);
    return;
  }
  let db: Database.Database | undefined;
  try {
    refuseUnusable(file, false);
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check(1)', { simple: true }) as string;
    if (check !== 'ok') {
      say('problem', 'database', `${file} is damaged (SQLite's quick check says: ${check}). Stop the server and restore the latest backup (docs/operations.md, "Restore"); keep the damaged file`);
      return;
    }
    say('ok', 'database', `${file} opens and passes SQLite's quick check`);
    const schema = db.pragma('user_version', { simple: true }) as number;
    const newest = newestSchema();
    const ours = (db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'panels'").pluck().get() as number) > 0;
    if (schema > newest) say('problem', 'schema', `schema ${schema} is newer than the code, which knows up to ${newest}: a newer version of the toolkit wrote it. Run that version, or restore a backup made by this one`);
    else if (!ours && schema === 0 && db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() === 0) say('warning', 'schema', 'the database is empty: the server sets it up when it starts');
    else if (!ours) say('problem', 'schema', `${file} holds another application's tables, not this toolkit's. Point DATABASE at this toolkit's database`);
    else if (schema < newest) say('warning', 'schema', `schema ${schema}, older than this code's ${newest}: the server applies the missing migrations when it starts. Take a backup first (citizens-panel backup FILE)`);
    else say('ok', 'schema', `schema ${schema}, current`);
  } catch (err) {
    say('problem', 'database', `${(err as Error).message.replace(/\.$/, '')}`);
  } finally {
    db?.close();
  }
}

/** The database, its WAL and the key folder are for the server's user alone. */
function checkModes(config: Config, say: Say): void {
  const keys = path.resolve(config.KEYS_DIR ?? `${config.DATABASE}.keys`);
  const items: [string, string, string, string][] = [
    ['database file', path.resolve(config.DATABASE), '600', ''],
    ['WAL file', `${path.resolve(config.DATABASE)}-wal`, '600', 'there is none now (the server makes it, as readable as the database)'],
    ['key folder', keys, '700', 'there is none yet (made at the first secret vote, readable by its owner only)'],
  ];
  for (const [check, file, mode, absent] of items) {
    if (!fs.existsSync(file)) {
      if (absent) say('ok', check, absent);
      continue;
    }
    const found = fs.statSync(file).mode & 0o777;
    if ((found & 0o077) === 0) say('ok', check, `${file} is for its owner only (${octal(found)})`);
    else say('warning', check, `${file} can be read by other users of this machine (${octal(found)}). Run: chmod ${mode} ${shellWord(file)}`);
  }
}

/** A path as one shell word, so the chmod shown can be pasted as it is. */
function shellWord(file: string): string {
  return /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
}

function octal(mode: number): string {
  return `mode ${mode.toString(8).padStart(4, '0')}`;
}

/** Free space where the database lives, against MIN_FREE_MB (what /readyz holds it to). */
function checkDisk(config: Config, say: Say): void {
  let folder = path.dirname(path.resolve(config.DATABASE));
  while (!fs.existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  try {
    const stats = fs.statfsSync(folder);
    const freeMb = Math.floor((stats.bavail * stats.bsize) / 1_048_576);
    if (freeMb > config.MIN_FREE_MB) say('ok', 'disk', `${freeMb} MB free in ${folder} (MIN_FREE_MB is ${config.MIN_FREE_MB})`);
    else say('problem', 'disk', `only ${freeMb} MB free in ${folder}, not more than MIN_FREE_MB (${config.MIN_FREE_MB}): the server would report unready. Free some space, or move old backups elsewhere`);
  } catch (err) {
    say('problem', 'disk', `cannot read the free space of ${folder} (${(err as Error).message})`);
  }
}
