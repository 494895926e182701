import type { Idea, RoomState } from './state';

/**
 * What one command changed, as sent in `room:changed`: the top-level parts of the state that differ, whole,
 * except the ideas, which come as the ones added or changed (by id) and the ids that left this view.
 * Small on purpose: a raised hand sends the queue, not the room (docs/protocol.md, Changes).
 */
export interface StateChange {
  set: Partial<Omit<RoomState, 'ideas'>>;
  ideas?: Idea[];
  removedIdeas?: number[];
}

/** The change from `before` to `after`; both are the same audience's view. */
export function diff(before: RoomState, after: RoomState): StateChange {
  const set: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof RoomState)[]) {
    if (key === 'ideas') continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) set[key] = after[key];
  }
  const change: StateChange = { set: set as StateChange['set'] };
  const old = new Map(before.ideas.map((i) => [i.id, JSON.stringify(i)]));
  const changed = after.ideas.filter((i) => old.get(i.id) !== JSON.stringify(i));
  const kept = new Set(after.ideas.map((i) => i.id));
  const removed = before.ideas.filter((i) => !kept.has(i.id)).map((i) => i.id);
  if (changed.length) change.ideas = changed;
  if (removed.length) change.removedIdeas = removed;
  return change;
}

/** The state after a change: what every client does with `room:changed`. */
export function applyChange(state: RoomState, change: StateChange): RoomState {
  const next = { ...state, ...change.set } as RoomState;
  if (change.ideas || change.removedIdeas) {
    const gone = new Set(change.removedIdeas ?? []);
    const updates = new Map((change.ideas ?? []).map((i) => [i.id, i]));
    const ideas = state.ideas.filter((i) => !gone.has(i.id)).map((i) => updates.get(i.id) ?? i);
    const known = new Set(ideas.map((i) => i.id));
    next.ideas = [...ideas, ...(change.ideas ?? []).filter((i) => !known.has(i.id))].sort((a, b) => a.id - b.id);
  }
  return next;
}
