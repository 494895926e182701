import type { Instance } from './instance';

/**
 * Cheap pricing for column generation: improve a panel by single swaps (one person of type a out, one
 * of type b in) while every quota and household rule still holds and the weight grows. Exact pricing
 * (the MIP) is then needed only to prove that nothing better exists.
 */
export class SwapSearch {
  private readonly householdOf: Int32Array;
  private readonly householdSize: number;

  constructor(private readonly instance: Instance) {
    this.householdOf = new Int32Array(instance.types.length).fill(-1);
    instance.households.forEach((types, h) => types.forEach((t) => (this.householdOf[t] = h)));
    this.householdSize = instance.households.length;
  }

  /** Steepest-ascent swaps from `start`; returns the improved panel, or undefined if no swap helps. */
  improve(start: Int32Array, weights: Float64Array, maxSwaps = 200): Int32Array | undefined {
    const { types, rows } = this.instance;
    const x = Int32Array.from(start);
    const rowCount = new Int32Array(rows.length);
    const householdCount = new Int32Array(this.householdSize);
    x.forEach((n, t) => {
      if (n === 0) return;
      for (const r of types[t].rows) rowCount[r] += n;
      if (this.householdOf[t] >= 0) householdCount[this.householdOf[t]] += n;
    });
    const order = Array.from(weights.keys()).sort((a, b) => weights[b] - weights[a]);
    let improved = false;
    for (let step = 0; step < maxSwaps; step++) {
      const swap = this.bestSwap(x, weights, order, rowCount, householdCount);
      if (!swap) break;
      const [a, b] = swap;
      x[a]--;
      x[b]++;
      for (const r of types[a].rows) rowCount[r]--;
      for (const r of types[b].rows) rowCount[r]++;
      if (this.householdOf[a] >= 0) householdCount[this.householdOf[a]]--;
      if (this.householdOf[b] >= 0) householdCount[this.householdOf[b]]++;
      improved = true;
    }
    return improved ? x : undefined;
  }

  private bestSwap(
    x: Int32Array,
    weights: Float64Array,
    order: number[],
    rowCount: Int32Array,
    householdCount: Int32Array,
  ): [number, number] | undefined {
    const { types, rows } = this.instance;
    const inPanel = order.filter((t) => x[t] > 0).reverse(); // lightest first
    let best: [number, number] | undefined;
    let bestGain = 1e-12;
    for (const b of order) {
      if (weights[b] - weights[inPanel[0]] <= bestGain) break;
      if (x[b] >= types[b].count) continue;
      const hb = this.householdOf[b];
      for (const a of inPanel) {
        const gain = weights[b] - weights[a];
        if (gain <= bestGain) break;
        if (a === b) continue;
        if (hb >= 0 && householdCount[hb] - (this.householdOf[a] === hb ? 1 : 0) >= 1) continue;
        if (this.quotasAllow(types[a].rows, types[b].rows, rowCount, rows)) {
          best = [a, b];
          bestGain = gain;
          break;
        }
      }
    }
    return best;
  }

  /**
   * Whether one person of the type counted by rows `out` can leave and one counted by `into` come in: each row
   * only the leaver counts towards keeps its minimum, each only the newcomer does its maximum. Compared as sets,
   * since a two-way quota may count one type and not another (their row lists then differ in length).
   */
  private quotasAllow(out: number[], into: number[], rowCount: Int32Array, rows: Instance['rows']): boolean {
    for (const r of out) if (!into.includes(r) && rowCount[r] - 1 < rows[r].min) return false;
    for (const r of into) if (!out.includes(r) && rowCount[r] + 1 > rows[r].max) return false;
    return true;
  }
}
