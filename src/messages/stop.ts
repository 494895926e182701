import crypto from 'node:crypto';
import { publicUrl } from '../config';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { keyStore } from '../keys';

/**
 * Reminders and news may be stopped by the person they go to (List-Unsubscribe, RFC 2369 and 8058's one click).
 * What they need to take part is not: an invitation, a session's details, a confirmation or a password link.
 */
export const STOPPABLE = new Set(['reminder', 'session-reminder', 'outcome', 'response']);

type Ctx = Pick<AppContext, 'db' | 'config'>;

/** The person's own stop link: their id and an HMAC of it under the `unsubscribe` key, so nothing is stored. */
export function stopToken(ctx: Ctx, registrantId: number): string {
  const mac = crypto.createHmac('sha256', keyStore(ctx.db, ctx.config.KEYS_DIR).key('unsubscribe')).update(`stop ${registrantId}`).digest('base64url');
  return `${registrantId}-${mac.slice(0, 32)}`;
}

/** Whose stop link this is, or undefined for a link we did not make. */
export function registrantOfStop(ctx: Ctx, token: string): number | undefined {
  const match = /^(\d{1,12})-[A-Za-z0-9_-]{32}$/.exec(token);
  if (!match) return undefined;
  const expected = Buffer.from(stopToken(ctx, Number(match[1])));
  const given = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? Number(match[1]) : undefined;
}

/** The stop link a message carries in its List-Unsubscribe header, if it is a kind that can be stopped. */
export function stopLink(ctx: Ctx, message: { kind: string; registrantId: number | null }): string | undefined {
  return message.registrantId !== null && STOPPABLE.has(message.kind) ? `${publicUrl(ctx.config)}/messages/stop/${stopToken(ctx, message.registrantId)}` : undefined;
}

/** Records the wish (once: the first time stands). False if there is no such person any more. */
export function stopMessages(db: Db, registrantId: number, now: number): boolean {
  const row = db.prepare('SELECT messages_stopped_at AS at FROM registrants WHERE id = ?').get(registrantId) as { at: number | null } | undefined;
  if (!row) return false;
  if (row.at === null) db.prepare('UPDATE registrants SET messages_stopped_at = ? WHERE id = ?').run(now, registrantId);
  return true;
}

/** When the person this message goes to asked for no more of its kind; null if they did not, or it cannot be stopped. */
export function stoppedAt(db: Db, message: { kind: string; registrantId: number | null }): number | null {
  if (message.registrantId === null || !STOPPABLE.has(message.kind)) return null;
  return (db.prepare('SELECT messages_stopped_at FROM registrants WHERE id = ?').pluck().get(message.registrantId) as number | null | undefined) ?? null;
}
