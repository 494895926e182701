import { ofKind, sizeOf, type Count, type Pile } from './count';
import { quorumWords, thresholdOf, type ThresholdRule } from './settings';
import type { Ballot, ThresholdDetail, VoteSettings } from './types';
import { percent } from './words';

export function thresholdRule(settings: VoteSettings): string {
  const rule = thresholdOf(settings);
  const base = rule.base === 'decisive' ? 'of the agree and disagree votes; abstentions count towards the quorum only' : 'of all valid votes, abstentions included';
  return `Agree, disagree or abstain: passes if agree votes are ${needed(rule)} ${base}. ${quorumWords(settings.quorum)}`;
}

export function validateThreshold(ballot: Extract<Ballot, { kind: 'threshold' }>): string | null {
  return ['agree', 'disagree', 'abstain'].includes(ballot.choice) ? null : 'Choose agree, disagree or abstain.';
}

export function countThreshold(settings: VoteSettings, pile: Pile): Count {
  const rule = thresholdOf(settings);
  const cast = ofKind(pile, 'threshold');
  const [agree, disagree, abstain] = (['agree', 'disagree', 'abstain'] as const).map((c) => sizeOf(cast.filter((h) => h.ballot.choice === c)));
  const baseVotes = agree + disagree + (rule.base === 'all' ? abstain : 0);
  const passed = baseVotes > 0 && meets(agree, baseVotes, rule);
  const detail: ThresholdDetail = { method: 'threshold', agree, disagree, abstain, base: rule.base, baseVotes, support: baseVotes ? percent(agree, baseVotes) : null, counted: agree + disagree, invalid: 0 };
  const counts = `${agree} agree, ${disagree} disagree${rule.base === 'all' ? `, ${abstain} abstain` : ''}`;
  const of = rule.base === 'all' ? `of all ${baseVotes} valid votes` : `of the ${baseVotes} agree and disagree votes`;
  const measure = baseVotes ? `${percent(agree, baseVotes)}% ${of} (needed ${needed(rule)})` : rule.base === 'all' ? 'no valid votes' : 'no agree or disagree votes, so no support to measure';
  return { abstained: abstain, counted: agree + disagree, outcome: passed ? 'passed' : 'failed', winners: [], verdict: passed ? 'Passed' : 'Failed', figures: `${counts}; ${measure}`, detail };
}

function needed(rule: ThresholdRule): string {
  if (rule.rule === 'majority') return 'more than half';
  if (rule.rule === 'two-thirds') return 'at least two thirds';
  return `at least ${rule.percent}%`;
}

/** Exact, in integers: agree / base against the rule, with the percentage taken to millionths. */
export function meets(agree: number, base: number, rule: ThresholdRule): boolean {
  if (rule.rule === 'majority') return 2 * agree > base;
  if (rule.rule === 'two-thirds') return 3 * agree >= 2 * base;
  const millionths = BigInt(Math.round((rule.percent ?? 100) * 1_000_000));
  return BigInt(agree) * 100_000_000n >= millionths * BigInt(base);
}
