import fc from 'fast-check';
import { allocate, DEFAULT_SETTINGS, makePlan, observedRates, poissonBelow, type Stratum } from '../../src/mailout/plan';

const strata: Stratum[] = [
  { ward: 'Foleshill', decile: 1, households: 4000 },
  { ward: 'Foleshill', decile: 3, households: 4000 },
  { ward: 'Earlsdon', decile: 9, households: 6000 },
  { ward: 'Earlsdon', decile: null, households: 2000 },
];

describe('allocating letters', () => {
  test('letters add up to what was asked, in proportion to households, the deprived deciles weighted up', () => {
    const letters = allocate(strata, { letters: 1700, factor: 1.5, deprived: 2 });
    expect(letters.reduce((a, b) => a + b, 0)).toBe(1700);
    // Weights 6000 : 4000 : 6000 : 2000 over 18,000: decile 1 gets 1.5 times the letters per household of the rest.
    expect(letters).toEqual([567, 378, 566, 189]);
    expect(letters[0] / 4000 / (letters[1] / 4000)).toBeCloseTo(1.5, 1);
  });

  test('no oversampling is plain proportion; more letters than households writes to everyone', () => {
    expect(allocate(strata, { letters: 1600, factor: 1, deprived: 2 })).toEqual([400, 400, 600, 200]);
    expect(allocate(strata, { letters: 99_999, factor: 2, deprived: 2 })).toEqual([4000, 4000, 6000, 2000]);
  });

  test('a small stratum that the share would overflow is filled, and the rest shared among the others', () => {
    const letters = allocate([{ ward: 'A', decile: 1, households: 10 }, { ward: 'B', decile: 5, households: 1000 }], { letters: 500, factor: 5, deprived: 1 });
    expect(letters).toEqual([10, 490]);
  });

  test('for any register and settings: the sum is right, no stratum gets more letters than households', () => {
    const stratum = fc.record({ ward: fc.constantFrom('A', 'B', 'C'), decile: fc.option(fc.integer({ min: 1, max: 10 })), households: fc.nat(5000) });
    fc.assert(fc.property(fc.array(stratum, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 200_000 }), fc.double({ min: 1, max: 5, noNaN: true }), fc.integer({ min: 0, max: 10 }), (ss, n, factor, deprived) => {
      const letters = allocate(ss, { letters: n, factor, deprived });
      const households = ss.reduce((a, s) => a + s.households, 0);
      expect(letters.reduce((a, b) => a + b, 0)).toBe(Math.min(n, households));
      letters.forEach((l, i) => {
        expect(Number.isInteger(l)).toBe(true);
        expect(l).toBeGreaterThanOrEqual(0);
        expect(l).toBeLessThanOrEqual(ss[i].households);
      });
    }));
  });
});

describe('the plan against the quotas', () => {
  const quotas = [
    { category: 'ward', value: 'Foleshill', label: 'Foleshill', min: 3, max: 6, share: 6 },
    { category: 'ward', value: 'Earlsdon', label: 'Earlsdon', min: 2, max: 5, share: 5 },
    { category: 'ward', value: 'Wyken', label: 'Wyken', min: 2, max: 4, share: 5 },
    { category: 'age', value: '16-24', label: '16 to 24', min: 30, max: 40, share: 20 },
  ];

  test('expected registrations per ward and decile; a quota unlikely to be met is warned about in words', () => {
    const plan = makePlan(strata, { ...DEFAULT_SETTINGS, letters: 300 }, quotas, 'ward');
    expect(plan.total).toBe(300);
    const foleshill = plan.byWard.find((w) => w.label === 'Foleshill')!;
    expect(foleshill.letters).toBe(100 + 67);
    expect(foleshill.expected).toBeCloseTo(100 * 2.5 / 100 + 67 * 3.3 / 100, 5);
    expect(plan.byDecile.map((d) => d.label)).toEqual(['decile 1', 'decile 3', 'decile 9', 'no decile']);
    expect(plan.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Foleshill: about 5 registrations expected for a quota of at least 3; a \d+% chance of too few/),
      expect.stringMatching(/^16 to 24: about 2 registrations expected for a quota of at least 30/),
      'Wyken: the register has no households in this ward, so its quota (at least 2) can only be met by registrations without a code.',
    ]));
    const big = makePlan(strata, { ...DEFAULT_SETTINGS, letters: 16_000 }, quotas.slice(0, 2), 'ward');
    expect(big.warnings).toEqual([]);
  });

  test('rates from earlier waves replace the defaults once a decile has had 100 letters', () => {
    const { rates, observed } = observedRates([{ decile: 1, letters: 400, registrations: 6 }, { decile: 2, letters: 50, registrations: 5 }]);
    expect(rates['1']).toBe(1.5);
    expect(rates['2']).toBe(DEFAULT_SETTINGS.rates['2']);
    expect(observed).toEqual(['1']);
  });

  test('the Poisson chance of too few', () => {
    expect(poissonBelow(2, 1)).toBeCloseTo(Math.exp(-2), 10);
    expect(poissonBelow(2, 3)).toBeCloseTo(Math.exp(-2) * (1 + 2 + 2), 10);
    expect(poissonBelow(500, 10)).toBeLessThan(1e-100);
  });
});
