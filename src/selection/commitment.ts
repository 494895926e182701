import { sha256 } from '../tokens';
import type { Dice } from './repo';

/** Alternates ranked with the final panel (issue 23): how many, and the dropout table they are chosen for. */
export interface AlternatesChoice {
  count: number;
  dropoutCsv: string;
}

export interface CommitmentFields {
  panel: string;
  algorithm: string;
  engineVersion: string;
  panelSize: number;
  poolSha256: string;
  quotasSha256: string;
  randomness: string;
  /** A final pick by dice: the list of panels it picks from. Absent for a pick by public numbers. */
  dice?: Dice | null;
  /** Alternates: how many, and the SHA-256 of the dropout table. Absent when the final draw ranks none. */
  alternates?: { count: number; dropoutSha256: string } | null;
}

/** What a commitment fixes, from the panel's address, the settings and the two files (fingerprinted). */
export function commitmentFields(
  c: Omit<CommitmentFields, 'poolSha256' | 'quotasSha256' | 'alternates'> & { poolCsv: string; quotasCsv: string; alternates?: AlternatesChoice | null },
): CommitmentFields {
  const { panel, algorithm, engineVersion, panelSize, randomness, dice } = c;
  const alternates = c.alternates?.count ? { alternates: { count: c.alternates.count, dropoutSha256: sha256(c.alternates.dropoutCsv) } } : {};
  return { panel, algorithm, engineVersion, panelSize, poolSha256: sha256(c.poolCsv), quotasSha256: sha256(c.quotasCsv), randomness, ...(dice ? { dice } : {}), ...alternates };
}

/** The commitment's fingerprint: SHA-256 of its fields as JSON, in this order. */
export function commitmentHash(f: CommitmentFields): string {
  return sha256(commitmentText(f));
}

/**
 * A commitment to a final pick by dice (issue 23) adds, after the randomness: `finalPick` "dice", how many panels
 * the list has, the method that made it and the list's fingerprint (uniform-list.ts). One that ranks alternates
 * adds, last, how many and the SHA-256 of the dropout table. Without them the text is as it always was, so every
 * earlier commitment keeps its fingerprint.
 */
export function commitmentText(f: CommitmentFields): string {
  const { panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness, dice, alternates } = f;
  const pick = dice ? { finalPick: 'dice', listSize: dice.listSize, listMethod: dice.listMethod, listSha256: dice.listSha256 } : {};
  const ranked = alternates ? { alternates: alternates.count, dropoutSha256: alternates.dropoutSha256 } : {};
  return JSON.stringify({ panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness, ...pick, ...ranked });
}

/** A replacement draw's seed follows from the final seed and its number, so it is verifiable too. */
export function replacementSeed(seed: string, n: number): string {
  return sha256(`${seed} replacement ${n}`);
}
