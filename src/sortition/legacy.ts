import type { Random } from './lottery';
import type { Person, Quota } from './types';

/**
 * The greedy stratified method most organisers have used ("legacy"): repeatedly take the category
 * value furthest from its minimum relative to how many people are left with it, and pick a random
 * person with it; on a dead end, start again. Fast and simple, but some people get almost no chance.
 */
export function legacyPanel(people: Person[], quotas: Quota[], panelSize: number, random: Random, attempts = 100): number[] | undefined {
  const rowsOf = people.map((p) => quotas.flatMap((q, r) => (p.features[q.category] === q.value ? [r] : [])));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const panel = attemptOnce(people, quotas, rowsOf, panelSize, random);
    if (panel) return panel.sort((a, b) => a - b);
  }
  return undefined;
}

function attemptOnce(people: Person[], quotas: Quota[], rowsOf: number[][], k: number, random: Random): number[] | undefined {
  const selected: number[] = [];
  const count = new Int32Array(quotas.length);
  const left = new Set(people.keys());
  const leftWith = (r: number) => [...left].filter((i) => rowsOf[i].includes(r));
  const fits = (i: number) => rowsOf[i].every((r) => count[r] < quotas[r].max);
  while (selected.length < k) {
    // The value most in need: (min - selected) / people left with it.
    let row = -1;
    let worst = 0;
    quotas.forEach((q, r) => {
      const need = q.min - count[r];
      if (need <= 0) return;
      const available = leftWith(r).length;
      if (available < need) worst = Number.POSITIVE_INFINITY;
      const ratio = available === 0 ? Number.POSITIVE_INFINITY : need / available;
      if (ratio > worst || (ratio === worst && row >= 0 && random() < 0.5)) {
        worst = ratio;
        row = r;
      }
    });
    if (worst === Number.POSITIVE_INFINITY) return undefined;
    const candidates = (row >= 0 ? leftWith(row) : [...left]).filter(fits);
    if (candidates.length === 0) return undefined;
    const person = candidates[Math.floor(random() * candidates.length)];
    selected.push(person);
    for (const r of rowsOf[person]) count[r]++;
    const household = people[person].household;
    for (const i of [...left]) if (i === person || (household && people[i].household === household)) left.delete(i);
  }
  return quotas.every((q, r) => count[r] >= q.min && count[r] <= q.max) ? selected : undefined;
}
