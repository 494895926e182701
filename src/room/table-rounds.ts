import { RoomError } from './errors';
import { setFloor } from './floor';
import type { Actor } from './machine';
import { currentRound, type RoomState, type Table, tableOf } from './state';
import { assignTables } from './tables';

/** Member -> category -> value: what the tables are mixed on. */
export type Answers = Map<string, Record<string, string>>;

/**
 * Seats the panel at tables, each as mixed as the panel (see tables.ts). `members` limits it to those
 * present; by default everyone on the panel. Replaces any earlier tables.
 */
export function proposeTables(state: RoomState, answers: Answers, size: number | undefined, members: string[] | undefined, now: number): void {
  const round = tablesRound(state);
  const people = members ?? state.members;
  const strangers = people.filter((m) => !state.members.includes(m));
  if (strangers.length) throw new RoomError('not_found', `Not on this panel: ${strangers.slice(0, 5).join(', ')}.`);
  if (people.length === 0) throw new RoomError('conflict', 'There is nobody to seat: the session has no panel members.');
  for (const table of state.tables) setFloor(state, table, null, now);
  const seated = assignTables(people.map((m) => ({ member: m, answers: answers.get(m) ?? {} })), size ?? round.tableSize ?? 7, `${state.title}:${state.current}:${state.version}`);
  state.tables = seated.map((list) => ({ members: list, noteTaker: null, queue: [], floor: null, report: null, turns: null }));
}

/** Moves a member to table `number` (1-based); one past the last opens a new table. */
export function moveToTable(state: RoomState, member: string, number: number, now: number): void {
  if (!state.members.includes(member)) throw new RoomError('not_found', `${member} is not on this panel.`);
  if (state.tables.length === 0) throw new RoomError('conflict', 'There are no tables yet: propose them first.');
  if (number > state.tables.length + 1) throw new RoomError('not_found', `There is no table ${number}; there are ${state.tables.length}.`);
  const from = tableOf(state, member);
  if (from && state.tables.indexOf(from) + 1 === number) throw new RoomError('conflict', `${member} is at table ${number} already.`);
  if (from) leave(state, from, member, now);
  if (number === state.tables.length + 1) state.tables.push({ members: [], noteTaker: null, queue: [], floor: null, report: null, turns: null });
  state.tables[number - 1].members.push(member);
}

/** The facilitator names a table's note-taker; a member may volunteer for their own table. */
export function chooseNoteTaker(state: RoomState, actor: Actor, number: number, member: string): void {
  const table = tableAt(state, number);
  if (actor.role === 'panellist' && actor.member !== member) throw new RoomError('forbidden', 'You can volunteer only yourself as note-taker.');
  if (!table.members.includes(member)) throw new RoomError('conflict', `${member} is not at table ${number}.`);
  table.noteTaker = member;
}

/** Gives the table's floor to the next hand in its queue (or ends the turn if none is up). */
export function nextAtTable(state: RoomState, actor: Actor, number: number, now: number): void {
  const round = tablesRound(state);
  const table = tableAt(state, number);
  const speaker = table.floor?.member;
  if (actor.role === 'panellist' && actor.member !== table.noteTaker && actor.member !== speaker) {
    throw new RoomError('forbidden', "Only the table's note-taker (or the speaker, to finish) moves the table on.");
  }
  if (!speaker && table.queue.length === 0) throw new RoomError('conflict', `Nobody at table ${number} has a hand up.`);
  const next = table.queue.shift() ?? null;
  setFloor(state, table, next, now, round.speakerSeconds);
}

/** The note-taker (or the facilitator) writes what the table reports back to the plenary. */
export function reportBack(state: RoomState, actor: Actor, number: number, text: string): void {
  const table = tableAt(state, number);
  if (actor.role === 'panellist' && actor.member !== table.noteTaker) throw new RoomError('forbidden', "Only the table's note-taker writes its report.");
  table.report = text || null;
}

/** A panellist's hand at their table, during a tables round. */
export function raiseAtTable(state: RoomState, member: string, up: boolean): void {
  const table = tableOf(state, member);
  if (!table) throw new RoomError('conflict', 'You are not at a table yet: the facilitator will seat you.');
  if (up && table.queue.includes(member)) throw new RoomError('conflict', 'Your hand is already up.');
  if (up && table.floor?.member === member) throw new RoomError('conflict', 'You have the floor already.');
  if (!up && !table.queue.includes(member)) throw new RoomError('conflict', 'That hand is not up.');
  table.queue = up ? [...table.queue, member] : table.queue.filter((m) => m !== member);
}

/** Hands go down, speakers stop and round-robins end at every table (the round closed). */
export function quietTables(state: RoomState, now: number): void {
  for (const table of state.tables) {
    setFloor(state, table, null, now);
    table.queue = [];
    table.turns = null;
  }
}

function tablesRound(state: RoomState) {
  const round = currentRound(state);
  if (!round || round.type !== 'tables' || round.status !== 'open') throw new RoomError('conflict', 'Tables run in an open tables round.');
  return round;
}

function tableAt(state: RoomState, number: number): Table {
  const table = state.tables[number - 1];
  if (!table) throw new RoomError('not_found', state.tables.length ? `There is no table ${number}; there are ${state.tables.length}.` : 'There are no tables yet.');
  return table;
}

function leave(state: RoomState, table: Table, member: string, now: number): void {
  if (table.floor?.member === member) setFloor(state, table, null, now);
  table.members = table.members.filter((m) => m !== member);
  table.queue = table.queue.filter((m) => m !== member);
  if (table.noteTaker === member) table.noteTaker = null;
  const turns = table.turns;
  if (turns) turns.order = [...turns.order.slice(0, turns.index + 1), ...turns.order.slice(turns.index + 1).filter((m) => m !== member)];
}
