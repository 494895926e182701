import { ofKind, sizeOf, type Count, type Pile } from './count';
import { dotsOf, quorumWords } from './settings';
import { LOTS, lotOrder, pick, rank, tieWords, type Figure } from './ties';
import type { ApprovalDetail, Ballot, VoteSettings } from './types';
import { plural, quoted } from './words';

export function approvalRule(settings: VoteSettings): string {
  const { perVoter, perOption } = dotsOf(settings);
  const count =
    perOption === 1
      ? `Approval voting: mark ${perVoter >= settings.options.length ? 'every option you approve of' : `up to ${plural(perVoter, 'option')}`}; the option with most approvals is chosen; a tie is settled by ${LOTS}.`
      : `Dot voting: ${plural(perVoter, 'dot')} each, at most ${perOption} on one option; the option with most dots is chosen; a tie goes to the option more people put dots on, then to ${LOTS}.`;
  return `${count} ${quorumWords(settings.quorum)}`;
}

export function validateApproval(settings: VoteSettings, ballot: Extract<Ballot, { kind: 'approval' }>): string | null {
  const { perVoter, perOption } = dotsOf(settings);
  const dots = ballot.dots;
  const n = settings.options.length;
  if (!Array.isArray(dots) || dots.length !== n) return `The ballot has ${Array.isArray(dots) ? dots.length : 'no'} options but the vote has ${n}: reload the page.`;
  if (!dots.every((d) => Number.isInteger(d) && d >= 0)) return 'Dots must be whole numbers, 0 or more.';
  const over = dots.findIndex((d) => d > perOption);
  if (over >= 0) return `At most ${plural(perOption, 'dot')} on one option: ${quoted(settings.options, over)} has ${dots[over]}.`;
  const used = dots.reduce((a, b) => a + b, 0);
  if (used > perVoter) return `You have ${plural(perVoter, 'dot')} and used ${used}.`;
  return null;
}

export function countApproval(settings: VoteSettings, pile: Pile): Count {
  const { perVoter, perOption } = dotsOf(settings);
  const options = settings.options.map((_, i) => i);
  const cast = ofKind(pile, 'approval');
  const marked = cast.filter((h) => h.ballot.dots.some((d) => d > 0));
  const totals = options.map((o) => marked.reduce((sum, h) => sum + h.n * h.ballot.dots[o], 0));
  const supporters = options.map((o) => sizeOf(marked.filter((h) => h.ballot.dots[o] > 0)));
  const voters = sizeOf(marked);
  const figures: Figure[] = [{ name: 'dots', values: totals }];
  if (perOption > 1) figures.push({ name: 'the number of supporters', values: supporters });
  const lots = lotOrder(settings.seed, options.length);
  const ranking = rank(options, figures, lots);
  const tie = voters ? pick(options, figures, lots, 'most').tie : null;
  const detail: ApprovalDetail = { method: 'approval', perVoter, perOption, totals, supporters, ranking, tie, seed: settings.seed, lotOrder: lots, counted: voters, invalid: 0 };
  const base = { abstained: sizeOf(cast) - voters, counted: voters, detail };
  if (!voters) return { ...base, outcome: 'failed', winners: [], verdict: 'Nothing chosen', figures: 'no dots were placed' };

  const unit = perOption === 1 ? 'approval' : 'dot';
  const line = (o: number) => `${quoted(settings.options, o)} with ${plural(totals[o], unit)}${perOption > 1 ? ` from ${plural(supporters[o], 'person', 'people')}` : ''}`;
  const parts = [line(ranking[0]), ...(ranking.length > 1 ? [`next ${line(ranking[1])}`] : [])];
  if (tie) parts.push(tieWords(tie, `tied on ${plural(totals[ranking[0]], unit)}`, settings.options, settings.seed));
  return { ...base, outcome: 'chosen', winners: [ranking[0]], verdict: 'Chosen', figures: parts.join('; ') };
}
