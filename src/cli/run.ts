import { backupCommand } from './backup';
import { drawCommand } from './draw';
import { sessionCreate } from './session-create';
import { userAdd } from './user-add';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal: progress then rewrites one line instead of printing many. */
  tty?: boolean;
}

/** Exit statuses: 0 done, 2 unusable input (the message says which), 3 quotas no panel can meet. */
export const USAGE = `Usage:
  citizens-panel draw --pool POOL.csv --quotas QUOTAS.csv --panel-size K [--algorithm leximin|maximin|legacy]
                      [--seed TEXT] [--id-column NAME] [--address-columns A,B] [--json]
      Draws a panel by stratified lottery. Quotas: category,value,min,max (or feature,value,min,max[,min_flex,max_flex]).
      The pool has one column per category; ids come from --id-column, else a column "id", else the row number.
      With --address-columns, at most one person per household. --json prints one JSON object.

  citizens-panel session create --panel SLUG --agenda FILE [--base-url URL] [--json]
      Creates a live session for the panel from a JSON agenda (see fixtures/cultural-strategy-agenda.json) and
      prints the join links, once: the facilitator's, the observers', and one per panel member.

  citizens-panel user add --role organiser|facilitator --email EMAIL [--name NAME] [--password PASSWORD] [--panel SLUG ...] [--admin]
      Creates an account in the database named by $DATABASE (default ./data/citizens-panel.db).
      Without --password, a strong password is generated and printed once.
      The password can also be given in $CITIZENS_PANEL_PASSWORD, which keeps it out of shell history.
      --panel SLUG (repeatable) puts them on that panel's team; without it an organiser or facilitator acts on no
      panel until an administrator adds them. --admin makes an administrator (creates panels and accounts, every panel).

  citizens-panel backup FILE
      Writes a consistent copy of the database named by $DATABASE to FILE (a new file), while the app runs,
      checks it, and says how to restore it.
`;

export async function run(args: string[], io: Io): Promise<number> {
  const [command, sub, ...rest] = args;
  if (command === 'user' && sub === 'add') return userAdd(rest, io);
  if (command === 'draw') return drawCommand(args.slice(1), io);
  if (command === 'session' && sub === 'create') return sessionCreate(rest, io);
  if (command === 'backup') return backupCommand(args.slice(1), io);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  io.err(`citizens-panel: unknown command "${args.slice(0, 2).join(' ')}".\n\n${USAGE}`);
  return 2;
}
