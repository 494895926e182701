import { lotOrder } from '../../src/voting/ties';
import { describeRule, tally } from '../../src/voting/tally';
import type { ApprovalDetail, VoteSettings } from '../../src/voting/types';
import { dots, settingsFor } from './ballots';

const OPTIONS = ['Parks', 'Libraries', 'Museums', 'Buses'];
const dotVote = (extra: Partial<VoteSettings> = {}) => settingsFor('approval', { options: OPTIONS, dots: { perVoter: 3, perOption: 2 }, ...extra });

describe('dot voting', () => {
  test('totals, supporters, ranking and winner, counted by hand', () => {
    const ballots = [dots(2, 1, 0, 0), dots(0, 2, 1, 0), dots(1, 0, 2, 0), dots(0, 0, 0, 0), dots(1, 2, 0, 0)];
    const result = tally(dotVote(), { ballots, spoiled: 0, eligible: 6 });
    // Parks 2+1+1 = 4 from 3; Libraries 1+2+2 = 5 from 3; Museums 1+2 = 3 from 2; Buses 0.
    expect(result).toMatchObject({ outcome: 'chosen', winners: [1], voted: 5, abstained: 1, spoiled: 0 });
    const detail = result.detail as ApprovalDetail;
    expect(detail).toMatchObject({ totals: [4, 5, 3, 0], supporters: [3, 3, 2, 0], ranking: [1, 0, 2, 3], tie: null, counted: 4, perVoter: 3, perOption: 2 });
    expect(result.summary).toBe('Chosen: "Libraries" with 5 dots from 3 people; next "Parks" with 4 dots from 3 people. 5 of 6 voted (1 abstained).');
    expect(result.rule).toBe(describeRule(dotVote()));
    expect(result.rule).toContain('Dot voting: 3 dots each, at most 2 on one option');
  });

  test('a tie on dots goes to the option more people supported', () => {
    const ballots = [dots(2, 0, 0, 0), dots(0, 1, 0, 0), dots(0, 1, 0, 0)];
    const result = tally(dotVote(), { ballots, spoiled: 0, eligible: 3 });
    expect(result.winners).toEqual([1]);
    expect((result.detail as ApprovalDetail).tie).toEqual({ options: [0, 1], settledBy: 'the number of supporters' });
    expect(result.summary).toContain('"Parks" and "Libraries" tied on 2 dots, settled on the number of supporters');
  });

  test('a full tie is settled by the lot order the seed draws, and the summary names the seed', () => {
    const seeds = ['a', 'b', 'c', 'd', 'e', 'f'];
    const winners = seeds.map((seed) => {
      const result = tally(dotVote({ seed }), { ballots: [dots(1, 0, 0, 1), dots(0, 1, 0, 1), dots(1, 1, 0, 0)], spoiled: 0, eligible: 3 });
      // Parks, Libraries and Buses: 2 dots from 2 people each; the lot decides.
      const lots = lotOrder(seed, 4).filter((o) => o !== 2);
      expect(result.winners).toEqual([lots[0]]);
      expect((result.detail as ApprovalDetail).tie).toEqual({ options: [0, 1, 3], settledBy: 'lots' });
      expect(result.summary).toContain(`settled by lots drawn with the seed "${seed}"`);
      return result.winners[0];
    });
    expect(new Set(winners).size).toBeGreaterThan(1);
  });

  test('the same seed always draws the same lot order', () => {
    expect(lotOrder('Coventry:vote 3', 10)).toEqual(lotOrder('Coventry:vote 3', 10));
    expect([...lotOrder('x', 10)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('everyone abstaining chooses nothing', () => {
    const result = tally(dotVote(), { ballots: [dots(0, 0, 0, 0), dots(0, 0, 0, 0)], spoiled: 1, eligible: 3 });
    expect(result).toMatchObject({ outcome: 'failed', winners: [], voted: 3, abstained: 2, spoiled: 1 });
    expect(result.summary).toBe('Nothing chosen: no dots were placed. 3 of 3 voted (2 abstained, 1 spoiled).');
  });

  test('a ballot over its dots counts as spoiled', () => {
    const result = tally(dotVote(), { ballots: [dots(2, 2, 0, 0), dots(1, 0, 0, 0)], spoiled: 0, eligible: 2 });
    expect(result).toMatchObject({ voted: 2, spoiled: 1, winners: [0], detail: { invalid: 1, counted: 1, totals: [1, 0, 0, 0] } });
  });

  test('quorum not met: no winner, the totals still reported', () => {
    const result = tally(dotVote({ quorum: 5 }), { ballots: [dots(2, 1, 0, 0), dots(0, 1, 0, 0)], spoiled: 0, eligible: 8 });
    expect(result).toMatchObject({ outcome: 'no-quorum', winners: [], quorum: { required: 5, met: false }, detail: { totals: [2, 2, 0, 0] } });
    expect(result.summary).toMatch(/^No quorum \(5 ballots needed\): "Libraries" with 2 dots from 2 people/);
  });
});

describe('approval voting', () => {
  test('without dot settings: one mark per option, any number of options', () => {
    const settings = settingsFor('approval', { options: ['Yes', 'No', 'Maybe'] });
    const result = tally(settings, { ballots: [dots(1, 0, 1), dots(1, 1, 1), dots(0, 0, 1)], spoiled: 0, eligible: 3 });
    expect(result).toMatchObject({ winners: [2], detail: { totals: [2, 1, 3], perVoter: 3, perOption: 1 } });
    expect(result.summary).toBe('Chosen: "Maybe" with 3 approvals; next "Yes" with 2 approvals. 3 of 3 voted.');
    expect(result.rule).toMatch(/^Approval voting: mark every option you approve of/);
  });
});
