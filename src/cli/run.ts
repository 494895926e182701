import { VERSION } from '../health';
import { BACKUP_USAGE, backupCommand } from './backup';
import { BOUNCE_USAGE, bounceCommand } from './bounce';
import { DOCTOR_USAGE, doctorCommand } from './doctor';
import { DRAW_USAGE, drawCommand } from './draw';
import { INIT_USAGE, initCommand } from './init';
import { INVITE_DRAW_USAGE, inviteDrawCommand } from './invite-draw';
import { SESSION_CREATE_USAGE, sessionCreate } from './session-create';
import { USER_ADD_USAGE, userAdd } from './user-add';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal: progress then rewrites one line instead of printing many. */
  tty?: boolean;
}

/** The commands, each with its own usage (kept beside its code): `--help` shows one, the overall help joins them. */
const COMMANDS: { words: string[]; usage: string; run: (args: string[], io: Io) => number | Promise<number> }[] = [
  { words: ['draw'], usage: DRAW_USAGE, run: drawCommand },
  { words: ['invite-draw'], usage: INVITE_DRAW_USAGE, run: inviteDrawCommand },
  { words: ['session', 'create'], usage: SESSION_CREATE_USAGE, run: sessionCreate },
  { words: ['user', 'add'], usage: USER_ADD_USAGE, run: userAdd },
  { words: ['init'], usage: INIT_USAGE, run: initCommand },
  { words: ['backup'], usage: BACKUP_USAGE, run: backupCommand },
  { words: ['doctor'], usage: DOCTOR_USAGE, run: doctorCommand },
  { words: ['bounce'], usage: BOUNCE_USAGE, run: bounceCommand },
];

function indented(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

const VERSION_USAGE = `citizens-panel --version
      Prints the toolkit's version. Add --help (or -h) to any command for its own usage.
`;

/** Every command's usage, indented under one heading. Exit statuses: 0 done, 2 unusable input (the message says which). */
export const USAGE = `Usage:
${[...COMMANDS.map((c) => c.usage), VERSION_USAGE].map(indented).join('\n')}`;

export async function run(args: string[], io: Io): Promise<number> {
  const command = COMMANDS.find((c) => c.words.every((word, i) => args[i] === word));
  if (command) {
    const rest = args.slice(command.words.length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage:\n${indented(command.usage)}`);
      return 0;
    }
    return command.run(rest, io);
  }
  const [first] = args;
  if (first === '--version' || first === '-V') {
    io.out(`citizens-panel ${VERSION}\n`);
    return 0;
  }
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    io.out(USAGE);
    return first ? 0 : 2;
  }
  io.err(`citizens-panel: unknown command "${args.slice(0, 2).join(' ')}".\n\n${USAGE}`);
  return 2;
}
