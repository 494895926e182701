import type { Immutable } from 'immer';
import type { Amendment, Recommendation, RoomState } from '../room/state';
import { $, button, element, item, onSubmit, setOptions } from './dom';
import { currentRound, inVote } from './reads';
import type { Fields, View } from './view';
import { t } from './words';

/**
 * Recommendations: the facilitator drafts; members (or the facilitator, for someone in the hall) propose
 * amendments; votes on them (opened from the vote form) change the wording or adopt it; members write and
 * sign minority statements on adopted ones. The forms live outside the list, so typing survives updates.
 */
export function renderRecs(v: View): void {
  const { state, you } = v;
  const recs = state.recommendations;
  $('recs').hidden = recs.length === 0 && you.role !== 'facilitator';
  $('rec-list').replaceChildren(...recs.map((rec) => card(v, rec)));
  if (you.role === 'facilitator') setOptions($<HTMLSelectElement>('rec-from'), [['', 'typed here'], ...draftSources(state)]);
  const drafts = recs.filter((r) => r.status === 'draft' && !inVote(state, r.id, null));
  const amend = $<HTMLFormElement>('rec-amend');
  amend.hidden = you.role === 'observer' || drafts.length === 0;
  setOptions($<HTMLSelectElement>('amend-rec'), drafts.map((r) => [String(r.id), t('recOption', { id: r.id })]));
  const adopted = recs.filter((r) => r.status === 'adopted' && !r.minority.some((m) => m.by === v.me));
  $('rec-minority').hidden = you.role !== 'panellist' || adopted.length === 0;
  setOptions($<HTMLSelectElement>('minority-rec'), adopted.map((r) => [String(r.id), t('recOption', { id: r.id })]));
}

/** What a vote can decide, for the facilitator's vote form: amendments first, then drafts with none left. */
export function voteSubjects(state: Immutable<RoomState>): [string, string][] {
  return state.recommendations.flatMap((rec): [string, string][] => {
    if (rec.status !== 'draft') return [];
    const waiting = rec.amendments.filter((a) => a.status === 'proposed');
    if (waiting.length) return waiting.map((a) => [`${rec.id}:${a.id}`, `Amendment ${a.id} to recommendation ${rec.id}`]);
    return [[String(rec.id), `Recommendation ${rec.id}, as a whole (its final vote)`]];
  });
}

function card(v: View, rec: Immutable<Recommendation>): HTMLElement {
  const li = element('li', '', 'rec-card');
  li.append(element('h3', t('recTitle', { id: rec.id, status: rec.status })), element('p', rec.text, 'wording'));
  if (rec.from) li.append(element('p', 'theme' in rec.from ? t('draftedTheme', { theme: rec.from.theme, round: rec.from.round + 1 }) : t('draftedTable', { table: rec.from.table }), 'hint'));
  if (rec.history.length > 1) {
    const amendments = rec.history.slice(1).map((h) => String(h.amendment ?? '')).reduce((first, next) => t('then', { first, next }));
    li.append(element('p', t('firstDrafted', { text: rec.history[0].text, amendments }), 'hint'));
  }
  if (rec.amendments.length) {
    const list = element('ol');
    list.append(...rec.amendments.map((a) => amendmentItem(v, rec, a)));
    li.append(element('h4', t('amendments')), list);
  }
  if (rec.vote) li.append(element('p', voteLine(v.state, rec.vote)));
  if (rec.status === 'draft') li.append(...draftActions(v, rec));
  if (rec.minority.length) {
    li.append(element('h4', t('minority')));
    for (const m of rec.minority) li.append(minorityBlock(v, rec, m));
  }
  return li;
}

function amendmentItem(v: View, rec: Immutable<Recommendation>, a: Immutable<Amendment>): HTMLElement {
  const by = a.by === 'facilitator' ? t('byFloor') : a.by === v.me ? t('byYou') : t('byName', { name: v.name(a.by) });
  const line = a.reason ? t('amendmentWhy', { text: a.text, by, reason: a.reason, status: a.status }) : t('amendment', { text: a.text, by, status: a.status });
  const stale = a.status === 'proposed' && a.against < rec.history.length - 1;
  const li = item(stale ? `${line} ${t('againstEarlier')}` : line);
  if (a.vote) li.append(' ', voteLine(v.state, a.vote));
  if (a.status === 'proposed' && !inVote(v.state, rec.id)) {
    if (canOpenVote(v)) li.append(' ', button(`Put amendment ${a.id} to the vote`, () => chooseSubject(`${rec.id}:${a.id}`), 'secondary'));
    if (v.you.role === 'facilitator' || a.by === v.me) li.append(' ', button(t('withdrawAmendment', { id: a.id }), () => v.send('rec:withdraw', { rec: rec.id, amendment: a.id }), 'secondary'));
  }
  return li;
}

function draftActions(v: View, rec: Immutable<Recommendation>): HTMLElement[] {
  if (inVote(v.state, rec.id)) return [element('p', t('beingVoted'), 'flag')];
  const actions: HTMLElement[] = [];
  if (v.you.role !== 'observer') {
    actions.push(button(t('proposeAmendment'), () => {
      $<HTMLSelectElement>('amend-rec').value = String(rec.id);
      $<HTMLTextAreaElement>('amend-text').value = rec.text;
      $('amend-text').focus();
    }, 'secondary'));
  }
  if (canOpenVote(v) && !rec.amendments.some((a) => a.status === 'proposed')) actions.push(button(`Put recommendation ${rec.id} to its final vote`, () => chooseSubject(String(rec.id))));
  if (v.you.role === 'facilitator') actions.push(button('Withdraw the draft', () => v.send('rec:withdraw', { rec: rec.id }), 'danger'));
  const row = element('p', '', 'actions');
  row.append(...actions);
  return actions.length ? [row] : [];
}

function minorityBlock(v: View, rec: Immutable<Recommendation>, m: Immutable<Recommendation['minority'][number]>): HTMLElement {
  const block = element('div', '', 'minority');
  const support = { count: m.supporters.length, others: m.supporters.length - 1 };
  block.append(element('p', m.text), element('p', m.by === v.me ? t('minorityByYou', support) : t('minorityBy', { ...support, name: v.name(m.by) }), 'hint'));
  if (v.you.role === 'panellist' && m.by !== v.me) {
    const signed = m.supporters.includes(v.me);
    block.append(button(signed ? t('unsupportStatement') : t('supportStatement'), () => v.send('rec:support', { rec: rec.id, report: m.id, support: !signed }), 'secondary'));
  }
  return block;
}

function voteLine(state: Immutable<RoomState>, id: number): string {
  const vote = state.votes.find((x) => x.id === id);
  if (!vote) return '';
  return vote.result && vote.status === 'closed' ? t('voteClosed', { id, summary: vote.result.summary }) : t('voteOpen', { id });
}

/** Sources a draft can come from: the themes of each round, and the tables' reports back. */
function draftSources(state: Immutable<RoomState>): [string, string][] {
  const themes = state.rounds.flatMap((r, i) =>
    [...new Set(state.ideas.filter((idea) => idea.round === i && idea.theme && !idea.hidden).map((idea) => idea.theme as string))].map((theme): [string, string] => [`theme:${i}:${theme}`, `the theme “${theme}” (round ${i + 1}: ${r.title})`]),
  );
  const reports = state.tables.flatMap((table, i): [string, string][] => (table.report ? [[`table:${i + 1}`, `table ${i + 1}'s report`]] : []));
  return [...themes, ...reports];
}

/** The round a table's report came from: the latest tables round that has been opened. */
function tablesRound(state: Immutable<RoomState>): number {
  for (let i = state.rounds.length - 1; i >= 0; i--) if (state.rounds[i].type === 'tables' && state.rounds[i].status !== 'pending') return i;
  return state.current ?? 0;
}

function sourceOf(state: Immutable<RoomState>, value: string): { from?: Fields<'rec:draft'>['from']; text: string } {
  const [kind, a, ...rest] = value.split(':');
  if (kind === 'theme') {
    const round = Number(a);
    const theme = rest.join(':');
    const ideas = state.ideas.filter((i) => i.round === round && i.theme === theme && !i.hidden && i.mergedInto === null);
    return { from: { round, theme }, text: ideas.map((i) => i.text).join(' ') };
  }
  if (kind === 'table') return { from: { round: tablesRound(state), table: Number(a) }, text: state.tables[Number(a) - 1]?.report ?? '' };
  return { text: '' };
}


/** The facilitator can open a vote now: an open vote round with no vote open. */
function canOpenVote(v: View): boolean {
  const round = currentRound(v.state);
  return v.you.role === 'facilitator' && round?.type === 'vote' && round.status === 'open' && !v.state.votes.some((x) => x.status === 'open');
}

/** Points the vote form at a recommendation or amendment; the facilitator still chooses the rule. */
function chooseSubject(value: string): void {
  $<HTMLSelectElement>('vote-subject').value = value;
  const method = $<HTMLSelectElement>('vote-method');
  if (method.value !== 'threshold' && method.value !== 'consent') method.value = 'threshold';
  $('vote-setup').scrollIntoView({ block: 'start' });
  method.focus();
}

export function wireRecs(latest: () => View | undefined): void {
  let prefilled = '';
  $<HTMLSelectElement>('rec-from').addEventListener('change', (event) => {
    const v = latest();
    const box = $<HTMLTextAreaElement>('rec-text');
    if (!v || (box.value.trim() && box.value !== prefilled)) return; // keep what the facilitator typed
    box.value = prefilled = sourceOf(v.state, (event.target as HTMLSelectElement).value).text;
  });
  onSubmit('rec-draft', async (form) => {
    const v = latest();
    if (!v) return;
    const data = new FormData(form);
    const { from } = sourceOf(v.state, String(data.get('from') ?? ''));
    const sent = await v.send('rec:draft', { text: String(data.get('text') ?? ''), ...(from ? { from } : {}) });
    if (sent) form.reset();
    return sent;
  });
  onSubmit('rec-amend', async (form) => {
    const v = latest();
    const data = new FormData(form);
    const reason = String(data.get('reason') ?? '').trim();
    const sent = await v?.send('rec:amend', { rec: Number(data.get('rec')), text: String(data.get('text') ?? ''), ...(reason ? { reason } : {}) });
    if (sent) form.reset();
    return sent;
  });
  onSubmit('rec-minority', async (form) => {
    const v = latest();
    const data = new FormData(form);
    const sent = await v?.send('rec:minority', { rec: Number(data.get('rec')), text: String(data.get('text') ?? '') });
    if (sent) form.reset();
    return sent;
  });
}
