import { sha256 } from '../tokens';

export interface CommitmentFields {
  panel: string;
  algorithm: string;
  engineVersion: string;
  panelSize: number;
  poolSha256: string;
  quotasSha256: string;
  randomness: string;
}

/** What a commitment fixes, from the panel's address, the settings and the two files (fingerprinted). */
export function commitmentFields(c: Omit<CommitmentFields, 'poolSha256' | 'quotasSha256'> & { poolCsv: string; quotasCsv: string }): CommitmentFields {
  const { panel, algorithm, engineVersion, panelSize, randomness } = c;
  return { panel, algorithm, engineVersion, panelSize, poolSha256: sha256(c.poolCsv), quotasSha256: sha256(c.quotasCsv), randomness };
}

/** The commitment's fingerprint: SHA-256 of its fields as JSON, in this order. */
export function commitmentHash(f: CommitmentFields): string {
  return sha256(commitmentText(f));
}

export function commitmentText(f: CommitmentFields): string {
  const { panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness } = f;
  return JSON.stringify({ panel, algorithm, engineVersion, panelSize, poolSha256, quotasSha256, randomness });
}

/** A replacement draw's seed follows from the final seed and its number, so it is verifiable too. */
export function replacementSeed(seed: string, n: number): string {
  return sha256(`${seed} replacement ${n}`);
}
