import seedrandom from 'seedrandom';
import type { Tie } from './types';
import { joined, quoted } from './words';

/**
 * The lot order of a vote's options: one order of all of them, drawn from the seed before the count (a seeded
 * Fisher-Yates shuffle). A tie settled by lot goes to the option earlier in it. It depends on the seed and the
 * number of options only, never on the order ballots arrived.
 */
export function lotOrder(seed: string, count: number): number[] {
  const random = seedrandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A figure per option (by index) used to settle ties, named for the record: "first preferences". */
export interface Figure {
  name: string;
  values: number[];
}

/**
 * The candidate with the most (or fewest) of the first figure; a tie goes to the next figures in turn, then to
 * lots: the one earlier in the lot order when picking the most, later when picking the fewest (the lot favours the
 * same options either way). `tie` is null when the first figure alone decided.
 */
export function pick(candidates: number[], figures: Figure[], lots: number[], want: 'most' | 'fewest'): { option: number; tie: Tie | null } {
  const sign = want === 'most' ? 1 : -1;
  const [first, ...rest] = figures;
  const best = (among: number[], values: number[]) => {
    const top = Math.max(...among.map((o) => sign * values[o]));
    return among.filter((o) => sign * values[o] === top);
  };
  let tied = best(candidates, first.values);
  if (tied.length === 1) return { option: tied[0], tie: null };
  const options = [...tied].sort((a, b) => a - b);
  for (const figure of rest) {
    tied = best(tied, figure.values);
    if (tied.length === 1) return { option: tied[0], tie: { options, settledBy: figure.name } };
  }
  const position = (o: number) => sign * lots.indexOf(o);
  const option = tied.reduce((a, b) => (position(a) < position(b) ? a : b));
  return { option, tie: { options, settledBy: 'lots' } };
}

/** Orders options best first: by the figures in turn, then by the lot order. */
export function rank(options: number[], figures: Figure[], lots: number[]): number[] {
  return [...options].sort((a, b) => {
    for (const { values } of figures) if (values[a] !== values[b]) return values[b] - values[a];
    return lots.indexOf(a) - lots.indexOf(b);
  });
}

/** How the rules name the lot. */
export const LOTS = "lots drawn with the vote's seed, published with the result";

/** A tie in words: `"A" and "B" tied on 14 dots, settled by lots drawn with the seed "x"`. */
export function tieWords(tie: Tie, how: string, options: string[], seed: string): string {
  const names = joined(tie.options.map((o) => quoted(options, o)));
  const by = tie.settledBy === 'lots' ? `by lots drawn with the seed "${seed}"` : `on ${tie.settledBy}`;
  return `${names} ${how}, settled ${by}`;
}
