import { z } from 'zod';
import type { Ack } from './events';
import type { Actor } from './machine';
import { readable } from './readable';
import type { RoomState } from './state';

/** A saved revision of a session's summary as HTML (outcomes/room-summary.ts), in a language, or undefined if there is none. */
export type SummaryReader = (sessionId: number, revision: number, lang?: string) => Promise<string | undefined>;

// `lang`: the room page's language (its <html lang>), for the summary's own words; English if it is none of ours.
const revisionSchema = z.object({ revision: z.number().int().min(1), lang: z.string().max(20).optional() });

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
  const { revision, lang } = asked.data;
  const putToVote = state?.votes.some((v) => v.approves === revision);
  if (actor.role !== 'facilitator' && !putToVote) return ack({ ok: false, error: 'not_found', message: `Revision ${revision} of the summary has not been put to a vote in this session.` });
  try {
    const html = await summary(sessionId, revision, lang);
    ack(html === undefined ? { ok: false, error: 'not_found', message: `There is no revision ${revision} of this session's summary.` } : { ok: true, data: { html } });
  } catch (err) {
    log(`room: the summary could not be rendered: ${(err as Error).message}`);
    ack({ ok: false, error: 'internal', message: 'The summary could not be shown. Try again; if it keeps failing, tell the facilitator.' });
  }
}
