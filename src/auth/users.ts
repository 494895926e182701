import { z } from 'zod';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords';

export const ROLES = ['organiser', 'facilitator'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('Email must be a valid email address, like name@example.org.'),
  name: z.string().trim().min(1, 'Name is required.').max(100, 'Name must be at most 100 characters.'),
  role: z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}.` }),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(200, 'Password must be at most 200 characters.'),
});
export type NewUser = z.infer<typeof newUserSchema>;

export class UserExistsError extends Error {}

export function createUser(db: Db, clock: Clock, input: NewUser): User {
  const user = newUserSchema.parse(input);
  if (findUserByEmail(db, user.email)) {
    throw new UserExistsError(`An account for ${user.email} already exists.`);
  }
  const result = db
    .prepare('INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(user.email, user.name, user.role, hashPassword(user.password), clock.now());
  return { id: Number(result.lastInsertRowid), email: user.email, name: user.name, role: user.role };
}

export function findUserByEmail(db: Db, email: string): (User & { password_hash: string }) | undefined {
  return db
    .prepare('SELECT id, email, name, role, password_hash FROM users WHERE email = ?')
    .get(email.trim().toLowerCase()) as (User & { password_hash: string }) | undefined;
}
