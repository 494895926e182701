import { z } from 'zod';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';

export const ROLES = ['organiser', 'facilitator'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** An administrator creates panels and accounts, and may act on every panel (src/auth/teams.ts). */
  admin: boolean;
  /** Set when an administrator reset the password: the person must choose a new one before anything else. */
  mustChangePassword: boolean;
  /** Signs in with a code from a TOTP app as well as the password (src/auth/two-factor.ts). */
  twoFactor: boolean;
}

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('Email must be a valid email address, like name@example.org.'),
  name: z.string().trim().min(1, 'Name is required.').max(100, 'Name must be at most 100 characters.'),
  role: z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}.` }),
  admin: z.boolean().default(false),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(200, 'Password must be at most 200 characters.'),
});
export type NewUser = z.input<typeof newUserSchema>;

export class UserExistsError extends Error {}

export function createUser(db: Db, clock: Clock, input: NewUser): User {
  const user = newUserSchema.parse(input);
  if (findUserByEmail(db, user.email)) {
    throw new UserExistsError(`An account for ${user.email} already exists.`);
  }
  const result = db
    .prepare('INSERT INTO users (email, name, role, admin, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(user.email, user.name, user.role, user.admin ? 1 : 0, hashPassword(user.password), clock.now());
  return { id: Number(result.lastInsertRowid), email: user.email, name: user.name, role: user.role, admin: user.admin, mustChangePassword: false, twoFactor: false };
}

export function findUserByEmail(db: Db, email: string): (User & { password_hash: string }) | undefined {
  const row = db.prepare(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = ?`).get(email.trim().toLowerCase()) as (StoredUser & { password_hash: string }) | undefined;
  return row && { ...(fromRow(row) as User), password_hash: row.password_hash };
}

/** A user as SQLite returns it: the flags are 0 or 1. */
export type StoredUser = Omit<User, 'admin' | 'mustChangePassword' | 'twoFactor'> & { admin: number; mustChangePassword: number; twoFactor: number };

/** The columns of a user, for `SELECT ${USER_COLUMNS} FROM users` (or `u.` prefixed, with `usersAs`). */
export const USER_COLUMNS = 'id, email, name, role, admin, must_change_password AS mustChangePassword, totp_secret IS NOT NULL AS twoFactor';
export const usersAs = (alias: string) => USER_COLUMNS.split(', ').map((c) => `${alias}.${c}`).join(', ');

export const fromRow = (row: StoredUser | undefined): User | undefined =>
  row && { id: row.id, email: row.email, name: row.name, role: row.role, admin: row.admin === 1, mustChangePassword: row.mustChangePassword === 1, twoFactor: row.twoFactor === 1 };

export function findUser(db: Db, id: number): User | undefined {
  return fromRow(db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as StoredUser | undefined);
}

/** Whether `password` is this person's own (to confirm an action on their account). */
export function isOwnPassword(db: Db, user: Pick<User, 'email'>, password: string): boolean {
  const stored = findUserByEmail(db, user.email);
  return !!stored && verifyPassword(password, stored.password_hash);
}

/**
 * Sets a new password; `mustChange` when it was chosen for the person (a reset), not by them. Any set-up or reset
 * link of theirs not yet used stops working (password-links.ts): it was for a password that is now gone.
 */
export function setPassword(db: Db, userId: number, password: string, mustChange: boolean): void {
  db.prepare('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?').run(hashPassword(password), mustChange ? 1 : 0, userId);
  db.prepare('DELETE FROM password_links WHERE user_id = ? AND used_at IS NULL').run(userId);
}

/** Every account, for the administrators' People page. */
export function listUsers(db: Db): User[] {
  return (db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY name, email`).all() as StoredUser[]).map((r) => fromRow(r) as User);
}
