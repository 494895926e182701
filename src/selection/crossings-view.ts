import { CsvError } from '../csv';
import type { CrossingShares } from '../panels/crossings';
import type { Category } from '../panels/repo';
import { JOIN } from '../sortition/intersections';
import { InputError } from '../sortition/instance';
import { crossings } from '../sortition/crossings';
import type { Draw } from './repo';
import { drawInput } from './runner';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The draw page's intersection picture: for each pair of categories, each cell's share of the population (from the
 * census's crossings where the organiser gave them, else the two census shares multiplied), of the pool and of the panel, expected and as
 * drawn; as a scatter of expected panel share against population share (on the diagonal is exact), and a table of
 * each pair's mean squared error. A diversimax draw is set beside LEXIMIN's lottery on the same pool.
 */
export function crossingsView(draw: Draw, categories: Category[], census?: CrossingShares) {
  const outcome = draw.outcome;
  const input = outcome && readable(draw);
  if (!outcome || !input) return undefined;
  const { people, quotas } = input;
  const shares = new Map<string, number>();
  for (const c of categories) {
    const total = c.values.reduce((sum, v) => sum + (v.share ?? 0), 0);
    // A value with no census share leaves its crossings out of the picture, rather than counting as 0%.
    for (const v of c.values) shares.set(`${c.key}\u0000${v.value}`, total > 0 && v.share !== null ? v.share / total : Number.NaN);
  }
  const share = (x: { category: string; value: string }) => shares.get(`${x.category}\u0000${x.value}`) ?? Number.NaN;
  const counted = (a: { category: string; value: string }, b: { category: string; value: string }) => census?.get(`${a.category}${JOIN}${b.category}`)?.get(`${a.value}${JOIN}${b.value}`);
  const found = crossings(people, quotas, outcome.chances, outcome.selected, (a, b) => counted(a, b) ?? share(a) * share(b), outcome.leximinChances);
  const usable = found.filter((c) => c.cells.every((cell) => Number.isFinite(cell.population)));
  if (usable.length === 0) return undefined;
  const cells = usable.flatMap((c) => c.cells.map((cell) => ({ ...cell, crossing: c.name })));
  const top = Math.max(...cells.flatMap((c) => [c.population, c.expected, c.compared ?? 0]), 0.01);
  const at = (x: number) => Math.round((x / top) * 1900) / 10;
  const point = (x: number, y: number) => ({ x: at(x), y: Math.round((200 - at(y)) * 10) / 10 });
  const compared = outcome.leximinChances !== undefined;
  return {
    compared,
    top: pct(top),
    points: cells.map((c) => ({ ...point(c.population, c.expected), title: `${c.crossing}: ${c.value}, population ${pct(c.population)}, panel ${pct(c.expected)}` })),
    comparedPoints: compared ? cells.map((c) => ({ ...point(c.population, c.compared ?? 0), title: `${c.crossing}: ${c.value}, population ${pct(c.population)}, LEXIMIN ${pct(c.compared ?? 0)}` })) : [],
    mse: ((usable.reduce((sum, c) => sum + c.mse, 0) / usable.length) * 1e4).toFixed(2),
    comparedMse: compared ? ((usable.reduce((sum, c) => sum + (c.comparedMse ?? 0), 0) / usable.length) * 1e4).toFixed(2) : undefined,
    rows: usable.map((c) => ({
      name: c.name,
      fromCensus: census?.has(c.name) ?? false,
      mse: (c.mse * 1e4).toFixed(2),
      comparedMse: c.comparedMse === undefined ? undefined : (c.comparedMse * 1e4).toFixed(2),
      cells: c.cells.map((cell) => ({ value: cell.value, population: pct(cell.population), pool: pct(cell.pool), expected: pct(cell.expected), drawn: pct(cell.drawn), compared: cell.compared === undefined ? undefined : pct(cell.compared) })),
    })),
  };
}

/** The draw's own files, read; a draw stored without usable files (made by hand, as tests do) has no picture. */
function readable(draw: Draw): ReturnType<typeof drawInput> | undefined {
  try {
    return drawInput(draw.poolCsv, draw.quotasCsv);
  } catch (err) {
    if (err instanceof CsvError || err instanceof InputError) return undefined;
    throw err;
  }
}
