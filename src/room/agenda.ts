import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fixturesDir } from '../paths';

/** Round types the room runs. A `vote` round is carried now and filled in by the voting feature. */
export const ROUND_TYPES = ['briefing', 'discussion', 'round-robin', 'ideas', 'tables', 'vote'] as const;
export type RoundType = (typeof ROUND_TYPES)[number];

const round = z.object({
  type: z.enum(ROUND_TYPES, { error: `type must be one of ${ROUND_TYPES.join(', ')}` }),
  title: z.string({ error: 'title is required' }).trim().min(1, 'title is required').max(200, 'title must be at most 200 characters'),
  minutes: z.number({ error: 'minutes must be a number' }).int('minutes must be whole').min(1, 'minutes must be at least 1').max(480, 'minutes must be at most 480'),
  speaker: z.string().trim().max(200).optional(),
  /** Open discussion: how long one person may hold the floor. */
  speakerSeconds: z.number().int().min(10).max(1800).optional(),
  /** Round-robin: how long each turn lasts. */
  turnSeconds: z.number().int().min(10).max(1800).optional(),
  /** Tables: people per table. */
  tableSize: z.number().int().min(3).max(12).optional(),
});

export const agendaSchema = z.object({
  title: z.string({ error: 'title is required' }).trim().min(1, 'title is required').max(200),
  rounds: z.array(round, { error: 'rounds must be a list' }).min(1, 'an agenda needs at least one round').max(100, 'an agenda has at most 100 rounds'),
});

export type Agenda = z.infer<typeof agendaSchema>;
export type AgendaRound = Agenda['rounds'][number];

/** Reads an agenda from JSON text; the error names the field, such as `rounds.2.minutes`. */
export function parseAgenda(text: string): Agenda {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AgendaError([`not valid JSON: ${(err as Error).message}`]);
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
