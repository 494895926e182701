import type { Alternates } from '../sortition/alternates';
import { percent } from '../sortition/report';
import type { Member } from '../membership/members';

/**
 * What the draw page shows of a final draw's alternates: the simulated chance that the quotas hold through the
 * expected dropouts with this list and with a naive one, as two bars, and the list in rank order with where each
 * alternate stands (waiting, or a member: asked, and their answer).
 */
export function alternatesView(alternates: Alternates, members: Member[]) {
  const byId = new Map(members.map((m) => [m.publicId, m]));
  const bar = (label: string, keep: number, full: number) => ({ label, keep: percent(keep), full: percent(full), width: Math.round(keep * 1000) / 10 });
  return {
    count: alternates.list.length,
    expected: alternates.expectedDropouts.toFixed(1),
    checks: alternates.checks,
    bars: [bar('This list', alternates.keep, alternates.full), bar('A naive list (people in a random order)', alternates.naiveKeep, alternates.naiveFull)],
    list: alternates.list.map((id, i) => ({ rank: i + 1, id, standing: byId.get(id)?.status ?? 'waiting' })),
    waiting: alternates.list.filter((id) => !byId.has(id)).length,
  };
}
