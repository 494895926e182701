import fc from 'fast-check';
import { RunningPile } from '../../src/voting/running';
import { tally, tallyPile } from '../../src/voting/tally';
import { caseArb } from './arbitraries';

describe('a live vote counted from its running pile', () => {
  test('after any sequence of ballots cast and changed, the pile counts exactly as the ballots standing at the end', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.tuple(fc.nat(9), fc.nat(1000)), { maxLength: 80 }), (c, casts) => {
        // Voters 0..9 cast ballots from the case's ballots (valid and junk); a later cast replaces the earlier one.
        const running = new RunningPile();
        const standing = new Map<number, (typeof c.ballots)[number]>();
        for (const [voter, pick] of casts) {
          if (!c.ballots.length) break;
          const ballot = c.ballots[pick % c.ballots.length];
          const earlier = standing.get(voter);
          if (earlier) running.remove(JSON.parse(JSON.stringify(earlier)));
          running.add(ballot);
          standing.set(voter, ballot);
        }
        const input = { spoiled: c.spoiled, eligible: c.eligible };
        expect(tallyPile(c.settings, running.pile(), input)).toEqual(tally(c.settings, { ballots: [...standing.values()], ...input }));
      }),
      { numRuns: 300 },
    );
  });

  test('a ballot the pile does not hold cannot be taken out: the pile is known to be wrong, not quietly miscounted', () => {
    const running = new RunningPile([{ kind: 'threshold', choice: 'agree' }]);
    expect(() => running.remove({ kind: 'threshold', choice: 'disagree' })).toThrow('no longer matches the ballots stored');
    expect(running.pile()).toEqual([{ ballot: { kind: 'threshold', choice: 'agree' }, n: 1 }]);
  });

  test('the pile handed out is a copy: ballots arriving while it is counted do not change it', () => {
    const running = new RunningPile([{ kind: 'scale', level: 3 }]);
    const pile = running.pile();
    running.add({ kind: 'scale', level: 3 });
    expect(pile).toEqual([{ ballot: { kind: 'scale', level: 3 }, n: 1 }]);
  });
});
