import crypto from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { AppContext } from '../context';
import { keyStore } from '../keys';
import { seal, unseal } from '../seal';
import { newToken, sha256 } from '../tokens';
import { HttpError } from '../web/errors';
import type { User } from './users';

/**
 * Two-factor sign-in with a TOTP app (issue 17; RFC 6238: 6 digits, 30 seconds, SHA-1, which every
 * authenticator app reads). The `otpauth` package makes and checks the codes: small, no dependencies, and its
 * codes are tested here against the RFC's own vectors. Secrets are sealed under the key folder's `two-factor` key,
 * so the database files alone cannot make a code. A code is accepted once: the step it belongs to must be later
 * than the last accepted. Recovery codes are random, stored as hashes, and good once each.
 */
const PERIOD = 30;
const ISSUER = 'Citizens’ Panel Toolkit';
export const RECOVERY_CODES = 10;
/** How long the code page waits after the password, and how many wrong codes it takes. */
export const CHALLENGE_MINUTES = 5;
export const CHALLENGE_ATTEMPTS = 5;

export type Requirement = 'none' | 'admins' | 'organisers';

/** Whether this installation requires two-factor sign-in of this person (REQUIRE_TWO_FACTOR). */
export function required(requirement: Requirement, user: User): boolean {
  if (requirement === 'admins') return user.admin;
  if (requirement === 'organisers') return user.admin || user.role === 'organiser';
  return false;
}

const totpOf = (secret: string, label: string) => new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });

export class TwoFactor {
  constructor(private readonly ctx: AppContext) {}

  private key(): Buffer {
    return keyStore(this.ctx.db, this.ctx.config.KEYS_DIR).key('two-factor');
  }

  private sealed(userId: number, secret: string): Buffer {
    return seal(this.key(), `user:${userId}`, secret);
  }

  private opened(userId: number, sealed: Buffer): string {
    try {
      return unseal<string>(this.key(), `user:${userId}`, sealed);
    } catch {
      // The key folder was lost or swapped: the secret cannot be read, and no code can be checked.
      throw new HttpError(503, 'Your two-factor code cannot be checked: this server’s key folder is not the one your set-up was sealed with. Ask an administrator to restore the key folder, or to reset your two-factor sign-in.', 'Two-factor unavailable');
    }
  }

  /**
   * The secret offered to set up, as the app's QR code takes it: derived from the key, the person and their
   * set-up's number, so the page shows the same one until it is used and stores nothing (a GET changes nothing).
   */
  pending(user: User): { secret: string; uri: string } {
    const generation = this.ctx.db.prepare('SELECT totp_generation FROM users WHERE id = ?').pluck().get(user.id) as number;
    const bytes = crypto.createHmac('sha256', this.key()).update(`offered:${user.id}:${generation}`).digest().subarray(0, 20);
    const secret = new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32;
    return { secret, uri: totpOf(secret, user.email).toString() };
  }

  /** Turns two-factor on with the offered secret if `code` is right; returns the recovery codes, shown once. */
  enable(user: User, code: string): string[] | undefined {
    if (this.enabled(user.id)) return undefined;
    const { secret } = this.pending(user);
    const step = this.stepOf(secret, user.email, code);
    if (step === undefined) return undefined;
    return this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?').run(this.sealed(user.id, secret), step, user.id);
      return this.newRecoveryCodes(user.id);
    })();
  }

  enabled(userId: number): boolean {
    return (this.ctx.db.prepare('SELECT totp_secret IS NOT NULL FROM users WHERE id = ?').pluck().get(userId) as number | undefined) === 1;
  }

  /** Checks a code from the app, or else a recovery code; either is good once. */
  check(user: User, code: string): 'code' | 'recovery' | undefined {
    const row = this.ctx.db.prepare('SELECT totp_secret, totp_last_step FROM users WHERE id = ?').get(user.id) as { totp_secret: Buffer | null; totp_last_step: number | null };
    if (!row.totp_secret) return undefined;
    const step = this.stepOf(this.opened(user.id, row.totp_secret), user.email, code);
    if (step !== undefined) {
      // Accepted only if no code of this step or a later one was: a code seen over a shoulder is spent.
      const taken = this.ctx.db.prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)').run(step, user.id, step);
      return taken.changes === 1 ? 'code' : undefined;
    }
    const used = this.ctx.db.prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL').run(this.ctx.clock.now(), user.id, sha256(normalRecovery(code)));
    return used.changes === 1 ? 'recovery' : undefined;
  }

  /** Recovery codes left unused. */
  recoveryLeft(userId: number): number {
    return this.ctx.db.prepare('SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL').pluck().get(userId) as number;
  }

  /** A fresh set of recovery codes; the old ones stop working. */
  newRecoveryCodes(userId: number): string[] {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    this.ctx.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
    const insert = this.ctx.db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
    for (const code of codes) insert.run(userId, sha256(code));
    return codes;
  }

  /** Turns two-factor off (the person, or an administrator after a lost phone): secret and recovery codes go. */
  disable(userId: number): void {
    this.ctx.db.transaction(() => {
      // The next set-up is offered a new secret: whoever saw the old one cannot use it.
      this.ctx.db.prepare('UPDATE users SET totp_secret = NULL, totp_last_step = NULL, totp_generation = totp_generation + 1 WHERE id = ?').run(userId);
      this.ctx.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
    })();
  }

  /** The sign-in waiting for its code, after a right password: a token for a cookie. */
  challenge(userId: number, next: string): string {
    const token = newToken();
    const now = this.ctx.clock.now();
    this.ctx.db.prepare('DELETE FROM login_challenges WHERE expires_at <= ?').run(now);
    this.ctx.db.prepare('INSERT INTO login_challenges (token_hash, user_id, next, expires_at) VALUES (?, ?, ?, ?)').run(sha256(token), userId, next, now + CHALLENGE_MINUTES * 60_000);
    return token;
  }

  /** The waiting sign-in, counting one more try; undefined once expired or out of tries. */
  attempt(token: string): { userId: number; next: string; left: number } | undefined {
    const row = this.live(token);
    if (!row) return undefined;
    this.ctx.db.prepare('UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?').run(sha256(token));
    return { userId: row.userId, next: row.next, left: CHALLENGE_ATTEMPTS - row.attempts - 1 };
  }

  waiting(token: string): boolean {
    return this.live(token) !== undefined;
  }

  /** The waiting sign-in behind a token, unless it has expired or run out of tries. */
  private live(token: string) {
    const row = this.ctx.db.prepare('SELECT user_id AS userId, next, attempts, expires_at AS expiresAt FROM login_challenges WHERE token_hash = ?').get(sha256(token)) as
      | { userId: number; next: string; attempts: number; expiresAt: number }
      | undefined;
    return row && row.expiresAt > this.ctx.clock.now() && row.attempts < CHALLENGE_ATTEMPTS ? row : undefined;
  }

  finish(token: string): void {
    this.ctx.db.prepare('DELETE FROM login_challenges WHERE token_hash = ?').run(sha256(token));
  }

  /** The time step a right code belongs to (this one, or one either side for a slow clock), else undefined. */
  private stepOf(secret: string, label: string, code: string): number | undefined {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const timestamp = this.ctx.clock.now();
    const delta = totpOf(secret, label).validate({ token, timestamp, window: 1 });
    return delta === null ? undefined : Math.floor(timestamp / 1000 / PERIOD) + delta;
  }
}

/** 10 characters of base 32, in two groups: 50 bits, far beyond guessing at the sign-in's pace. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normalRecovery(code: string): string {
  const chars = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
