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
 * the panels found so far. `maximinOnly` raises only the lowest chance, by column generation.
 */
export function leximin(
  highs: Highs,
  instance: Instance,
  options: { maximinOnly?: boolean; onProgress?: (p: Progress) => void } = {},
): Portfolio {
  const { onProgress } = options;
  if (options.maximinOnly) return columnGeneration(highs, instance, options);
  const target = relaxedLeximin(highs, instance, onProgress);
  onProgress?.({ phase: 'leximin', lowest: Math.min(...target.chances), message: `upper bounds found in ${target.levels} levels; building a lottery of panels that reaches them` });
  const lottery = decompose(highs, instance, target.expected, { tolerance: UNPLACED, onProgress });
  if (lottery.left <= UNPLACED) {
    return portfolio(instance, lottery.panels, lottery.probabilities, [`${QUICK_ROUTE}: the lottery reaches the upper bound on every chance`, ...target.notes]);
  }
  const why = `real panels cannot give exactly the relaxed chances (${(lottery.left * 100).toFixed(4)}% of the probability left over)`;
  onProgress?.({ phase: 'leximin', message: `${why}; finishing by column generation` });
  const result = columnGeneration(highs, instance, { onProgress, seeds: lottery.panels });
  result.notes.push(`${COLUMN_GENERATION}: ${why}`);
  return result;
}
