import { sizeOf, type Count, type Pile } from './count';
import { firstPreferences, rankings } from './ranked';
import { quorumWords } from './settings';
import { LOTS, lotOrder, pick, rank, tieWords, type Figure } from './ties';
import type { BordaDetail, VoteSettings } from './types';
import { plural, quoted } from './words';

export function bordaRule(settings: VoteSettings): string {
  const n = settings.options.length;
  return (
    `Ranked choice, counted by Borda count: each ballot gives an option it ranks k-th ${n} minus k points (${plural(n - 1, 'point')} for a first preference, 0 for a last), ` +
    `and 0 to options it leaves unranked. The option with most points is chosen; a tie goes to the option with more first preferences, then to ${LOTS}. ${quorumWords(settings.quorum)}`
  );
}

export function countBorda(settings: VoteSettings, pile: Pile): Count {
  const n = settings.options.length;
  const options = settings.options.map((_, i) => i);
  const { ranked, abstained } = rankings(pile);
  const voters = sizeOf(ranked);
  const scores = new Array<number>(n).fill(0);
  for (const r of ranked) r.ranking.forEach((o, k) => (scores[o] += r.n * (n - 1 - k)));
  const first = firstPreferences(ranked, n);
  const figures: Figure[] = [
    { name: 'points', values: scores },
    { name: 'first preferences', values: first },
  ];
  const lots = lotOrder(settings.seed, n);
  const ranking = rank(options, figures, lots);
  const tie = voters ? pick(options, figures, lots, 'most').tie : null;
  const detail: BordaDetail = { method: 'ranked', count: 'borda', scores, firstPreferences: first, ranking, tie, seed: settings.seed, lotOrder: lots, counted: voters, invalid: 0 };
  const base = { abstained, counted: voters, detail };
  if (!voters) return { ...base, outcome: 'failed', winners: [], verdict: 'Nothing chosen', figures: 'nobody ranked any option' };

  const line = (o: number) => `${quoted(settings.options, o)} with ${plural(scores[o], 'point')}`;
  const parts = [line(ranking[0]), ...(n > 1 ? [`next ${line(ranking[1])}`] : [])];
  if (tie) parts.push(tieWords(tie, `tied on ${plural(scores[ranking[0]], 'point')}`, settings.options, settings.seed));
  return { ...base, outcome: 'chosen', winners: [ranking[0]], verdict: 'Chosen', figures: parts.join('; ') };
}
