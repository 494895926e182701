import { describeRule, scaleLabels, tally } from '../../src/voting/tally';
import type { ScaleDetail, VoteSettings } from '../../src/voting/types';
import { level, settingsFor } from './ballots';

const likert = (extra: Partial<VoteSettings> = {}) => settingsFor('scale', { scale: 'likert5', ...extra });
const gradients = settingsFor('scale', { scale: 'gradients8' });
const levels = (...ns: number[]) => ns.map(level);

describe('Likert scale', () => {
  test('distribution with labels, shares of those who answered and the median, counted by hand', () => {
    const result = tally(likert(), { ballots: levels(5, 5, 4, 4, 4, 3, 2, 1, 0, 0), spoiled: 0, eligible: 12 });
    expect(result).toMatchObject({ outcome: 'reported', winners: [], voted: 10, abstained: 2 });
    const detail = result.detail as ScaleDetail;
    expect(detail.distribution).toEqual([
      { level: 1, label: 'Strongly disagree', count: 1 },
      { level: 2, label: 'Disagree', count: 1 },
      { level: 3, label: 'Neither agree nor disagree', count: 1 },
      { level: 4, label: 'Agree', count: 3 },
      { level: 5, label: 'Strongly agree', count: 2 },
    ]);
    expect(detail.likert).toEqual({ agree: 5, disagree: 2, neither: 1, agreeShare: 62.5, disagreeShare: 25, median: 4 });
    expect(detail.gradients).toBeNull();
    expect(result.summary).toBe('Reported: 5 agree (62.5%), 2 disagree (25%), 1 neither; median 4 "Agree". 10 of 12 voted (2 abstained).');
  });

  test('with an even number of answers the median can fall between two levels', () => {
    const result = tally(likert(), { ballots: levels(2, 3, 4, 5), spoiled: 0, eligible: 4 });
    expect((result.detail as ScaleDetail).likert?.median).toBe(3.5);
    expect(result.summary).toContain('median 3.5 (between "Neither agree nor disagree" and "Agree")');
  });

  test('everyone abstaining: nobody answered, no median, no shares', () => {
    const result = tally(likert(), { ballots: levels(0, 0, 0), spoiled: 0, eligible: 3 });
    expect(result).toMatchObject({ outcome: 'reported', abstained: 3 });
    expect((result.detail as ScaleDetail).likert).toEqual({ agree: 0, disagree: 0, neither: 0, agreeShare: null, disagreeShare: null, median: null });
    expect(result.summary).toBe('Reported: nobody answered. 3 of 3 voted (3 abstained).');
  });

  test('quorum not met; a level beyond the scale counts as spoiled', () => {
    const result = tally(likert({ quorum: 5 }), { ballots: levels(4, 6), spoiled: 1, eligible: 9 });
    expect(result).toMatchObject({ outcome: 'no-quorum', voted: 3, spoiled: 2, detail: { invalid: 1, counted: 1 } });
    expect(result.summary).toMatch(/^No quorum \(5 ballots needed\): 1 agree \(100%\)/);
  });
});

describe('gradients of agreement', () => {
  test('level 4 counts as abstaining; support, dislike, discussion, against and blocks, counted by hand', () => {
    const result = tally(gradients, { ballots: levels(1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 0), spoiled: 0, eligible: 11 });
    expect(result).toMatchObject({ outcome: 'reported', voted: 11, abstained: 3, detail: { counted: 8 } });
    const detail = result.detail as ScaleDetail;
    expect(detail.gradients).toEqual({ support: 4, moreDiscussion: 1, despiteDislike: 1, against: 2, blocks: 1 });
    expect(detail.distribution.map((d) => d.count)).toEqual([2, 1, 1, 2, 1, 1, 1, 1]);
    expect(detail.distribution[3]).toEqual({ level: 4, label: 'Abstain (no opinion)', count: 2 });
    expect(result.summary).toBe(
      'Reported: 4 support (1-3), 1 will support despite dislike (6), 1 want more discussion (5), 2 against (7-8), including 1 block (8). 11 of 11 voted (3 abstained).',
    );
    expect(result.rule).toContain('4 "Abstain (no opinion)" counts as an abstention');
  });

  test('no blocks: none mentioned', () => {
    expect(tally(gradients, { ballots: levels(1, 7), spoiled: 0, eligible: 2 }).summary).toContain('1 against (7-8). ');
  });

  test('the labels, 1 first', () => {
    expect(scaleLabels('gradients8')).toEqual([
      'Wholehearted endorsement',
      'Endorsement with a minor point of contention',
      'Agreement with reservations',
      'Abstain (no opinion)',
      'More discussion needed',
      "Don't like it but will support it",
      'Serious disagreement (will not support)',
      'Block (veto)',
    ]);
    expect(scaleLabels('likert5')).toHaveLength(5);
    expect(describeRule(settingsFor('scale'))).toMatch(/^Five-point scale/);
  });
});
