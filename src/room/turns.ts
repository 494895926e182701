import { RoomError } from './errors';
import { setFloor } from './floor';
import type { Actor } from './machine';
import { currentRound, type RoomState } from './state';

/** Starts a round-robin: every member in turn, the first has the floor now. */
export function startTurns(state: RoomState, now: number): void {
  const round = currentRound(state);
  if (!round || round.status !== 'open' || round.type !== 'round-robin') throw new RoomError('conflict', 'Turns run in an open round-robin round.');
  if (state.members.length === 0) throw new RoomError('conflict', 'This session has no panel members to take turns.');
  state.turns = { order: [...state.members], index: 0 };
  setFloor(state, state, state.turns.order[0], now, round.turnSeconds);
}

/** The next person's turn: the facilitator moves on, or the speaker passes. After the last, the floor is free. */
export function nextTurn(state: RoomState, actor: Actor, now: number): void {
  const turns = state.turns;
  if (!turns || turns.index >= turns.order.length) throw new RoomError('conflict', 'No round-robin is under way.');
  if (actor.role === 'panellist' && turns.order[turns.index] !== actor.member) throw new RoomError('forbidden', 'You can pass only on your own turn.');
  const round = currentRound(state);
  turns.index++;
  setFloor(state, state, turns.order[turns.index] ?? null, now, round?.turnSeconds);
}
