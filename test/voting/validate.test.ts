import { VotingError, describeBallot, describeRule, tally, validateBallot, validateSettings } from '../../src/voting/tally';
import type { Ballot, VoteSettings } from '../../src/voting/types';
import { dots, level, ranked, settingsFor } from './ballots';

const OPTIONS = ['Parks', 'Libraries', 'Museums'];
const dotVote = settingsFor('approval', { options: OPTIONS, dots: { perVoter: 5, perOption: 3 } });
const rankedVote = settingsFor('ranked', { options: OPTIONS });

describe('validateBallot refuses, naming what is wrong', () => {
  test.each<[string, VoteSettings, Ballot, string]>([
    ['a ballot of another kind', settingsFor('threshold'), level(3), 'This is an agree or disagree vote, and the ballot is not: reload the page.'],
    ['a threshold choice that is not one', settingsFor('threshold'), { kind: 'threshold', choice: 'maybe' } as unknown as Ballot, 'Choose agree, disagree or abstain.'],
    ['too many dots', dotVote, dots(3, 2, 1), 'You have 5 dots and used 6.'],
    ['too many dots on one option', dotVote, dots(0, 4, 0), 'At most 3 dots on one option: "Libraries" has 4.'],
    ['a dot count that is not whole', dotVote, dots(1.5, 0, 0), 'Dots must be whole numbers, 0 or more.'],
    ['a negative dot count', dotVote, dots(-1, 2, 0), 'Dots must be whole numbers, 0 or more.'],
    ['dots for a different list of options', dotVote, dots(1, 1), 'The ballot has 2 options but the vote has 3: reload the page.'],
    ['an option ranked twice', rankedVote, ranked(0, 2, 0), 'Rank each option at most once.'],
    ['a ranked option not in the vote', rankedVote, ranked(0, 3), 'The ballot ranks an option that is not in this vote: reload the page.'],
    ['a Likert level above 5', settingsFor('scale', { scale: 'likert5' }), level(6), 'Choose a level from 1 to 5, or 0 to abstain.'],
    ['a gradient above 8', settingsFor('scale', { scale: 'gradients8' }), level(9), 'Choose a level from 1 to 8, or 0 to abstain.'],
    ['a level that is not whole', settingsFor('scale'), level(2.5), 'Choose a level from 1 to 5, or 0 to abstain.'],
    ['an objection without a reason', settingsFor('consent'), { kind: 'consent', choice: 'object' }, 'An objection needs a reason.'],
    ['an objection with a blank reason', settingsFor('consent'), { kind: 'consent', choice: 'object', reason: '   ' }, 'An objection needs a reason.'],
    ['a consent choice that is not one', settingsFor('consent'), { kind: 'consent', choice: 'block' } as unknown as Ballot, 'Choose consent, object or abstain.'],
  ])('%s', (_, settings, ballot, message) => {
    expect(validateBallot(settings, ballot)).toBe(message);
  });

  test('one dot is one dot', () => {
    expect(validateBallot(settingsFor('approval', { options: OPTIONS, dots: { perVoter: 1, perOption: 1 } }), dots(1, 1, 0))).toBe('You have 1 dot and used 2.');
  });

  test.each<[string, VoteSettings, Ballot]>([
    ['agree', settingsFor('threshold'), { kind: 'threshold', choice: 'agree' }],
    ['all the dots, spread', dotVote, dots(3, 2, 0)],
    ['no dots (abstaining)', dotVote, dots(0, 0, 0)],
    ['a partial ranking', rankedVote, ranked(2)],
    ['an empty ranking (abstaining)', rankedVote, ranked()],
    ['a gradient of 8', settingsFor('scale', { scale: 'gradients8' }), level(8)],
    ['level 0 (abstaining)', settingsFor('scale'), level(0)],
    ['an objection with a reason', settingsFor('consent'), { kind: 'consent', choice: 'object', reason: 'Too soon' }],
  ])('accepts %s', (_, settings, ballot) => {
    expect(validateBallot(settings, ballot)).toBeNull();
  });
});

describe('settings', () => {
  test.each<[string, VoteSettings, string]>([
    ['a percentage rule without a percentage', settingsFor('threshold', { threshold: { rule: 'percent', base: 'all' } }), 'A percentage threshold needs a percentage above 0 and at most 100.'],
    ['a percentage above 100', settingsFor('threshold', { threshold: { rule: 'percent', percent: 120, base: 'all' } }), 'A percentage threshold needs a percentage above 0 and at most 100.'],
    ['a negative quorum', settingsFor('consent', { quorum: -1 }), 'The quorum must be a whole number of ballots, 0 or more.'],
    ['a ranked vote with one option', settingsFor('ranked', { options: ['Only'] }), 'A ranked vote needs at least two options.'],
    ['no dots', settingsFor('approval', { options: OPTIONS, dots: { perVoter: 0, perOption: 1 } }), 'Dots per panellist and per option must be whole numbers, 1 or more.'],
  ])('refuses %s, and tally and describeRule throw a VotingError saying so', (_, settings, message) => {
    expect(validateSettings(settings)).toBe(message);
    expect(() => tally(settings, { ballots: [], spoiled: 0, eligible: 1 })).toThrow(new VotingError(message));
    expect(() => describeRule(settings)).toThrow(VotingError);
  });

  test('accepts every method with its settings left out', () => {
    for (const method of ['threshold', 'approval', 'ranked', 'scale', 'consent'] as const) {
      expect(validateSettings(settingsFor(method, { options: method === 'approval' || method === 'ranked' ? OPTIONS : [] }))).toBeNull();
    }
  });

  test('counts that are not whole numbers are refused', () => {
    expect(() => tally(settingsFor('consent'), { ballots: [], spoiled: -1, eligible: 3 })).toThrow('The number of spoiled ballots must be a whole number, 0 or more.');
    expect(() => tally(settingsFor('consent'), { ballots: [], spoiled: 0, eligible: 2.5 })).toThrow('The number of members entitled to vote must be a whole number, 0 or more.');
  });

  test('more dots per option than per voter means at most all of them on one', () => {
    const settings = settingsFor('approval', { options: OPTIONS, dots: { perVoter: 2, perOption: 4 } });
    expect(validateBallot(settings, dots(0, 2, 0))).toBeNull();
    expect(describeRule(settings)).toContain('2 dots each, at most 2 on one option');
  });
});

describe('describeBallot, for checking a receipt', () => {
  test('in words, with the options named when the settings are given', () => {
    expect(describeBallot({ kind: 'threshold', choice: 'agree' })).toBe('agree');
    expect(describeBallot(dots(2, 0, 1), dotVote)).toBe('2 dots on "Parks" and 1 dot on "Museums"');
    expect(describeBallot(dots(0, 0, 0))).toBe('no dots (abstain)');
    expect(describeBallot(ranked(2, 0), rankedVote)).toBe('"Museums", then "Parks"');
    expect(describeBallot(ranked(1))).toBe('option 2');
    expect(describeBallot(level(4), settingsFor('scale'))).toBe('4, "Agree"');
    expect(describeBallot(level(8))).toBe('level 8');
    expect(describeBallot({ kind: 'consent', choice: 'object', reason: 'Too soon' })).toBe('object: "Too soon"');
  });
});
