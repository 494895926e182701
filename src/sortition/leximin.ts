import { columnGeneration } from './column-generation';
import { decompose } from './decompose';
import type { Instance } from './instance';
import { type Portfolio, portfolio } from './lottery';
import { relaxedLeximin } from './relaxed';
import type { Highs } from './solver';
import type { Progress } from './types';

/** Probability the quick route may leave unplaced: each chance is then within this of its LEXIMIN value. */
const UNPLACED = 1e-7;

export const QUICK_ROUTE = 'LEXIMIN proved by the relaxed bound';
export const COLUMN_GENERATION = 'LEXIMIN by column generation';

/**
 * The fairest lottery the quotas allow (LEXIMIN), by the quick route when it reaches the end:
 * 1. the LEXIMIN chances over the relaxed panel polytope (a few LPs; no lottery can do better), then
 * 2. a lottery of real panels with exactly those chances (decompose.ts), which proves them optimal.
 * If no lottery reaches the relaxed chances, column generation (the published method) takes over from
 * the panels found so far.
 *
 * `maximinOnly` asks only that the lowest chance be as high as it can be. Its optimum is LEXIMIN's first level,
 * so the quick route's lottery answers it too (and is fairer above the lowest). Column generation from no panels
 * at all, as maximin once ran, tails off: six panels a round, each round re-solving a master LP that grows, the
 * lowest chance creeping up (3.5%, 3.9%, 4.0% after 50, 100, 150 rounds on a 1,727-person pool whose optimum is
 * 4.29%); past 300 s it had not finished.
 */
export function leximin(
  highs: Highs,
  instance: Instance,
  options: { maximinOnly?: boolean; onProgress?: (p: Progress) => void } = {},
): Portfolio {
  const { onProgress, maximinOnly } = options;
  const target = relaxedLeximin(highs, instance, onProgress);
  onProgress?.({ phase: 'leximin', lowest: Math.min(...target.chances), message: `upper bounds found in ${target.levels} levels; building a lottery of panels that reaches them` });
  const lottery = decompose(highs, instance, target.expected, { tolerance: UNPLACED, onProgress });
  if (lottery.left <= UNPLACED) {
    const proof = maximinOnly ? MAXIMIN_BY_LEXIMIN : `${QUICK_ROUTE}: the lottery reaches the upper bound on every chance`;
    return portfolio(instance, lottery.panels, lottery.probabilities, [proof, ...target.notes]);
  }
  const why = `real panels cannot give exactly the relaxed chances (${(lottery.left * 100).toFixed(4)}% of the probability left over)`;
  onProgress?.({ phase: 'leximin', message: `${why}; finishing by column generation` });
  const result = columnGeneration(highs, instance, { onProgress, seeds: lottery.panels, maximinOnly });
  result.notes.push(`${maximinOnly ? 'maximin by column generation' : COLUMN_GENERATION}: ${why}`);
  return result;
}

/** How a maximin draw's lowest chance is proved the highest: the LEXIMIN lottery reaches the relaxed bound. */
export const MAXIMIN_BY_LEXIMIN = 'maximin by the LEXIMIN lottery: its lowest chance reaches the relaxed upper bound, so no lottery gives the worst-off more (LEXIMIN is also fairer above the lowest)';
