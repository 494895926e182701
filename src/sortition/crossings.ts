import { plainCategories } from './intersections';
import type { Person, Quota } from './types';

/**
 * The intersection picture of Flanigan et al.'s fairness report (issue 23): for each pair of categories, each of its
 * cells (a pair of values) with its share of the population, of the pool, and of the panel (expected over the
 * draw, from everyone's chance; and as drawn), and per pair the mean squared error of the expected panel share
 * against the population's. `compare` adds the same for another lottery on the same pool (LEXIMIN's, beside a
 * diversimax panel).
 */
export interface CrossingCell {
  value: string;
  population: number;
  pool: number;
  expected: number;
  drawn: number;
  compared?: number;
}

export interface Crossing {
  name: string;
  cells: CrossingCell[];
  mse: number;
  comparedMse?: number;
}

/** Population shares of a cell, by category and value: here the product of the two categories' census shares. */
export type PopulationShare = (a: { category: string; value: string }, b: { category: string; value: string }) => number;

export function crossings(
  people: Person[],
  quotas: Quota[],
  chances: readonly number[],
  selected: readonly string[],
  population: PopulationShare,
  compare?: readonly number[],
): Crossing[] {
  const categories = plainCategories(quotas);
  const panelSize = selected.length || 1;
  const onPanel = new Set(selected);
  const values = new Map(categories.map((c) => [c, [...new Set(people.map((p) => p.features[c]))].sort()]));
  const valuesOf = (c: string) => values.get(c) as string[];
  const mse = (cells: CrossingCell[], pick: (c: CrossingCell) => number) => cells.reduce((sum, c) => sum + (pick(c) - c.population) ** 2, 0) / cells.length;
  return categories.flatMap((a, i) =>
    categories.slice(i + 1).map((b) => {
      // One pass over the pool per pair: each person's figures go to their cell.
      const sums = new Map<string, { pool: number; expected: number; drawn: number; compared: number }>();
      people.forEach((p, k) => {
        const key = `${p.features[a]}\u0000${p.features[b]}`;
        const sum = sums.get(key) ?? { pool: 0, expected: 0, drawn: 0, compared: 0 };
        sum.pool++;
        sum.expected += chances[k];
        if (compare) sum.compared += compare[k];
        if (onPanel.has(p.id)) sum.drawn++;
        sums.set(key, sum);
      });
      const cells = valuesOf(a).flatMap((va) =>
        valuesOf(b).map((vb) => {
          const sum = sums.get(`${va}\u0000${vb}`) ?? { pool: 0, expected: 0, drawn: 0, compared: 0 };
          const cell: CrossingCell = { value: `${va} & ${vb}`, population: population({ category: a, value: va }, { category: b, value: vb }), pool: sum.pool / people.length, expected: sum.expected / panelSize, drawn: sum.drawn / panelSize };
          return compare ? { ...cell, compared: sum.compared / panelSize } : cell;
        }),
      );
      const crossing: Crossing = { name: `${a} & ${b}`, cells, mse: mse(cells, (c) => c.expected) };
      return compare ? { ...crossing, comparedMse: mse(cells, (c) => c.compared ?? 0) } : crossing;
    }),
  );
}
