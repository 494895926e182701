import { ofKind, sizeOf, type Count, type Pile } from './count';
import { quorumWords } from './settings';
import type { Ballot, ConsentDetail, VoteSettings } from './types';
import { plural } from './words';

export function consentRule(settings: VoteSettings): string {
  return `Consent: passes if nobody objects and at least one person consents; an objection must give a reason, and the reasons are recorded with the result. ${quorumWords(settings.quorum)}`;
}

export function validateConsent(ballot: Extract<Ballot, { kind: 'consent' }>): string | null {
  if (!['consent', 'object', 'abstain'].includes(ballot.choice)) return 'Choose consent, object or abstain.';
  if (ballot.choice === 'object' && (typeof ballot.reason !== 'string' || ballot.reason.trim() === '')) return 'An objection needs a reason.';
  return null;
}

export function countConsent(_settings: VoteSettings, pile: Pile): Count {
  const cast = ofKind(pile, 'consent');
  const [consent, object, abstain] = (['consent', 'object', 'abstain'] as const).map((c) => sizeOf(cast.filter((h) => h.ballot.choice === c)));
  // Sorted by code unit, not by locale: the same everywhere, and the order says nothing about who objected when.
  const objections = cast.flatMap((h) => (h.ballot.choice === 'object' ? new Array<string>(h.n).fill((h.ballot.reason ?? '').trim()) : [])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const passed = object === 0 && consent > 0;
  const detail: ConsentDetail = { method: 'consent', consent, object, abstain, objections, counted: consent + object, invalid: 0 };
  let figures = `${consent} consent, ${plural(object, 'objection')}`;
  if (object) figures += `: ${objections.map((r) => `"${r}"`).join('; ')}`;
  else if (!consent) figures += ', and nobody consented';
  return { abstained: abstain, counted: consent + object, outcome: passed ? 'passed' : 'failed', winners: [], verdict: passed ? 'Passed' : 'Failed', figures, detail };
}
