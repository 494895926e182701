import type { Pile } from './count';
import type { Ballot } from './types';

/**
 * A pile that changes one ballot at a time: an open vote's ballots as they stand, so showing its result after
 * each ballot costs what its different ballots do, not every ballot read and counted again.
 */
export class RunningPile {
  private readonly heaps = new Map<string, { ballot: Ballot; n: number }>();

  constructor(ballots: readonly Ballot[] = []) {
    for (const ballot of ballots) this.add(ballot);
  }

  add(ballot: Ballot): void {
    const key = JSON.stringify(ballot);
    const heap = this.heaps.get(key);
    if (heap) heap.n++;
    else this.heaps.set(key, { ballot, n: 1 });
  }

  /** Takes one such ballot out (a member changed theirs); there must be one. */
  remove(ballot: Ballot): void {
    const key = JSON.stringify(ballot);
    const heap = this.heaps.get(key);
    if (!heap) throw new Error(`The running pile has no ballot ${key} to take out: it no longer matches the ballots stored.`);
    if (--heap.n === 0) this.heaps.delete(key);
  }

  /** The pile as it stands: a copy, so counting it while ballots arrive is safe. */
  pile(): Pile {
    return [...this.heaps.values()].map((h) => ({ ...h }));
  }
}

/** The pile of these ballots. */
export const pileOf = (ballots: readonly Ballot[]): Pile => new RunningPile(ballots).pile();
