import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { migrationsDir } from './paths';

const HEADER = 'SQLite format 3\u0000';
const RESTORE = 'restore the latest backup (docs/operations.md, "Restore")';

/** The newest schema this code knows: the number of the last file in db/migrations. */
export function newestSchema(dir = migrationsDir): number {
  return Math.max(0, ...fs.readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).map((f) => Number(f.slice(0, 4))));
}

/**
 * Before opening: a file that cannot be this toolkit's database is refused, not turned into one. A missing file is
 * fine (a first start makes it); an empty one is made a database only by `citizens-panel init`.
 */
export function refuseUnusable(file: string, create: boolean): void {
  if (!fs.existsSync(file)) return;
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new Error(`The database ${file} is not a file. Set DATABASE to the path of the database file.`);
  if (stat.size === 0) {
    if (create) return;
    throw new Error(
      `The database ${file} is an empty file, not a database: it may have been truncated, or a copy went wrong. ` +
        `If it should hold a panel's data, ${RESTORE}. To start a new, empty database there on purpose, run: citizens-panel init`,
    );
  }
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== HEADER) {
    throw new Error(`The file ${file} is not a SQLite database, so it cannot be this toolkit's database. Check DATABASE names the right file, or ${RESTORE}.`);
  }
}

/**
 * After opening, before migrating: refuses another application's database (tables but no schema number of
 * ours), a schema newer than this code, and a file that fails SQLite's quick check.
 */
export function refuseUnlike(db: Database.Database, file: string): void {
  const schema = db.pragma('user_version', { simple: true }) as number;
  const newest = newestSchema();
  if (schema > newest) {
    throw new Error(
      `The database ${file} was written by a newer version of the toolkit (schema ${schema}; this version knows up to ${newest}). ` +
        `Run the newer version again, or ${RESTORE} made by this version. Nothing was changed.`,
    );
  }
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  if ((schema === 0 && tables.length > 0) || (schema > 0 && !tables.includes('panels'))) {
    const some = tables.slice(0, 4).join(', ') + (tables.length > 4 ? ', …' : '');
    throw new Error(`The database ${file} holds another application's tables (${some}), so the toolkit will not add its own to it. Point DATABASE at a new file, or at this toolkit's database.`);
  }
  const check = db.pragma('quick_check(1)', { simple: true }) as string;
  if (check !== 'ok') throw new Error(`The database ${file} is damaged (SQLite's check says: ${check}). Stop here and ${RESTORE}; keep the damaged file for investigation.`);
}

/** Runs a step of opening the file, turning SQLite's bare words ("file is not a database") into ones that name the file and say what to do. */
export function opened<T>(file: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if ((err as Error).name !== 'SqliteError' || typeof code !== 'string') throw err;
    const why = /CORRUPT|NOTADB/.test(code)
      ? `is damaged or is not a database (${(err as Error).message}). Stop here and ${RESTORE}; keep the damaged file for investigation.`
      : /CANTOPEN|PERM|READONLY|AUTH/.test(code)
        ? `cannot be opened for writing (${(err as Error).message}). Check the file and its folder belong to the user the server runs as.`
        : /FULL/.test(code)
          ? `cannot be written: the disk is full. Free some space, then start again.`
          : `could not be opened (${(err as Error).message}).`;
    throw new Error(`The database ${file} ${why}`);
  }
}
