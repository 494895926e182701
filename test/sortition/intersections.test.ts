import seedrandom from 'seedrandom';
import { draw } from '../../src/sortition/draw';
import { InfeasibleError } from '../../src/sortition/feasibility';
import { InputError } from '../../src/sortition/instance';
import { readDrawFiles } from '../../src/sortition/pool';
import { checkQuotaSums } from '../../src/sortition/quotas';
import type { Person, Quota } from '../../src/sortition/types';
import { allPanels, bruteLeximin, valid } from './brute-force';

/** Tiny pools with age and gender quotas, and a two-way quota on some of their cells. */
function instance(seed: string) {
  const random = seedrandom(seed);
  const n = 8 + Math.floor(random() * 3);
  const k = 4;
  const people: Person[] = Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    features: { age: random() < 0.5 ? 'young' : 'old', gender: random() < 0.5 ? 'woman' : 'man' },
    household: random() < 0.2 ? `h${Math.floor(random() * 2)}` : undefined,
  }));
  const quotas: Quota[] = [
    { category: 'age', value: 'young', min: 1, max: 3 },
    { category: 'age', value: 'old', min: 1, max: 3 },
    { category: 'gender', value: 'woman', min: 1, max: 3 },
    { category: 'gender', value: 'man', min: 1, max: 3 },
    // At least one young woman, at most two old men; the other cells are free.
    { category: 'age & gender', value: 'young & woman', min: 1, max: 4 },
    { category: 'age & gender', value: 'old & man', min: 0, max: 2 },
  ];
  return { people, quotas, k };
}

const youngWomen = (people: Person[], ids: string[]) => ids.filter((id) => { const p = people.find((x) => x.id === id)!; return p.features.age === 'young' && p.features.gender === 'woman'; }).length;

describe('two-way quotas (age & gender)', () => {
  const instances = Array.from({ length: 30 }, (_, s) => instance(`two-way-${s}`)).filter((i) => allPanels(i.people, i.quotas, i.k).length > 0);

  test('LEXIMIN honours them and agrees with brute force over the panels that meet them', async () => {
    expect(instances.length).toBeGreaterThanOrEqual(10);
    for (const inst of instances) {
      const expected = await bruteLeximin(inst.people.length, allPanels(inst.people, inst.quotas, inst.k));
      const result = await draw(inst.people, inst.quotas, { panelSize: inst.k });
      result.probabilities.forEach((p, i) => expect(Math.abs(p.probability - expected[i])).toBeLessThan(1e-6));
      expect(youngWomen(inst.people, result.selected)).toBeGreaterThanOrEqual(1);
    }
  });

  test.each(['leximin', 'maximin', 'legacy'] as const)('%s: every panel drawn meets them, for many seeds', async (algorithm) => {
    for (const inst of instances.slice(0, 6)) {
      for (let s = 0; s < 5; s++) {
        const result = await draw(inst.people, inst.quotas, { panelSize: inst.k, algorithm, seed: `s${s}`, legacyRuns: 50 });
        const panel = result.selected.map((id) => inst.people.findIndex((p) => p.id === id));
        expect(valid(inst.people, inst.quotas, panel)).toBe(true);
        expect(youngWomen(inst.people, result.selected)).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('a two-way quota nobody can meet is diagnosed like any other', async () => {
    const people: Person[] = ['young', 'young', 'old', 'old'].map((age, i) => ({ id: `p${i}`, features: { age, gender: i % 2 ? 'man' : 'woman' } }));
    const quotas: Quota[] = [
      { category: 'age', value: 'young', min: 0, max: 2 },
      { category: 'age', value: 'old', min: 0, max: 2 },
      { category: 'gender', value: 'woman', min: 0, max: 2 },
      { category: 'gender', value: 'man', min: 0, max: 2 },
      { category: 'age & gender', value: 'young & woman', min: 2, max: 2 },
    ];
    const err = await draw(people, quotas, { panelSize: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfeasibleError);
    expect(JSON.stringify((err as InfeasibleError).relaxations)).toContain('young & woman');
  });

  test('a two-way quota on a category with no quotas of its own, or with the wrong number of values, is refused in words', async () => {
    const people: Person[] = [{ id: 'a', features: { age: 'young', gender: 'woman' } }];
    const base: Quota[] = [{ category: 'age', value: 'young', min: 0, max: 1 }];
    await expect(draw(people, [...base, { category: 'age & gendr', value: 'young & woman', min: 0, max: 1 }], { panelSize: 1 })).rejects.toThrow(
      new InputError('the two-way quota "age & gendr: young & woman" names "gendr", which has no quotas of its own; add them, or check the spelling'),
    );
    await expect(draw(people, [...base, { category: 'gender', value: 'woman', min: 0, max: 1 }, { category: 'age & gender', value: 'young', min: 0, max: 1 }], { panelSize: 1 })).rejects.toThrow(/needs one value for each of its 2 categories/);
  });

  test('the quota file and pool file read them (the pool needs only the plain categories); a partial two-way quota is not short of maximums', () => {
    const { people, quotas } = readDrawFiles('id,age,gender\na,young,woman\nb,old,man\n', 'category,value,min,max\nage,young,0,1\nage,old,0,1\ngender,woman,0,1\ngender,man,0,1\nage & gender,young & woman,1,1\n', []);
    expect(people[0].features).toEqual({ age: 'young', gender: 'woman' });
    expect(quotas.at(-1)).toEqual({ category: 'age & gender', value: 'young & woman', min: 1, max: 1 });
    expect(checkQuotaSums(quotas, 2)).toEqual([]);
    expect(checkQuotaSums([...quotas, { category: 'age & gender', value: 'old & man', min: 2, max: 2 }], 2)).toEqual(['age & gender: the minimums add up to 3, more than the panel size 2. Lower some minimums by 1 in all.']);
  });
});

test('a swap in the cheap pricing keeps a two-way quota that counts one type and not the other', async () => {
  const { buildInstance } = await import('../../src/sortition/instance');
  const { SwapSearch } = await import('../../src/sortition/swaps');
  const people: Person[] = [
    { id: 'yw1', features: { age: 'young', gender: 'woman' } },
    { id: 'yw2', features: { age: 'young', gender: 'woman' } },
    { id: 'ow', features: { age: 'old', gender: 'woman' } },
    { id: 'om', features: { age: 'old', gender: 'man' } },
  ];
  const quotas: Quota[] = [
    { category: 'age', value: 'young', min: 0, max: 2 },
    { category: 'age', value: 'old', min: 0, max: 2 },
    { category: 'gender', value: 'woman', min: 0, max: 2 },
    { category: 'gender', value: 'man', min: 0, max: 2 },
    { category: 'age & gender', value: 'young & woman', min: 0, max: 1 },
  ];
  const instance = buildInstance(people, quotas, 2);
  const typeOf = (id: string) => instance.types.findIndex((t) => t.members.includes(people.findIndex((p) => p.id === id)));
  // The panel holds one young woman and the old woman; the weights pull a second young woman in, past the limit of 1.
  const start = new Int32Array(instance.types.length);
  start[typeOf('yw1')] = 1;
  start[typeOf('ow')] = 1;
  const weights = new Float64Array(instance.types.length);
  weights[typeOf('yw1')] = 10;
  const better = new SwapSearch(instance).improve(start, weights);
  if (better) expect(better[typeOf('yw1')]).toBeLessThanOrEqual(1);
});
