import { z } from 'zod';
import type { Ballot } from '../voting/types';
import type { Receipt, SqliteBallotBox } from './ballot-box';
import type { Reply } from './events';
import type { Actor, Command } from './machine';
import { normalReceipt } from '../seal';
import type { RoomState } from './state';
import { readable } from './readable';
import { receipt } from './vote-schema';

const checkSchema = z.object({ vote: z.number().int().min(1), receipt, unlock: z.string().max(80).optional() });

export type CheckAnswer = { counted: boolean; ballot?: Ballot };

/**
 * `vote:check`: whether the ballot behind a receipt is in the box (open vote) or was counted (closed). Only
 * panellists may ask, so an observer's screen or a facilitator cannot be used to test a coerced receipt; the
 * ballot itself is shown only with the `unlock` that the voting device holds. An open vote has no receipts:
 * the member's own ballot is theirs to see.
 */
export function checkReceipt(actor: Actor, state: RoomState | undefined, box: SqliteBallotBox, payload: unknown): Reply<CheckAnswer> {
  if (actor.role !== 'panellist') return { ok: false, error: 'forbidden', message: 'Only the panellist who voted can check a ballot, from their own phone.' };
  const query = readable(checkSchema, payload);
  if (!query?.success) return { ok: false, error: 'invalid', message: 'Give the vote number and your receipt code, such as 7K3M-Q9TX-2BHD.' };
  const vote = state?.votes.find((v) => v.id === query.data.vote);
  if (!vote) return { ok: false, error: 'not_found', message: `There is no vote ${query.data.vote}.` };
  if (!vote.secret) return { ok: false, error: 'invalid', message: 'This was an open vote: it has no receipts. Your ballot is shown with the vote.' };
  if (vote.withheld) return { ok: false, error: 'conflict', message: 'Too few voted in this secret vote to report it, so its ballots were destroyed at the close without being counted or kept.' };
  return { ok: true, data: box.check(vote.id, vote.status, normalReceipt(query.data.receipt), query.data.unlock) };
}

/** What a `vote:cast` acknowledgement carries besides the version: a secret ballot's receipt, from the box. */
export function castReceipt(actor: Actor, command: Command, box: SqliteBallotBox): Partial<Receipt> {
  if (command.type !== 'vote:cast' || actor.role !== 'panellist') return {};
  return box.receiptOf(command.vote, actor.member);
}

/**
 * A command nobody else should see happen: a secret ballot that leaves the vote's counter where it was.
 * It is stored without a new room version, so no change goes out.
 */
export function unseen(command: Command, before: RoomState, after: RoomState): boolean {
  if (command.type !== 'vote:cast') return false;
  const [was, now] = [before, after].map((s) => s.votes.find((v) => v.id === command.vote));
  return Boolean(was?.secret) && JSON.stringify(was) === JSON.stringify(now);
}

/** The secret votes this command closed (directly, or by closing their round): their keys go after the commit. */
export function closedSecretVotes(before: RoomState, after: RoomState): number[] {
  return after.votes.filter((v) => v.secret && v.status === 'closed' && before.votes.find((b) => b.id === v.id)?.status === 'open').map((v) => v.id);
}
