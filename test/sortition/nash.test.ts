import fs from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { syntheticInstance } from '../../bench/synthetic';
import { fixturesDir } from '../../src/paths';
import { draw } from '../../src/sortition/draw';
import { buildInstance } from '../../src/sortition/instance';
import { NASH_COLUMNS, NASH_QUICK } from '../../src/sortition/nash';
import { NashSearch } from '../../src/sortition/nash-columns';
import { readPool } from '../../src/sortition/pool';
import { highs } from '../../src/sortition/solver';
import { parseQuotasCsv } from '../../src/sortition/quotas';
import type { DrawResult, Person, Quota } from '../../src/sortition/types';
import { allPanels, valid } from './brute-force';

const person = (id: string, features: Record<string, string>, household?: string): Person => ({ id, features, household });

/** Mean over everyone of log(chance); people no panel includes are left out (their chance is 0 under any lottery). */
function meanLog(result: DrawResult, possible?: Set<number>): number {
  const terms = result.probabilities.filter((_, i) => !possible || possible.has(i)).map((p) => Math.log(p.probability));
  return terms.reduce((a, b) => a + b, 0) / terms.length;
}

/**
 * The Nash-welfare optimum by its definition, over an explicit list of every valid panel: the lottery lambda that
 * maximises sum_i log p_i, by the multiplicative update of Cover's log-optimal portfolio (each panel's probability
 * times its gradient over N: monotone, and it converges from any start with every panel positive). The Frank-Wolfe
 * gap max_P sum_{i in P} 1/p_i - N, over every panel, proves how close it got.
 */
function bruteNash(n: number, panels: number[][]): { chances: number[]; objective: number; gap: number } {
  const possible = [...new Set(panels.flat())];
  const N = possible.length;
  let lambda = panels.map(() => 1 / panels.length);
  const chances = () => {
    const p = new Array<number>(n).fill(0);
    panels.forEach((panel, j) => panel.forEach((i) => (p[i] += lambda[j])));
    return p;
  };
  const gradient = (p: number[]) => panels.map((panel) => panel.reduce((sum, i) => sum + 1 / p[i], 0));
  let gap = Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < 200000 && gap > 1e-9; iteration++) {
    const g = gradient(chances());
    gap = Math.max(...g) - N;
    lambda = lambda.map((l, j) => (l * g[j]) / N);
  }
  const p = chances();
  return { chances: p, objective: possible.reduce((sum, i) => sum + Math.log(p[i]), 0), gap };
}

function check(people: Person[], quotas: Quota[], k: number, result: DrawResult) {
  expect(result.probabilities.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(k, 6);
  const panel = result.selected.map((id) => people.findIndex((p) => p.id === id));
  expect(panel).toHaveLength(k);
  expect(valid(people, quotas, panel)).toBe(true);
}

describe('Nash welfare, checked by hand', () => {
  // The LEXIMIN test's pool: 7 people, panel of 5, exactly 1 woman and 1 conservative. Panel A is the
  // conservative woman with the 4 liberal men; the B panels are the conservative man, the liberal woman and 3
  // of the 4 liberal men. With a on A: maximise log a + 2 log(1 - a) + 4 log(a + 3(1 - a)/4), so
  // 1/a - 2/(1 - a) + 4/(3 + a) = 0, 7a^2 + 4a - 3 = 0, a = 3/7: the conservative woman 3/7, the conservative
  // man and the liberal woman 4/7 each, each liberal man 6/7 (LEXIMIN: 1/2, 1/2, 1/2, 7/8).
  const pool = [
    person('cw', { gender: 'female', leaning: 'conservative' }),
    person('cm', { gender: 'male', leaning: 'conservative' }),
    person('lw', { gender: 'female', leaning: 'liberal' }),
    ...[1, 2, 3, 4].map((i) => person(`lm${i}`, { gender: 'male', leaning: 'liberal' })),
  ];
  const quotas: Quota[] = [
    { category: 'gender', value: 'female', min: 1, max: 1 },
    { category: 'gender', value: 'male', min: 4, max: 4 },
    { category: 'leaning', value: 'liberal', min: 4, max: 4 },
    { category: 'leaning', value: 'conservative', min: 1, max: 1 },
  ];

  test('the chances are 3/7, 4/7, 4/7 and 6/7, higher in mean log than LEXIMIN', async () => {
    const result = await draw(pool, quotas, { panelSize: 5, algorithm: 'nash' });
    const p = Object.fromEntries(result.probabilities.map((x) => [x.id, x.probability]));
    expect(p.cw).toBeCloseTo(3 / 7, 6);
    expect(p.cm).toBeCloseTo(4 / 7, 6);
    expect(p.lw).toBeCloseTo(4 / 7, 6);
    for (const i of [1, 2, 3, 4]) expect(p[`lm${i}`]).toBeCloseTo(6 / 7, 6);
    const leximin = await draw(pool, quotas, { panelSize: 5 });
    expect(meanLog(result)).toBeGreaterThan(meanLog(leximin) + 0.004);
    expect(result.algorithm).toBe('nash');
    expect(result.notes[0]).toMatch(/^Nash welfare proved by the relaxed bound: within \d\.\de-\d+ of the optimum in mean log-chance \(duality gap \d\.\de-\d+ in the sum over 7 people\)/);
    check(pool, quotas, 5, result);
  });
});

describe('where fractional panels do better than real ones', () => {
  // Panels of 2 with exactly one "yes" per category: the two people's yes-answers split {a, b, c}, so the real
  // panels are the 4 complementary pairs. Three people each answer yes to a alone, b alone, c alone or all
  // three; one person each the complements. Any lottery over pairs gives each pair probability l_j, the heavy
  // people l_j / 3 and the light l_j: maximise 4 sum_j log l_j, so l_j = 1/4, chances 1/12 and 1/4. The
  // fractional panel half of each heavy type does better for them, so the quick route cannot finish.
  const types = { '100': 3, '010': 3, '001': 3, '111': 3, '011': 1, '101': 1, '110': 1, '000': 1 };
  const answer = (bit: string) => (bit === '1' ? 'yes' : 'no');
  const pool = Object.entries(types).flatMap(([code, count]) =>
    Array.from({ length: count }, (_, i) => person(`${code}-${i}`, { a: answer(code[0]), b: answer(code[1]), c: answer(code[2]) })),
  );
  const quotas: Quota[] = ['a', 'b', 'c'].flatMap((category) => ['yes', 'no'].map((value) => ({ category, value, min: 1, max: 1 })));

  test('column generation finds 1/12 and 1/4, and says how close it proved', async () => {
    const result = await draw(pool, quotas, { panelSize: 2, algorithm: 'nash' });
    expect(result.notes[0]).toMatch(/^Nash welfare by column generation: within \d\.\de-\d+ of the optimum/);
    result.probabilities.forEach((p) => expect(p.probability).toBeCloseTo(p.id.startsWith('000') || p.id.split('-')[0].split('1').length === 3 ? 1 / 4 : 1 / 12, 5));
    const brute = bruteNash(pool.length, allPanels(pool, quotas, 2));
    result.probabilities.forEach((p, i) => expect(Math.abs(p.probability - brute.chances[i])).toBeLessThan(1e-5));
    check(pool, quotas, 2, result);
  });

  test('someone a fractional panel could include but no real one gets chance 0; the others are shared fairly', async () => {
    // Only 000 + 111 and 001 + 110 are real panels; 100 and 010 appear only in fractional ones.
    const few = ['000', '111', '001', '110', '100', '010'].map((code) => person(code, { a: answer(code[0]), b: answer(code[1]), c: answer(code[2]) }));
    const result = await draw(few, quotas, { panelSize: 2, algorithm: 'nash' });
    expect(result.impossible.sort()).toEqual(['010', '100']);
    result.probabilities.forEach((p) => expect(p.probability).toBeCloseTo(result.impossible.includes(p.id) ? 0 : 1 / 2, 6));
  });
});

test('a two-way quota on one cell holds in every panel column generation is offered, swaps included', async () => {
  // At most 1 young woman. From a young woman and an old man, weights that prize young women tempt a swap to a
  // second one, which the two-way row forbids (swaps.ts compares quota rows position by position and misses it).
  const people = ['yw1:young:woman', 'yw2:young:woman', 'ym:young:man', 'ow:old:woman', 'om1:old:man', 'om2:old:man'].map((s) => {
    const [id, age, gender] = s.split(':');
    return person(id, { age, gender });
  });
  const quotas: Quota[] = [
    ...['young', 'old'].map((value) => ({ category: 'age', value, min: 0, max: 2 })),
    ...['woman', 'man'].map((value) => ({ category: 'gender', value, min: 0, max: 2 })),
    { category: 'age & gender', value: 'young & woman', min: 0, max: 1 },
  ];
  const instance = buildInstance(people, quotas, 2);
  const typeOf = (id: string) => instance.types.findIndex((t) => t.members.includes(people.findIndex((p) => p.id === id)));
  const start = new Int32Array(instance.types.length);
  start[typeOf('yw1')] = 1;
  start[typeOf('om1')] = 1;
  const weights = Float64Array.from(instance.types, (_, t) => (t === typeOf('yw1') ? 10 : 1));
  const search = new NashSearch(await highs(), instance);
  try {
    const offered = search.candidates(weights, [start], 1);
    expect(offered.length).toBeGreaterThan(0);
    for (const panel of offered) expect(panel[typeOf('yw1')]).toBeLessThanOrEqual(1);
  } finally {
    search.dispose();
  }
  for (let s = 0; s < 5; s++) check(people, quotas, 2, await draw(people, quotas, { panelSize: 2, algorithm: 'nash', seed: `two-way-${s}` }));
});

describe('Nash welfare against brute force on tiny pools', () => {
  // Two kinds: two categories with households, and three crossing yes/no categories, where fractional panels
  // often beat every real lottery, so the engine must notice and finish by column generation.
  const instances = [
    ...Array.from({ length: 12 }, (_, s) => randomInstance(`nash-tiny-${s}`)),
    ...Array.from({ length: 200 }, (_, s) => crossedInstance(`nash-crossed-${s}`)),
  ]
    .map((inst) => ({ ...inst, panels: allPanels(inst.people, inst.quotas, inst.k) }))
    .filter((inst) => inst.panels.length > 0);

  test('the comparison is not vacuous: many pools, households among them, and both routes', async () => {
    expect(instances.length).toBeGreaterThanOrEqual(30);
    expect(instances.filter((i) => i.people.some((p) => p.household)).length).toBeGreaterThanOrEqual(10);
    const notes = await Promise.all(instances.map(async (i) => (await draw(i.people, i.quotas, { panelSize: i.k, algorithm: 'nash' })).notes[0]));
    expect(notes.filter((n) => n.startsWith(NASH_QUICK)).length).toBeGreaterThan(0);
    expect(notes.filter((n) => n.startsWith(NASH_COLUMNS)).length).toBeGreaterThan(0);
  });

  test('the summed log-chance is the optimum within 1e-6, each chance within 1e-4, and no one who can serve gets 0', async () => {
    for (const inst of instances) {
      const brute = bruteNash(inst.people.length, inst.panels);
      expect(brute.gap).toBeLessThan(1e-6);
      const result = await draw(inst.people, inst.quotas, { panelSize: inst.k, algorithm: 'nash' });
      const possible = new Set(inst.panels.flat());
      const objective = result.probabilities.reduce((sum, p, i) => sum + (possible.has(i) ? Math.log(p.probability) : 0), 0);
      expect(Math.abs(objective - brute.objective)).toBeLessThan(1e-6 + brute.gap);
      result.probabilities.forEach((p, i) => {
        expect(Math.abs(p.probability - brute.chances[i])).toBeLessThan(1e-4);
        if (possible.has(i)) expect(p.probability).toBeGreaterThan(1e-6);
        else expect(p.probability).toBe(0);
      });
      check(inst.people, inst.quotas, inst.k, result);
    }
  });

  test('its mean log-chance is at least LEXIMIN’s', async () => {
    for (const inst of instances) {
      const possible = new Set(inst.panels.flat());
      const nash = await draw(inst.people, inst.quotas, { panelSize: inst.k, algorithm: 'nash' });
      const leximin = await draw(inst.people, inst.quotas, { panelSize: inst.k });
      expect(meanLog(nash, possible)).toBeGreaterThanOrEqual(meanLog(leximin, possible) - 1e-9);
    }
  });
});

describe('Nash welfare on larger pools', () => {
  const households = [
    person('a1', { age: 'young', area: 'north' }, '1 high st'),
    person('a2', { age: 'young', area: 'north' }, '1 high st'),
    person('b1', { age: 'old', area: 'north' }, '2 low rd'),
    person('b2', { age: 'old', area: 'south' }, '2 low rd'),
    ...Array.from({ length: 8 }, (_, i) => person(`c${i}`, { age: i % 2 ? 'old' : 'young', area: i % 3 ? 'south' : 'north' })),
  ];
  const householdQuotas: Quota[] = [
    { category: 'age', value: 'young', min: 2, max: 3 },
    { category: 'age', value: 'old', min: 2, max: 3 },
    { category: 'area', value: 'north', min: 2, max: 3 },
    { category: 'area', value: 'south', min: 2, max: 3 },
  ];

  test('with households: brute force agrees, housemates together are never above 1, and every seed gives a valid panel', async () => {
    const panels = allPanels(households, householdQuotas, 5);
    const brute = bruteNash(households.length, panels);
    const result = await draw(households, householdQuotas, { panelSize: 5, algorithm: 'nash' });
    result.probabilities.forEach((p, i) => expect(Math.abs(p.probability - brute.chances[i])).toBeLessThan(1e-4));
    const p = Object.fromEntries(result.probabilities.map((x) => [x.id, x.probability]));
    expect(p.a1 + p.a2).toBeLessThanOrEqual(1 + 1e-9);
    expect(p.b1 + p.b2).toBeLessThanOrEqual(1 + 1e-9);
    for (let s = 0; s < 10; s++) check(households, householdQuotas, 5, await draw(households, householdQuotas, { panelSize: 5, algorithm: 'nash', seed: `seed-${s}` }));
  });

  test('the same seed gives the same panel; the chances do not depend on the seed', async () => {
    const one = await draw(households, householdQuotas, { panelSize: 5, algorithm: 'nash', seed: 'council meeting 3 March' });
    const two = await draw(households, householdQuotas, { panelSize: 5, algorithm: 'nash', seed: 'council meeting 3 March' });
    expect(two.selected).toEqual(one.selected);
    expect(two.probabilities).toEqual(one.probabilities);
    const others = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((seed) => draw(households, householdQuotas, { panelSize: 5, algorithm: 'nash', seed })));
    expect(new Set(others.map((o) => o.selected.join())).size).toBeGreaterThan(1);
    others.forEach((o) => expect(o.probabilities).toEqual(one.probabilities));
  });

  test('example_small_20 (the Nature paper’s public benchmark): everyone 10%, which no lottery beats (the chances add up to 20)', async () => {
    const dir = path.join(fixturesDir, 'sortition-benchmarks', 'example_small_20');
    const quotas = parseQuotasCsv(fs.readFileSync(path.join(dir, 'categories.csv')));
    const people = readPool(fs.readFileSync(path.join(dir, 'respondents.csv')), { categories: [...new Set(quotas.map((q) => q.category))] });
    const result = await draw(people, quotas, { panelSize: 20, algorithm: 'nash' });
    // Equal chances k/n maximise the sum of logs of chances that add up to k, so this is the optimum.
    result.probabilities.forEach((p) => expect(p.probability).toBeCloseTo(0.1, 6));
    const leximin = await draw(people, quotas, { panelSize: 20 });
    expect(meanLog(result)).toBeGreaterThanOrEqual(meanLog(leximin) - 1e-9);
    check(people, quotas, 20, result);
  });

  test('a 300-person pool shaped like the real ones: above LEXIMIN in mean log-chance, below it in the lowest chance at most, valid', async () => {
    const { people, quotas } = syntheticInstance({ seed: 'nash-test', size: 300, panelSize: 30 });
    const nash = await draw(people, quotas, { panelSize: 30, algorithm: 'nash' });
    const leximin = await draw(people, quotas, { panelSize: 30 });
    expect(meanLog(nash)).toBeGreaterThan(meanLog(leximin));
    expect(nash.minProbability).toBeLessThanOrEqual(leximin.minProbability + 1e-9);
    expect(nash.minProbability).toBeGreaterThan(0);
    check(people, quotas, 30, nash);
  });

  test('people no valid panel can include get chance 0 and are listed; everyone else gets more than 0', async () => {
    const pool = [
      ...Array.from({ length: 2 }, (_, i) => person(`y${i}`, { age: 'young' })),
      ...Array.from({ length: 8 }, (_, i) => person(`o${i}`, { age: 'old' })),
      person('z', { age: 'unborn' }),
    ];
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 1, max: 2 },
      { category: 'age', value: 'old', min: 2, max: 4 },
      { category: 'age', value: 'unborn', min: 0, max: 0 },
    ];
    const result = await draw(pool, quotas, { panelSize: 4, algorithm: 'nash' });
    expect(result.impossible).toEqual(['z']);
    expect(result.probabilities.find((p) => p.id === 'z')?.probability).toBe(0);
    result.probabilities.filter((p) => p.id !== 'z').forEach((p) => expect(p.probability).toBeGreaterThan(0.05));
  });
});

function randomInstance(seed: string) {
  const random = seedrandom(seed);
  const n = 8 + Math.floor(random() * 3);
  const k = 3 + Math.floor(random() * 2);
  const people = Array.from({ length: n }, (_, i) =>
    person(`p${i}`, { a: random() < 0.4 ? 'x' : 'y', b: ['u', 'v', 'w'][Math.floor(random() * 3)] }, random() < 0.3 ? `h${Math.floor(random() * 2)}` : undefined),
  );
  const quotas: Quota[] = [
    { category: 'a', value: 'x', min: 1, max: 2 },
    { category: 'a', value: 'y', min: 1, max: k },
    { category: 'b', value: 'u', min: 0, max: 2 },
    { category: 'b', value: 'v', min: 1, max: 2 },
    { category: 'b', value: 'w', min: 0, max: k },
  ];
  return { people, quotas, k };
}

function crossedInstance(seed: string) {
  const random = seedrandom(seed);
  const n = 5 + Math.floor(random() * 4);
  const k = 2 + Math.floor(random() * 2);
  const either = (yes: string, no: string) => (random() < 0.5 ? yes : no);
  const people = Array.from({ length: n }, (_, i) =>
    person(`p${i}`, { a: either('x', 'y'), b: either('u', 'v'), c: either('s', 't') }, random() < 0.3 ? `h${Math.floor(random() * 2)}` : undefined),
  );
  const quota = (category: string, value: string): Quota => {
    const min = Math.floor(random() * 2);
    return { category, value, min, max: min + Math.floor(random() * 2) };
  };
  const quotas = [quota('a', 'x'), quota('a', 'y'), quota('b', 'u'), quota('b', 'v'), quota('c', 's'), quota('c', 't')];
  return { people, quotas, k };
}
