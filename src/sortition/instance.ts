import { componentsOf, intersectionProblems, valueOf } from './intersections';
import type { Person, Quota } from './types';

/**
 * The draw at the level of types. People with the same category values and no housemates in the pool
 * are interchangeable: one type with a count. People who share an address are each a type of their
 * own, tied by a household row (at most one of them on the panel).
 */
export interface Instance {
  panelSize: number;
  /** Per type: how many people, and which quota rows it counts towards. */
  types: { count: number; rows: number[]; members: number[] }[];
  /** Per (category, value) quota: bounds and its label. */
  rows: { category: string; value: string; min: number; max: number }[];
  /** Groups of type indices (each of count 1) of which at most one may be chosen. */
  households: number[][];
}

export class InputError extends Error {}

export function buildInstance(people: Person[], quotas: Quota[], panelSize: number): Instance {
  const problems = intersectionProblems(quotas);
  if (problems.length) throw new InputError(problems.join('; '));
  const rowIndex = new Map<string, number>();
  const rows = quotas.map((q, i) => {
    rowIndex.set(key(q.category, q.value), i);
    return { category: q.category, value: q.value, min: q.min, max: q.max };
  });
  const categories = [...new Set(quotas.map((q) => q.category))];
  const housemates = countBy(people.map((p) => p.household).filter((h): h is string => !!h));

  const types: Instance['types'] = [];
  const byProfile = new Map<string, number>();
  const householdTypes = new Map<string, number[]>();
  people.forEach((person, index) => {
    const personRows = categories.flatMap((c) => {
      const value = valueOf(person, c);
      const row = rowIndex.get(key(c, value ?? ''));
      if (row !== undefined) return [row];
      // A two-way quota may leave some cells free; a plain category must cover everyone.
      if (componentsOf(c)) return [];
      throw new InputError(`person ${person.id} has ${c} "${value ?? ''}", which has no quota; add a quota row for it`);
    });
    const shared = person.household && (housemates.get(person.household) ?? 0) > 1;
    if (shared) {
      const t = types.push({ count: 1, rows: personRows, members: [index] }) - 1;
      householdTypes.set(person.household ?? '', [...(householdTypes.get(person.household ?? '') ?? []), t]);
      return;
    }
    const profile = personRows.join(',');
    const existing = byProfile.get(profile);
    if (existing !== undefined) {
      types[existing].count++;
      types[existing].members.push(index);
    } else {
      byProfile.set(profile, types.push({ count: 1, rows: personRows, members: [index] }) - 1);
    }
  });
  return { panelSize, types, rows, households: [...householdTypes.values()] };
}

/** For each quota row, the types that count towards it. */
export function typesByRow(instance: Instance): number[][] {
  const members: number[][] = instance.rows.map(() => []);
  instance.types.forEach((type, t) => type.rows.forEach((r) => members[r].push(t)));
  return members;
}

/** For each quota row, how many people in the pool count towards it. */
export function poolByRow(instance: Instance): number[] {
  const pool = instance.rows.map(() => 0);
  for (const type of instance.types) for (const r of type.rows) pool[r] += type.count;
  return pool;
}

const key = (category: string, value: string) => `${category}\u0000${value}`;

function countBy(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Addresses compare equal whatever their case, spacing and punctuation at the ends. */
export function normaliseAddress(parts: string[]): string | undefined {
  const text = parts
    .join(' ')
    .toLowerCase()
    .replace(/[.,;]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text || undefined;
}
