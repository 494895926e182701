import type { Clock } from '../clock';
import type { Db } from '../db';
import { newToken, sha256 } from '../tokens';
import { fromRow, type StoredUser, type User, usersAs } from './users';

export const SESSION_COOKIE = 'cp_session';
export const SESSION_HOURS = 12;

/** Starts a session and returns the token for the cookie; the database keeps only its hash, and the browser's name. */
export function createSession(db: Db, clock: Clock, userId: number, agent?: string): string {
  const token = newToken();
  const now = clock.now();
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, agent) VALUES (?, ?, ?, ?, ?)').run(
    sha256(token),
    userId,
    now,
    now + SESSION_HOURS * 3600_000,
    agent?.slice(0, 160) ?? null,
  );
  return token;
}

/** A signed-in session as its owner sees it on their account page. */
export interface SignedIn {
  id: number;
  createdAt: number;
  expiresAt: number;
  agent: string | null;
  /** The session of the request asking. */
  current: boolean;
}

export function sessionsOf(db: Db, clock: Clock, userId: number, currentToken: string | undefined): SignedIn[] {
  const current = currentToken ? sha256(currentToken) : '';
  const rows = db
    .prepare('SELECT rowid AS id, token_hash AS hash, created_at AS createdAt, expires_at AS expiresAt, agent FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC')
    .all(userId, clock.now()) as (Omit<SignedIn, 'current'> & { hash: string })[];
  return rows.map(({ hash, ...r }) => ({ ...r, current: hash === current }));
}

/**
 * Ends some of a person's sessions (one by its id, or every one but `keep`) and returns their token hashes, so
 * the caller can close the room sockets that joined with them (Revocations.loginHash).
 */
export function endSessionsOf(db: Db, userId: number, which: { id: number } | { allBut: string | undefined }): string[] {
  const rows = db.prepare('SELECT rowid AS id, token_hash AS hash FROM sessions WHERE user_id = ?').all(userId) as { id: number; hash: string }[];
  const keep = 'allBut' in which && which.allBut ? sha256(which.allBut) : undefined;
  const ending = rows.filter((r) => ('id' in which ? r.id === which.id : r.hash !== keep)).map((r) => r.hash);
  const del = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  for (const hash of ending) del.run(hash);
  return ending;
}

export function findSessionUser(db: Db, clock: Clock, token: string): User | undefined {
  const row = db
    .prepare(
      `SELECT ${usersAs('u')} FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.expires_at > ?`,
    )
    .get(sha256(token), clock.now()) as StoredUser | undefined;
  return fromRow(row);
}

export function endSession(db: Db, token: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
}
