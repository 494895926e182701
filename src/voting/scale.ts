import { ofKind, type Count, type Pile } from './count';
import { quorumWords, scaleOf } from './settings';
import type { Ballot, ScaleDetail, VoteSettings } from './types';
import { percent, plural } from './words';

export const LIKERT5: readonly string[] = ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];

/** Kaner's gradients of agreement, 1 to 8. Level 4 abstains. */
export const GRADIENTS8: readonly string[] = [
  'Wholehearted endorsement',
  'Endorsement with a minor point of contention',
  'Agreement with reservations',
  'Abstain (no opinion)',
  'More discussion needed',
  "Don't like it but will support it",
  'Serious disagreement (will not support)',
  'Block (veto)',
];

/** The labels of a scale's levels, 1 first (0 abstains). */
export function scaleLabels(scale: 'likert5' | 'gradients8'): string[] {
  return scale === 'likert5' ? [...LIKERT5] : [...GRADIENTS8];
}

function labelsOf(settings: VoteSettings): string[] {
  return scaleLabels(scaleOf(settings));
}

export function scaleRule(settings: VoteSettings): string {
  const quorum = quorumWords(settings.quorum);
  if (scaleOf(settings) === 'likert5') {
    return `Five-point scale from 1 "Strongly disagree" to 5 "Strongly agree", 0 to abstain. Reported, not passed or failed: the distribution, the shares of those who answered who agree (4-5) and disagree (1-2), and the median. ${quorum}`;
  }
  return (
    'Gradients of agreement, from 1 "Wholehearted endorsement" to 8 "Block (veto)", 0 to abstain; 4 "Abstain (no opinion)" counts as an abstention. ' +
    `Reported, not passed or failed: the distribution, support (1-3), support despite dislike (6), more discussion needed (5), against (7-8) and any block (8). ${quorum}`
  );
}

export function validateScale(settings: VoteSettings, ballot: Extract<Ballot, { kind: 'scale' }>): string | null {
  const top = labelsOf(settings).length;
  return Number.isInteger(ballot.level) && ballot.level >= 0 && ballot.level <= top ? null : `Choose a level from 1 to ${top}, or 0 to abstain.`;
}

export function countScale(settings: VoteSettings, pile: Pile): Count {
  const labels = labelsOf(settings);
  // How many answered each level, 0 (abstain) to the top.
  const levels = new Array<number>(labels.length + 1).fill(0);
  for (const h of ofKind(pile, 'scale')) levels[h.ballot.level] += h.n;
  const at = (...wanted: number[]) => wanted.reduce((sum, l) => sum + levels[l], 0);
  const distribution = labels.map((label, i) => ({ level: i + 1, label, count: at(i + 1) }));
  const likert = scaleOf(settings) === 'likert5';
  const abstained = likert ? at(0) : at(0, 4);
  const counted = levels.reduce((a, b) => a + b, 0) - abstained;
  const detail: ScaleDetail = { method: 'scale', scale: scaleOf(settings), distribution, likert: null, gradients: null, counted, invalid: 0 };
  let figures = 'nobody answered';
  if (likert) {
    const [agree, disagree, neither] = [at(4, 5), at(1, 2), at(3)];
    const median = medianOf(levels);
    const share = (n: number) => (counted ? percent(n, counted) : null);
    detail.likert = { agree, disagree, neither, agreeShare: share(agree), disagreeShare: share(disagree), median };
    if (median !== null) figures = `${agree} agree (${share(agree)}%), ${disagree} disagree (${share(disagree)}%), ${neither} neither; median ${median} ${medianWords(median)}`;
  } else {
    const g = { support: at(1, 2, 3), moreDiscussion: at(5), despiteDislike: at(6), against: at(7, 8), blocks: at(8) };
    detail.gradients = g;
    if (counted) {
      figures = `${g.support} support (1-3), ${g.despiteDislike} will support despite dislike (6), ${g.moreDiscussion} want more discussion (5), ${g.against} against (7-8)`;
      if (g.blocks) figures += `, including ${plural(g.blocks, 'block')} (8)`;
    }
  }
  return { abstained, counted, outcome: 'reported', winners: [], verdict: 'Reported', figures, detail };
}

/** The middle answer of those who chose a level (`levels[l]` answered l; 0 abstained); with an even number, halfway between the two middle ones. */
function medianOf(levels: number[]): number | null {
  const answered = levels.reduce((a, b) => a + b, 0) - levels[0];
  if (!answered) return null;
  // The k-th answer in order, counting from 0.
  const nth = (k: number) => {
    let seen = 0;
    for (let l = 1; ; l++) if ((seen += levels[l]) > k) return l;
  };
  const mid = Math.floor(answered / 2);
  return answered % 2 ? nth(mid) : (nth(mid - 1) + nth(mid)) / 2;
}

function medianWords(median: number): string {
  if (Number.isInteger(median)) return `"${LIKERT5[median - 1]}"`;
  return `(between "${LIKERT5[Math.floor(median) - 1]}" and "${LIKERT5[Math.ceil(median) - 1]}")`;
}
