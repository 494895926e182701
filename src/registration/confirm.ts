import { publicUrl } from '../config';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { enqueue } from '../messages/outbox';
import { panelMessage } from '../messages/wording';
import { closingDay, type Panel } from '../panels/repo';
import { localise } from '../panels/translations';
import { newToken, sha256 } from '../tokens';
import { languageOf } from '../web/i18n';

/**
 * The message that acknowledges a registration with an email address, and asks to confirm it (issue 22). Called
 * inside the registration's transaction, so a registration and its message are stored together or not at all.
 */
export function acknowledgeRegistration(ctx: AppContext, panel: Panel, publicId: string, now: number): void {
  const { db, config } = ctx;
  const person = db.prepare("SELECT id, name, email, COALESCE(language, 'en') AS language FROM registrants WHERE public_id = ?").get(publicId) as { id: number; name: string; email: string | null; language: string };
  if (!person.email) return;
  const token = newToken();
  db.prepare('UPDATE registrants SET confirm_hash = ? WHERE id = ?').run(sha256(token), person.id);
  const site = publicUrl(config);
  const words = panelMessage(db, panel.id, 'registration-received', person.language, { name: person.name, panel: localise(db, panel, [], person.language).panel.title, closes: closingDay(panel, languageOf(person.language).tag), site, required: panel.confirmedOnly ? 'yes' : '' });
  enqueue(ctx, { panelId: panel.id, registrantId: person.id, kind: 'registration-received', to: person.email, language: person.language, ...words, link: `${site}/confirm/${token}` }, now);
}

/** The registration a confirmation link belongs to, if any. */
export function confirmationOf(db: Db, token: string): { id: number; panelId: number; publicId: string; confirmedAt: number | null } | undefined {
  return db.prepare('SELECT id, public_id AS publicId, panel_id AS panelId, email_confirmed_at AS confirmedAt FROM registrants WHERE confirm_hash = ?').get(sha256(token)) as
    | { id: number; publicId: string; panelId: number; confirmedAt: number | null }
    | undefined;
}

/** Confirms the email address the link was sent to; the same answer however often it is opened. */
export function confirmEmail(db: Db, token: string, now: number): { panelId: number; publicId: string; already: boolean } | undefined {
  const row = confirmationOf(db, token);
  if (!row) return undefined;
  if (row.confirmedAt === null) db.prepare('UPDATE registrants SET email_confirmed_at = ? WHERE id = ?').run(now, row.id);
  return { panelId: row.panelId, publicId: row.publicId, already: row.confirmedAt !== null };
}
