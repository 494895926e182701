import type { Ballot, VoteSettings } from '../../src/voting/types';

/** n copies of a ballot. */
export function times(n: number, ballot: Ballot): Ballot[] {
  return Array.from({ length: n }, () => structuredClone(ballot));
}

export const agree: Ballot = { kind: 'threshold', choice: 'agree' };
export const disagree: Ballot = { kind: 'threshold', choice: 'disagree' };
export const abstain: Ballot = { kind: 'threshold', choice: 'abstain' };

export const ranked = (...ranking: number[]): Ballot => ({ kind: 'ranked', ranking });
export const dots = (...placed: number[]): Ballot => ({ kind: 'approval', dots: placed });
export const level = (n: number): Ballot => ({ kind: 'scale', level: n });

export function settingsFor(method: VoteSettings['method'], extra: Partial<VoteSettings> = {}): VoteSettings {
  return { method, options: [], quorum: 0, seed: 'test seed', ...extra };
}
