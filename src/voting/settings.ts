import { METHODS, type VoteSettings } from './types';
import { plural } from './words';

/** Settings or counts a tally cannot work with; the message is for people. */
export class VotingError extends Error {
  override name = 'VotingError';
}

export type ThresholdRule = NonNullable<VoteSettings['threshold']>;

// Each method's settings are optional in the type; these are the defaults a tally applies (and its rule states).

/** Default: more than half of all valid votes. */
export function thresholdOf(settings: VoteSettings): ThresholdRule {
  return settings.threshold ?? { rule: 'majority', base: 'all' };
}

/** Default: plain approval, one mark per option and as many as there are options. */
export function dotsOf(settings: VoteSettings): { perVoter: number; perOption: number } {
  const dots = settings.dots ?? { perVoter: Math.max(1, settings.options.length), perOption: 1 };
  return { perVoter: dots.perVoter, perOption: Math.min(dots.perOption, dots.perVoter) };
}

export function countOf(settings: VoteSettings): 'irv' | 'borda' {
  return settings.count ?? 'irv';
}

export function scaleOf(settings: VoteSettings): 'likert5' | 'gradients8' {
  return settings.scale ?? 'likert5';
}

const whole = (n: unknown, least: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= least;

/** null if a vote can be held with these settings, else what is wrong, for people. */
export function validateSettings(settings: VoteSettings): string | null {
  if (!METHODS.includes(settings.method)) return `Choose a method: ${METHODS.join(', ')}.`;
  if (!whole(settings.quorum, 0)) return 'The quorum must be a whole number of ballots, 0 or more.';
  if (typeof settings.seed !== 'string') return 'A vote needs a seed for drawing lots in a tie.';
  if (!Array.isArray(settings.options)) return 'A vote needs a list of options (empty for a vote on the question itself).';
  const choosing = settings.method === 'approval' || settings.method === 'ranked';
  if (choosing && settings.options.length < 2) return `A ${settings.method} vote needs at least two options.`;
  const rule = settings.threshold;
  if (settings.method === 'threshold' && rule?.rule === 'percent') {
    const p = rule.percent;
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) return 'A percentage threshold needs a percentage above 0 and at most 100.';
  }
  const dots = settings.dots;
  if (settings.method === 'approval' && dots && !(whole(dots.perVoter, 1) && whole(dots.perOption, 1))) {
    return 'Dots per panellist and per option must be whole numbers, 1 or more.';
  }
  return null;
}

export function checkSettings(settings: VoteSettings): void {
  const problem = validateSettings(settings);
  if (problem) throw new VotingError(problem);
}

/** The quorum in words, the last sentence of every rule. */
export function quorumWords(quorum: number): string {
  return quorum === 0 ? 'No quorum is required.' : `Quorum: ${plural(quorum, 'ballot')} cast, abstentions and spoiled ballots included.`;
}
