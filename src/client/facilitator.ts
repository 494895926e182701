import type { Immutable } from 'immer';
import type { AirtimeReport } from '../room/airtime';
import { $, button, element, item, onSubmit, setOptions } from './dom';
import { currentRound } from './reads';
import type { View } from './view';

/** The facilitator's controls, who is connected, and the airtime panel. */
export function renderFacilitator(v: View): void {
  const s = v.state;
  const round = currentRound(s);
  const running = round && (round.status === 'open' || round.status === 'paused');
  const next = s.current === null ? 0 : s.current + 1;
  $('controls').replaceChildren(
    ...(next < s.rounds.length ? [button(`Open the next round: ${s.rounds[next].title}`, () => v.send('round:open', { round: next }))] : []),
    ...(round?.status === 'open' ? [button('Pause', () => v.send('round:pause'), 'secondary'), button('Add 5 minutes', () => v.send('round:extend', { minutes: 5 }), 'secondary')] : []),
    ...(round?.status === 'paused' ? [button('Resume', () => v.send('round:resume'))] : []),
    ...(running ? [button('Close the round', () => v.send('round:close'), 'secondary')] : []),
    ...(s.queue.length && round?.status === 'open' ? [button('Give the floor to the next in the queue', () => v.send('floor:give'))] : []),
    ...(s.floor && !s.turns ? [button('End this turn', () => v.send('floor:take'), 'secondary')] : []),
    ...(round?.type === 'round-robin' && round.status === 'open' && !s.turns ? [button('Start the round-robin', () => v.send('turn:start'))] : []),
    ...(round?.type === 'round-robin' && round.status === 'open' && s.tables.length && !s.tables.some((t) => t.turns) ? [button('Start the round-robin at each table', () => v.send('turn:start', { atTables: true }), 'secondary')] : []),
    ...(s.turns && s.turns.index < s.turns.order.length ? [button('Next turn', () => v.send('turn:next'))] : []),
    ...(s.turns?.skipped ?? []).map((m) => button(`Give ${v.name(m)} a turn (skipped: not connected)`, () => v.send('turn:add', { member: m }), 'secondary')),
  );
  setOptions($<HTMLSelectElement>('jump-round'), s.rounds.map((r, i): [string, string] => [String(i), `${i + 1}. ${r.title}${r.status === 'closed' ? ' (done)' : ''}`]));
  renderQueueActions(v);
  renderAirtime(v.airtime, s.airtime, v.name);
  const p = v.presence;
  if (p) $('connected').textContent = `${p.panellists.length} of ${s.members.length} panellists connected${p.panellists.length ? `: ${p.panellists.map(v.name).sort().join(', ')}` : ''}. Facilitators: ${p.facilitators}. Observer screens: ${p.observers}.`;
}

function renderQueueActions(v: View): void {
  document.querySelectorAll<HTMLLIElement>('#queue li[data-member]').forEach((li) => {
    const m = li.dataset.member ?? '';
    li.append(' ', button(`Give the floor to ${v.name(m)}`, () => v.send('floor:give', { member: m }), 'secondary'), ' ', button(`Lower ${v.name(m)}'s hand`, () => v.send('queue:lower', { member: m }), 'secondary'));
  });
}

/** Each group's share of the airtime against its share of the panel, as bars, with the figures in words. */
function renderAirtime(report: Immutable<AirtimeReport> | undefined, byPerson: Readonly<Record<string, number>>, name: (m: string) => string): void {
  $('not-spoken').textContent = report ? `Not spoken yet: ${report.notSpoken.length ? report.notSpoken.map(name).join(', ') : 'nobody'}.` : '';
  $('airtime-groups').replaceChildren(
    ...[...(report?.groups ?? [])].sort((a, b) => a.category.localeCompare(b.category) || a.value.localeCompare(b.value)).map((g) => {
      const words = `${g.category} ${g.value}: ${g.spoken} of ${g.members} have spoken; ${Math.round(g.airtimeShare * 100)}% of the airtime for ${Math.round(g.memberShare * 100)}% of the panel`;
      const li = item('');
      li.append(bars(g.memberShare, g.airtimeShare), element('span', words));
      if (g.airtimeShare < g.memberShare / 2) li.className = 'quiet';
      return li;
    }),
  );
  $('airtime').replaceChildren(
    ...Object.entries(byPerson)
      .sort((a, b) => b[1] - a[1])
      .map(([m, ms]) => item(`${name(m)}: ${Math.round(ms / 1000)} s`)),
  );
}

const SVG = 'http://www.w3.org/2000/svg';

/** Two bars: the group's share of the panel (outline) and of the airtime (filled). The text says the same. */
function bars(panel: number, airtime: number): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 100 12');
  svg.setAttribute('class', 'airtime-bar');
  svg.setAttribute('aria-hidden', 'true');
  const rect = (width: number, cls: string) => {
    const r = document.createElementNS(SVG, 'rect');
    Object.entries({ x: '0', y: '1', height: '10', width: String(Math.min(100, width * 100)), class: cls }).forEach(([k, val]) => r.setAttribute(k, val));
    return r;
  };
  svg.append(rect(airtime, 'bar-airtime'), rect(panel, 'bar-panel'));
  return svg;
}

export function wireFacilitator(latest: () => View | undefined): void {
  onSubmit('jump', () => latest()?.send('round:open', { round: Number($<HTMLSelectElement>('jump-round').value) }));
}
