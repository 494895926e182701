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

/** The ballots of one kind (tally has already checked every ballot against the vote). */
export function ofKind<K extends Ballot['kind']>(ballots: Ballot[], kind: K): Extract<Ballot, { kind: K }>[] {
  return ballots.filter((b): b is Extract<Ballot, { kind: K }> => b.kind === kind);
}

export function finish(settings: VoteSettings, input: TallyInput, invalid: number, count: Count, rule: string): Result {
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
