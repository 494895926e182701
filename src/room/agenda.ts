import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fixturesDir } from '../paths';
import { METHODS } from '../voting/types';
import { jsonProblem } from './json-problem';

/** Round types the room runs. A `vote` round is carried now and filled in by the voting feature. */
export const ROUND_TYPES = ['briefing', 'discussion', 'round-robin', 'ideas', 'tables', 'vote'] as const;
export type RoundType = (typeof ROUND_TYPES)[number];

/** A whole number of `what`: the messages name the field in words, for the agenda builder and the CLI alike. */
const whole = (what: string, min: number, max: number, unit = '') =>
  z
    .number({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a number`) })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}${unit}`)
    .max(max, `${what} must be at most ${max}${unit}`);

/**
 * A vote round's settings, planned with the agenda: the facilitator's vote form starts from them when the round
 * comes (anything left out is chosen then). The same limits as the vote:open command (vote-schema.ts).
 */
export const agendaVoteSchema = z.object({
  question: z.string().trim().min(3, 'the vote question must be at least 3 characters').max(500, 'the vote question must be at most 500 characters').optional(),
  method: z.enum(METHODS, { error: `the vote method must be one of ${METHODS.join(', ')}` }).optional(),
  /** approval and ranked: the choices, if they are known before the day (otherwise they come from the ideas board). */
  options: z
    .array(z.string().trim().min(1, 'a vote choice cannot be empty').max(280, 'each vote choice must be at most 280 characters'))
    .max(50, 'a vote has at most 50 choices')
    .optional(),
  secret: z.boolean({ error: 'secret must be true or false' }).optional(),
  quorum: whole('the quorum', 0, 10_000, ' ballots').optional(),
});
export type AgendaVote = z.infer<typeof agendaVoteSchema>;

const round = z.object({
  type: z.enum(ROUND_TYPES, { error: `type must be one of ${ROUND_TYPES.join(', ')}` }),
  title: z.string({ error: 'title is required' }).trim().min(1, 'title is required').max(200, 'title must be at most 200 characters'),
  minutes: whole('minutes', 1, 480),
  speaker: z.string({ error: 'the speaker must be text' }).trim().max(200, "the speaker's name must be at most 200 characters").optional(),
  /** Open discussion, and each table's queue in a tables round: how long one person may hold the floor. */
  speakerSeconds: whole('the per-speaker limit', 10, 1800, ' seconds').optional(),
  /** Round-robin: how long each turn lasts. */
  turnSeconds: whole('the time per turn', 10, 1800, ' seconds').optional(),
  /** Tables: people per table. */
  tableSize: whole('the table size', 3, 12, ' people').optional(),
  /** Vote: what the vote will be, as far as it is known when the agenda is written. */
  vote: agendaVoteSchema.optional(),
});

export const agendaSchema = z.object({
  title: z.string({ error: 'title is required' }).trim().min(1, 'title is required').max(200, 'title must be at most 200 characters'),
  rounds: z.array(round, { error: 'rounds must be a list' }).min(1, 'an agenda needs at least one round').max(100, 'an agenda has at most 100 rounds'),
});

export type Agenda = z.infer<typeof agendaSchema>;
export type AgendaRound = Agenda['rounds'][number];

/** Reads an agenda from JSON text; the error names the field, such as `rounds.2.minutes`. */
export function parseAgenda(text: string): Agenda {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (err) {
    throw new AgendaError([`not valid JSON: ${jsonProblem(withoutBom(text), err)}`]);
  }
  const result = agendaSchema.safeParse(data);
  if (!result.success) throw new AgendaError(result.error.issues.map((i) => `${i.path.join('.') || 'agenda'}: ${i.message}`));
  return result.data;
}

export class AgendaError extends Error {
  constructor(readonly problems: string[]) {
    super(`The agenda cannot be used:\n  ${problems.join('\n  ')}`);
  }
}

/** The example agenda: a real day of the Coventry cultural-strategy panel. */
export const EXAMPLE_AGENDA = path.join(fixturesDir, 'cultural-strategy-agenda.json');

export function exampleAgenda(): Agenda {
  return parseAgenda(fs.readFileSync(EXAMPLE_AGENDA, 'utf8'));
}

/** A file saved by some Windows editors starts with a byte-order mark, which JSON.parse refuses. */
export const withoutBom = (text: string): string => text.replace(/^\uFEFF/, '');

/** The agendas the Live sessions page offers to start from: the example day, and a short evening. */
export const AGENDA_TEMPLATES = [
  { id: 'cultural-strategy', name: 'The cultural-strategy day', file: EXAMPLE_AGENDA },
  { id: 'evening', name: 'A short evening session', file: path.join(fixturesDir, 'agendas', 'evening-session.json') },
] as const;

export interface AgendaTemplate {
  id: string;
  name: string;
  agenda: Agenda;
}

/** The templates, read and checked. */
export function agendaTemplates(): AgendaTemplate[] {
  return AGENDA_TEMPLATES.map((t) => ({ id: t.id, name: t.name, agenda: parseAgenda(fs.readFileSync(t.file, 'utf8')) }));
}
