import { approvalRule, countApproval, validateApproval } from './approval';
import { bordaRule, countBorda } from './borda';
import { finish, sizeOf, type Count, type Pile } from './count';
import { pileOf } from './running';
import { consentRule, countConsent, validateConsent } from './consent';
import { countIrv, irvRule, validateRanking } from './ranked';
import { countScale, scaleRule, validateScale } from './scale';
import { VotingError, checkSettings, countOf } from './settings';
import { countThreshold, thresholdRule, validateThreshold } from './threshold';
import type { Ballot, Method, Result, TallyInput, VoteSettings } from './types';

export { describeBallot } from './describe';
export { scaleLabels } from './scale';
export { VotingError, validateSettings } from './settings';

const NAMES: Record<Method, string> = { threshold: 'agree or disagree', approval: 'approval or dot', ranked: 'ranked', scale: 'scale', consent: 'consent' };

/**
 * Counts a vote. Ballots that break its rules (validateBallot) count as spoiled. Throws a VotingError, with a
 * message for people, if the settings cannot be counted (see validateSettings) or the counts are not whole numbers.
 */
export function tally(settings: VoteSettings, input: TallyInput): Result {
  if (!Array.isArray(input.ballots)) throw new VotingError('The ballots must be a list.');
  return tallyPile(settings, pileOf(input.ballots), input);
}

/** The same count from a pile of ballots (count.ts): each different ballot is checked and counted once, however many were cast. */
export function tallyPile(settings: VoteSettings, pile: Pile, input: Omit<TallyInput, 'ballots'>): Result {
  checkSettings(settings);
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  if (!whole(input.spoiled)) throw new VotingError('The number of spoiled ballots must be a whole number, 0 or more.');
  if (!whole(input.eligible)) throw new VotingError('The number of members entitled to vote must be a whole number, 0 or more.');
  const valid = pile.filter((h) => validateBallot(settings, h.ballot) === null);
  const count = countBy(settings, valid);
  return finish(settings, input, sizeOf(pile) - sizeOf(valid), count, describeRule(settings));
}

/** null if the ballot can be counted in this vote, else what is wrong, for the person voting. */
export function validateBallot(settings: VoteSettings, ballot: Ballot): string | null {
  if (ballot?.kind !== settings.method) return `This is ${article(settings.method)} ${NAMES[settings.method]} vote, and the ballot is not: reload the page.`;
  switch (ballot.kind) {
    case 'threshold':
      return validateThreshold(ballot);
    case 'approval':
      return validateApproval(settings, ballot);
    case 'ranked':
      return validateRanking(settings, ballot);
    case 'scale':
      return validateScale(settings, ballot);
    case 'consent':
      return validateConsent(ballot);
  }
}

/** The rule in words, as printed with the result (`Result.rule`); for telling panellists before the vote how it will be counted. */
export function describeRule(settings: VoteSettings): string {
  checkSettings(settings);
  switch (settings.method) {
    case 'threshold':
      return thresholdRule(settings);
    case 'approval':
      return approvalRule(settings);
    case 'ranked':
      return countOf(settings) === 'irv' ? irvRule(settings) : bordaRule(settings);
    case 'scale':
      return scaleRule(settings);
    case 'consent':
      return consentRule(settings);
  }
}

function countBy(settings: VoteSettings, ballots: Pile): Count {
  switch (settings.method) {
    case 'threshold':
      return countThreshold(settings, ballots);
    case 'approval':
      return countApproval(settings, ballots);
    case 'ranked':
      return countOf(settings) === 'irv' ? countIrv(settings, ballots) : countBorda(settings, ballots);
    case 'scale':
      return countScale(settings, ballots);
    case 'consent':
      return countConsent(settings, ballots);
  }
}

function article(method: Method): string {
  return method === 'approval' || method === 'threshold' ? 'an' : 'a';
}
