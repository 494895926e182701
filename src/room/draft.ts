import { isDraft, original } from 'immer';

/**
 * The rules change a draft of the room (machine.ts, with Immer), which copies only what a command touches. Every
 * element a rule reads through a draft becomes a draft too, so a scan of a long list (thousands of ideas) would
 * cost as much as copying it. These read lists as the command found them instead.
 */

/** `list` as the command found it, for reading only: use it before this command changes the list. */
export function asFound<T>(list: readonly T[]): readonly T[] {
  return isDraft(list) ? (original(list as never) as readonly T[]) : list;
}

/** The first element that passes `test`, found without drafting the others, and returned as a draft to change. */
export function findIn<T>(list: T[], test: (item: T) => boolean): T | undefined {
  const i = asFound(list).findIndex(test);
  return i < 0 ? undefined : list[i];
}
