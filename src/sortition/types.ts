import type { Quota } from './quotas';

/** Pure types of the sortition engine: what goes in and what comes out. */

export interface Person {
  id: string;
  /** category -> value */
  features: Record<string, string>;
  /** Normalised address: people with the same one are one household. */
  household?: string;
}

export type Algorithm = 'leximin' | 'maximin' | 'nash' | 'legacy' | 'diversimax';
export const ALGORITHMS: readonly Algorithm[] = ['leximin', 'maximin', 'nash', 'legacy', 'diversimax'];

export interface Progress {
  phase: string;
  round?: number;
  lowest?: number;
  message: string;
}

export interface DrawOptions {
  panelSize: number;
  algorithm?: Algorithm;
  seed?: string;
  /** For legacy: how many seeded runs estimate the probabilities. */
  legacyRuns?: number;
  onProgress?: (p: Progress) => void;
}

export interface ValueCount {
  category: string;
  value: string;
  min: number;
  max: number;
  selected: number;
  pool: number;
}

export interface DrawResult {
  algorithm: Algorithm;
  seed: string;
  poolSize: number;
  panelSize: number;
  types: number;
  selected: string[];
  probabilities: { id: string; probability: number }[];
  minProbability: number;
  gini: number;
  /** People no valid panel can include. */
  impossible: string[];
  counts: ValueCount[];
  /** Anything the solver had to loosen or retry, in words. */
  notes: string[];
  /** Diversimax only: everyone's chance under LEXIMIN on the same pool, for the fairness report's comparison. */
  leximinChances?: number[];
}

export type { Quota };
