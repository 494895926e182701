import { z } from 'zod';
import type { Ack } from './events';
import type { Actor } from './machine';
import { readable } from './readable';
import type { RoomState } from './state';

/** A saved revision of a session's summary as HTML (outcomes/room-summary.ts), or undefined if there is none. */
export type SummaryReader = (sessionId: number, revision: number) => Promise<string | undefined>;

const revisionSchema = z.object({ revision: z.number().int().min(1) });

/**
 * `summary:read`: the summary revision a vote asks the members to approve, for them to read before and while they
 * vote. Members and observers may read only a revision put to a vote in their session; facilitators any.
 */
export async function readSummary(
  summary: SummaryReader,
  log: (line: string) => void,
  sessionId: number,
  state: RoomState | undefined,
  actor: Actor,
  payload: unknown,
  ack: Ack<{ html: string }>,
): Promise<void> {
  const asked = readable(revisionSchema, payload);
  if (!asked?.success) return ack({ ok: false, error: 'invalid', message: 'Say which revision of the summary to read: { revision: 1 } or later.' });
  const { revision } = asked.data;
  const putToVote = state?.votes.some((v) => v.approves === revision);
  if (actor.role !== 'facilitator' && !putToVote) return ack({ ok: false, error: 'not_found', message: `Revision ${revision} of the summary has not been put to a vote in this session.` });
  try {
    const html = await summary(sessionId, revision);
    ack(html === undefined ? { ok: false, error: 'not_found', message: `There is no revision ${revision} of this session's summary.` } : { ok: true, data: { html } });
  } catch (err) {
    log(`room: the summary could not be rendered: ${(err as Error).message}`);
    ack({ ok: false, error: 'internal', message: 'The summary could not be shown. Try again; if it keeps failing, tell the facilitator.' });
  }
}
