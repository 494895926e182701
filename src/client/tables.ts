import type { Immutable } from 'immer';
import type { Table } from '../room/state';
import { $, button, element, item, onClick, onSubmit, setOptions } from './dom';
import { currentRound, tableNumber, tablesMeeting } from './reads';
import type { Send, View } from './view';
import { t } from './words';

/**
 * Tables: the facilitator seats and moves people and sees every table; a panellist sees their own table,
 * its queue and note-taker (who runs it and writes the report back); everyone sees the reports.
 */
export function renderTables(v: View): void {
  const { state, you, me } = v;
  const round = currentRound(state);
  const open = tablesMeeting(state);
  const facilitating = you.role === 'facilitator';
  $('tables').hidden = !(state.tables.length > 0 || (facilitating && open));
  $('seat').hidden = !(facilitating && open);
  if (facilitating && open) $<HTMLInputElement>('seat-size').placeholder = String(round?.tableSize ?? 7);
  $('tables-facilitator').hidden = !facilitating || state.tables.length === 0;
  $('my-table').hidden = true;
  if (facilitating) {
    $('table-list').replaceChildren(...state.tables.map((table, i) => tableCard(v, table, i + 1)));
    const numbers = state.tables.map((_, i): [string, string] => [String(i + 1), `Table ${i + 1}`]);
    setOptions($<HTMLSelectElement>('move-table'), [...numbers, [String(state.tables.length + 1), 'A new table']]);
    setOptions($<HTMLSelectElement>('move-member'), state.members.map((m) => [m, seatLabel(v, m)]));
  } else if (you.role === 'panellist') {
    const index = (tableNumber(state, me) ?? 0) - 1;
    // Your table matters while the tables meet (or take turns); afterwards only the reports do.
    if (index >= 0 && (open || state.tables[index].turns)) {
      $('my-table').hidden = false;
      $('my-table-card').replaceChildren(tableCard(v, state.tables[index], index + 1));
      const table = state.tables[index];
      $('volunteer').hidden = table.noteTaker !== null;
      const noting = table.noteTaker === me;
      $('note-taking').hidden = !noting;
      const next = $<HTMLButtonElement>('table-next');
      next.hidden = !(noting && open);
      next.disabled = table.queue.length === 0 && !table.floor;
      const box = $<HTMLTextAreaElement>('report-text');
      if (noting && document.activeElement !== box && !box.dataset.dirty) box.value = table.report ?? '';
    }
  }
  const reports = state.tables.flatMap((table, i) => (table.report ? [item(t('tableReport', { number: i + 1, report: table.report }))] : []));
  $('reports').hidden = reports.length === 0;
  $('report-list').replaceChildren(...reports);
  // Once the tables have met, members and the hall see the section only for the reports: no empty heading.
  if (!facilitating && $('my-table').hidden && reports.length === 0) $('tables').hidden = true;
}

function tableCard(v: View, table: Immutable<Table>, number: number): HTMLElement {
  const card = element('li', '', 'table-card');
  const you = (m: string) => (m === v.me ? t('youInQueue', { name: v.name(m) }) : v.name(m));
  const label = (m: string) => (m === table.noteTaker ? t('noteTaker', { name: you(m) }) : you(m));
  const people = element('ul');
  people.append(...table.members.map((m) => item(label(m))));
  card.append(element('h3', t('tableName', { number })), people);
  if (table.floor) card.append(element('p', table.floor.member === v.me ? t('speakingYou') : t('speaking', { name: v.name(table.floor.member) })));
  if (table.queue.length) card.append(element('p', t('handsUp', { names: table.queue.map((m) => (m === v.me ? t('you') : v.name(m))).join(', ') })));
  if (v.you.role === 'facilitator') {
    if (!table.noteTaker) card.append(element('p', 'No note-taker yet.', 'flag'));
    if (table.report) card.append(element('p', `Report: ${table.report}`));
    if (tablesMeeting(v.state) && (table.queue.length || table.floor)) card.append(button(`Next speaker at table ${number}`, () => v.send('table:next', { table: number }), 'secondary'));
    if (table.turns && table.turns.index < table.turns.order.length) card.append(button(`Next turn at table ${number}`, () => v.send('turn:next', { table: number }), 'secondary'));
    for (const m of table.turns?.skipped ?? []) card.append(button(`Give ${v.name(m)} a turn at table ${number} (skipped: not connected)`, () => v.send('turn:add', { member: m, table: number }), 'secondary'));
  }
  return card;
}

function seatLabel(v: View, member: string): string {
  const number = tableNumber(v.state, member);
  return `${member} (${number ? `table ${number}` : 'not seated'})`;
}

export function wireTables(latest: () => View | undefined): void {
  const send: Send = (event, ...fields) => latest()?.send(event, ...fields) ?? Promise.resolve(false);
  const myTable = () => {
    const v = latest();
    return v ? (tableNumber(v.state, v.me) ?? 0) : 0;
  };
  onSubmit('seat', () => {
    const size = Number($<HTMLInputElement>('seat-size').value) || undefined;
    const present = $<HTMLInputElement>('seat-present').checked ? latest()?.presence?.panellists : undefined;
    return send('tables:propose', { ...(size ? { size } : {}), ...(present ? { members: present } : {}) });
  });
  onSubmit('move', () => send('tables:move', { member: $<HTMLSelectElement>('move-member').value, table: Number($<HTMLSelectElement>('move-table').value) }));
  onClick('make-note-taker', () => {
    const v = latest();
    const member = $<HTMLSelectElement>('move-member').value;
    const table = v ? (tableNumber(v.state, member) ?? 0) : 0;
    return send('table:note-taker', { table, member });
  });
  onClick('volunteer', () => {
    const v = latest();
    return v && send('table:note-taker', { table: myTable(), member: v.me });
  });
  onClick('table-next', () => send('table:next', { table: myTable() }));
  const box = $<HTMLTextAreaElement>('report-text');
  box.addEventListener('input', () => (box.dataset.dirty = '1'));
  onSubmit('report', async () => {
    const saved = await send('table:report', { table: myTable(), text: box.value.trim() });
    if (saved) delete box.dataset.dirty;
    return saved;
  });
}
