import type { Ballot, Result, TallyInput, VoteSettings } from './types';
import { plural } from './words';

/** What a method works out from the valid ballots; `finish` adds the denominators and the quorum. */
export interface Count {
  /** Valid ballots that abstained. */
  abstained: number;
  /** Valid ballots that expressed a choice. */
  counted: number;
  outcome: 'passed' | 'failed' | 'chosen' | 'reported';
  winners: number[];
  /** "Passed", "Chosen", …: left out when the quorum is not met. */
  verdict: string;
  /** The figures in words: "24 agree, 6 disagree: 80% of …". */
  figures: string;
  detail: Record<string, unknown>;
}

/**
 * A vote's ballots as counted: each different ballot once, with how many were cast. The counts work on piles, so
 * a live vote's tally costs what its different ballots do, not every ballot again (running.ts, which also makes
 * the pile of a list of ballots: `pileOf`).
 */
export type Pile<B extends Ballot = Ballot> = readonly { ballot: B; n: number }[];

/** How many ballots are in the pile (or in any heaps with their counts). */
export const sizeOf = (heaps: readonly { n: number }[]): number => heaps.reduce((sum, heap) => sum + heap.n, 0);

/** The heaps of one kind (tally has already checked every ballot against the vote). */
export function ofKind<K extends Ballot['kind']>(pile: Pile, kind: K): Pile<Extract<Ballot, { kind: K }>> {
  return pile.filter((h): h is { ballot: Extract<Ballot, { kind: K }>; n: number } => h.ballot.kind === kind);
}

export function finish(settings: VoteSettings, input: Omit<TallyInput, 'ballots'>, invalid: number, count: Count, rule: string): Result {
  const spoiled = input.spoiled + invalid;
  const voted = count.counted + count.abstained + spoiled;
  const met = voted >= settings.quorum;
  const turnout = `${voted} of ${input.eligible} voted${aside(count.abstained, spoiled)}.`;
  const verdict = met ? count.verdict : `No quorum (${plural(settings.quorum, 'ballot')} needed)`;
  return {
    method: settings.method,
    rule,
    eligible: input.eligible,
    voted,
    abstained: count.abstained,
    spoiled,
    quorum: { required: settings.quorum, met },
    outcome: met ? count.outcome : 'no-quorum',
    winners: met ? count.winners : [],
    summary: `${verdict}: ${count.figures}. ${turnout}`,
    detail: { ...count.detail, counted: count.counted, invalid },
  };
}

function aside(abstained: number, spoiled: number): string {
  const parts = [abstained ? `${abstained} abstained` : '', spoiled ? `${spoiled} spoiled` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
