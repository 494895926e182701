import { ofKind, sizeOf, type Count, type Pile } from './count';
import { quorumWords } from './settings';
import { LOTS, lotOrder, pick, tieWords } from './ties';
import type { Ballot, IrvDetail, IrvRound, VoteSettings } from './types';
import { percent, plural, quoted } from './words';

export function irvRule(settings: VoteSettings): string {
  return (
    'Ranked choice, counted by instant-runoff: first preferences are counted; while no option has more than half of the ballots still counting, ' +
    'the option with fewest votes is eliminated and each of its ballots passes to its next preference still in the count, or is exhausted if none is left. ' +
    `A tie for last place: the option with fewer first preferences goes; if still tied, ${LOTS}. ${quorumWords(settings.quorum)}`
  );
}

export function validateRanking(settings: VoteSettings, ballot: Extract<Ballot, { kind: 'ranked' }>): string | null {
  const ranking = ballot.ranking;
  if (!Array.isArray(ranking)) return 'Rank the options in order of preference.';
  if (!ranking.every((o) => Number.isInteger(o) && o >= 0 && o < settings.options.length)) return 'The ballot ranks an option that is not in this vote: reload the page.';
  if (new Set(ranking).size !== ranking.length) return 'Rank each option at most once.';
  return null;
}

/** The ballots that ranked something (an empty ranking abstains). */
export function rankings(pile: Pile): { ranked: Ranked; abstained: number } {
  const all = ofKind(pile, 'ranked').map((h) => ({ ranking: h.ballot.ranking, n: h.n }));
  const ranked = all.filter((r) => r.ranking.length > 0);
  return { ranked, abstained: sizeOf(all) - sizeOf(ranked) };
}

/** Different rankings, each with how many ballots ranked so. */
export type Ranked = { ranking: number[]; n: number }[];

export function firstPreferences(ranked: Ranked, count: number): number[] {
  const first = new Array<number>(count).fill(0);
  for (const r of ranked) first[r.ranking[0]] += r.n;
  return first;
}

/** The ballot's highest preference still in the count, or -1 if it is exhausted. */
function top(ranking: number[], continuing: Set<number>): number {
  return ranking.find((o) => continuing.has(o)) ?? -1;
}

export function countIrv(settings: VoteSettings, pile: Pile): Count {
  const n = settings.options.length;
  const { ranked, abstained } = rankings(pile);
  const voters = sizeOf(ranked);
  const lots = lotOrder(settings.seed, n);
  const first = firstPreferences(ranked, n);
  const rounds = voters ? runoff(ranked, voters, first, lots) : [];
  const last = rounds[rounds.length - 1];
  const detail: IrvDetail = { method: 'ranked', count: 'irv', firstPreferences: first, rounds, exhausted: last?.exhausted ?? 0, seed: settings.seed, lotOrder: lots, counted: voters, invalid: 0 };
  const base = { abstained, counted: voters, detail };
  if (!last || last.winner === null) return { ...base, outcome: 'failed', winners: [], verdict: 'Nothing chosen', figures: 'nobody ranked any option' };

  const winner = last.winner;
  const votes = last.votes.find((v) => v.option === winner)?.votes ?? 0;
  const parts = [`${quoted(settings.options, winner)} has more than half in round ${last.round}, with ${votes} of ${plural(last.continuing, 'ballot')} still counting (${percent(votes, last.continuing)}%)`];
  parts.push(`${plural(last.exhausted, 'ballot')} exhausted`);
  for (const r of rounds) {
    if (r.tie) parts.push(`round ${r.round}: ${tieWords(r.tie, `tied for last place with ${plural(votesOf(r, r.tie.options[0]), 'vote')}`, settings.options, settings.seed)}`);
  }
  return { ...base, outcome: 'chosen', winners: [winner], verdict: 'Chosen', figures: parts.join('; ') };
}

function votesOf(round: IrvRound, option: number): number {
  return round.votes.find((v) => v.option === option)?.votes ?? 0;
}

/** The rounds of the count, the last one with its winner. */
function runoff(ranked: Ranked, voters: number, first: number[], lots: number[]): IrvRound[] {
  const continuing = new Set(lots.map((_, i) => i));
  const rounds: IrvRound[] = [];
  for (let round = 1; ; round++) {
    const tops = ranked.map((r) => top(r.ranking, continuing));
    const counts = new Array<number>(first.length).fill(0);
    let exhausted = 0;
    tops.forEach((t, i) => {
      if (t >= 0) counts[t] += ranked[i].n;
      else exhausted += ranked[i].n;
    });
    const options = [...continuing].sort((a, b) => a - b);
    const votes = options.map((option) => ({ option, votes: counts[option] }));
    const still = voters - exhausted;
    const leader = options.reduce((a, b) => (counts[b] > counts[a] ? b : a));
    const row = { round, votes, exhausted, continuing: still, winner: null, eliminated: null, tie: null, transfers: [], newlyExhausted: 0 };
    if (2 * counts[leader] > still) {
      rounds.push({ ...row, winner: leader });
      return rounds;
    }
    const { option: out, tie } = pick(options, [{ name: 'votes', values: counts }, { name: 'first preferences', values: first }], lots, 'fewest');
    continuing.delete(out);
    const moved = new Array<number>(first.length).fill(0);
    let newlyExhausted = 0;
    tops.forEach((t, i) => {
      if (t !== out) return;
      const next = top(ranked[i].ranking, continuing);
      if (next < 0) newlyExhausted += ranked[i].n;
      else moved[next] += ranked[i].n;
    });
    const transfers = moved.flatMap((count, to) => (count ? [{ to, votes: count }] : []));
    rounds.push({ ...row, eliminated: out, tie, transfers, newlyExhausted });
  }
}
