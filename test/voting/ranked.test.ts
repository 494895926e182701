import { lotOrder } from '../../src/voting/ties';
import { tally } from '../../src/voting/tally';
import type { Ballot, BordaDetail, IrvDetail, VoteSettings } from '../../src/voting/types';
import { ranked, settingsFor, times } from './ballots';

const OPTIONS = ['Arts hub', 'Buses', 'Canal', 'Dance'];
const irv = (extra: Partial<VoteSettings> = {}) => settingsFor('ranked', { options: OPTIONS, count: 'irv', ...extra });

describe('instant-runoff', () => {
  // 8 A>B, 6 B>C, 5 C>B, 3 D alone, 1 D>C; 2 empty rankings; 1 spoiled paper ballot.
  const ballots: Ballot[] = [...times(8, ranked(0, 1)), ...times(6, ranked(1, 2)), ...times(5, ranked(2, 1)), ...times(3, ranked(3)), ranked(3, 2), ranked(), ranked()];

  test('the round-by-round table, with transfers, exhaustion and a tie for last place, counted by hand', () => {
    const result = tally(irv(), { ballots, spoiled: 1, eligible: 30 });
    expect(result).toMatchObject({ method: 'ranked', outcome: 'chosen', winners: [1], voted: 26, abstained: 2, spoiled: 1 });
    const detail = result.detail as IrvDetail;
    expect(detail.firstPreferences).toEqual([8, 6, 5, 4]);
    expect(detail.rounds).toEqual([
      {
        round: 1,
        votes: [{ option: 0, votes: 8 }, { option: 1, votes: 6 }, { option: 2, votes: 5 }, { option: 3, votes: 4 }],
        exhausted: 0,
        continuing: 23,
        winner: null,
        eliminated: 3,
        tie: null,
        transfers: [{ to: 2, votes: 1 }],
        newlyExhausted: 3,
      },
      {
        round: 2,
        votes: [{ option: 0, votes: 8 }, { option: 1, votes: 6 }, { option: 2, votes: 6 }],
        exhausted: 3,
        continuing: 20,
        winner: null,
        eliminated: 2,
        tie: { options: [1, 2], settledBy: 'first preferences' },
        transfers: [{ to: 1, votes: 5 }],
        newlyExhausted: 1,
      },
      {
        round: 3,
        votes: [{ option: 0, votes: 8 }, { option: 1, votes: 11 }],
        exhausted: 4,
        continuing: 19,
        winner: 1,
        eliminated: null,
        tie: null,
        transfers: [],
        newlyExhausted: 0,
      },
    ]);
    expect(detail).toMatchObject({ exhausted: 4, counted: 23, count: 'irv' });
    expect(result.summary).toBe(
      'Chosen: "Buses" has more than half in round 3, with 11 of 19 ballots still counting (57.9%); 4 ballots exhausted; ' +
        'round 2: "Buses" and "Canal" tied for last place with 6 votes, settled on first preferences. 26 of 30 voted (2 abstained, 1 spoiled).',
    );
    expect(result.rule).toMatch(/^Ranked choice, counted by instant-runoff/);
  });

  test('a majority of first preferences wins in round 1', () => {
    const result = tally(irv(), { ballots: [...times(3, ranked(2)), ranked(0, 2), ranked(1)], spoiled: 0, eligible: 5 });
    expect(result.winners).toEqual([2]);
    expect((result.detail as IrvDetail).rounds).toHaveLength(1);
  });

  test('a tie the first preferences cannot settle is settled by the lot order of the seed', () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const result = tally(irv({ options: ['North', 'South'], seed }), { ballots: [...times(3, ranked(0)), ...times(3, ranked(1))], spoiled: 0, eligible: 6 });
      const [first, second] = lotOrder(seed, 2);
      const rounds = (result.detail as IrvDetail).rounds;
      expect(rounds[0]).toMatchObject({ eliminated: second, tie: { options: [0, 1], settledBy: 'lots' }, newlyExhausted: 3 });
      expect(rounds[1]).toMatchObject({ winner: first, continuing: 3, exhausted: 3 });
      expect(result.winners).toEqual([first]);
      expect(result.summary).toContain(`settled by lots drawn with the seed "${seed}"`);
    }
  });

  test('everyone abstaining chooses nothing', () => {
    const result = tally(irv(), { ballots: [ranked(), ranked()], spoiled: 0, eligible: 4 });
    expect(result).toMatchObject({ outcome: 'failed', winners: [], abstained: 2, voted: 2, detail: { rounds: [], exhausted: 0 } });
    expect(result.summary).toBe('Nothing chosen: nobody ranked any option. 2 of 4 voted (2 abstained).');
  });

  test('quorum not met: no winner, the rounds still reported', () => {
    const result = tally(irv({ quorum: 10 }), { ballots: [ranked(0), ranked(0, 1), ranked(1)], spoiled: 0, eligible: 12 });
    expect(result).toMatchObject({ outcome: 'no-quorum', winners: [], quorum: { required: 10, met: false } });
    expect((result.detail as IrvDetail).rounds[0].winner).toBe(0);
    expect(result.summary).toMatch(/^No quorum \(10 ballots needed\): "Arts hub" has more than half in round 1/);
  });

  test('a ranking that names an option twice counts as spoiled', () => {
    const result = tally(irv(), { ballots: [ranked(0, 0), ranked(1)], spoiled: 0, eligible: 2 });
    expect(result).toMatchObject({ winners: [1], spoiled: 1, voted: 2, detail: { invalid: 1, counted: 1 } });
  });
});

describe('Borda count', () => {
  const borda = (extra: Partial<VoteSettings> = {}) => settingsFor('ranked', { options: ['Arts hub', 'Buses', 'Canal'], count: 'borda', ...extra });

  test('scores with partial rankings, counted by hand: unranked options get 0', () => {
    // A>B>C twice: A 2, B 1 each. B>C>A twice: B 2, C 1 each. C alone: C 2. B alone: B 2.
    const ballots = [...times(2, ranked(0, 1, 2)), ...times(2, ranked(1, 2, 0)), ranked(2), ranked(1)];
    const result = tally(borda(), { ballots, spoiled: 0, eligible: 6 });
    expect(result).toMatchObject({ outcome: 'chosen', winners: [1], voted: 6 });
    const detail = result.detail as BordaDetail;
    expect(detail).toMatchObject({ count: 'borda', scores: [4, 8, 4], firstPreferences: [2, 3, 1], ranking: [1, 0, 2], tie: null, counted: 6 });
    expect(result.summary).toBe('Chosen: "Buses" with 8 points; next "Arts hub" with 4 points. 6 of 6 voted.');
    expect(result.rule).toContain('counted by Borda count: each ballot gives an option it ranks k-th 3 minus k points (2 points for a first preference, 0 for a last), and 0 to options it leaves unranked');
  });

  test('a tie on points goes to more first preferences', () => {
    // A: 2 (first once) + 1 + 1 = 4; B: 2 + 2 = 4 (first twice).
    const result = tally(borda(), { ballots: [ranked(0), ranked(1, 0), ranked(1, 0)], spoiled: 0, eligible: 3 });
    expect(result.winners).toEqual([1]);
    expect((result.detail as BordaDetail).tie).toEqual({ options: [0, 1], settledBy: 'first preferences' });
    expect(result.summary).toContain('"Arts hub" and "Buses" tied on 4 points, settled on first preferences');
  });

  test('a tie on points and first preferences is settled by lot', () => {
    const seed = 'borda tie';
    const result = tally(borda({ seed }), { ballots: [ranked(0, 1, 2), ranked(1, 2, 0), ranked(2, 0, 1)], spoiled: 0, eligible: 3 });
    expect(result.winners).toEqual([lotOrder(seed, 3)[0]]);
    expect((result.detail as BordaDetail).ranking).toEqual(lotOrder(seed, 3));
    expect((result.detail as BordaDetail).tie).toEqual({ options: [0, 1, 2], settledBy: 'lots' });
  });

  test('everyone abstaining chooses nothing', () => {
    const result = tally(borda(), { ballots: [ranked()], spoiled: 2, eligible: 3 });
    expect(result).toMatchObject({ outcome: 'failed', winners: [], voted: 3, abstained: 1, spoiled: 2 });
  });
});
