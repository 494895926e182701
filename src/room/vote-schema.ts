import { z } from 'zod';
import { METHODS } from '../voting/types';

/** A ballot as a client sends it; whether it fits the vote (options, dots, reasons) is checked by validateBallot. */
export const ballotSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('threshold'), choice: z.enum(['agree', 'disagree', 'abstain']) }),
  z.object({ kind: z.literal('approval'), dots: z.array(z.number().int().min(0).max(100)).max(100) }),
  z.object({ kind: z.literal('ranked'), ranking: z.array(z.number().int().min(0).max(99)).max(100) }),
  z.object({ kind: z.literal('scale'), level: z.number().int().min(0).max(8) }),
  z.object({ kind: z.literal('consent'), choice: z.enum(['consent', 'object', 'abstain']), reason: z.string().trim().max(500).optional() }),
]);

const settings = z.object({
  method: z.enum(METHODS),
  threshold: z.object({ rule: z.enum(['majority', 'two-thirds', 'percent']), percent: z.number().min(1).max(100).optional(), base: z.enum(['all', 'decisive']) }).optional(),
  dots: z.object({ perVoter: z.number().int().min(1).max(100), perOption: z.number().int().min(1).max(100) }).optional(),
  count: z.enum(['irv', 'borda']).optional(),
  scale: z.enum(['likert5', 'gradients8']).optional(),
  /** Ballots needed for the result to stand. Left out, more than half of the session's members (votes.ts defaultQuorum): no quorum is 0, said outright. */
  quorum: z.number().int().min(0).max(10_000).optional(),
});

/** A receipt as a person may type it back: 12 letters and digits, in any case, with or without dashes or spaces. */
export const receipt = z.string().max(40).refine((r) => r.replace(/[\s-]/g, '').length === 12, 'a receipt is 12 letters and digits, such as 7K3M-Q9TX-2BHD');

export const voteCommands = [
  z.object({
    type: z.literal('vote:open'),
    /** Not needed for a vote on a recommendation or amendment: its question states the wording. */
    question: z.string().trim().min(3, 'write the question').max(500).optional(),
    subject: z.object({ rec: z.number().int().min(1), amendment: z.number().int().min(1).optional() }).optional(),
    /** Approves this revision of the session's summary, or the latest one (the question then names it). */
    summary: z.union([z.number().int().min(1), z.literal('latest')]).optional(),
    settings,
    options: z.array(z.string().trim().min(1).max(280)).max(50).optional(),
    from: z.object({ round: z.number().int().min(0), take: z.enum(['ideas', 'themes']) }).optional(),
    secret: z.boolean().default(false),
    live: z.boolean().default(false),
  }),
  z.object({ type: z.literal('vote:cast'), vote: z.number().int().min(1), ballot: ballotSchema }),
  z.object({
    type: z.literal('vote:paper'),
    vote: z.number().int().min(1),
    /** The members who voted on paper, by the name the room shows: one for every ballot, counted or spoiled. */
    members: z.array(z.string().min(1).max(40)).max(2000, 'at most 2000 members'),
    ballots: z.array(ballotSchema).max(2000),
    spoiled: z.number().int().min(0).max(2000).default(0),
  }),
  z.object({ type: z.literal('vote:close'), vote: z.number().int().min(1) }),
] as const;

const wording = z.string().trim().min(3, 'write the wording').max(2000, 'at most 2000 characters');
const rec = z.number().int().min(1);

export const recommendationCommands = [
  z.object({
    type: z.literal('rec:draft'),
    text: wording,
    from: z.union([z.object({ round: z.number().int().min(0), theme: z.string().trim().min(1).max(80) }), z.object({ round: z.number().int().min(0), table: z.number().int().min(1) })]).optional(),
  }),
  z.object({ type: z.literal('rec:amend'), rec, text: wording, reason: z.string().trim().max(500).optional() }),
  z.object({ type: z.literal('rec:withdraw'), rec, amendment: z.number().int().min(1).optional() }),
  z.object({ type: z.literal('rec:minority'), rec, text: wording }),
  z.object({ type: z.literal('rec:support'), rec, report: z.number().int().min(1), support: z.boolean() }),
] as const;
