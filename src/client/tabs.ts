import { $ } from './dom';
import { currentRound } from './reads';
import type { View } from './view';

/**
 * The facilitator's tools as tabs beside the queue and who is here (issue 19): one tool at a time, so the live
 * parts fit a laptop's screen. The tab follows the round (its ideas, tables or votes) until the facilitator picks
 * another; a new round follows again. Members and observers see every part, one below another.
 */
const TOOLS = ['board', 'tables', 'votes', 'recs', 'agenda-panel'] as const;
type Tool = (typeof TOOLS)[number];

let chosen: { tool: Tool; round: number | null } | undefined;

/** The tool a round is about. */
function toolOf(v: View): Tool | undefined {
  const type = currentRound(v.state)?.type;
  if (type === 'ideas' || type === 'briefing') return 'board';
  if (type === 'tables') return 'tables';
  if (type === 'vote') return v.state.recommendations.length && !v.state.votes.some((x) => x.status === 'open') ? 'recs' : 'votes';
  return type ? 'agenda-panel' : undefined; // a round-robin or a discussion runs from the queue: the day's plan beside it
}

/** Called after every part has rendered (and set which parts have anything to show). */
export function renderTabs(v: View): void {
  const facilitating = v.you.role === 'facilitator';
  document.body.classList.toggle('facilitating', facilitating);
  if (!facilitating) return TOOLS.forEach((t) => $(t).classList.remove('tab-off'));
  const available = TOOLS.filter((t) => !$(t).hidden);
  if (chosen && chosen.round !== v.state.current) chosen = undefined; // a new round: follow it again
  const wanted = chosen?.tool ?? toolOf(v);
  const shown = wanted && available.includes(wanted) ? wanted : (available.find((t) => t !== 'agenda-panel') ?? 'agenda-panel');
  for (const tool of TOOLS) {
    $(tool).classList.toggle('tab-off', tool !== shown);
    const tab = document.querySelector<HTMLButtonElement>(`#room-tabs [data-tab="${tool}"]`);
    if (!tab) continue;
    (tab.parentElement as HTMLElement).hidden = !available.includes(tool);
    tab.setAttribute('aria-pressed', String(tool === shown));
  }
}

export function wireTabs(render: () => void, latest: () => View | undefined): void {
  $('room-tabs').addEventListener('click', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLButtonElement>('[data-tab]');
    const tool = TOOLS.find((t) => t === tab?.dataset.tab);
    if (!tool) return;
    chosen = { tool, round: latest()?.state.current ?? null };
    render();
    const heading = $(tool).querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  });
}
