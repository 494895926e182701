import { $ } from './dom';
import { currentRound } from './reads';
import type { View } from './view';

/**
 * The facilitator's tools as tabs beside the queue and who is here (issue 19): one tool at a time, so the live
 * parts fit a laptop's screen. The tab follows the round (its ideas, tables, or recommendations and votes) until
 * the facilitator picks another; a new round follows again. Members and observers see every part, one below
 * another.
 */
const TABS = { ideas: ['board'], tables: ['tables'], decide: ['recs', 'votes'], agenda: ['agenda-panel'] } as const;
type Tab = keyof typeof TABS;
const NAMES = Object.keys(TABS) as Tab[];

let chosen: { tab: Tab; round: number | null } | undefined;

/** The tab a round is about: a round-robin or a discussion runs from the queue, with the day's plan beside it. */
function tabOf(v: View): Tab | undefined {
  const type = currentRound(v.state)?.type;
  if (type === 'ideas' || type === 'briefing') return 'ideas';
  if (type === 'tables' || (type === 'round-robin' && v.state.tables.some((t) => t.turns))) return 'tables'; // turns at the tables are run from their cards
  if (type === 'vote') return 'decide';
  return type ? 'agenda' : undefined;
}

const sections = (tab: Tab) => TABS[tab].map((id) => $(id));

/** Called after every part has rendered (and set which parts have anything to show). */
export function renderTabs(v: View): void {
  const facilitating = v.you.role === 'facilitator';
  document.body.classList.toggle('facilitating', facilitating);
  if (!facilitating) return NAMES.forEach((t) => sections(t).forEach((s) => s.classList.remove('tab-off')));
  const available = NAMES.filter((t) => sections(t).some((s) => !s.hidden));
  if (chosen && chosen.round !== v.state.current) chosen = undefined; // a new round: follow it again
  const wanted = chosen?.tab ?? tabOf(v);
  const shown = wanted && available.includes(wanted) ? wanted : (available.find((t) => t !== 'agenda') ?? 'agenda');
  for (const tab of NAMES) {
    for (const section of sections(tab)) section.classList.toggle('tab-off', tab !== shown);
    const button = document.querySelector<HTMLButtonElement>(`#room-tabs [data-tab="${tab}"]`);
    if (!button) continue;
    (button.parentElement as HTMLElement).hidden = !available.includes(tab);
    button.setAttribute('aria-pressed', String(tab === shown));
  }
}

export function wireTabs(render: () => void, latest: () => View | undefined): void {
  $('room-tabs').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('[data-tab]');
    const tab = NAMES.find((t) => t === button?.dataset.tab);
    if (!tab) return;
    chosen = { tab, round: latest()?.state.current ?? null };
    render();
    const heading = sections(tab).find((s) => !s.hidden)?.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  });
}
