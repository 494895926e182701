import type { RoomState } from './state';

/**
 * The room is stored, sent and compared in pieces (issue 18): each of its lists (ideas, tables, votes,
 * recommendations) element by element, and every other part of the state whole. A command writes and
 * broadcasts only the pieces it changed, so its cost follows the change, not the length of the day.
 *
 * The rules copy only what they touch (machine.ts), so a piece that a command left alone is the very same
 * object afterwards: what changed is found by identity, without comparing contents.
 */
export const LISTS = ['ideas', 'tables', 'votes', 'recommendations'] as const;
export type ListName = (typeof LISTS)[number];
/** Parts stored whole. `version` is not one: it is the session's own column. */
export type PartName = Exclude<keyof RoomState, ListName | 'version'>;
export const PARTS: PartName[] = ['title', 'rounds', 'current', 'queue', 'floor', 'airtime', 'members', 'turns'];

const isList = (name: string): name is ListName => (LISTS as readonly string[]).includes(name);

/** What a command (or several) changed: parts by name, and list elements by index, with each list's new length. */
export interface Changed {
  parts: PartName[];
  lists: Partial<Record<ListName, { length: number; at: number[] }>>;
}

/** The pieces that differ between two states of one room; everything, when `before` is unknown. */
export function changedPieces(before: RoomState | undefined, after: RoomState): Changed {
  const parts = PARTS.filter((p) => !before || before[p] !== after[p]);
  const lists: Changed['lists'] = {};
  for (const name of LISTS) {
    const old = before?.[name];
    const now = after[name];
    if (old === now) continue;
    const at: number[] = [];
    for (let i = 0; i < now.length; i++) if (old?.[i] !== now[i]) at.push(i);
    if (at.length || now.length !== old?.length) lists[name] = { length: now.length, at };
  }
  return { parts, lists };
}

/** A piece's name as stored: a part's name, or a list's name and the element's index (`ideas.41`). */
export const pieceName = (list: ListName, index: number) => `${list}.${index}`;

/** Every piece of `state` named by `changed`, as stored: [name, JSON]. */
export function piecesToStore(state: RoomState, changed: Changed): [string, string][] {
  const rows: [string, string][] = changed.parts.map((p) => [p, JSON.stringify(state[p])]);
  for (const name of LISTS) {
    for (const i of changed.lists[name]?.at ?? []) rows.push([pieceName(name, i), JSON.stringify(state[name][i])]);
  }
  return rows;
}

/** The state from its stored pieces (whose JSON is parsed here) and its version. */
export function assemble(rows: { piece: string; value: string }[], version: number): Record<string, unknown> {
  const state: Record<string, unknown> = { version };
  const lists = new Map<ListName, [number, unknown][]>(LISTS.map((l) => [l, []]));
  for (const { piece, value } of rows) {
    const dot = piece.indexOf('.');
    const list = dot < 0 ? undefined : piece.slice(0, dot);
    if (list && isList(list)) lists.get(list)?.push([Number(piece.slice(dot + 1)), JSON.parse(value)]);
    else state[piece] = JSON.parse(value);
  }
  for (const [name, items] of lists) state[name] = items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return state;
}
