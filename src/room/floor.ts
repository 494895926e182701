import type { Floor, RoomState } from './state';

/** Where someone can hold the floor: the plenary (the room itself) or one table. */
export interface Stage {
  floor: Floor | null;
}

/** Ends the speaker's turn on this stage, adding its length to their airtime. */
export function endFloor(state: RoomState, stage: Stage, now: number): void {
  if (!stage.floor) return;
  const { member, since } = stage.floor;
  state.airtime[member] = (state.airtime[member] ?? 0) + Math.max(0, now - since);
  stage.floor = null;
}

/** Ends the current turn on this stage and gives the floor to `member`, for `seconds` if limited. */
export function setFloor(state: RoomState, stage: Stage, member: string | null, now: number, seconds?: number): void {
  endFloor(state, stage, now);
  if (member) stage.floor = { member, since: now, until: seconds ? now + seconds * 1000 : null };
}
