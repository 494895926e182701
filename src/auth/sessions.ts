import type { Clock } from '../clock';
import type { Db } from '../db';
import { newToken, sha256 } from '../tokens';
import { fromRow, type StoredUser, type User } from './users';

export const SESSION_COOKIE = 'cp_session';
export const SESSION_HOURS = 12;

/** Starts a session and returns the token for the cookie; the database keeps only its hash. */
export function createSession(db: Db, clock: Clock, userId: number): string {
  const token = newToken();
  const now = clock.now();
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    sha256(token),
    userId,
    now,
    now + SESSION_HOURS * 3600_000,
  );
  return token;
}

export function findSessionUser(db: Db, clock: Clock, token: string): User | undefined {
  const row = db
    .prepare(
      `SELECT u.id, u.email, u.name, u.role, u.admin FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.expires_at > ?`,
    )
    .get(sha256(token), clock.now()) as StoredUser | undefined;
  return fromRow(row);
}

export function endSession(db: Db, token: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
}
