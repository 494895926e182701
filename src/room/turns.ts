import { RoomError } from './errors';
import { type Stage, setFloor } from './floor';
import type { Actor } from './machine';
import { currentRound, type RoomState, type Turns } from './state';

type TurnStage = Stage & { turns: Turns | null };

const NOBODY = 'No member has a phone connected, so nobody would get a turn: wait until people have joined, then start the round-robin.';

/**
 * Starts a round-robin: every member of the panel in turn, or, `atTables`, every member of each table
 * in turn at their table, all tables at once. Members who are not connected (`absent`, as the server sees
 * it) are skipped, not given an empty turn; the facilitator can add them back (addTurn). The first speaker
 * has the floor now.
 */
export function startTurns(state: RoomState, now: number, atTables = false, absent: readonly string[] = []): void {
  const round = currentRound(state);
  if (!round || round.status !== 'open' || round.type !== 'round-robin') throw new RoomError('conflict', 'Turns run in an open round-robin round.');
  const nobody = (members: string[]) => members.every((m) => absent.includes(m));
  if (atTables) {
    if (state.tables.length === 0) throw new RoomError('conflict', 'There are no tables yet: seat people in a tables round first.');
    if (nobody(state.tables.flatMap((t) => t.members))) throw new RoomError('conflict', NOBODY);
    for (const table of state.tables) begin(state, table, table.members, absent, now, round.turnSeconds);
    return;
  }
  if (state.members.length === 0) throw new RoomError('conflict', 'This session has no panel members to take turns.');
  if (nobody(state.members)) throw new RoomError('conflict', NOBODY);
  begin(state, state, state.members, absent, now, round.turnSeconds);
}

/**
 * The next person's turn, in the plenary or at table `table`: the facilitator (or that table's note-taker)
 * moves on, or the speaker passes. Anyone next in line who is no longer connected is skipped. After the
 * last, the floor is free.
 */
export function nextTurn(state: RoomState, actor: Actor, now: number, table?: number, absent: readonly string[] = []): void {
  const stage = stageOf(state, table);
  const turns = stage.turns;
  if (!turns || turns.index >= turns.order.length) throw new RoomError('conflict', table ? `No round-robin is under way at table ${table}.` : 'No round-robin is under way.');
  const noteTaker = table !== undefined && state.tables[table - 1].noteTaker;
  if (actor.role === 'panellist' && turns.order[turns.index] !== actor.member && noteTaker !== actor.member) throw new RoomError('forbidden', 'You can pass only on your own turn.');
  turns.index++;
  skipAbsent(turns, absent);
  setFloor(state, stage, turns.order[turns.index] ?? null, now, currentRound(state)?.turnSeconds);
}

/**
 * The facilitator adds a skipped member back (they arrived, or speak without a phone): they speak next, or
 * now if the round-robin had finished.
 */
export function addTurn(state: RoomState, member: string, now: number, table?: number): void {
  const stage = stageOf(state, table);
  const turns = stage.turns;
  if (!turns) throw new RoomError('conflict', table ? `No round-robin has started at table ${table}.` : 'No round-robin has started.');
  if (currentRound(state)?.status !== 'open') throw new RoomError('conflict', 'Turns are given in an open round: resume it first.');
  if (!turns.skipped.includes(member)) {
    throw new RoomError('conflict', turns.order.includes(member) ? 'They have a turn already.' : 'They were not skipped: only a member the round-robin skipped can be added back.');
  }
  const finished = turns.index >= turns.order.length;
  if (finished && stage.floor) throw new RoomError('conflict', 'Someone has the floor: end their turn first.');
  turns.skipped = turns.skipped.filter((m) => m !== member);
  turns.added.push(member); // the facilitator's word: they speak even without a phone in the room
  turns.order.splice(finished ? turns.order.length : turns.index + 1, 0, member);
  if (finished) setFloor(state, stage, member, now, currentRound(state)?.turnSeconds);
}

/** A member who joined the session while its round-robin runs: skipped, for the facilitator to add. */
export function joinTurns(state: RoomState, member: string): void {
  if (state.turns && !state.turns.order.includes(member)) state.turns.skipped.push(member);
}

function stageOf(state: RoomState, table?: number): TurnStage {
  const stage: TurnStage | undefined = table === undefined ? state : state.tables[table - 1];
  if (!stage) throw new RoomError('not_found', `There is no table ${table}.`);
  return stage;
}

/** Moves whoever is next in line and not connected (unless the facilitator added them) out of the order, into those skipped. */
function skipAbsent(turns: Turns, absent: readonly string[]): void {
  const away = (m: string) => absent.includes(m) && !turns.added.includes(m);
  while (turns.index < turns.order.length && away(turns.order[turns.index])) {
    turns.skipped.push(turns.order[turns.index]);
    turns.order.splice(turns.index, 1);
  }
}

function begin(state: RoomState, stage: TurnStage, members: string[], absent: readonly string[], now: number, seconds?: number): void {
  const away = new Set(absent);
  stage.turns = { order: members.filter((m) => !away.has(m)), index: 0, skipped: members.filter((m) => away.has(m)), added: [] };
  setFloor(state, stage, stage.turns.order[0] ?? null, now, seconds);
}
