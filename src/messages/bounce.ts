import type { Clock } from '../clock';
import type { Db } from '../db';
import { audit } from '../audit';

/**
 * A bounce report (a delivery status notification, RFC 3464) that came back to the sending address after a
 * message was accepted: which of our messages it is about (its Message-ID, quoted in the report), and what the
 * receiving server said. A report that only says "delayed" is not a failure.
 */
export interface Bounce {
  messageId: string;
  action: string;
  status: string | null;
  diagnostic: string | null;
}

const OURS = /<[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@citizens-panel>/i;

/** Reads a report's raw text; undefined when it names none of our messages. */
export function readBounce(raw: string): Bounce | undefined {
  const text = raw.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' '); // headers unfolded
  const messageId = OURS.exec(text)?.[0];
  if (!messageId) return undefined;
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(text)?.[1].trim() ?? null;
  const diagnostic = field('Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null;
  return { messageId: messageId.toLowerCase(), action: (field('Action') ?? 'failed').toLowerCase(), status: field('Status'), diagnostic };
}

/** Marks the message failed, in words, and audits it. Returns what it was, or undefined if it is not in this database. */
export function recordBounce(db: Db, clock: Clock, bounce: Bounce): { id: number; kind: string; to: string; changed: boolean } | undefined {
  const message = db.prepare('SELECT id, panel_id AS panelId, kind, to_address AS "to", state FROM messages WHERE lower(message_id) = ?').get(bounce.messageId) as
    | { id: number; panelId: number | null; kind: string; to: string; state: string }
    | undefined;
  if (!message) return undefined;
  if (bounce.action !== 'failed') return { ...message, changed: false };
  const said = [bounce.diagnostic && `"${bounce.diagnostic}"`, bounce.status && `(status ${bounce.status})`].filter(Boolean).join(' ');
  const words = `Bounced: the receiving mail server refused it after it was sent${said ? `, saying ${said}` : ''}. Check the address with the person; resend once it is right.`;
  db.transaction(() => {
    db.prepare("UPDATE messages SET state = 'failed', last_error = ? WHERE id = ? AND state <> 'sending'").run(words, message.id);
    audit(db, clock, { panelId: message.panelId, action: 'message.bounce', subject: message.kind, detail: { via: 'cli', status: bounce.status } });
  })();
  return { ...message, changed: true };
}
