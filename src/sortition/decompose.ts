import { type Instance, typesByRow } from './instance';
import { type Bounds, PanelFinder } from './panel-finder';
import type { Highs } from './solver';
import type { Progress } from './types';

/** A constraint with less slack than this (in people) counts as tight. */
const TIGHT = 1e-7;

export interface Decomposition {
  panels: Int32Array[];
  probabilities: Float64Array;
  /** The probability not placed on a panel: at most the tolerance when the target was reached. */
  left: number;
}

/**
 * Writes a target point y of the relaxed panel polytope P (people per type in expectation) as a lottery
 * of real panels, by walking down the faces of P (Caratheodory's construction): take a real panel x on
 * the smallest face of P that holds y, give it the largest weight a that keeps y' = (y - a x) / (1 - a)
 * inside P, and go on from y'. Each step makes at least one more constraint tight, and the probability
 * still to place shrinks by the factor (1 - a). If a face holds no real panel, y is out of reach of any
 * lottery, and `left` says how much probability was not placed.
 */
export function decompose(
  highs: Highs,
  instance: Instance,
  target: Float64Array,
  options: { tolerance?: number; onProgress?: (p: Progress) => void } = {},
): Decomposition {
  const tolerance = options.tolerance ?? 1e-7;
  const counts = Float64Array.from(instance.types, (t) => t.count);
  const rows = typesByRow(instance);
  const search = new FaceSearch(highs, instance);
  const found = new Map<string, { panel: Int32Array; weight: number }>();
  let y = Float64Array.from(target);
  let left = 1;
  let last: Int32Array | undefined;
  try {
    // Each step fixes a constraint more, so a walk far longer than there are types has gone astray.
    const maxSteps = 10 * instance.types.length + 100;
    for (let step = 1; left > tolerance && step <= maxSteps; step++) {
      const x = search.panel(face(instance, rows, y), y.map((v, t) => v / counts[t]), last);
      if (!x) break;
      const a = stepSize(instance, rows, y, x);
      if (a <= 0) break; // rounding noise left y outside P
      const key = x.join(',');
      const entry = found.get(key) ?? { panel: x, weight: 0 };
      entry.weight += left * a;
      found.set(key, entry);
      if (a >= 1 - 1e-12) {
        left = 0;
        break;
      }
      y = y.map((v, t) => snap((v - a * x[t]) / (1 - a), counts[t]));
      left *= 1 - a;
      last = x;
      if (step % 25 === 0) {
        const placed = ((1 - left) * 100).toFixed(left > 1e-4 ? 2 : 6);
        options.onProgress?.({ phase: 'lottery', round: step, message: `${found.size} panels carry ${placed}% of the probability` });
      }
    }
  } finally {
    search.dispose();
  }
  const entries = [...found.values()];
  return { panels: entries.map((e) => e.panel), probabilities: Float64Array.from(entries, (e) => e.weight), left };
}

/**
 * Finds a heavy real panel on a face: the LP's optimum when it is whole; else the exact search among the types
 * the LP used (smallest, so fastest: on the 1,727-person synthetic pool it always succeeds, and the walk takes
 * 6.6 s rather than 12); else among those and the last panel's; else over the whole face.
 */
class FaceSearch {
  private readonly relaxed: PanelFinder;
  private readonly exact: PanelFinder;

  constructor(highs: Highs, instance: Instance) {
    this.relaxed = new PanelFinder(highs, instance, 60, false);
    try {
      // Any real panel on the face will do; a heavy one makes long steps. Within 2% of the heaviest is found sooner.
      this.exact = new PanelFinder(highs, instance, 60, true, 0.02);
    } catch (err) {
      this.relaxed.dispose();
      throw err;
    }
  }

  panel(bounds: Bounds, weights: Float64Array, last: Int32Array | undefined): Int32Array | undefined {
    this.relaxed.restrict(bounds);
    const lp = this.relaxed.solve(weights);
    if (!lp) return undefined;
    if (lp.every((v) => Math.abs(v - Math.round(v)) < 1e-9)) return Int32Array.from(lp, Math.round);
    const among = (used: (t: number) => boolean) => {
      this.exact.restrict({ ...bounds, typeHi: bounds.typeHi.map((hi, t) => (used(t) ? hi : 0)) });
      return this.exact.best(weights)?.counts;
    };
    const near = among((t) => lp[t] > 1e-9) ?? (last && among((t) => lp[t] > 1e-9 || last[t] > 0));
    if (near) return near;
    this.exact.restrict(bounds);
    return this.exact.best(weights)?.counts;
  }

  dispose(): void {
    this.relaxed.dispose();
    this.exact.dispose();
  }
}

/** The smallest face of P that holds y: every bound y meets (within TIGHT) becomes an equality. */
function face(instance: Instance, rows: number[][], y: Float64Array): Bounds {
  const bounds: Bounds = {
    typeLo: Float64Array.from(instance.types, ({ count }, t) => (y[t] >= count - TIGHT ? count : 0)),
    typeHi: Float64Array.from(instance.types, ({ count }, t) => (y[t] <= TIGHT ? 0 : count)),
    rowLo: new Float64Array(instance.rows.length),
    rowHi: new Float64Array(instance.rows.length),
    householdLo: Float64Array.from(instance.households, (members) => (total(y, members) >= 1 - TIGHT ? 1 : 0)),
  };
  instance.rows.forEach(({ min, max }, r) => {
    const sum = total(y, rows[r]);
    bounds.rowLo[r] = sum >= max - TIGHT ? max : min;
    bounds.rowHi[r] = sum <= min + TIGHT ? min : max;
  });
  return bounds;
}

/**
 * The largest a <= 1 with (y - a x) / (1 - a) still in P. A constraint g(v) >= 0 (g affine, g(x) >= 0)
 * holds at that point exactly when g(y) >= a g(x), which limits a only where x has more slack than y.
 */
function stepSize(instance: Instance, rows: number[][], y: Float64Array, x: Int32Array): number {
  let a = 1;
  const limit = (slackY: number, slackX: number) => {
    if (slackX > 0 && slackX > slackY) a = Math.min(a, Math.max(0, slackY) / slackX);
  };
  instance.types.forEach(({ count }, t) => {
    limit(y[t], x[t]);
    limit(count - y[t], count - x[t]);
  });
  instance.rows.forEach(({ min, max }, r) => {
    const sumY = total(y, rows[r]);
    const sumX = total(x, rows[r]);
    limit(sumY - min, sumX - min);
    limit(max - sumY, max - sumX);
  });
  for (const members of instance.households) limit(1 - total(y, members), 1 - total(x, members));
  return a;
}

function total(values: ArrayLike<number>, indices: number[]): number {
  let sum = 0;
  for (const i of indices) sum += values[i];
  return sum;
}

/** Rounding noise at a bound goes to the bound. */
function snap(value: number, count: number): number {
  if (value < 1e-12) return 0;
  if (value > count - 1e-12) return count;
  return value;
}
