import fc from 'fast-check';
import { describeRule, tally, validateBallot } from '../../src/voting/tally';
import type { ApprovalDetail, Ballot, BordaDetail, ConsentDetail, IrvDetail, Result, ScaleDetail, ThresholdDetail, VoteSettings } from '../../src/voting/types';
import { caseArb, shuffled, type Case } from './arbitraries';

const RUNS = { numRuns: 300 };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const run = (c: Case, ballots = c.ballots, spoiled = c.spoiled): Result => tally(c.settings, { ballots, spoiled, eligible: c.eligible });
const validOf = (c: Case) => c.ballots.filter((b) => validateBallot(c.settings, b) === null);
const ofKind = <K extends Ballot['kind']>(ballots: Ballot[], kind: K) => ballots.filter((b): b is Extract<Ballot, { kind: K }> => b.kind === kind);

describe('tallies, on random settings and ballots', () => {
  test('the denominators add up: voted = counted + abstained + spoiled, refused ballots are spoiled, quorum is voted >= required', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const result = run(c);
        const invalid = c.ballots.length - validOf(c).length;
        const counted = (result.detail as { counted: number }).counted;
        expect(result.voted).toBe(c.ballots.length + c.spoiled);
        expect(result.spoiled).toBe(c.spoiled + invalid);
        expect(result.detail.invalid).toBe(invalid);
        expect(result.voted).toBe(counted + result.abstained + result.spoiled);
        expect(result.quorum).toEqual({ required: c.settings.quorum, met: result.voted >= c.settings.quorum });
        expect(result.outcome === 'no-quorum').toBe(!result.quorum.met);
        expect(result.rule).toBe(describeRule(c.settings));
        expect(result.winners.length).toBe(result.outcome === 'chosen' ? 1 : 0);
        for (const w of result.winners) expect(w >= 0 && w < c.settings.options.length).toBe(true);
      }),
      RUNS,
    );
  });

  test("each method's own figures add up to the ballots it was given", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const result = run(c);
        checkFigures(c.settings, validOf(c), result);
      }),
      RUNS,
    );
  });

  test('no ballot counts twice: every ballot given twice doubles every figure and changes no decision', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const free = { ...c, settings: { ...c.settings, quorum: 0 } };
        const once = run(free);
        const twice = run(free, [...c.ballots, ...c.ballots], 2 * c.spoiled);
        expect([twice.voted, twice.abstained, twice.spoiled]).toEqual([2 * once.voted, 2 * once.abstained, 2 * once.spoiled]);
        expect(twice.detail.counted).toBe(2 * (once.detail.counted as number));
        expect(counts(twice)).toEqual(doubled(counts(once)));
        expect([twice.outcome, twice.winners, decisions(twice)]).toEqual([once.outcome, once.winners, decisions(once)]);
      }),
      RUNS,
    );
  });

  test('the result does not depend on the order the ballots arrive', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(run(c, shuffled(c.ballots, c.order))).toEqual(run(c));
      }),
      RUNS,
    );
  });
});

function checkFigures(settings: VoteSettings, valid: Ballot[], result: Result): void {
  const counted = result.detail.counted as number;
  switch (settings.method) {
    case 'threshold': {
      const d = result.detail as ThresholdDetail;
      const choices = ofKind(valid, 'threshold').map((b) => b.choice);
      expect([d.agree, d.disagree, d.abstain]).toEqual(['agree', 'disagree', 'abstain'].map((x) => choices.filter((c) => c === x).length));
      expect(d.agree + d.disagree).toBe(counted);
      expect(d.abstain).toBe(result.abstained);
      return;
    }
    case 'approval': {
      const d = result.detail as ApprovalDetail;
      const ballots = ofKind(valid, 'approval').map((b) => b.dots);
      expect(d.totals).toEqual(settings.options.map((_, o) => sum(ballots.map((dots) => dots[o]))));
      expect(d.supporters).toEqual(settings.options.map((_, o) => ballots.filter((dots) => dots[o] > 0).length));
      expect(sum(d.totals)).toBeLessThanOrEqual(counted * d.perVoter);
      expect([...d.ranking].sort((a, b) => a - b)).toEqual(settings.options.map((_, i) => i));
      if (result.winners.length) expect(d.totals[result.winners[0]]).toBe(Math.max(...d.totals));
      return;
    }
    case 'ranked':
      return settings.count === 'borda' ? checkBorda(settings, valid, result) : checkIrv(settings, valid, result);
    case 'scale': {
      const d = result.detail as ScaleDetail;
      const levels = ofKind(valid, 'scale').map((b) => b.level);
      expect(sum(d.distribution.map((x) => x.count))).toBe(levels.filter((l) => l > 0).length);
      const abstaining = settings.scale === 'gradients8' ? [0, 4] : [0];
      expect(result.abstained).toBe(levels.filter((l) => abstaining.includes(l)).length);
      return;
    }
    case 'consent': {
      const d = result.detail as ConsentDetail;
      expect(d.consent + d.object).toBe(counted);
      expect(d.abstain).toBe(result.abstained);
      expect(d.objections).toHaveLength(d.object);
      expect(result.outcome === 'passed' || result.outcome === 'no-quorum' || d.object > 0 || d.consent === 0).toBe(true);
    }
  }
}

function checkIrv(settings: VoteSettings, valid: Ballot[], result: Result): void {
  const d = result.detail as IrvDetail;
  const ranked = ofKind(valid, 'ranked').filter((b) => b.ranking.length > 0);
  expect(d.counted).toBe(ranked.length);
  expect(d.rounds.length).toBeLessThanOrEqual(settings.options.length);
  d.rounds.forEach((round, i) => {
    const votes = sum(round.votes.map((v) => v.votes));
    expect(votes + round.exhausted).toBe(ranked.length);
    expect(votes).toBe(round.continuing);
    expect(round.votes).toHaveLength(settings.options.length - i);
    const next = d.rounds[i + 1];
    if (round.eliminated === null) {
      expect(next).toBeUndefined();
      expect(2 * (round.votes.find((v) => v.option === round.winner)?.votes ?? 0)).toBeGreaterThan(round.continuing);
      return;
    }
    const out = round.votes.find((v) => v.option === round.eliminated)?.votes ?? -1;
    expect(out).toBe(Math.min(...round.votes.map((v) => v.votes)));
    expect(sum(round.transfers.map((t) => t.votes)) + round.newlyExhausted).toBe(out);
    expect(next.exhausted).toBe(round.exhausted + round.newlyExhausted);
    for (const t of round.transfers) {
      const before = round.votes.find((v) => v.option === t.to)?.votes ?? 0;
      expect(next.votes.find((v) => v.option === t.to)?.votes).toBe(before + t.votes);
    }
  });
  if (d.rounds.length) expect(d.rounds[0].votes.map((v) => v.votes)).toEqual(d.firstPreferences);
}

function checkBorda(settings: VoteSettings, valid: Ballot[], result: Result): void {
  const d = result.detail as BordaDetail;
  const n = settings.options.length;
  const ranked = ofKind(valid, 'ranked').map((b) => b.ranking);
  expect(sum(d.scores)).toBe(sum(ranked.map((r) => sum(r.map((_, k) => n - 1 - k)))));
  if (result.winners.length) expect(d.scores[result.winners[0]]).toBe(Math.max(...d.scores));
}

/** The counts in a result's detail (not its percentages, medians or lists), as numbers and arrays of numbers. */
function counts(result: Result): Record<string, unknown> {
  const d = result.detail;
  const pick = (...keys: string[]) => Object.fromEntries(keys.map((k) => [k, d[k]]));
  switch (result.method) {
    case 'threshold':
      return pick('agree', 'disagree', 'abstain', 'baseVotes');
    case 'approval':
      return pick('totals', 'supporters');
    case 'ranked': {
      if (d.count === 'borda') return pick('scores', 'firstPreferences');
      const rounds = (d as IrvDetail).rounds.map((r) => [r.votes.map((v) => v.votes), r.exhausted, r.continuing, r.newlyExhausted, r.transfers.map((t) => t.votes)]);
      return { ...pick('firstPreferences', 'exhausted'), rounds };
    }
    case 'scale':
      return { levels: (d as ScaleDetail).distribution.map((x) => x.count) };
    case 'consent':
      return { ...pick('consent', 'object', 'abstain'), objections: (d as ConsentDetail).objections.length };
  }
}

/** What the counts say beyond numbers: the order of the count, who went out and where ballots went. */
function decisions(result: Result): unknown {
  const d = result.detail;
  if (d.rounds) return (d as IrvDetail).rounds.map((r) => [r.votes.map((v) => v.option), r.eliminated, r.winner, r.tie, r.transfers.map((t) => t.to)]);
  return [d.ranking ?? null, d.tie ?? null];
}

/** Every number doubled. */
function doubled(x: unknown): unknown {
  if (typeof x === 'number') return 2 * x;
  if (Array.isArray(x)) return x.map(doubled);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, doubled(v)]));
  return x;
}
