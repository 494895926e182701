import { sha256 } from './tokens';

/**
 * The randomness of a published lottery (the panel draw and a mail-out's address draw): numbers the public will
 * see drawn after the commitment (a national lottery's, say), joined to the commitment's fingerprint.
 */

/**
 * Public numbers in one canonical form, in the order published: whole numbers without leading zeros,
 * separated by single spaces ("07, 19;23" becomes "7 19 23").
 */
export function normaliseNumbers(text: string): string {
  return text.trim().split(/[\s,;]+/).filter(Boolean).map((n) => String(BigInt(n))).join(' ');
}

/** The seed: SHA-256 of the commitment hash, a space, and the normalised numbers. */
export function seedFrom(hash: string, numbers: string): string {
  return sha256(`${hash} ${numbers}`);
}
