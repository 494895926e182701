import { describeRule, tally } from '../../src/voting/tally';
import type { ThresholdDetail, VoteSettings } from '../../src/voting/types';
import { abstain, agree, disagree, settingsFor, times } from './ballots';

const vote = (threshold: VoteSettings['threshold'], quorum = 0) => settingsFor('threshold', { threshold, quorum });
const pile = (a: number, d: number, x: number) => [...times(a, agree), ...times(d, disagree), ...times(x, abstain)];

describe('threshold: majority', () => {
  test('3 agree, 2 disagree passes; the summary gives the figures and the rule', () => {
    const result = tally(vote({ rule: 'majority', base: 'decisive' }), { ballots: pile(3, 2, 0), spoiled: 0, eligible: 6 });
    expect(result).toMatchObject({ method: 'threshold', outcome: 'passed', eligible: 6, voted: 5, abstained: 0, spoiled: 0, winners: [] });
    expect(result.summary).toBe('Passed: 3 agree, 2 disagree; 60% of the 5 agree and disagree votes (needed more than half). 5 of 6 voted.');
  });

  test('exactly half is not a majority', () => {
    expect(tally(vote({ rule: 'majority', base: 'decisive' }), { ballots: pile(2, 2, 0), spoiled: 0, eligible: 4 }).outcome).toBe('failed');
  });

  test('24 agree, 6 disagree, 3 abstain: 80% of the decisive votes', () => {
    const result = tally(vote({ rule: 'majority', base: 'decisive' }), { ballots: pile(24, 6, 3), spoiled: 0, eligible: 40 });
    expect(result.summary).toBe('Passed: 24 agree, 6 disagree; 80% of the 30 agree and disagree votes (needed more than half). 33 of 40 voted (3 abstained).');
    expect(result.detail).toMatchObject({ agree: 24, disagree: 6, abstain: 3, baseVotes: 30, support: 80, counted: 30 });
  });

  test('the base decides: 5 agree, 4 disagree, 3 abstain passes on decisive votes, fails on all votes', () => {
    const ballots = pile(5, 4, 3);
    const decisive = tally(vote({ rule: 'majority', base: 'decisive' }), { ballots, spoiled: 0, eligible: 12 });
    const all = tally(vote({ rule: 'majority', base: 'all' }), { ballots, spoiled: 0, eligible: 12 });
    expect(decisive.outcome).toBe('passed');
    expect(all.outcome).toBe('failed');
    expect(all.summary).toBe('Failed: 5 agree, 4 disagree, 3 abstain; 41.7% of all 12 valid votes (needed more than half). 12 of 12 voted (3 abstained).');
    expect((all.detail as ThresholdDetail).baseVotes).toBe(12);
  });

  test('missing threshold settings: more than half of all valid votes, said so in the rule', () => {
    const result = tally(settingsFor('threshold'), { ballots: pile(2, 1, 1), spoiled: 0, eligible: 4 });
    expect(result.outcome).toBe('failed');
    expect(result.rule).toBe('Agree, disagree or abstain: passes if agree votes are more than half of all valid votes, abstentions included. No quorum is required.');
  });
});

describe('threshold: two thirds and percentages, exact at the boundary', () => {
  test('20 of 30 is two thirds: passes', () => {
    expect(tally(vote({ rule: 'two-thirds', base: 'decisive' }), { ballots: pile(20, 10, 0), spoiled: 0, eligible: 30 }).outcome).toBe('passed');
  });

  test('19 of 29 is just under two thirds: fails', () => {
    const result = tally(vote({ rule: 'two-thirds', base: 'decisive' }), { ballots: pile(19, 10, 0), spoiled: 0, eligible: 29 });
    expect(result.outcome).toBe('failed');
    expect(result.summary).toContain('65.5% of the 29 agree and disagree votes (needed at least two thirds)');
  });

  test('two thirds where floating point would slip: 200 of 300, 2 of 3, 6 of 9', () => {
    for (const [a, d] of [[200, 100], [2, 1], [6, 3]]) {
      expect(tally(vote({ rule: 'two-thirds', base: 'all' }), { ballots: pile(a, d, 0), spoiled: 0, eligible: a + d }).outcome).toBe('passed');
    }
  });

  test('at least 60%: 3 of 5 passes, 5 of 9 fails', () => {
    const sixty = vote({ rule: 'percent', percent: 60, base: 'all' });
    expect(tally(sixty, { ballots: pile(3, 1, 1), spoiled: 0, eligible: 5 }).outcome).toBe('passed');
    expect(tally(sixty, { ballots: pile(5, 3, 1), spoiled: 0, eligible: 9 }).outcome).toBe('failed');
    expect(describeRule(sixty)).toContain('at least 60% of all valid votes');
  });

  test('a percentage with decimals: 2 of 3 is under 66.67%, 6667 of 10000 is not', () => {
    const p = vote({ rule: 'percent', percent: 66.67, base: 'decisive' });
    expect(tally(p, { ballots: pile(2, 1, 0), spoiled: 0, eligible: 3 }).outcome).toBe('failed');
    expect(tally(p, { ballots: pile(6667, 3333, 0), spoiled: 0, eligible: 10000 }).outcome).toBe('passed');
  });

  test('at least 70% (0.7 is not exact in binary): 7 of 10 passes', () => {
    expect(tally(vote({ rule: 'percent', percent: 70, base: 'all' }), { ballots: pile(7, 3, 0), spoiled: 0, eligible: 10 }).outcome).toBe('passed');
  });
});

describe('threshold: abstentions, spoiled ballots, quorum', () => {
  test('everyone abstaining on decisive votes fails, with no division by zero', () => {
    const result = tally(vote({ rule: 'majority', base: 'decisive' }), { ballots: pile(0, 0, 5), spoiled: 0, eligible: 5 });
    expect(result).toMatchObject({ outcome: 'failed', voted: 5, abstained: 5 });
    expect(result.summary).toBe('Failed: 0 agree, 0 disagree; no agree or disagree votes, so no support to measure. 5 of 5 voted (5 abstained).');
    expect((result.detail as ThresholdDetail).support).toBeNull();
  });

  test('only spoiled ballots, on all votes: fails with no valid votes', () => {
    const result = tally(vote({ rule: 'majority', base: 'all' }), { ballots: [], spoiled: 2, eligible: 5 });
    expect(result).toMatchObject({ outcome: 'failed', voted: 2, spoiled: 2 });
    expect(result.summary).toContain('no valid votes');
  });

  test('spoiled ballots count towards voted and quorum, not towards the base', () => {
    const result = tally(vote({ rule: 'majority', base: 'all' }, 10), { ballots: pile(5, 3, 0), spoiled: 2, eligible: 12 });
    expect(result).toMatchObject({ voted: 10, spoiled: 2, quorum: { required: 10, met: true }, outcome: 'passed' });
    expect(result.detail).toMatchObject({ baseVotes: 8, support: 62.5 });
    expect(result.summary).toMatch(/10 of 12 voted \(2 spoiled\)\.$/);
  });

  test('a ballot of another kind counts as spoiled', () => {
    const result = tally(vote({ rule: 'majority', base: 'all' }), { ballots: [...pile(2, 1, 0), { kind: 'scale', level: 3 }], spoiled: 1, eligible: 5 });
    expect(result).toMatchObject({ voted: 5, spoiled: 2, detail: { invalid: 1, counted: 3 } });
  });

  test('quorum not met: outcome no-quorum, the counts still reported', () => {
    const result = tally(vote({ rule: 'majority', base: 'decisive' }, 12), { ballots: pile(6, 1, 1), spoiled: 0, eligible: 20 });
    expect(result).toMatchObject({ outcome: 'no-quorum', voted: 8, abstained: 1, quorum: { required: 12, met: false } });
    expect(result.summary).toBe('No quorum (12 ballots needed): 6 agree, 1 disagree; 85.7% of the 7 agree and disagree votes (needed more than half). 8 of 20 voted (1 abstained).');
    expect(result.rule).toContain('Quorum: 12 ballots cast, abstentions and spoiled ballots included.');
  });

  test('abstentions and spoiled ballots make the quorum', () => {
    const result = tally(vote({ rule: 'majority', base: 'decisive' }, 4), { ballots: pile(1, 0, 2), spoiled: 1, eligible: 4 });
    expect(result).toMatchObject({ quorum: { required: 4, met: true }, outcome: 'passed' });
  });
});
