import crypto from 'node:crypto';

// scrypt cost: N=2^15 takes ~50 ms here, slow enough to hurt guessing, quick enough for a login.
const N = 32768;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 12;

/** Returns `scrypt$N$r$p$salt$hash` (base64url parts), so the cost can change later. */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** False for a wrong password and for a damaged stored hash, which must never let anyone in. */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || extra !== undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEYLEN) return false;
  try {
    const actual = crypto.scryptSync(password, Buffer.from(salt, 'base64url'), KEYLEN, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: MAXMEM,
    });
    return crypto.timingSafeEqual(actual, expected);
  } catch {
    return false; // cost parameters scrypt refuses
  }
}

/** A password for generated accounts: 18 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 18 }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
}
