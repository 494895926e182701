import { type Instance, poolByRow } from './instance';
import type { ValueCount } from './types';

/** Gini coefficient of selection probabilities: 0 when everyone has the same chance. */
export function gini(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const n = sorted.length;
  const total = sorted.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return 0;
  const weighted = sorted.reduce((sum, v, i) => sum + (2 * (i + 1) - n - 1) * v, 0);
  return weighted / (n * total);
}

/** The drawn panel's count for each quota, beside the quota and the pool. */
export function countsAgainstQuotas(instance: Instance, selected: number[], typeOf: Int32Array): ValueCount[] {
  const chosen = new Int32Array(instance.rows.length);
  for (const person of selected) for (const r of instance.types[typeOf[person]].rows) chosen[r]++;
  const pool = poolByRow(instance);
  return instance.rows.map((row, r) => ({ ...row, selected: chosen[r], pool: pool[r] }));
}

/** A chance as people read it: 0.019956 -> "2.00%". */
export const percent = (p: number): string => `${(p * 100).toFixed(2)}%`;
