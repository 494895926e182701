import { syntheticInstance } from '../../bench/synthetic';
import { chooseAlternates } from '../../src/sortition/alternates';
import { draw } from '../../src/sortition/draw';
import { DEFAULT_DROPOUT, dropoutChance, parseDropoutCsv } from '../../src/sortition/dropout';
import { QuotaKeeper } from '../../src/sortition/keeper';
import { dropoutProblem, seatings } from '../../src/selection/alternates';
import type { Member } from '../../src/membership/members';
import type { Person, Quota } from '../../src/sortition/types';

jest.setTimeout(60_000);

const person = (id: string, gender: string, age: string, household?: string): Person => ({ id, features: { gender, age }, household });
const QUOTAS: Quota[] = [
  { category: 'gender', value: 'W', min: 1, max: 1 },
  { category: 'gender', value: 'M', min: 1, max: 1 },
  { category: 'age', value: 'young', min: 0, max: 2 },
  { category: 'age', value: 'old', min: 0, max: 2 },
];

describe('the dropout table', () => {
  test('a person’s chance is the base rate times each of their values’ rate over it, capped at 90%', () => {
    const table = parseDropoutCsv('category,value,percent\nall,,10\nage,young,20\ngender,M,15\n');
    const chance = dropoutChance(table);
    expect(chance(person('a', 'W', 'old'))).toBeCloseTo(0.1, 12);
    expect(chance(person('b', 'W', 'young'))).toBeCloseTo(0.2, 12);
    expect(chance(person('c', 'M', 'young'))).toBeCloseTo(0.3, 12);
    const steep = dropoutChance(parseDropoutCsv('category,value,percent\nall,,10\nage,young,90\ngender,M,90\n'));
    expect(steep(person('d', 'M', 'young'))).toBe(0.9);
    expect(dropoutChance(DEFAULT_DROPOUT)(person('e', 'M', 'old'))).toBe(0.1);
  });

  test('a table with a value listed twice, a category the quotas do not have, or a rate over 90 is refused line by line', () => {
    expect(() => parseDropoutCsv('category,value,percent\nage,young,20\nage,young,30\n')).toThrow('line 3: "age: young" is listed twice');
    expect(() => parseDropoutCsv('category,value,percent\nincome,low,20\n', new Set(['age']))).toThrow('"income" is not one of the quotas\' categories (age)');
    expect(() => parseDropoutCsv('category,value,percent\nage,young,91\n')).toThrow('"91" is not a percentage from 0 to 90');
    expect(() => parseDropoutCsv('category,value,percent\nage,,20\n')).toThrow('needs a category and a value');
  });
});

describe('the keeper’s rule', () => {
  const keeper = new QuotaKeeper(QUOTAS);
  const rows = (p: Person) => keeper.rowsOf(p);

  test('someone may take an empty seat only if no quota goes over and every shortfall can still be made up', () => {
    // Seated: one old man. Two seats empty. The woman's quota (1-1) is short by one.
    const counts = keeper.counts([rows(person('m', 'M', 'old'))]);
    expect(keeper.keeps(rows(person('w', 'W', 'young')), counts, 2)).toBe(true);
    // A second man would break the men's maximum of 1.
    expect(keeper.keeps(rows(person('m2', 'M', 'young')), counts, 2)).toBe(false);
    // With one seat left, only a woman keeps the quotas within reach.
    const full = keeper.counts([rows(person('m', 'M', 'old')), rows(person('o', 'X', 'old'))]);
    expect(keeper.keeps(rows(person('x', 'X', 'young')), full, 1)).toBe(false);
    expect(keeper.keeps(rows(person('w', 'W', 'young')), full, 1)).toBe(true);
  });
});

describe('choosing alternates', () => {
  const people = [person('w1', 'W', 'young', 'h1'), person('m1', 'M', 'old', 'h2'), person('w2', 'W', 'old', 'h1'), person('w3', 'W', 'old', 'h3'), person('m2', 'M', 'young', 'h4'), person('m3', 'M', 'old', 'h5')];

  test('the list is from outside the panel and its households, and its simulated chance is the exact one on a pool small enough to count', () => {
    const found = chooseAlternates({ people, quotas: QUOTAS, panel: ['w1', 'm1'], count: 1, dropout: () => 0.1, seed: 's', checks: 40_000 });
    expect(found.list).toHaveLength(1);
    expect(['w1', 'm1', 'w2']).not.toContain(found.list[0]);
    // Exactly: nobody drops (0.81), or only the one the alternate can replace drops and the alternate says yes (0.09 x 0.9).
    expect(found.keep).toBeCloseTo(0.81 + 0.09 * 0.9, 2);
    expect(found.full).toBeCloseTo(found.keep, 12);
    expect(found.expectedDropouts).toBeCloseTo(0.2, 12);
  });

  test('the same input and seed make the same list and figures', () => {
    const input = { people, quotas: QUOTAS, panel: ['w1', 'm1'], count: 2, dropout: () => 0.1, checks: 2000 };
    const a = chooseAlternates({ ...input, seed: 'one' });
    expect(chooseAlternates({ ...input, seed: 'one' })).toEqual(a);
    // Two alternates cover both genders: one woman and one man, whoever they are.
    expect(a.list.map((id) => id[0]).sort()).toEqual(['m', 'w']);
  });

  test('each person’s chance of being on the list adds up to the list’s length, and nobody drawn has one', () => {
    const found = chooseAlternates({ people, quotas: QUOTAS, panel: ['w1', 'm1'], count: 2, dropout: () => 0.1, seed: 's' });
    expect(found.onList.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 12);
    expect([found.onList[0], found.onList[1], found.onList[2]]).toEqual([0, 0, 0]);
    found.serve.forEach((s, i) => expect(s).toBeLessThanOrEqual(found.onList[i] + 1e-12));
  });

  test('on a pool the shape of the paper’s largest, the list keeps the quotas far more often than a naive list of the same length', async () => {
    const { people: pool, quotas, panelSize } = syntheticInstance();
    const panel = (await draw(pool, quotas, { panelSize, algorithm: 'legacy', seed: 'alternates', legacyRuns: 1 })).selected;
    const found = chooseAlternates({ people: pool, quotas, panel, count: 22, dropout: dropoutChance(DEFAULT_DROPOUT), seed: 'alternates' });
    expect(found.list).toHaveLength(22);
    expect(found.keep).toBeGreaterThan(found.naiveKeep + 0.2);
  });
});

describe('the rule as done is the rule as simulated', () => {
  const QUOTA_FILE = 'category,value,min,max\ngender,W,0,2\ngender,M,0,3\nage,young,0,2\nage,old,0,3\n';
  const POOL = 'id,gender,age,household\ns1,W,old,\ns2,M,young,\nA,W,old,\nB,W,young,\nC,M,young,\nD,M,old,\ngone,W,old,\n';
  const member = (publicId: string, status: Member['status'], id: number): Member => ({ id, registrantId: id, publicId, name: null, email: null, phone: null, drawId: 1, status, invitedAt: null, answeredAt: null, replacedByDraw: null, roomName: null, language: 'en' });

  test('the empty seats are offered at once, each to the first alternate who keeps every quota with those just asked; one who says no is passed over next time', () => {
    const seated = [member('s1', 'confirmed', 1), member('s2', 'confirmed', 2)];
    const empty = [member('x1', 'withdrawn', 3), member('x2', 'withdrawn', 4)];
    const first = seatings(POOL, QUOTA_FILE, [...seated, ...empty], ['A', 'B', 'C', 'D'], empty);
    // A (a woman) fills the women's maximum with those seated, so B (another) cannot come; C can.
    expect(first.map((s) => s.alternate)).toEqual(['A', 'C']);
    // A says no: their seat is offered again with C counted; A is not asked twice, B would be a third young person.
    const a = member('A', 'declined', 5);
    const c = member('C', 'selected', 6);
    const second = seatings(POOL, QUOTA_FILE, [...seated, ...empty, a, c], ['A', 'B', 'C', 'D'], [a]);
    expect(second.map((s) => s.alternate)).toEqual(['D']);
  });

  test('an erased alternate is never seated', () => {
    const empty = [member('x1', 'withdrawn', 3)];
    expect(seatings(POOL, QUOTA_FILE, [member('s1', 'confirmed', 1), ...empty], ['gone', 'A'], empty, new Set(['gone'])).map((s) => s.alternate)).toEqual(['A']);
  });

  test('a dropout table that does not fit the quotas is found before the commitment fixes it', () => {
    expect(dropoutProblem('category,value,percent\ntenure,Renter,20\n', QUOTA_FILE)).toContain('"tenure" is not one of the quotas\' categories (gender, age)');
    expect(dropoutProblem('category,value,percent\nage,middle,20\n', QUOTA_FILE)).toBe('"age: middle" is not a value of the quotas');
    expect(dropoutProblem('category,value,percent\nall,,12\nage,young,20\n', QUOTA_FILE)).toBeUndefined();
  });
});
