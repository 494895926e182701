import { handleAt } from './state';

/**
 * What the room calls each member, by id: the name they gave when they confirmed (issue 19), with their number
 * when two gave the same one ("Sam (Member 4)"), or their handle, "Member 7", if they gave none. Only the room's
 * facilitators and members are told these (live.ts); the record, exports and observer screens use handles.
 */
export function roomNamesOf(members: string[], given: ReadonlyMap<string, string>): Record<string, string> {
  const counts = new Map<string, number>();
  for (const m of members) {
    const name = given.get(m)?.toLocaleLowerCase();
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const names: Record<string, string> = {};
  members.forEach((m, i) => {
    const name = given.get(m);
    const handle = handleAt(i);
    names[m] = !name ? handle : (counts.get(name.toLocaleLowerCase()) ?? 0) > 1 ? `${name} (${handle})` : name;
  });
  return names;
}

/** The same names keyed by handle, as members' screens know each other (they never see pseudonyms). */
export function byHandle(members: string[], names: Record<string, string>): Record<string, string> {
  return Object.fromEntries(members.map((m, i) => [handleAt(i), names[m]]));
}
