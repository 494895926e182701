import { tally } from '../../src/voting/tally';
import type { Ballot, ConsentDetail } from '../../src/voting/types';
import { settingsFor, times } from './ballots';

const consent: Ballot = { kind: 'consent', choice: 'consent' };
const abstain: Ballot = { kind: 'consent', choice: 'abstain' };
const object = (reason?: string): Ballot => ({ kind: 'consent', choice: 'object', reason });
const vote = settingsFor('consent');

describe('consent', () => {
  test('passes when nobody objects', () => {
    const result = tally(vote, { ballots: [...times(5, consent), abstain], spoiled: 0, eligible: 7 });
    expect(result).toMatchObject({ outcome: 'passed', voted: 6, abstained: 1, detail: { consent: 5, object: 0, abstain: 1, objections: [], counted: 5 } });
    expect(result.summary).toBe('Passed: 5 consent, 0 objections. 6 of 7 voted (1 abstained).');
    expect(result.rule).toMatch(/^Consent: passes if nobody objects and at least one person consents/);
  });

  test('one objection stops it; the reasons go in the record, trimmed and sorted, with no one named', () => {
    const ballots = [object('Too costly for one year'), ...times(4, consent), object('  Needs a budget line ')];
    const result = tally(vote, { ballots, spoiled: 0, eligible: 6 });
    expect(result.outcome).toBe('failed');
    expect((result.detail as ConsentDetail).objections).toEqual(['Needs a budget line', 'Too costly for one year']);
    expect(result.summary).toBe('Failed: 4 consent, 2 objections: "Needs a budget line"; "Too costly for one year". 6 of 6 voted.');
  });

  test('everyone abstaining: fails, as nobody consented', () => {
    const result = tally(vote, { ballots: times(3, abstain), spoiled: 0, eligible: 3 });
    expect(result).toMatchObject({ outcome: 'failed', abstained: 3 });
    expect(result.summary).toBe('Failed: 0 consent, 0 objections, and nobody consented. 3 of 3 voted (3 abstained).');
  });

  test('an objection without a reason cannot be counted: spoiled', () => {
    const result = tally(vote, { ballots: [consent, object(' ')], spoiled: 0, eligible: 2 });
    expect(result).toMatchObject({ outcome: 'passed', spoiled: 1, voted: 2, detail: { invalid: 1, objections: [] } });
  });

  test('quorum not met', () => {
    const result = tally(settingsFor('consent', { quorum: 4 }), { ballots: [consent, consent], spoiled: 1, eligible: 8 });
    expect(result).toMatchObject({ outcome: 'no-quorum', voted: 3, quorum: { required: 4, met: false } });
    expect(result.summary).toBe('No quorum (4 ballots needed): 2 consent, 0 objections. 3 of 8 voted (1 spoiled).');
  });
});
