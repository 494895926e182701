import type { Instance } from './instance';
import { NashMaster } from './nash-master';
import { type Bounds, PanelFinder } from './panel-finder';
import { type Highs, SolverError } from './solver';
import { SwapSearch } from './swaps';
import type { Progress } from './types';

/** How many of the heaviest current panels the swap search starts from in each pricing round. */
const SWAP_STARTS = 4;
/** Rounds of column generation before the draw settles for the gap it has proved (and says so). */
const MAX_ROUNDS = 200;
/** HiGHS stops the panel MIP within this relative gap (panel-finder.ts), so the true best may be this much higher. */
const MIP_REL_GAP = 1e-7;

export interface ColumnsResult {
  panels: Int32Array[];
  probabilities: Float64Array;
  /** Proven bound on how far the summed log-chance falls short of the best any lottery gives. */
  gap: number;
  rounds: number;
  exact: number;
}

/**
 * Nash welfare by column generation, when the relaxed optimum is out of reach of real panels. The master
 * (nash-master.ts) finds the best lottery over the panels found so far; its gradient prices new ones (weight 1/p
 * per person): swaps from the heaviest panels, the relaxed LP's optimum (or the exact search among the types it
 * used), and the exact MIP when those find nothing. `upper` bounds F for every lottery; at the master's chances p,
 *   F <= sum_i log p_i + N log(M(1/p) / N)   (M: the heaviest panel's weight, from the LP or the MIP)
 * bounds it too (the Frank-Wolfe duality gap), and the search stops when F is within `target` of the smaller.
 */
export function nashColumns(
  search: NashSearch,
  instance: Instance,
  start: { panels: Int32Array[]; probabilities: ArrayLike<number> },
  options: { upper: number; target: number; onProgress?: (p: Progress) => void },
): ColumnsResult {
  const { upper, target, onProgress } = options;
  const counts = Float64Array.from(instance.types, (t) => t.count);
  const seen = new Set<string>();
  start.panels.forEach((panel) => fresh(seen, panel));
  const master = new NashMaster(counts);
  master.start(start.panels, start.probabilities);
  const N = master.people;
  let gap = Number.POSITIVE_INFINITY;
  let exact = 0;
  let round = 1;
  for (; round <= MAX_ROUNDS; round++) {
    if (round % 10 === 0 && master.size > 2 * master.used + 50) master.prune().forEach((panel) => seen.delete(panel.join(',')));
    master.solve(Math.max(target / 4, Math.min(gap, N) / 20));
    const F = master.objective();
    const weights = master.weights();
    const lp = search.relaxedPanel(weights);
    gap = Math.min(upper, bound(counts, master.p, lp.value, N)) - F;
    if (round % 10 === 0) report(onProgress, round, master, gap);
    if (gap <= target) break;
    const found = search.candidates(weights, master.panels(), SWAP_STARTS, lp);
    if (addAll(seen, master, found, N + Math.max(target / 4, 1e-12 * N)) > 0) continue;
    // Nothing cheap helps: the exact search either finds a better panel or proves there is none.
    exact++;
    const mip = search.best(weights);
    gap = Math.min(gap, bound(counts, master.p, mip.value, N) - F);
    if (gap <= target) break;
    if (fresh(seen, mip.counts)) master.add(mip.counts);
    else if (master.solve(target / 8) <= target / 8 && master.objective() - F <= target / 8) break; // rounding noise
  }
  report(onProgress, round, master, gap);
  return { panels: master.panels(), probabilities: master.probabilities(), gap: Math.max(0, gap), rounds: Math.min(round, MAX_ROUNDS), exact };
}

/** sum_t c_t log a_t + N log(M / N): an upper bound on F for every lottery, when M bounds every panel's weight 1/a. */
export function bound(counts: Float64Array, chances: Float64Array, M: number, N: number): number {
  let sum = 0;
  chances.forEach((a, t) => a > 0 && (sum += counts[t] * Math.log(a)));
  return sum + N * Math.log(M / N);
}

/** Adds the panels not seen before whose gradient beats `threshold`; returns how many. */
function addAll(seen: Set<string>, master: NashMaster, found: Int32Array[], threshold: number): number {
  let added = 0;
  for (const panel of found) {
    if (master.value(panel) <= threshold || !fresh(seen, panel)) continue;
    master.add(panel);
    added++;
  }
  return added;
}

function report(onProgress: ((p: Progress) => void) | undefined, round: number, master: NashMaster, gap: number) {
  const lowest = Math.min(...Array.from(master.p).filter((p) => p > 0));
  onProgress?.({ phase: 'nash', round, lowest, message: `round ${round}: ${master.used} panels in use, within ${(gap / master.people).toExponential(1)} of the best mean log-chance` });
}

function fresh(seen: Set<string>, panel: Int32Array): boolean {
  const key = panel.join(',');
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function dot(panel: Int32Array, weights: Float64Array): number {
  let total = 0;
  panel.forEach((x, t) => (total += x * weights[t]));
  return total;
}

/** The ways to find heavy panels for given weights: swaps, the relaxed LP, and exact searches (of all or some types). */
export class NashSearch {
  private readonly exact: PanelFinder;
  private readonly relaxed: PanelFinder;
  private readonly local: PanelFinder;
  private readonly swaps: SwapSearch;
  private readonly open: Bounds;

  constructor(highs: Highs, private readonly instance: Instance) {
    const made: PanelFinder[] = [];
    try {
      made.push(new PanelFinder(highs, instance));
      made.push(new PanelFinder(highs, instance, 60, false));
      made.push(new PanelFinder(highs, instance));
    } catch (err) {
      made.forEach((f) => f.dispose());
      throw err;
    }
    [this.exact, this.relaxed, this.local] = made;
    this.swaps = new SwapSearch(instance);
    this.open = {
      typeLo: new Float64Array(instance.types.length),
      typeHi: Float64Array.from(instance.types, (t) => t.count),
      rowLo: Float64Array.from(instance.rows, (r) => r.min),
      rowHi: Float64Array.from(instance.rows, (r) => r.max),
      householdLo: new Float64Array(instance.households.length),
    };
  }

  /** The best panel for these weights, exactly; its value allows for HiGHS's MIP gap, so it bounds every panel. */
  best(weights: Float64Array): { counts: Int32Array; value: number } {
    const found = this.exact.best(weights);
    if (!found) throw new SolverError('no panel satisfies the quotas');
    return { counts: found.counts, value: found.value * (1 + MIP_REL_GAP) + 1e-9 };
  }

  /** The relaxed LP's optimum (undefined if it failed) and its value, an upper bound for every real panel. */
  relaxedPanel(weights: Float64Array): { x: Float64Array | undefined; value: number } {
    const x = this.relaxed.solve(weights);
    if (!x) return { x: undefined, value: Number.POSITIVE_INFINITY };
    let value = 0;
    x.forEach((v, t) => (value += v * weights[t]));
    return { x: Float64Array.from(x), value: value * (1 + 1e-9) + 1e-9 };
  }

  /**
   * Heavy panels for these weights: the relaxed LP's optimum when it is whole, else the exact search among the
   * types it used (small, so quick); and swaps from that panel and from the heaviest `starts` of `panels`.
   */
  candidates(weights: Float64Array, panels: Int32Array[], starts: number, lp = this.relaxedPanel(weights)): Int32Array[] {
    const found: Int32Array[] = [];
    let near: Int32Array | undefined;
    if (lp.x && lp.x.every((v) => Math.abs(v - Math.round(v)) < 1e-9)) near = Int32Array.from(lp.x, Math.round);
    else if (lp.x) {
      const used = lp.x;
      this.local.restrict({ ...this.open, typeHi: this.open.typeHi.map((hi, t) => (used[t] > 1e-9 ? hi : 0)) });
      near = this.local.best(weights)?.counts;
    }
    const heaviest = panels
      .map((panel) => ({ panel, value: dot(panel, weights) }))
      .sort((a, b) => b.value - a.value)
      .slice(0, starts)
      .map((p) => p.panel);
    if (near) {
      found.push(near);
      heaviest.unshift(near);
    }
    for (const start of heaviest) {
      const better = this.improve(start, weights);
      if (better) found.push(better);
    }
    return found;
  }

  /**
   * Steepest swaps from `start`, kept only if the panel still meets every quota and household rule: swaps.ts
   * checks a type's quota rows position by position, which misses a two-way quota that covers only some cells.
   */
  private improve(start: Int32Array, weights: Float64Array): Int32Array | undefined {
    const better = this.swaps.improve(start, weights);
    return better && this.valid(better) ? better : undefined;
  }

  private valid(panel: Int32Array): boolean {
    const { types, rows, households, panelSize } = this.instance;
    const count = new Int32Array(rows.length);
    let size = 0;
    for (let t = 0; t < panel.length; t++) {
      if (panel[t] < 0 || panel[t] > types[t].count) return false;
      size += panel[t];
      for (const r of types[t].rows) count[r] += panel[t];
    }
    if (size !== panelSize || rows.some((row, r) => count[r] < row.min || count[r] > row.max)) return false;
    return households.every((members) => members.reduce((sum, t) => sum + panel[t], 0) <= 1);
  }

  /**
   * Panels that between them include every type some panel can include: weight the types not yet included,
   * improve the last panel by swaps, and ask the MIP only when swaps are stuck. A type none of them includes
   * is on no panel at all.
   */
  cover(onProgress?: (p: Progress) => void): { panels: Int32Array[]; possible: Uint8Array } {
    const n = this.instance.types.length;
    const possible = new Uint8Array(n);
    const weights = new Float64Array(n);
    const panels: Int32Array[] = [];
    let last: Int32Array | undefined;
    let exact = 0;
    const worth = (panel: Int32Array) => panel.some((x, t) => x > 0 && !possible[t]);
    for (;;) {
      possible.forEach((c, t) => (weights[t] = c ? 0 : 1));
      let next = last && this.improve(last, weights);
      if (!next || !worth(next)) {
        exact++;
        next = this.exact.best(weights.map((w) => w + 1e-3))?.counts;
        if (!next) throw new SolverError('no panel satisfies the quotas');
        if (!worth(next)) break; // the types still left out can be on no panel
      }
      panels.push(next);
      next.forEach((x, t) => x > 0 && (possible[t] = 1));
      last = next;
    }
    onProgress?.({ phase: 'warm start', message: `${panels.length} panels cover every group that can be selected (${exact} exact searches)` });
    return { panels, possible };
  }

  dispose(): void {
    this.exact.dispose();
    this.relaxed.dispose();
    this.local.dispose();
  }
}
