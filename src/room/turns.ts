import { RoomError } from './errors';
import { type Stage, setFloor } from './floor';
import type { Actor } from './machine';
import { currentRound, type RoomState, type Turns } from './state';

type TurnStage = Stage & { turns: Turns | null };

/**
 * Starts a round-robin: every member of the panel in turn, or, `atTables`, every member of each table
 * in turn at their table, all tables at once. The first speaker has the floor now.
 */
export function startTurns(state: RoomState, now: number, atTables = false): void {
  const round = currentRound(state);
  if (!round || round.status !== 'open' || round.type !== 'round-robin') throw new RoomError('conflict', 'Turns run in an open round-robin round.');
  if (atTables) {
    if (state.tables.length === 0) throw new RoomError('conflict', 'There are no tables yet: seat people in a tables round first.');
    for (const table of state.tables) begin(state, table, table.members, now, round.turnSeconds);
    return;
  }
  if (state.members.length === 0) throw new RoomError('conflict', 'This session has no panel members to take turns.');
  begin(state, state, state.members, now, round.turnSeconds);
}

/**
 * The next person's turn, in the plenary or at table `table`: the facilitator (or that table's note-taker)
 * moves on, or the speaker passes. After the last, the floor is free.
 */
export function nextTurn(state: RoomState, actor: Actor, now: number, table?: number): void {
  const stage: TurnStage | undefined = table === undefined ? state : state.tables[table - 1];
  if (!stage) throw new RoomError('not_found', `There is no table ${table}.`);
  const turns = stage.turns;
  if (!turns || turns.index >= turns.order.length) throw new RoomError('conflict', table ? `No round-robin is under way at table ${table}.` : 'No round-robin is under way.');
  const noteTaker = table !== undefined && state.tables[table - 1].noteTaker;
  if (actor.role === 'panellist' && turns.order[turns.index] !== actor.member && noteTaker !== actor.member) throw new RoomError('forbidden', 'You can pass only on your own turn.');
  turns.index++;
  setFloor(state, stage, turns.order[turns.index] ?? null, now, currentRound(state)?.turnSeconds);
}

function begin(state: RoomState, stage: TurnStage, order: string[], now: number, seconds?: number): void {
  stage.turns = { order: [...order], index: 0 };
  setFloor(state, stage, order[0] ?? null, now, seconds);
}
