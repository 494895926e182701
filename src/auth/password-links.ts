import { type Db, preparedOnce } from '../db';
import { newToken, sha256 } from '../tokens';

/**
 * Links that let a person choose their own password (issue 22): 'setup' for a new account, 'reset' for a forgotten
 * password. The database keeps only a link's SHA-256; a link works once, until it expires, and choosing a
 * password by any way (users.ts setPassword) makes every other unused link of that person stop working.
 */
export type LinkPurpose = 'setup' | 'reset';

/** A reset only while the request is fresh; a new account's link for a week, for someone away when it is made. */
export const LINK_MINUTES: Record<LinkPurpose, number> = { setup: 7 * 24 * 60, reset: 30 };
// Expired links are kept this long after, so opening one says it expired, not that it was never made.
const KEEP_EXPIRED_MS = 7 * 86400_000;

export interface PasswordLink {
  id: number;
  userId: number;
  expiresAt: number;
  usedAt: number | null;
}

const statements = preparedOnce((db) => ({
  prune: db.prepare('DELETE FROM password_links WHERE expires_at <= ?'),
  insert: db.prepare('INSERT INTO password_links (user_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
  find: db.prepare('SELECT id, user_id AS userId, expires_at AS expiresAt, used_at AS usedAt FROM password_links WHERE hash = ? AND purpose = ?'),
  use: db.prepare('UPDATE password_links SET used_at = ? WHERE id = ? AND used_at IS NULL'),
}));

/** Makes a link for the person and returns its token, for the message that carries it. */
export function makeLink(db: Db, userId: number, purpose: LinkPurpose, now: number): string {
  const token = newToken();
  statements(db).prune.run(now - KEEP_EXPIRED_MS);
  statements(db).insert.run(userId, purpose, sha256(token), now, now + LINK_MINUTES[purpose] * 60_000);
  return token;
}

/** The link a token is, used or expired or not; undefined for one never made for this purpose, or replaced. */
export function findLink(db: Db, token: string, purpose: LinkPurpose): PasswordLink | undefined {
  return statements(db).find.get(sha256(token), purpose) as PasswordLink | undefined;
}

/** Marks the link used; false when it was already (two presses racing). */
export function useLink(db: Db, id: number, now: number): boolean {
  return statements(db).use.run(now, id).changes > 0;
}
