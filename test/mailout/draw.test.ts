import { canonicalStrata, drawHouseholds, waveCommitmentText, type DrawableHousehold } from '../../src/mailout/draw';

const households: DrawableHousehold[] = Array.from({ length: 3000 }, (_, i) => ({ uprn: String(100_000 + i), ward: i % 3 === 0 ? 'Foleshill' : 'Earlsdon', decile: i % 3 === 0 ? 1 : (i % 10) + 1 }));
const strata = [{ ward: 'Foleshill', decile: 1, letters: 200 }, { ward: 'Earlsdon', decile: 5, letters: 30 }, { ward: 'Earlsdon', decile: 2, letters: 0 }];

describe('the address draw', () => {
  test('the same seed and plan give the same households, whatever order the register is in', () => {
    const a = drawHouseholds(households, strata, new Set(), 'seed-1');
    const b = drawHouseholds([...households].reverse(), [...strata].reverse(), new Set(), 'seed-1');
    expect(b).toEqual(a);
    expect(a).toHaveLength(230);
    expect(new Set(a).size).toBe(230);
    expect(drawHouseholds(households, strata, new Set(), 'seed-2')).not.toEqual(a);
  });

  test('each stratum gets its letters from its own households, none of them excluded', () => {
    const excluded = new Set(households.filter((h) => h.ward === 'Foleshill').slice(0, 500).map((h) => h.uprn));
    const chosen = drawHouseholds(households, strata, excluded, 'seed-1');
    const of = new Map(households.map((h) => [h.uprn, h]));
    expect(chosen.filter((u) => of.get(u)!.ward === 'Foleshill')).toHaveLength(200);
    expect(chosen.filter((u) => of.get(u)!.decile === 5 && of.get(u)!.ward === 'Earlsdon')).toHaveLength(30);
    expect(chosen.some((u) => excluded.has(u))).toBe(false);
  });

  test('every household of a stratum is equally likely to be written to', () => {
    const small = households.filter((h) => h.ward === 'Earlsdon' && h.decile === 5); // 200 households
    const counts = new Map<string, number>();
    for (let run = 0; run < 400; run++) for (const u of drawHouseholds(small, [{ ward: 'Earlsdon', decile: 5, letters: 50 }], new Set(), `run ${run}`)) counts.set(u, (counts.get(u) ?? 0) + 1);
    // Each has chance 1/4, so 100 letters expected in 400 runs (sd about 8.7): all within 5 sd.
    expect(counts.size).toBe(small.length);
    for (const n of counts.values()) expect(Math.abs(n - 100)).toBeLessThan(44);
  });

  test('a plan that asks more of a stratum than it has left is refused in words', () => {
    expect(() => drawHouseholds(households, [{ ward: 'Foleshill', decile: 1, letters: 1001 }], new Set(), 's')).toThrow('Foleshill, decile 1: the plan sends 1001 letters, but the register has 1000 households there not written to already');
  });

  test('the commitment text lists strata in one order, without the empty ones', () => {
    expect(canonicalStrata(strata).map((s) => `${s.ward} ${s.decile}`)).toEqual(['Earlsdon 5', 'Foleshill 1']);
    const c = { panel: 'p', wave: 1, method: 'address-draw-1', registerSha256: 'r', strata, excludedSha256: 'e', randomness: 'lottery' };
    expect(waveCommitmentText({ ...c, strata: [...strata].reverse() })).toBe(waveCommitmentText(c));
  });
});
