import seedrandom from 'seedrandom';
import type { Person, Quota } from '../src/sortition/types';

/**
 * A synthetic pool the shape of the paper's largest real instance (sf_e: 1,727 people, panel of 110):
 * 7 categories with 2 to 6 values, registrations skewed against the population, some households.
 * Quotas are the population targets +/- a tolerance, as organisers set them.
 */
const CATEGORIES: { name: string; population: number[]; pool: number[] }[] = [
  { name: 'gender', population: [51, 49], pool: [58, 42] },
  { name: 'age', population: [14, 17, 17, 17, 16, 19], pool: [6, 11, 15, 18, 22, 28] },
  { name: 'region', population: [22, 18, 16, 15, 15, 14], pool: [30, 20, 15, 13, 12, 10] },
  { name: 'education', population: [30, 40, 30], pool: [15, 35, 50] },
  { name: 'ethnicity', population: [82, 7, 4, 4, 3], pool: [88, 5, 3, 2, 2] },
  { name: 'urban', population: [70, 30], pool: [64, 36] },
  { name: 'attitude', population: [25, 25, 25, 25], pool: [18, 22, 30, 30] },
];

export function syntheticInstance(options: { seed?: string; size?: number; panelSize?: number; tolerance?: number } = {}) {
  const { seed = 'sf_e-shape', size = 1727, panelSize = 110, tolerance = 2 } = options;
  const random = seedrandom(seed);
  const pick = (weights: number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  };
  const people: Person[] = [];
  for (let i = 0; i < size; i++) {
    const features = Object.fromEntries(CATEGORIES.map((c) => [c.name, `${c.name}-${pick(c.pool)}`]));
    // About 4% share an address with the person before them (same region, as households do).
    const shares = i > 0 && random() < 0.04;
    if (shares) features.region = people[i - 1].features.region;
    people.push({ id: `p${i}`, features, household: shares ? (people[i - 1].household ?? `addr-${i - 1}`) : `addr-${i}` });
    if (shares) people[i - 1].household = people[i].household;
  }
  const quotas: Quota[] = CATEGORIES.flatMap((c) => {
    const total = c.population.reduce((a, b) => a + b, 0);
    return c.population.map((share, v) => {
      const target = Math.round((share / total) * panelSize);
      return { category: c.name, value: `${c.name}-${v}`, min: Math.max(0, target - tolerance), max: target + tolerance };
    });
  });
  return { people, quotas, panelSize };
}
