import crypto from 'node:crypto';

/**
 * Sealing a secret ballot until its vote closes (docs/voting.md): AES-256-GCM under the vote's own key, with
 * the row's place (`where`) bound in, so a sealed row cannot be moved to another vote or slot. Every sealed
 * value is padded to a whole number of 4 KiB blocks first, so every phone ballot (far below 4 KiB) has the same
 * size: a ciphertext's size must not say "agree" from "disagree". Only a paper count, whose size is public, is longer.
 */
const SIZE = 4096;
const IV = 12;
const TAG = 16;

export function seal(key: Buffer, where: string, value: unknown): Buffer {
  const text = Buffer.from(JSON.stringify(value), 'utf8');
  const padded = Buffer.alloc(Math.ceil((text.length + 4) / SIZE) * SIZE);
  padded.writeUInt32BE(text.length, 0);
  text.copy(padded, 4);
  const iv = crypto.randomBytes(IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(where, 'utf8'));
  const body = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function unseal<T>(key: Buffer, where: string, sealed: Buffer): T {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(Buffer.from(where, 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  const padded = Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
  return JSON.parse(padded.subarray(4, 4 + padded.readUInt32BE(0)).toString('utf8')) as T;
}

export const hmac = (key: Buffer, text: string): string => crypto.createHmac('sha256', key).update(text).digest('hex');

/** A uniformly random order (Fisher–Yates on the system's cryptographic generator, not the seeded one). */
export function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Receipt codes: 12 characters of Crockford's base 32 (no I, L, O or U), 60 bits, in groups of four. Guessing
 * one at the room's pace of 10 checks a second would take millions of years.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newReceipt(): string {
  const chars = Array.from(crypto.randomBytes(12), (b) => ALPHABET[b % 32]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** A receipt as typed back, in upper or lower case, with or without dashes or spaces, O for 0 and I or L for 1. */
export function normalReceipt(text: string): string {
  const chars = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}
