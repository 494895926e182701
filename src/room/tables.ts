import seedrandom from 'seedrandom';

/** A member and their answers (category -> value), for mixing the tables. */
export interface Seated {
  member: string;
  answers: Record<string, string>;
}

/**
 * Splits the panel into tables of about `size`, each as mixed as the panel on every category: for each
 * value, a table should hold its share of the people who have it. Greedy placement, rarest people first,
 * then swaps between tables while they reduce the squared shortfall from those shares. Seeded: the same
 * panel and seed give the same tables.
 */
export function assignTables(people: Seated[], size: number, seed: string): string[][] {
  if (people.length === 0) return [];
  const { values, keysOf } = index(people);
  const count = Math.max(1, Math.round(people.length / size));
  const capacity = Array.from({ length: count }, (_, t) => Math.floor(people.length / count) + (t < people.length % count ? 1 : 0));
  // target[t][v]: the people with value v that table t should hold.
  const target = capacity.map((c) => values.map((n) => (n * c) / people.length));
  const counts = capacity.map(() => new Float64Array(values.length));
  const tables: number[][] = capacity.map(() => []);
  // Adding one person with these values to table t changes its squared shortfall by this much.
  const delta = (t: number, keys: number[], sign: 1 | -1) => keys.reduce((sum, v) => sum + (counts[t][v] + sign - target[t][v]) ** 2 - (counts[t][v] - target[t][v]) ** 2, 0);
  const move = (t: number, keys: number[], sign: 1 | -1) => keys.forEach((v) => (counts[t][v] += sign));

  const random = seedrandom(seed);
  const order = people
    .map((_, i) => ({ i, rarity: keysOf[i].reduce((sum, v) => sum + 1 / values[v], 0), tie: random() }))
    .sort((a, b) => b.rarity - a.rarity || a.tie - b.tie);
  for (const { i } of order) {
    let best = -1;
    tables.forEach((table, t) => {
      if (table.length < capacity[t] && (best < 0 || delta(t, keysOf[i], 1) < delta(best, keysOf[i], 1))) best = t;
    });
    tables[best].push(i);
    move(best, keysOf[i], 1);
  }

  for (let pass = 0, improved = true; improved && pass < 50; pass++) {
    improved = false;
    for (let a = 0; a < tables.length; a++) {
      for (let b = a + 1; b < tables.length; b++) {
        for (let x = 0; x < tables[a].length; x++) {
          for (let y = 0; y < tables[b].length; y++) {
            const p = keysOf[tables[a][x]];
            const q = keysOf[tables[b][y]];
            move(a, p, -1);
            move(b, q, -1);
            const gain = delta(a, p, 1) + delta(b, q, 1) - delta(a, q, 1) - delta(b, p, 1);
            if (gain > 1e-9) {
              [tables[a][x], tables[b][y]] = [tables[b][y], tables[a][x]];
              move(a, q, 1);
              move(b, p, 1);
              improved = true;
            } else {
              move(a, p, 1);
              move(b, q, 1);
            }
          }
        }
      }
    }
  }
  return tables.map((table) => table.map((i) => people[i].member));
}

/** How far tables are from the panel's mix: the largest gap, in people, between a table's count of a value and its share. */
export function mixingGap(tables: Seated[][], panel: Seated[]): number {
  const { values, keysOf } = index(panel);
  const keysByMember = new Map(panel.map((p, i) => [p.member, keysOf[i]]));
  let worst = 0;
  for (const table of tables) {
    const counts = new Float64Array(values.length);
    for (const p of table) for (const v of keysByMember.get(p.member) ?? []) counts[v]++;
    values.forEach((n, v) => (worst = Math.max(worst, Math.abs(counts[v] - (n * table.length) / panel.length))));
  }
  return worst;
}

/** Each (category, value) as a number: how many people have each, and which each person has. */
function index(people: Seated[]): { values: number[]; keysOf: number[][] } {
  const ids = new Map<string, number>();
  const values: number[] = [];
  const keysOf = people.map((p) =>
    Object.entries(p.answers).map(([c, v]) => {
      const k = `${c}\u0000${v}`;
      if (!ids.has(k)) ids.set(k, values.push(0) - 1);
      const id = ids.get(k) ?? 0;
      values[id]++;
      return id;
    }),
  );
  return { values, keysOf };
}
