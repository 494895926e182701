import fs from 'node:fs';
import { loadConfig } from '../config';
import { closeDb, openDb } from '../db';
import type { Io } from './run';

export const INIT_USAGE = `citizens-panel init
      Creates a new, empty database at $DATABASE on purpose: the server refuses to start on an empty file (it may
      be a truncated copy of real data). Refuses a file that already holds data. Then create the first account:
      citizens-panel user add --role organiser --admin --email you@example.org
`;

/** citizens-panel init: a new database where none is, or where an empty file stands. */
export function initCommand(args: string[], io: Io): number {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(INIT_USAGE);
    return 0;
  }
  if (args.length > 0) {
    io.err(`citizens-panel init: it takes no arguments (the database is named by $DATABASE).\n\n${INIT_USAGE}`);
    return 2;
  }
  const { DATABASE } = loadConfig(io.env ?? process.env);
  if (fs.existsSync(DATABASE) && fs.statSync(DATABASE).size > 0) {
    io.err(`citizens-panel init: ${DATABASE} already holds a database, so nothing was done. To start afresh, move it aside first (keep it: it may hold a panel's data).\n`);
    return 2;
  }
  const previous = process.umask(0o077);
  try {
    closeDb(openDb(DATABASE, { create: true }));
  } finally {
    process.umask(previous);
  }
  io.out(`Created a new database at ${DATABASE}.\nNext, create the first account: citizens-panel user add --role organiser --admin --email you@example.org\n`);
  return 0;
}
