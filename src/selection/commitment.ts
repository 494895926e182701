import { sha256 } from '../tokens';
import type { Dice } from './repo';

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
}

/** What a commitment fixes, from the panel's address, the settings and the two files (fingerprinted). */
export function commitmentFields(c: Omit<CommitmentFields, 'poolSha256' | 'quotasSha256'> & { poolCsv: string; quotasCsv: string }): CommitmentFields {
  const { panel, algorithm, engineVersion, panelSize, randomness, dice } = c;
  return { panel, algorithm, engineVersion, panelSize, poolSha256: sha256(c.poolCsv), quotasSha256: sha256(c.quotasCsv), randomness, ...(dice ? { dice } : {}) };
}

/** The commitment's fingerprint: SHA-256 of its fields as JSON, in this order. */
export function commitmentHash(f: CommitmentFields): string {
  return sha256(commitmentText(f));
}

/**
 * A commitment to a final pick by dice (issue 23) adds, after the randomness: `finalPick` "dice", how many panels
 * the list has, the method that made it and the list's fingerprint (uniform-list.ts). Without it the text is as it
 * always was, so every earlier commitment keeps its fingerprint.
 */
export function commitmentText(f: CommitmentFields): string {
  const { panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness, dice } = f;
  const pick = dice ? { finalPick: 'dice', listSize: dice.listSize, listMethod: dice.listMethod, listSha256: dice.listSha256 } : {};
  return JSON.stringify({ panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness, ...pick });
}

/** A replacement draw's seed follows from the final seed and its number, so it is verifiable too. */
export function replacementSeed(seed: string, n: number): string {
  return sha256(`${seed} replacement ${n}`);
}
