import seedrandom from 'seedrandom';
import { syntheticInstance } from '../../bench/synthetic';
import { crossings } from '../../src/sortition/crossings';
import { draw } from '../../src/sortition/draw';
import type { Person, Quota } from '../../src/sortition/types';
import { allPanels, valid } from './brute-force';

jest.setTimeout(120_000);

/** The distance diversimax minimises, by its definition: per category and pair, |cell count − panel ÷ cells held by anyone|. */
function distance(people: Person[], quotas: Quota[], panel: number[], k: number): number {
  const categories = [...new Set(quotas.map((q) => q.category))];
  const values = (c: string) => [...new Set(people.map((p) => p.features[c]))];
  const combos = [...categories.map((c) => [c]), ...categories.flatMap((a, i) => categories.slice(i + 1).map((b) => [a, b]))];
  let total = 0;
  for (const combo of combos) {
    const cells = combo.reduce<string[][]>((acc, c) => acc.flatMap((prefix) => values(c).map((v) => [...prefix, v])), [[]]);
    if (cells.length > k || people.length / cells.length < 2) continue;
    // Cells nobody in the pool is in are left out of the even share.
    const held = cells.filter((cell) => people.some((p) => combo.every((c, j) => p.features[c] === cell[j])));
    for (const cell of held) {
      const n = panel.filter((i) => combo.every((c, j) => people[i].features[c] === cell[j])).length;
      total += Math.abs(n - k / held.length);
    }
  }
  return total;
}

function tinyPool(seed: string) {
  const random = seedrandom(seed);
  const pick = (xs: string[]) => xs[Math.floor(random() * xs.length)];
  const people: Person[] = Array.from({ length: 14 }, (_, i) => ({ id: `p${i}`, features: { gender: pick(['w', 'm', 'w']), age: pick(['young', 'mid', 'old', 'old']), area: pick(['north', 'south']) }, household: i === 3 || i === 4 ? 'shared' : undefined }));
  const quotas: Quota[] = [
    { category: 'gender', value: 'w', min: 2, max: 4 },
    { category: 'gender', value: 'm', min: 2, max: 4 },
    { category: 'age', value: 'young', min: 1, max: 3 },
    { category: 'age', value: 'mid', min: 1, max: 3 },
    { category: 'age', value: 'old', min: 1, max: 4 },
    { category: 'area', value: 'north', min: 1, max: 5 },
    { category: 'area', value: 'south', min: 1, max: 5 },
  ];
  return { people, quotas };
}

test('on tiny pools, diversimax’s panel is valid and its crossings are as even as the best panel’s, counted by brute force', async () => {
  let tried = 0;
  for (const seed of ['a', 'b', 'c', 'd']) {
    const { people, quotas } = tinyPool(seed);
    const k = 6;
    const panels = allPanels(people, quotas, k);
    if (panels.length === 0) continue;
    tried++;
    const best = Math.min(...panels.map((p) => distance(people, quotas, p, k)));
    const result = await draw(people, quotas, { panelSize: k, algorithm: 'diversimax', seed });
    const chosen = result.selected.map((id) => people.findIndex((p) => p.id === id));
    expect(valid(people, quotas, chosen)).toBe(true);
    // Within the MIP's stated 1% gap of the best.
    expect(distance(people, quotas, chosen, k)).toBeLessThanOrEqual(best * 1.01 + 1e-9);
    // Chances are each group's seats over its size; they add up to the panel.
    expect(result.probabilities.reduce((a, p) => a + p.probability, 0)).toBeCloseTo(k, 9);
    expect(result.leximinChances?.reduce((a, b) => a + b, 0)).toBeCloseTo(k, 6);
  }
  expect(tried).toBeGreaterThanOrEqual(3);
});

test('on the synthetic pool, diversimax fills the crossings more evenly than LEXIMIN’s panel, and costs equal chances', async () => {
  const { people, quotas, panelSize } = syntheticInstance();
  const diverse = await draw(people, quotas, { panelSize, algorithm: 'diversimax', seed: 'crossings' });
  const fair = await draw(people, quotas, { panelSize, algorithm: 'leximin', seed: 'crossings' });
  const index = (r: typeof diverse) => r.selected.map((id) => people.findIndex((p) => p.id === id));
  expect(distance(people, quotas, index(diverse), panelSize)).toBeLessThan(distance(people, quotas, index(fair), panelSize));
  expect(diverse.minProbability).toBe(0);
  expect(Math.min(...(diverse.leximinChances ?? [0]))).toBeCloseTo(fair.minProbability, 6);
  expect(diverse.gini).toBeGreaterThan(fair.gini);
  // The intersection picture of each: shares add up to 1 per pair, and the drawn panel's too.
  const picture = crossings(people, quotas, diverse.probabilities.map((p) => p.probability), diverse.selected, () => 0.01, diverse.leximinChances);
  expect(picture).toHaveLength(21);
  for (const c of picture) {
    expect(c.cells.reduce((a, x) => a + x.expected, 0)).toBeCloseTo(1, 9);
    expect(c.cells.reduce((a, x) => a + x.drawn, 0)).toBeCloseTo(1, 9);
    expect(c.cells.reduce((a, x) => a + (x.compared ?? 0), 0)).toBeCloseTo(1, 6);
    expect(c.cells.reduce((a, x) => a + x.pool, 0)).toBeCloseTo(1, 9);
  }
});
