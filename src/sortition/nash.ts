import { decompose } from './decompose';
import type { Instance } from './instance';
import { type Portfolio, portfolio } from './lottery';
import { bound, nashColumns, NashSearch } from './nash-columns';
import { NashMaster } from './nash-master';
import { relaxedNash } from './relaxed-nash';
import type { Highs } from './solver';
import type { Progress } from './types';

/** The draw stops when the mean over people of log(chance) is provably within this of the best any lottery gives. */
export const NASH_GAP = 1e-6;
/**
 * Probability the decomposition may leave unplaced. The relaxed optimum lies inside a face of the panel polytope
 * on which F's gradient is level, so leaving a share e unplaced (and scaling the rest up) costs F only a term in
 * e^2: at 1e-3, about 1e-7 per person on the 1,727-person synthetic pool, after the master has reweighted the
 * panels, and the walk needs half the panels it needs for 1e-7 (124 against 226). The gap is measured, not
 * assumed; where it is too wide, column generation finishes from these panels.
 */
const EARLY = 1e-3;
/** If someone's chance lay only in what the walk left, it goes on to this (as LEXIMIN's quick route). */
const UNPLACED = 1e-7;

export const NASH_QUICK = 'Nash welfare proved by the relaxed bound';
export const NASH_COLUMNS = 'Nash welfare by column generation';

export interface NashPortfolio extends Portfolio {
  /** Proven bound on how far the mean log-chance falls short of the best any lottery gives. */
  gap: number;
}

type Report = (p: Progress) => void;

/**
 * The lottery of greatest Nash welfare: it maximises F = the sum over people of log(chance of selection), so no
 * one who can be on some panel is left at chance 0, and it evens out chances without letting the single
 * worst-off group decide everything, as maximin does. By the quick route when it reaches the end, as LEXIMIN:
 * 1. the optimum over the relaxed panel polytope (relaxed-nash.ts), which no lottery beats. For any positive
 *    chances a, with M(w) the largest total weight w of any panel and N the people who can be selected,
 *    concavity of log gives  F(any lottery) <= sum_i log a_i + N log(M(1/a) / N);  at the relaxed optimum's
 *    chances, with M from the relaxed LP, this is the upper bound, to rounding;
 * 2. a lottery of real panels with those expected numbers (decompose.ts, stopped at EARLY), reweighted by the
 *    master (nash-master.ts); its F is measured against the bound, and the difference is the duality gap.
 * If real panels cannot reach the relaxed optimum, column generation (nash-columns.ts) takes over from them.
 */
export function nash(highs: Highs, instance: Instance, options: { onProgress?: Report; gap?: number } = {}): NashPortfolio {
  const { onProgress } = options;
  const perPerson = options.gap ?? NASH_GAP;
  const search = new NashSearch(highs, instance);
  try {
    const relaxed = relaxedSupport(search, instance);
    let quick = quickRoute(highs, search, instance, relaxed.possible, relaxed.start, perPerson, onProgress);
    if (quick.portfolio) return quick.portfolio;
    // Real panels include fewer types than fractional ones, or cannot reach the relaxed optimum.
    const covered = search.cover(onProgress);
    if (covered.possible.some((p, t) => p !== relaxed.possible[t])) {
      quick = quickRoute(highs, search, instance, covered.possible, average(instance, covered.panels), perPerson, onProgress);
      if (quick.portfolio) return quick.portfolio;
    }
    onProgress?.({ phase: 'nash', message: `${quick.why}; finishing by column generation` });
    // Start from the decomposition's panels, mixed with the covering ones so that every type starts above 0.
    const found = quick.found;
    const start = {
      panels: [...covered.panels, ...found.panels],
      probabilities: [...covered.panels.map(() => (found.panels.length ? 0.5 : 1) / covered.panels.length), ...Array.from(found.probabilities, (p) => 0.5 * p)],
    };
    const N = people(instance, covered.possible);
    const result = nashColumns(search, instance, start, { upper: quick.upper, target: perPerson * N, onProgress });
    const note = `${NASH_COLUMNS}: ${within(result.gap, N)}; ${result.rounds} rounds, ${result.exact} exact searches, because ${quick.why}`;
    return finish(instance, result.panels, result.probabilities, result.gap / N, note);
  } finally {
    search.dispose();
  }
}

interface Attempt {
  portfolio?: NashPortfolio;
  /** The upper bound on F, over the types allowed. */
  upper: number;
  found: { panels: Int32Array[]; probabilities: ArrayLike<number> };
  why: string;
}

function quickRoute(highs: Highs, search: NashSearch, instance: Instance, allowed: Uint8Array, start: Float64Array, perPerson: number, onProgress?: Report): Attempt {
  const counts = Float64Array.from(instance.types, (t) => t.count);
  const N = people(instance, allowed);
  const best = relaxedNash(instance, allowed, start);
  const chances = Float64Array.from(best, (y, t) => (allowed[t] ? y / counts[t] : 0));
  const upper = bound(counts, chances, search.relaxedPanel(chances.map((p) => (p > 0 ? 1 / p : 0))).value, N);
  onProgress?.({ phase: 'nash', message: `no lottery beats a mean log-chance of ${(upper / N).toFixed(6)}; building a lottery of panels that reaches it` });
  const short = (p: Portfolio) => p.marginals.some((m, t) => allowed[t] && !(m > 0));
  let lottery = decompose(highs, instance, best, { tolerance: EARLY, onProgress });
  let reached = portfolio(instance, lottery.panels, lottery.probabilities);
  if (lottery.left <= EARLY && short(reached)) {
    lottery = decompose(highs, instance, best, { tolerance: UNPLACED, onProgress }); // someone's chance was all in the rest
    reached = portfolio(instance, lottery.panels, lottery.probabilities);
  }
  const left = `${(lottery.left * 100).toFixed(4)}% of the probability left over`;
  if (short(reached)) return { upper, found: reached, why: `real panels cannot give exactly the relaxed optimum (${left})` };
  // Reweighting the panels found (the master) makes up for most of what the walk left unplaced.
  const master = new NashMaster(counts);
  master.start(reached.panels, reached.probabilities);
  master.solve((perPerson * N) / 4);
  const found = { panels: master.panels(), probabilities: master.probabilities() };
  const gap = upper - master.objective();
  if (gap <= perPerson * N) {
    const note = `${NASH_QUICK}: ${within(Math.max(0, gap), N)}; no lottery's mean log-chance exceeds ${(upper / N).toFixed(6)}`;
    return { portfolio: finish(instance, found.panels, found.probabilities, Math.max(0, gap) / N, note), upper, found, why: '' };
  }
  const why = lottery.left > EARLY ? `real panels cannot give exactly the relaxed optimum (${left})` : `the lottery falls short of the relaxed bound by ${(gap / N).toExponential(1)} per person`;
  return { upper, found, why };
}

function finish(instance: Instance, panels: Int32Array[], probabilities: ArrayLike<number>, gap: number, note: string): NashPortfolio {
  return { ...portfolio(instance, panels, probabilities, [note]), gap };
}

/** The duality gap in words: how far below the best possible the welfare may be, at most. */
function within(gap: number, N: number): string {
  return `within ${(gap / N).toExponential(1)} of the optimum in mean log-chance (duality gap ${gap.toExponential(1)} in the sum over ${N} people)`;
}

function people(instance: Instance, allowed: Uint8Array): number {
  return instance.types.reduce((sum, type, t) => sum + (allowed[t] ? type.count : 0), 0);
}

function average(instance: Instance, panels: ArrayLike<number>[]): Float64Array {
  const y = new Float64Array(instance.types.length);
  for (const panel of panels) for (let t = 0; t < y.length; t++) y[t] += panel[t] / panels.length;
  return y;
}

/**
 * The types some fractional panel includes, and a fractional panel that includes them all (an average of LP
 * optima): weight the types not yet included and ask the LP again, until it includes none of them.
 */
function relaxedSupport(search: NashSearch, instance: Instance): { possible: Uint8Array; start: Float64Array } {
  const n = instance.types.length;
  const possible = new Uint8Array(n);
  const points: Float64Array[] = [];
  for (let round = 0; round < n; round++) {
    const { x } = search.relaxedPanel(Float64Array.from(possible, (p) => (p ? 0 : 1)));
    if (!x || !x.some((v, t) => v > 1e-9 && !possible[t])) break;
    points.push(x);
    x.forEach((v, t) => v > 1e-9 && (possible[t] = 1));
  }
  return { possible, start: average(instance, points) };
}
