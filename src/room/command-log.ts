import { z } from 'zod';
import { type Command, commandSchema } from './machine';

// The two commands the log keeps without their ballots: a cast only its vote, a paper count only how many.
const count = z.number().int().min(0).max(2000);
const castLogged = z.object({ type: z.literal('vote:cast'), vote: z.number().int().min(1) });
const paperLogged = z.object({ type: z.literal('vote:paper'), vote: z.number().int().min(1), members: count, ballots: count, spoiled: count });

type Option = (typeof commandSchema.options)[number];
type KeptWhole = Exclude<Option, { shape: { type: z.ZodLiteral<'vote:cast' | 'vote:paper'> } }>;
const keptWhole = commandSchema.options.filter((o): o is KeptWhole => o.shape.type.value !== 'vote:cast' && o.shape.type.value !== 'vote:paper');

/**
 * The session's command log (room_commands): every applied command as the rules took it, except ballots, which
 * it never keeps (rule 8). Read back with the commands' own schema, so a reader gets typed commands.
 */
export const loggedCommandSchema = z.discriminatedUnion('type', [castLogged, paperLogged, ...keptWhole]);
export type LoggedCommand = z.infer<typeof loggedCommandSchema>;

/** A command as the record keeps it, with who sent it (a panellist's pseudonym, or a role) and when. */
export interface RecordedCommand {
  actor: string;
  command: LoggedCommand;
  version: number;
  at: number;
}

/** What the log keeps of a command: never a ballot, which would tie a voter to a choice (rule 8). */
export function forTheRecord(command: Command): LoggedCommand {
  if (command.type === 'vote:cast') return { type: command.type, vote: command.vote };
  if (command.type === 'vote:paper') return { type: command.type, vote: command.vote, members: command.members.length, ballots: command.ballots.length, spoiled: command.spoiled };
  return command;
}

/**
 * A logged command read back. One that no longer fits (a shape this code does not know) is an error naming
 * the session, its version and what is wrong: an old shape is upgraded by a migration (as 0016 does for paper
 * counts), never guessed at here.
 */
export function readLogged(sessionId: number, version: number, json: string): LoggedCommand {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new Error(`Session ${sessionId}'s command log cannot be read at version ${version}: not JSON (${(err as Error).message}).`);
  }
  const parsed = loggedCommandSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const type = typeof data === 'object' && data !== null && 'type' in data ? String(data.type) : 'no type';
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ');
  throw new Error(`Session ${sessionId}'s command log cannot be read at version ${version} (${type}): ${problems}. A migration must bring stored commands of an older shape up to date.`);
}
