import type { Random } from './lottery';
import { valueOf } from './intersections';
import type { Person, Quota } from './types';

/**
 * The greedy stratified method most organisers have used ("legacy"): repeatedly take the category
 * value furthest from its minimum relative to how many people are left with it, and pick a random
 * person with it; on a dead end, start again. Fast and simple, but some people get almost no chance.
 */
export function legacyPanel(people: Person[], quotas: Quota[], panelSize: number, random: Random, attempts = 100): number[] | undefined {
  const setup = prepare(people, quotas);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const panel = attemptOnce(setup, quotas, panelSize, random);
    if (panel) return panel.sort((a, b) => a - b);
  }
  return undefined;
}

interface Setup {
  rowsOf: number[][];
  withRow: number[][];
  housemates: number[][];
}

function prepare(people: Person[], quotas: Quota[]): Setup {
  const rowsOf = people.map((p) => quotas.flatMap((q, r) => (valueOf(p, q.category) === q.value ? [r] : [])));
  const withRow: number[][] = quotas.map(() => []);
  rowsOf.forEach((rows, i) => rows.forEach((r) => withRow[r].push(i)));
  const byHousehold = new Map<string, number[]>();
  people.forEach((p, i) => p.household && byHousehold.set(p.household, [...(byHousehold.get(p.household) ?? []), i]));
  const housemates = people.map((p) => (p.household ? (byHousehold.get(p.household) ?? []) : []));
  return { rowsOf, withRow, housemates };
}

function attemptOnce({ rowsOf, withRow, housemates }: Setup, quotas: Quota[], k: number, random: Random): number[] | undefined {
  const n = rowsOf.length;
  const alive = new Uint8Array(n).fill(1);
  const left = Int32Array.from(withRow, (list) => list.length);
  const count = new Int32Array(quotas.length);
  const remove = (i: number) => {
    if (!alive[i]) return;
    alive[i] = 0;
    for (const r of rowsOf[i]) left[r]--;
  };
  const fits = (i: number) => alive[i] === 1 && rowsOf[i].every((r) => count[r] < quotas[r].max);
  const selected: number[] = [];
  while (selected.length < k) {
    let row = -1;
    let worst = 0;
    for (let r = 0; r < quotas.length; r++) {
      const need = quotas[r].min - count[r];
      if (need <= 0) continue;
      if (left[r] < need) return undefined;
      const ratio = need / left[r];
      if (ratio > worst || (ratio === worst && random() < 0.5)) {
        worst = ratio;
        row = r;
      }
    }
    const pool = row >= 0 ? withRow[row] : undefined;
    const candidates = pool ? pool.filter(fits) : allFitting(n, fits);
    if (candidates.length === 0) return undefined;
    const person = candidates[Math.floor(random() * candidates.length)];
    selected.push(person);
    for (const r of rowsOf[person]) count[r]++;
    remove(person);
    for (const h of housemates[person]) remove(h);
  }
  return quotas.every((q, r) => count[r] >= q.min && count[r] <= q.max) ? selected : undefined;
}

function allFitting(n: number, fits: (i: number) => boolean): number[] {
  const result: number[] = [];
  for (let i = 0; i < n; i++) if (fits(i)) result.push(i);
  return result;
}
