import { type Changed, changedPieces } from './pieces';
import { type Idea, type Recommendation, type RoomState, showsAs, type Table, type Vote, withoutPlans } from './state';

/** Elements of a list that changed, by index, and the list's length now. */
export interface ListChange<T> {
  length: number;
  at: Record<number, T>;
}

/**
 * What one command (or several that arrived together) changed, as sent in `room:changed`: the parts of the state
 * that changed, whole, with the version; the ideas added or changed (by id) and the ids that left this view; and
 * the tables, votes and recommendations that changed, by index (docs/protocol.md, Changes). It follows the
 * change, not the room: a raised hand sends the queue; a ballot sends its vote, not the day's other votes.
 */
export interface StateChange {
  set: Partial<Omit<RoomState, 'ideas' | 'tables' | 'votes' | 'recommendations'>>;
  ideas?: Idea[];
  removedIdeas?: number[];
  lists?: { tables?: ListChange<Table>; votes?: ListChange<Vote>; recommendations?: ListChange<Recommendation> };
}

const SMALL_LISTS = ['tables', 'votes', 'recommendations'] as const;

/** The change from `before` to `after` as the facilitators see it (the whole state). */
export function changeOf(before: RoomState, after: RoomState, changed: Changed = changedPieces(before, after)): StateChange {
  return build(before, after, changed, (v) => v, true);
}

/**
 * The same change as everyone else sees it (`sharedView`): members by their handles, no airtime, no hidden idea.
 * Worked out from the pieces that changed, not by comparing two views of the whole room.
 */
export function sharedChangeOf(before: RoomState, after: RoomState, changed: Changed = changedPieces(before, after)): StateChange {
  // Handles follow the list of members: if it changed, every piece may read differently.
  const all = before.members === after.members ? changed : changedPieces(undefined, after);
  return build(before, after, all, showsAs(after.members), false);
}

function build(before: RoomState, after: RoomState, changed: Changed, show: <T>(value: T) => T, facilitators: boolean): StateChange {
  const set: Record<string, unknown> = { version: after.version };
  for (const part of changed.parts) if (facilitators || part !== 'airtime') set[part] = show(after[part]);
  if (!facilitators && set.rounds) set.rounds = withoutPlans(set.rounds as RoomState['rounds']);
  const change: StateChange = { set: set as StateChange['set'] };
  const ideas: Idea[] = [];
  const removed: number[] = [];
  const visible = (idea: Idea | undefined) => idea !== undefined && (facilitators || !idea.hidden);
  for (const i of changed.lists.ideas?.at ?? []) {
    const idea = after.ideas[i];
    if (visible(idea)) ideas.push(show(idea));
    else if (visible(before.ideas[i])) removed.push(idea.id);
  }
  for (let i = after.ideas.length; i < before.ideas.length; i++) if (visible(before.ideas[i])) removed.push(before.ideas[i].id);
  if (ideas.length) change.ideas = ideas;
  if (removed.length) change.removedIdeas = removed;
  const lists: Record<string, ListChange<unknown>> = {};
  for (const name of SMALL_LISTS) {
    const list = changed.lists[name];
    if (list) lists[name] = { length: list.length, at: Object.fromEntries(list.at.map((i) => [i, show(after[name][i])])) };
  }
  if (Object.keys(lists).length) change.lists = lists as StateChange['lists'];
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
  for (const name of SMALL_LISTS) {
    const list = change.lists?.[name];
    if (!list) continue;
    const items: unknown[] = state[name].slice(0, list.length);
    for (const [i, item] of Object.entries(list.at)) items[Number(i)] = item;
    (next as unknown as Record<string, unknown[]>)[name] = items;
  }
  return next;
}
