import crypto from 'node:crypto';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { keyStore } from '../keys';
import { seal, unseal } from '../seal';

/**
 * The outbox (issue 22): every message is a row, written in the caller's transaction with the event that causes
 * it, and sent later by the sender (sender.ts). A personal link goes into the bodies as `[[link]]` and is stored
 * sealed under the `outbox` key (in the key folder), so a copy of the database holds no working link.
 */
export const LINK = '[[link]]';
export type MessageState = 'queued' | 'sending' | 'sent' | 'failed';

export interface NewMessage {
  panelId: number | null;
  registrantId?: number | null;
  userId?: number | null;
  kind: string;
  to: string;
  language?: string;
  subject: string;
  text: string;
  html: string;
  /** The personal link that replaces `[[link]]` in the bodies when the message is sent. */
  link?: string;
}

export interface Message {
  id: number;
  panelId: number | null;
  registrantId: number | null;
  kind: string;
  to: string;
  language: string;
  subject: string;
  text: string;
  html: string;
  state: MessageState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  messageId: string;
}

const COLUMNS = `id, panel_id AS panelId, registrant_id AS registrantId, kind, to_address AS "to", language, subject,
  text_body AS text, html_body AS html, state, attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError,
  created_at AS createdAt, sent_at AS sentAt, message_id AS messageId`;

const where = (messageId: string) => `outbox ${messageId}`;
/** The key links are sealed under: in the key folder the whole app uses (KEYS_DIR). */
const outboxKey = (ctx: Pick<AppContext, 'db' | 'config'>) => keyStore(ctx.db, ctx.config.KEYS_DIR).key('outbox');

/** Queues a message; call it inside the transaction of the event that causes it. Returns its id. */
export function enqueue(ctx: Pick<AppContext, 'db' | 'config'>, message: NewMessage, now: number): number {
  const messageId = `<${crypto.randomUUID()}@citizens-panel>`;
  const secret = message.link ? seal(outboxKey(ctx), where(messageId), { link: message.link }) : null;
  return Number(
    ctx.db
      .prepare(
        `INSERT INTO messages (panel_id, registrant_id, user_id, kind, to_address, language, subject, text_body, html_body, secret,
           next_attempt_at, created_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(message.panelId, message.registrantId ?? null, message.userId ?? null, message.kind, message.to, message.language ?? 'en',
        message.subject, message.text, message.html, secret, now, now, messageId).lastInsertRowid,
  );
}

/** The message as it goes out: its link put back into both bodies. */
export function withLink(ctx: Pick<AppContext, 'db' | 'config'>, message: Message): Message {
  const row = ctx.db.prepare('SELECT secret FROM messages WHERE id = ?').get(message.id) as { secret: Buffer | null } | undefined;
  if (!row?.secret) return message;
  const { link } = unseal<{ link: string }>(outboxKey(ctx), where(message.messageId), row.secret);
  return { ...message, text: message.text.split(LINK).join(link), html: message.html.split(LINK).join(link) };
}

/**
 * The personal link of a person's latest message of these kinds made at or after `since` (a reminder carries the
 * same link as the invitation it follows). Undefined when there is none, or it was erased.
 */
export function linkOf(ctx: Pick<AppContext, 'db' | 'config'>, registrantId: number, kinds: string[], since: number): string | undefined {
  const row = ctx.db
    .prepare(`SELECT message_id AS messageId, secret FROM messages WHERE registrant_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) AND created_at >= ? AND secret IS NOT NULL ORDER BY id DESC LIMIT 1`)
    .get(registrantId, ...kinds, since) as { messageId: string; secret: Buffer } | undefined;
  return row && unseal<{ link: string }>(outboxKey(ctx), where(row.messageId), row.secret).link;
}

/**
 * Takes the next message that is due, marking it 'sending' in the same step, so two senders never take the same
 * one. A message left 'sending' for longer than `leaseMs` (its sender died mid-send) is due again.
 */
export function claimNext(db: Db, now: number, leaseMs: number): Message | undefined {
  return db.transaction(() => {
    const due = db
      .prepare(
        `SELECT ${COLUMNS} FROM messages WHERE (state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_at <= ?)
         ORDER BY next_attempt_at, id LIMIT 1`,
      )
      .get(now, now - leaseMs) as Message | undefined;
    if (!due) return undefined;
    db.prepare("UPDATE messages SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id = ?").run(now, due.id);
    return { ...due, state: 'sending' as const, attempts: due.attempts + 1 };
  })();
}

export function markSent(db: Db, id: number, now: number): void {
  db.prepare("UPDATE messages SET state = 'sent', sent_at = ?, claimed_at = NULL, last_error = NULL WHERE id = ?").run(now, id);
}

/** A failed attempt: tried again at `retryAt`, or given up on (`retryAt` null) with the reason in words. */
export function markFailed(db: Db, id: number, error: string, retryAt: number | null): void {
  if (retryAt === null) db.prepare("UPDATE messages SET state = 'failed', claimed_at = NULL, last_error = ? WHERE id = ?").run(error, id);
  else db.prepare("UPDATE messages SET state = 'queued', claimed_at = NULL, last_error = ?, next_attempt_at = ? WHERE id = ?").run(error, retryAt, id);
}

/** Sends a message again now: a failed one, or a sent one someone did not get. */
export function resend(db: Db, id: number, now: number): boolean {
  return db.prepare("UPDATE messages SET state = 'queued', next_attempt_at = ?, attempts = 0, last_error = NULL WHERE id = ? AND state IN ('sent', 'failed')").run(now, id).changes > 0;
}

export function findMessage(db: Db, id: number): Message | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`).get(id) as Message | undefined;
}

/** A panel's latest messages, newest first; only those in `state` if given. */
export function panelMessages(db: Db, panelId: number, state?: MessageState, limit = 200): Message[] {
  return db
    .prepare(`SELECT ${COLUMNS} FROM messages WHERE panel_id = ? AND (? IS NULL OR state = ?) ORDER BY created_at DESC, id DESC LIMIT ?`)
    .all(panelId, state ?? null, state ?? null, limit) as Message[];
}

export function messageCounts(db: Db, panelId: number): Record<MessageState, number> {
  const counts = { queued: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of db.prepare('SELECT state, COUNT(*) AS n FROM messages WHERE panel_id = ? GROUP BY state').all(panelId) as { state: MessageState; n: number }[]) counts[r.state] = r.n;
  return counts;
}

/** Every message to one registrant, oldest first: for their subject access export. */
export function registrantMessages(db: Db, registrantId: number): Message[] {
  return db.prepare(`SELECT ${COLUMNS} FROM messages WHERE registrant_id = ? ORDER BY created_at, id`).all(registrantId) as Message[];
}
