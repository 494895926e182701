import { userAdd } from './user-add';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Exit statuses: 0 done, 2 unusable input (the message says which). */
export const USAGE = `Usage:
  citizens-panel user add --role organiser|facilitator --email EMAIL [--name NAME] [--password PASSWORD]
      Creates an account in the database named by $DATABASE (default ./data/citizens-panel.db).
      Without --password, a strong password is generated and printed once.
      The password can also be given in $CITIZENS_PANEL_PASSWORD, which keeps it out of shell history.
`;

export async function run(args: string[], io: Io): Promise<number> {
  const [command, sub, ...rest] = args;
  if (command === 'user' && sub === 'add') return userAdd(rest, io);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  io.err(`citizens-panel: unknown command "${args.slice(0, 2).join(' ')}".\n\n${USAGE}`);
  return 2;
}
