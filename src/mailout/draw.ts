import seedrandom from 'seedrandom';
import { sha256 } from '../tokens';

/**
 * The address draw of a mail-out wave (issue 21), as verifiable as the panel draw: before any public number is
 * known, the commitment fixes the register (its fingerprint), the letters per stratum and the households earlier
 * waves wrote to; the seed is then the commitment's hash with the public numbers (public-numbers.ts). Anyone who
 * holds the register can re-run it (`citizens-panel invite-draw`) and get the same households. Pure.
 */
export const ADDRESS_DRAW_VERSION = 'address-draw-1';

export interface StratumLetters {
  ward: string;
  decile: number | null;
  letters: number;
}

export interface WaveCommitment {
  panel: string;
  wave: number;
  method: string;
  registerSha256: string;
  /** Strata with letters, by ward then decile (none last). */
  strata: StratumLetters[];
  /** SHA-256 of the UPRNs earlier waves wrote to, sorted, one per line (empty text for none). */
  excludedSha256: string;
  randomness: string;
}

export const stratumKey = (ward: string, decile: number | null): string => `${ward}\u0000${decile ?? ''}`;

/** Strata in the commitment's order, those without letters left out. */
export function canonicalStrata(strata: StratumLetters[]): StratumLetters[] {
  return strata
    .filter((s) => s.letters > 0)
    .map(({ ward, decile, letters }) => ({ ward, decile, letters }))
    .sort((a, b) => (a.ward < b.ward ? -1 : a.ward > b.ward ? 1 : (a.decile ?? 99) - (b.decile ?? 99)));
}

export const excludedFingerprint = (uprns: string[]): string => sha256([...uprns].sort().join('\n'));

/** The fingerprint the seed is made from: SHA-256 of the commitment's fields as JSON, in this order. */
export function waveCommitmentText(c: WaveCommitment): string {
  const { panel, wave, method, registerSha256, strata, excludedSha256, randomness } = c;
  return JSON.stringify({ panel, wave, method, registerSha256, strata: canonicalStrata(strata), excludedSha256, randomness });
}

export interface DrawableHousehold {
  uprn: string;
  ward: string;
  decile: number | null;
}

/**
 * The households a wave writes to: in each stratum (in the commitment's order), its households not excluded,
 * sorted by UPRN, then a seeded partial Fisher–Yates shuffle takes the stratum's letters. Refuses, in words, a
 * stratum with fewer households left than letters.
 */
export function drawHouseholds(households: DrawableHousehold[], strata: StratumLetters[], excluded: Set<string>, seed: string): string[] {
  const byStratum = new Map<string, string[]>();
  for (const h of households) {
    if (excluded.has(h.uprn)) continue;
    const key = stratumKey(h.ward, h.decile);
    const list = byStratum.get(key);
    if (list) list.push(h.uprn);
    else byStratum.set(key, [h.uprn]);
  }
  const rng = seedrandom(seed);
  const chosen: string[] = [];
  for (const s of canonicalStrata(strata)) {
    const list = (byStratum.get(stratumKey(s.ward, s.decile)) ?? []).sort();
    if (list.length < s.letters) {
      throw new Error(`${s.ward}${s.decile === null ? '' : `, decile ${s.decile}`}: the plan sends ${s.letters} letters, but the register has ${list.length} households there not written to already. Check that the register is the one committed.`);
    }
    for (let i = 0; i < s.letters; i++) {
      const j = i + Math.floor(rng() * (list.length - i));
      [list[i], list[j]] = [list[j], list[i]];
      chosen.push(list[i]);
    }
  }
  return chosen;
}
