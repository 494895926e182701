import seedrandom from 'seedrandom';
import { draw } from '../../src/sortition/draw';
import { InfeasibleError } from '../../src/sortition/feasibility';
import { COLUMN_GENERATION, MAXIMIN_BY_LEXIMIN, QUICK_ROUTE } from '../../src/sortition/leximin';
import type { Person, Quota } from '../../src/sortition/types';
import { allPanels, bruteLeximin, valid } from './brute-force';
import { syntheticInstance } from '../../bench/synthetic';

const person = (id: string, features: Record<string, string>, household?: string): Person => ({ id, features, household });

describe('LEXIMIN, checked by hand', () => {
  // 7 people, panel of 5: exactly 1 woman, 4 men, 4 liberals, 1 conservative. Either the conservative
  // woman sits with 4 liberal men, or the conservative man sits with the liberal woman and 3 liberal
  // men. LEXIMIN gives both conservatives, and the liberal woman, 1/2; each liberal man 7/8.
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

  test('leximin shares what the quotas allow', async () => {
    const result = await draw(pool, quotas, { panelSize: 5 });
    const p = Object.fromEntries(result.probabilities.map((x) => [x.id, x.probability]));
    expect(p.cw).toBeCloseTo(0.5, 9);
    expect(p.cm).toBeCloseTo(0.5, 9);
    expect(p.lw).toBeCloseTo(0.5, 9);
    for (const i of [1, 2, 3, 4]) expect(p[`lm${i}`]).toBeCloseTo(0.875, 9);
    expect(result.minProbability).toBeCloseTo(0.5, 9);
  });

  test('maximin guarantees the same lowest chance', async () => {
    const result = await draw(pool, quotas, { panelSize: 5, algorithm: 'maximin' });
    expect(result.minProbability).toBeCloseTo(0.5, 9);
  });

  test('legacy is estimated over seeded runs and its panels meet the quotas', async () => {
    const result = await draw(pool, quotas, { panelSize: 5, algorithm: 'legacy', legacyRuns: 400 });
    const total = result.probabilities.reduce((sum, x) => sum + x.probability, 0);
    expect(total).toBeCloseTo(5, 9);
    expect(valid(pool, quotas, result.selected.map((id) => pool.findIndex((p) => p.id === id)))).toBe(true);
  });
});

describe('LEXIMIN against brute force on tiny random pools', () => {
  const instances = Array.from({ length: 8 }, (_, seed) => randomInstance(`tiny-${seed}`));
  test.each(instances.map((inst, i) => [i, inst] as const))('instance %i', async (_i, inst) => {
    const panels = allPanels(inst.people, inst.quotas, inst.k);
    if (panels.length === 0) {
      await expect(draw(inst.people, inst.quotas, { panelSize: inst.k })).rejects.toBeInstanceOf(InfeasibleError);
      return;
    }
    const expected = await bruteLeximin(inst.people.length, panels);
    const result = await draw(inst.people, inst.quotas, { panelSize: inst.k });
    result.probabilities.forEach((p, i) => expect(Math.abs(p.probability - expected[i])).toBeLessThan(1e-6));
  });
});

describe('LEXIMIN on tiny pools with three categories, where the relaxed bound is often out of reach', () => {
  // With three crossing categories, fractional panels can beat every real lottery; the engine must
  // notice and finish by column generation, and still agree with brute force.
  const instances = Array.from({ length: 200 }, (_, seed) => crossedInstance(`crossed-${seed}`)).filter(
    (inst) => allPanels(inst.people, inst.quotas, inst.k).length > 0,
  );

  test('both routes are exercised', async () => {
    expect(instances.length).toBeGreaterThanOrEqual(20);
    const notes = await Promise.all(instances.map(async (inst) => (await draw(inst.people, inst.quotas, { panelSize: inst.k })).notes.join(' ')));
    expect(notes.some((n) => n.includes(COLUMN_GENERATION))).toBe(true);
    expect(notes.some((n) => n.includes(QUICK_ROUTE))).toBe(true);
  });

  test('every chance agrees with brute force to 1e-6', async () => {
    for (const inst of instances) {
      const expected = await bruteLeximin(inst.people.length, allPanels(inst.people, inst.quotas, inst.k));
      const result = await draw(inst.people, inst.quotas, { panelSize: inst.k });
      result.probabilities.forEach((p, i) => expect(Math.abs(p.probability - expected[i])).toBeLessThan(1e-6));
    }
  });
});

describe("maximin is LEXIMIN's first level", () => {
  test('on tiny crossed pools (both routes): the lowest chance is brute force LEXIMIN’s lowest, the chances add up to the panel, and the panel is valid', async () => {
    const instances = Array.from({ length: 200 }, (_, seed) => crossedInstance(`crossed-${seed}`)).filter((inst) => allPanels(inst.people, inst.quotas, inst.k).length > 0);
    expect(instances.length).toBeGreaterThanOrEqual(20);
    const routes = new Set<string>();
    for (const inst of instances) {
      const lowest = Math.min(...(await bruteLeximin(inst.people.length, allPanels(inst.people, inst.quotas, inst.k))));
      const result = await draw(inst.people, inst.quotas, { panelSize: inst.k, algorithm: 'maximin' });
      expect(Math.abs(result.minProbability - lowest)).toBeLessThan(1e-6);
      expect(result.probabilities.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(inst.k, 6);
      expect(valid(inst.people, inst.quotas, result.selected.map((id) => inst.people.findIndex((p) => p.id === id)))).toBe(true);
      routes.add(result.notes.some((n) => n.includes(MAXIMIN_BY_LEXIMIN)) ? 'quick' : 'column generation');
    }
    expect([...routes].sort()).toEqual(['column generation', 'quick']);
  });

  test('on a 200-person pool shaped like the real ones: the same lowest chance as LEXIMIN, within 0.002', async () => {
    const { people, quotas } = syntheticInstance({ seed: 'maximin-test', size: 200, panelSize: 20 });
    const leximin = await draw(people, quotas, { panelSize: 20 });
    const maximin = await draw(people, quotas, { panelSize: 20, algorithm: 'maximin' });
    expect(Math.abs(maximin.minProbability - leximin.minProbability)).toBeLessThan(0.002);
    expect(maximin.probabilities.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(20, 6);
    expect(maximin.selected).toHaveLength(20);
  });
});

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

function randomInstance(seed: string) {
  const random = seedrandom(seed);
  const n = 8 + Math.floor(random() * 3);
  const k = 3 + Math.floor(random() * 2);
  const people = Array.from({ length: n }, (_, i) =>
    person(`p${i}`, { a: random() < 0.4 ? 'x' : 'y', b: ['u', 'v', 'w'][Math.floor(random() * 3)] }, random() < 0.25 ? `h${Math.floor(random() * 2)}` : undefined),
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

describe('every draw', () => {
  const households = [
    person('a1', { age: 'young', area: 'north' }, '1 high st'),
    person('a2', { age: 'young', area: 'north' }, '1 high st'),
    person('b1', { age: 'old', area: 'north' }, '2 low rd'),
    person('b2', { age: 'old', area: 'south' }, '2 low rd'),
    ...Array.from({ length: 8 }, (_, i) => person(`c${i}`, { age: i % 2 ? 'old' : 'young', area: i % 3 ? 'south' : 'north' })),
  ];
  const quotas: Quota[] = [
    { category: 'age', value: 'young', min: 2, max: 3 },
    { category: 'age', value: 'old', min: 2, max: 3 },
    { category: 'area', value: 'north', min: 2, max: 3 },
    { category: 'area', value: 'south', min: 2, max: 3 },
  ];

  test.each(['leximin', 'maximin', 'legacy'] as const)('%s: meets every quota and the household rule, for many seeds', async (algorithm) => {
    for (let s = 0; s < 10; s++) {
      const result = await draw(households, quotas, { panelSize: 5, algorithm, seed: `seed-${s}`, legacyRuns: 50 });
      const panel = result.selected.map((id) => households.findIndex((p) => p.id === id));
      expect(panel).toHaveLength(5);
      expect(valid(households, quotas, panel)).toBe(true);
    }
  });

  test('the same seed gives the same panel; the chances do not depend on the seed', async () => {
    const one = await draw(households, quotas, { panelSize: 5, seed: 'council meeting 3 March' });
    const two = await draw(households, quotas, { panelSize: 5, seed: 'council meeting 3 March' });
    expect(two.selected).toEqual(one.selected);
    const others = await Promise.all(['a', 'b', 'c', 'd'].map((seed) => draw(households, quotas, { panelSize: 5, seed })));
    expect(new Set(others.map((o) => o.selected.join())).size).toBeGreaterThan(1);
    others.forEach((o) => expect(o.probabilities).toEqual(one.probabilities));
  });

  test('housemates share one chance: together they are never above 1', async () => {
    const result = await draw(households, quotas, { panelSize: 5 });
    const p = Object.fromEntries(result.probabilities.map((x) => [x.id, x.probability]));
    expect(p.a1 + p.a2).toBeLessThanOrEqual(1 + 1e-9);
    expect(p.b1 + p.b2).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('impossible quotas and impossible people', () => {
  const pool = [
    ...Array.from({ length: 2 }, (_, i) => person(`y${i}`, { age: 'young' })),
    ...Array.from({ length: 8 }, (_, i) => person(`o${i}`, { age: 'old' })),
  ];

  test('a minimum the pool cannot reach is named, with the smallest change', async () => {
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 3, max: 4 },
      { category: 'age', value: 'old', min: 2, max: 4 },
    ];
    const error = await draw(pool, quotas, { panelSize: 6 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfeasibleError);
    const relaxations = (error as InfeasibleError).relaxations;
    expect(relaxations).toContainEqual({ category: 'age', value: 'young', bound: 'min', from: 3, to: 2, pool: 2 });
    expect((error as Error).message).toContain('age young: min 3 -> 2 (only 2 in the pool)');
  });

  test('a minimum far above the panel size is still named, with the change that fixes it', async () => {
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 50, max: 50 },
      { category: 'age', value: 'old', min: 0, max: 4 },
    ];
    const error = (await draw(pool, quotas, { panelSize: 4 }).catch((e: unknown) => e)) as InfeasibleError;
    expect(error).toBeInstanceOf(InfeasibleError);
    const young = error.relaxations.find((r) => r.value === 'young');
    expect(young).toMatchObject({ bound: 'min', from: 50 });
    expect(young?.to).toBeLessThanOrEqual(2);
  });

  test('quotas that cannot hold together are named by the change that fixes them', async () => {
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 0, max: 2 },
      { category: 'age', value: 'old', min: 0, max: 2 },
    ];
    const error = (await draw(pool, quotas, { panelSize: 6 }).catch((e: unknown) => e)) as InfeasibleError;
    expect(error).toBeInstanceOf(InfeasibleError);
    const raised = error.relaxations.filter((r) => r.bound === 'max').reduce((sum, r) => sum + (r.to - r.from), 0);
    expect(raised).toBe(2);
  });

  test('people no valid panel can include get chance 0 and are listed, and the draw goes on', async () => {
    const withOutlier = [...pool, person('z', { age: 'unborn' })];
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 1, max: 2 },
      { category: 'age', value: 'old', min: 2, max: 4 },
      { category: 'age', value: 'unborn', min: 0, max: 0 },
    ];
    const result = await draw(withOutlier, quotas, { panelSize: 4 });
    expect(result.impossible).toEqual(['z']);
    expect(result.probabilities.find((p) => p.id === 'z')?.probability).toBe(0);
    expect(result.selected).not.toContain('z');
  });
});

test('most of the random tiny pools have panels, so the comparison is not vacuous', () => {
  const feasible = Array.from({ length: 8 }, (_, s) => randomInstance(`tiny-${s}`)).filter((i) => allPanels(i.people, i.quotas, i.k).length > 1);
  expect(feasible.length).toBeGreaterThanOrEqual(5);
});

test('probabilities() gives the chances without needing the drawn panel', async () => {
  const { probabilities: chances } = await import('../../src/sortition');
  const pool = [person('a', { g: 'x' }), person('b', { g: 'x' }), person('c', { g: 'y' })];
  const quotas: Quota[] = [
    { category: 'g', value: 'x', min: 1, max: 1 },
    { category: 'g', value: 'y', min: 1, max: 1 },
  ];
  const result = await chances(pool, quotas, { panelSize: 2 });
  expect(result.probabilities.map((p) => p.probability)).toEqual([0.5, 0.5, 1].map((x) => expect.closeTo(x, 9)));
  expect(result.minProbability).toBeCloseTo(0.5, 9);
});
