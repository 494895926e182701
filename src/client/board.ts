import type { Immutable } from 'immer';
import { supportOf } from '../room/ideas';
import type { Idea } from '../room/state';
import { $, button, element, item, onClick, onSubmit, setOptions } from './dom';
import { currentRound, tableNumber } from './reads';
import type { Send, View } from './view';
import { t } from './words';

const TITLES: Record<string, string> = { ideas: 'boardIdeas', tables: 'boardTable', briefing: 'boardBriefing' };

/** The board of the open round: post and support (panellists), moderate (facilitator), themes (observers). */
export function renderBoard(v: View): void {
  const { state, you, me } = v;
  const round = currentRound(state);
  const title = round && round.status === 'open' ? TITLES[round.type] : undefined;
  $('board').hidden = !title;
  $('question').textContent = questionPut(v);
  if (!title || state.current === null || !round) return;
  $('board-title').textContent = you.role === 'facilitator' && round.type === 'tables' ? 'Ideas from the tables' : t(title);
  $('post').hidden = you.role !== 'panellist';
  const myTable = tableNumber(state, me);
  const ideas = state.ideas.filter((i) => i.round === state.current && i.mergedInto === null && (you.role !== 'panellist' || i.table === null || i.table === myTable));
  if (you.role === 'observer') return renderThemes(ideas);
  $('ideas').replaceChildren(
    ...ideas.map((idea) => {
      const li = item(describe(idea, you.role === 'facilitator'));
      if (you.role === 'panellist' && idea.author !== me && !idea.supporters.includes(me)) li.append(' ', button(t('supportIdea', { id: idea.id }), () => v.send('idea:support', { idea: idea.id }), 'secondary'));
      return li;
    }),
  );
  if (you.role === 'facilitator') renderModeration(ideas, round.type === 'briefing');
}

function describe(idea: Immutable<Idea>, full: boolean): string {
  const where = full && idea.table ? `Table ${idea.table}: ` : '';
  const theme = idea.theme ? `[${idea.theme}] ` : '';
  const support = t('inSupport', { count: supportOf(idea) });
  const notes = [idea.picked ? t('putToSpeaker') : '', idea.hidden ? `hidden: ${idea.hidden}` : ''].filter(Boolean).join('; ');
  return `${idea.id}. ${where}${theme}${idea.text} (${support})${notes ? ` (${notes})` : ''}`;
}

/** The public board: ideas grouped under the themes the facilitator gave them. */
function renderThemes(ideas: readonly Immutable<Idea>[]): void {
  const groups = new Map<string, Immutable<Idea>[]>();
  for (const idea of ideas) {
    const theme = idea.theme ?? t('notGrouped');
    groups.set(theme, [...(groups.get(theme) ?? []), idea]);
  }
  $('ideas').replaceChildren(
    ...[...groups].map(([theme, list]) => {
      const li = item('', element('h3', theme));
      const inner = element('ul');
      inner.append(...list.map((i) => item(`${i.text} (${t('inSupport', { count: supportOf(i) })})`)));
      li.append(inner);
      return li;
    }),
  );
}

function renderModeration(ideas: readonly Immutable<Idea>[], briefing: boolean): void {
  const live = ideas.filter((i) => !i.hidden);
  $('moderate').hidden = live.length === 0;
  const options = live.map((i): [string, string] => [String(i.id), `${i.id}. ${i.text.slice(0, 60)}`]);
  setOptions($<HTMLSelectElement>('mod-idea'), options);
  setOptions($<HTMLSelectElement>('mod-into'), options);
  $('mod-pick').hidden = !briefing;
}

/** In a briefing: the last question the facilitator put to the speaker, for everyone to see. */
function questionPut(v: View): string {
  const round = currentRound(v.state);
  if (round?.type !== 'briefing' || round.status !== 'open') return '';
  const picked = v.state.ideas.filter((i) => i.round === v.state.current && i.picked !== null).sort((a, b) => (b.picked ?? 0) - (a.picked ?? 0))[0];
  return picked ? t('questionPut', { text: picked.text }) : '';
}

/** Wires the board's forms once; they read the latest view when used. */
export function wireBoard(latest: () => View | undefined): void {
  const send: Send = (event, ...fields) => latest()?.send(event, ...fields) ?? Promise.resolve(false);
  const idea = () => Number($<HTMLSelectElement>('mod-idea').value);
  onSubmit('post', async () => {
    const box = $<HTMLTextAreaElement>('idea-text');
    if (!box.value.trim()) return;
    const sent = await send('idea:post', { text: box.value.trim() });
    if (sent) box.value = '';
    return sent;
  });
  onSubmit('moderate', () => undefined);
  onClick('mod-theme-set', () => send('idea:theme', { idea: idea(), theme: $<HTMLInputElement>('mod-theme').value.trim() }));
  onClick('mod-merge', () => send('idea:merge', { idea: idea(), into: Number($<HTMLSelectElement>('mod-into').value) }));
  onClick('mod-hide', async () => {
    const reason = $<HTMLInputElement>('mod-reason');
    const hidden = await send('idea:hide', { idea: idea(), reason: reason.value.trim() });
    if (hidden) reason.value = '';
    return hidden;
  });
  onClick('mod-pick', () => send('idea:pick', { idea: idea() }));
}
