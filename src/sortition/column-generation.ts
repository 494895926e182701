import { Master } from './master';
import type { Instance } from './instance';
import { PanelFinder } from './panel-finder';
import { type Highs, SolverError } from './solver';
import { SwapSearch } from './swaps';
import { type Portfolio, portfolio } from './lottery';
import type { Progress } from './types';

const EPS = 1e-7;
/** How many of the best current panels the swap search starts from in each pricing round. */
const SWAP_STARTS = 6;

/**
 * LEXIMIN by column generation (Flanigan, Gölz, Gupta, Hennig, Procaccia 2021), at the level of types:
 * raise the lowest probability as far as it goes, fix the types that cannot go higher, repeat with the
 * rest. `maximinOnly` stops after the first level; `seeds` are panels to start from.
 */
export function columnGeneration(
  highs: Highs,
  instance: Instance,
  options: { maximinOnly?: boolean; onProgress?: (p: Progress) => void; seeds?: Int32Array[] } = {},
): Portfolio {
  const finder = new PanelFinder(highs, instance);
  const relaxed = new PanelFinder(highs, instance, 60, false);
  const master = new Master(highs, instance);
  const pricing = { finder, relaxed, swaps: new SwapSearch(instance) };
  try {
    const panels = new PanelSet();
    options.seeds?.forEach((p) => panels.add(p));
    warmStart(instance, pricing, panels, options.onProgress);
    panels.all().forEach((p) => master.addPanel(p));
    const fixed = new Float64Array(instance.types.length).fill(-1);
    let unfixed = instance.types.length;
    let lambda: Float64Array = new Float64Array(0);
    for (let level = 1; unfixed > 0; level++) {
      const z = raiseLowest(pricing, master, panels);
      lambda = z.lambda;
      const newlyFixed = fixTight(master, fixed, z.y, z.value);
      unfixed -= newlyFixed;
      options.onProgress?.({
        phase: 'leximin',
        round: level,
        lowest: z.value,
        message: `level ${level}: ${newlyFixed} group(s) fixed at ${(z.value * 100).toFixed(3)}%, ${unfixed} left, ${panels.size} panels`,
      });
      if (options.maximinOnly) {
        fixed.forEach((p, t) => (fixed[t] = p < 0 ? z.value : p));
        break;
      }
    }
    // The last master solution is the lottery: every type gets at least its fixed probability.
    const result = portfolio(instance, panels.all(), lambda);
    const shortfall = Math.max(0, ...Array.from(fixed, (p, t) => p - result.marginals[t]));
    if (shortfall > 1e-9) result.notes.push(`floating-point error: some probabilities fall short of their LEXIMIN value by up to ${shortfall.toExponential(1)}`);
    return result;
  } finally {
    finder.dispose();
    relaxed.dispose();
    master.dispose();
  }
}

/**
 * Column generation for one level: add panels that beat the current duals until none does. Swaps from
 * the best current panels find most of them cheaply; the relaxed LP, then the MIP, prove the end.
 */
function raiseLowest(pricing: Pricing, master: Master, panels: PanelSet) {
  for (;;) {
    const solution = master.solve();
    const weights = Float64Array.from(solution.y, (y, t) => Math.max(0, y) / pricing.finder.counts[t]);
    const threshold = solution.yhat + EPS;
    let added = 0;
    for (const start of topPanels(panels.all(), weights, SWAP_STARTS)) {
      const better = pricing.swaps.improve(start, weights);
      if (better && value(better, weights) > threshold && panels.add(better)) {
        master.addPanel(better);
        added++;
      }
    }
    if (added > 0) continue;
    if (pricing.relaxed.bound(weights) <= threshold) return solution;
    const best = pricing.finder.best(weights);
    if (!best) throw new SolverError('no panel satisfies the quotas');
    if (best.value <= threshold || !panels.add(best.counts)) return solution;
    master.addPanel(best.counts);
  }
}

interface Pricing {
  finder: PanelFinder;
  relaxed: PanelFinder;
  swaps: SwapSearch;
}

function value(panel: Int32Array, weights: Float64Array): number {
  let total = 0;
  panel.forEach((x, t) => (total += x * weights[t]));
  return total;
}

function topPanels(panels: Int32Array[], weights: Float64Array, count: number): Int32Array[] {
  return panels
    .map((panel) => ({ panel, value: value(panel, weights) }))
    .sort((a, b) => b.value - a.value)
    .slice(0, count)
    .map((p) => p.panel);
}

/** Types with positive dual weight cannot get more than z: fix them (at least one). */
function fixTight(master: Master, fixed: Float64Array, y: Float64Array, z: number): number {
  let count = 0;
  let heaviest = -1;
  y.forEach((weight, t) => {
    if (fixed[t] >= 0) return;
    if (heaviest < 0 || weight > y[heaviest]) heaviest = t;
    if (weight > EPS) {
      fixed[t] = Math.max(0, z);
      master.fix(t, fixed[t]);
      count++;
    }
  });
  if (count === 0 && heaviest >= 0) {
    fixed[heaviest] = Math.max(0, z);
    master.fix(heaviest, fixed[heaviest]);
    count = 1;
  }
  return count;
}

/**
 * Start with panels that between them include every type that can be on a panel at all: weight the
 * types not yet included and improve the last panel by swaps; ask the MIP only when swaps are stuck.
 * Without this, column generation spends its first hundreds of rounds covering one type at a time.
 */
function warmStart(instance: Instance, pricing: Pricing, panels: PanelSet, onProgress?: (p: Progress) => void) {
  const n = instance.types.length;
  const covered = new Uint8Array(n);
  for (const panel of panels.all()) panel.forEach((x, t) => x > 0 && (covered[t] = 1));
  const weights = new Float64Array(n);
  let last: Int32Array | undefined;
  let mipCalls = 0;
  for (;;) {
    covered.forEach((c, t) => (weights[t] = c ? 0 : 1));
    let next = last && pricing.swaps.improve(last, weights);
    if (!next || value(next, weights) === 0) {
      mipCalls++;
      next = pricing.finder.best(weights.map((w) => w + 1e-3))?.counts;
      if (!next) throw new SolverError('no panel satisfies the quotas');
      if (value(next, weights) === 0) break; // the types still left out can be on no panel
    }
    panels.add(next);
    next.forEach((x, t) => x > 0 && (covered[t] = 1));
    last = next;
  }
  onProgress?.({
    phase: 'warm start',
    message: `${panels.size} panels cover every group that can be selected (${mipCalls} exact searches)`,
  });
}


/** Panels without repeats, in the order found. */
class PanelSet {
  private readonly keys = new Set<string>();
  private readonly list: Int32Array[] = [];
  get size(): number {
    return this.list.length;
  }
  add(panel: Int32Array): boolean {
    const key = panel.join(',');
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.list.push(panel);
    return true;
  }
  all(): Int32Array[] {
    return this.list;
  }
}
