import seedrandom from 'seedrandom';
import { buildInstance } from '../../src/sortition/instance';
import { leximin } from '../../src/sortition/leximin';
import { highs } from '../../src/sortition/solver';
import type { Person, Quota } from '../../src/sortition/types';
import { roundToUniform } from '../../src/sortition/uniform';
import { digestsText, entryIds, listFingerprint, listLines, listText, readListText, uniformList } from '../../src/sortition/uniform-list';
import { sha256 } from '../../src/tokens';
import { allPanels, bruteLeximin, valid } from './brute-force';

jest.setTimeout(120_000);

const person = (id: string, features: Record<string, string>, household?: string): Person => ({ id, features, household });

/** The LEXIMIN lottery of the engine, rounded to `size` panels: what `uniformList` does, without the text. */
async function rounded(people: Person[], quotas: Quota[], k: number, size: number) {
  const instance = buildInstance(people, quotas, k);
  return roundToUniform(instance, leximin(await highs(), instance), size, people.length);
}

/** Each person's chance in a list of panels (indices), recounted from the list itself. */
const recount = (panels: number[][], n: number) => {
  const held = new Array<number>(n).fill(0);
  for (const panel of panels) for (const i of panel) held[i]++;
  return held.map((h) => h / panels.length);
};

/** The smallest largest change any uniform lottery of `size` valid panels can have: every multiset, by brute force. */
function bestPossible(panels: number[][], n: number, size: number, target: number[]): number {
  let best = Infinity;
  const held = new Array<number>(n).fill(0);
  const walk = (from: number, left: number) => {
    if (left === 0) {
      best = Math.min(best, Math.max(...held.map((h, i) => Math.abs(h / size - target[i]))));
      return;
    }
    for (let p = from; p < panels.length; p++) {
      for (const i of panels[p]) held[i]++;
      walk(p, left - 1);
      for (const i of panels[p]) held[i]--;
    }
  };
  walk(0, size);
  return best;
}

describe('a uniform lottery, checked by hand', () => {
  // engine.test.ts's pool: either the conservative woman sits with the 4 liberal men, or the conservative man with
  // the liberal woman and 3 of the 4. LEXIMIN: each 1/2 but the liberal men, 7/8 each.
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

  test('8 panels give LEXIMIN exactly: 4 with the conservative woman, 4 leaving out each liberal man in turn', async () => {
    const list = await rounded(pool, quotas, 5, 8);
    expect(list.panels).toHaveLength(8);
    for (const panel of list.panels) expect(valid(pool, quotas, panel)).toBe(true);
    expect(Array.from(list.chances)).toEqual([0.5, 0.5, 0.5, 0.875, 0.875, 0.875, 0.875]);
    expect(list.maxChange).toBeLessThan(1e-9);
  });

  test('100 panels: the liberal men get 87 or 88 each, as close to 87.5 as whole panels allow', async () => {
    const list = await rounded(pool, quotas, 5, 100);
    const held = list.chances.map((c) => Math.round(c * 100));
    expect(Array.from(held.slice(0, 3))).toEqual([50, 50, 50]);
    expect(Array.from(held.slice(3)).sort()).toEqual([87, 87, 88, 88]);
    expect(list.maxChange).toBeCloseTo(0.005, 9);
  });
});

test('exchanges never seat housemates together or break a quota, even when the chances asked for pull that way', () => {
  // h1 and h2 share an address. The one panel puts h2 with two of the four x and one of the four y; the chances asked
  // for want h1 on half the panels and x on fewer. Taking x off for h1 would seat h1 beside h2; taking y off for h1
  // would put four of profile A on a panel that allows three.
  const people = [
    person('h1', { g: 'A' }, 'one house'),
    person('h2', { g: 'A' }, 'one house'),
    ...[1, 2, 3, 4].map((i) => person(`x${i}`, { g: 'A' })),
    ...[1, 2, 3, 4].map((i) => person(`y${i}`, { g: 'B' })),
  ];
  const quotas: Quota[] = [
    { category: 'g', value: 'A', min: 2, max: 3 },
    { category: 'g', value: 'B', min: 1, max: 2 },
  ];
  const instance = buildInstance(people, quotas, 4);
  const panel = Int32Array.from(instance.types, (t) => (t.members[0] === 1 ? 1 : t.count === 4 && people[t.members[0]].features.g === 'A' ? 2 : t.count === 4 ? 1 : 0));
  const asked = Float64Array.from(instance.types, (t) => (t.members[0] === 0 ? 0.5 : t.members[0] === 1 ? 1 : people[t.members[0]].features.g === 'A' ? 0.25 : 0.25));
  const list = roundToUniform(instance, { panels: [panel], probabilities: Float64Array.of(1), marginals: asked, notes: [] }, 100, people.length);
  for (const p of list.panels) {
    expect(valid(people, quotas, p)).toBe(true);
    expect(p.includes(0) && p.includes(1)).toBe(false);
  }
  // h1 did get panels, from h2 (whose place is the only one h1 may take), and the x gave theirs to h2 where h1 was not.
  expect(list.chances[0]).toBeGreaterThan(0);
  expect(list.maxChange).toBeCloseTo(Math.max(...Array.from(list.chances, (c, i) => Math.abs(c - list.leximin[i]))), 12);
});

describe('against brute force on tiny random pools', () => {
  const instances = Array.from({ length: 8 }, (_, seed) => randomInstance(`uniform-${seed}`)).filter((inst) => allPanels(inst.people, inst.quotas, inst.k).length > 0);
  test.each(instances.map((inst, i) => [i, inst] as const))('instance %i', async (_i, inst) => {
    const every = allPanels(inst.people, inst.quotas, inst.k);
    const expected = await bruteLeximin(inst.people.length, every);
    for (const size of [5, 40]) {
      const list = await rounded(inst.people, inst.quotas, inst.k, size);
      // The LEXIMIN chances it rounds are the brute-force ones; every panel of the list is a valid one.
      list.leximin.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-6));
      expect(list.panels).toHaveLength(size);
      const keys = new Set(every.map((p) => p.join(',')));
      for (const panel of list.panels) expect(keys.has(panel.join(','))).toBe(true);
      // The reported bound is the list's own: recounted, every chance is within it.
      const chances = recount(list.panels, inst.people.length);
      chances.forEach((c, i) => expect(Math.abs(c - expected[i])).toBeLessThanOrEqual(list.maxChange + 1e-6));
      expect(Math.max(...chances.map((c, i) => Math.abs(c - list.leximin[i])))).toBeCloseTo(list.maxChange, 9);
      // And it is within one panel in `size` of the best any uniform lottery of that many panels can do.
      if (size === 5 && every.length <= 40) expect(list.maxChange).toBeLessThanOrEqual(bestPossible(every, inst.people.length, size, expected) + 1 / size + 1e-9);
    }
  });
});

test('two-way quotas hold on every panel of the list too (a cell with a quota, beside cells without)', async () => {
  // Young women at least 2 and old men at most 1, on a panel of 4: the exchanges must not trade a young woman for a
  // young man where that leaves one, nor bring in a second old man. The chances asked for pull both ways.
  const random = seedrandom('uniform-two-way');
  const people = Array.from({ length: 14 }, (_, i) => person(`p${i}`, { age: random() < 0.5 ? 'young' : 'old', gender: random() < 0.5 ? 'woman' : 'man' }, i % 5 === 0 ? `h${i}` : undefined));
  people[1].household = people[0].household;
  const quotas: Quota[] = [
    { category: 'age', value: 'young', min: 1, max: 3 },
    { category: 'age', value: 'old', min: 1, max: 3 },
    { category: 'gender', value: 'woman', min: 1, max: 3 },
    { category: 'gender', value: 'man', min: 1, max: 3 },
    { category: 'age & gender', value: 'young & woman', min: 2, max: 4 },
    { category: 'age & gender', value: 'old & man', min: 0, max: 1 },
  ];
  const every = allPanels(people, quotas, 4);
  expect(every.length).toBeGreaterThan(10);
  const list = await rounded(people, quotas, 4, 1000);
  const keys = new Set(every.map((p) => p.join(',')));
  for (const panel of list.panels) expect(keys.has(panel.join(','))).toBe(true);
  // The same, from a lottery that asks for chances its panels do not give, so that many exchanges are tried.
  const instance = buildInstance(people, quotas, 4);
  const lottery = leximin(await highs(), instance);
  const skewed = { ...lottery, marginals: Float64Array.from(lottery.marginals, (m, t) => (t % 2 ? Math.min(1, m * 1.5) : m * 0.5)) };
  for (const panel of roundToUniform(instance, skewed, 1000, people.length).panels) expect(keys.has(panel.join(','))).toBe(true);
});

describe('a pool of 240 with households, rounded to 1,000 panels', () => {
  const { people, quotas, k } = mediumInstance('uniform-medium');
  let first: Awaited<ReturnType<typeof uniformList>>;

  beforeAll(async () => {
    first = await uniformList(people, quotas, { panelSize: k, size: 1000 });
  });

  test('every panel meets every quota and the household rule, and the chances add up to the panel size', () => {
    expect(first.lines).toHaveLength(1000);
    const index = new Map(people.map((p, i) => [p.id, i]));
    first.lines.forEach((_, n) => {
      const panel = entryIds(first.lines, n).map((id) => index.get(id) as number);
      expect(panel).toHaveLength(k);
      expect(valid(people, quotas, panel)).toBe(true);
    });
    expect(first.chances.reduce((a, b) => a + b, 0)).toBeCloseTo(k, 9);
    expect(first.leximin.reduce((a, b) => a + b, 0)).toBeCloseTo(k, 6);
  });

  test('everyone is within the reported bound of their LEXIMIN chance, and the bound is small: under 2 panels in 1,000', () => {
    const index = new Map(people.map((p, i) => [p.id, i]));
    const held = new Array<number>(people.length).fill(0);
    first.lines.forEach((_, n) => entryIds(first.lines, n).forEach((id) => held[index.get(id) as number]++));
    held.forEach((h, i) => expect(Math.abs(h / 1000 - first.leximin[i])).toBeLessThanOrEqual(first.maxChange + 1e-12));
    expect(first.maxChange).toBeLessThan(0.002);
    // Most people are on floor or ceil of 1,000 times their chance.
    const inBand = held.filter((h, i) => Math.abs(h - 1000 * first.leximin[i]) < 1).length;
    expect(inBand / people.length).toBeGreaterThan(0.95);
  });

  test('the same files make the same list, line for line, and the same fingerprint', async () => {
    const again = await uniformList(people, quotas, { panelSize: k, size: 1000 });
    expect(again.lines).toEqual(first.lines);
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  test('the fingerprint is the SHA-256 of the digests, each the SHA-256 of its numbered line; the list reads back', () => {
    expect(first.lines[0]).toMatch(/^000 p\d+( p\d+)+$/);
    expect(first.lines[999]).toMatch(/^999 /);
    const digests = digestsText(first.lines).split('\n');
    expect(digests[417]).toBe(`417 ${sha256(first.lines[417])}`);
    expect(first.fingerprint).toBe(sha256(digestsText(first.lines)));
    expect(readListText(listText(first.lines))).toEqual(first.lines);
    // Lines in order, each with its ids in order: the text does not depend on the order the panels were made in.
    const reordered = listLines([...first.lines].reverse().map((_, n, all) => entryIds(all, n).reverse()), 1000);
    expect(listFingerprint(reordered)).toBe(first.fingerprint);
  });

  test('a Nash lottery rounds too: its own chances, each within the bound, the chances adding up to the panel', async () => {
    const list = await uniformList(people, quotas, { panelSize: k, algorithm: 'nash', size: 1000 });
    const index = new Map(people.map((p, i) => [p.id, i]));
    const held = new Array<number>(people.length).fill(0);
    list.lines.forEach((_, n) => entryIds(list.lines, n).forEach((id) => held[index.get(id) as number]++));
    held.forEach((h, i) => expect(Math.abs(h / 1000 - list.leximin[i])).toBeLessThanOrEqual(list.maxChange + 1e-12));
    expect(list.leximin).not.toEqual(first.leximin); // Nash's chances, not LEXIMIN's
    expect(list.chances.reduce((a, b) => a + b, 0)).toBeCloseTo(k, 9);
  });

  test('a list for a method with no lottery of panels, or of a size no dice give, is refused in words', async () => {
    await expect(uniformList(people, quotas, { panelSize: k, algorithm: 'legacy', size: 1000 })).rejects.toThrow('a list for dice rounds a leximin, maximin or nash lottery; legacy has none');
    await expect(uniformList(people, quotas, { panelSize: k, size: 999 })).rejects.toThrow('the list has 100, 1000, 10000 panels');
  });
});

function randomInstance(seed: string) {
  const random = seedrandom(seed);
  const n = 7 + Math.floor(random() * 3);
  const k = 3;
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

/** 240 people in 4 categories, skewed against the quotas, about 1 in 12 sharing an address with the one before. */
function mediumInstance(seed: string) {
  const random = seedrandom(seed);
  const pick = (weights: number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  };
  const categories = [
    { name: 'gender', pool: [60, 40], panel: [10, 10] },
    { name: 'age', pool: [10, 20, 30, 40], panel: [5, 5, 5, 5] },
    { name: 'area', pool: [40, 30, 20, 10], panel: [5, 5, 5, 5] },
    { name: 'ethnicity', pool: [85, 10, 5], panel: [16, 2, 2] },
  ];
  const people: Person[] = [];
  for (let i = 0; i < 240; i++) {
    const features = Object.fromEntries(categories.map((c) => [c.name, `${c.name}-${pick(c.pool)}`]));
    const shares = i > 0 && random() < 0.08;
    people.push(person(`p${i}`, features, shares ? people[i - 1].household : `addr-${i}`));
  }
  const quotas: Quota[] = categories.flatMap((c) => c.panel.map((target, v) => ({ category: c.name, value: `${c.name}-${v}`, min: Math.max(0, target - 1), max: target + 1 })));
  return { people, quotas, k: 20 };
}
