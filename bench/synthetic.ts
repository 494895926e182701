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

/**
 * `tolerance` 0 makes every quota exact (min = max); `sharing` is the share of people who live with the person
 * registered before them (issue 23's hard shapes: exact quotas, 30% sharing, a pool of 6,000 for 200 seats).
 */
export function syntheticInstance(options: { seed?: string; size?: number; panelSize?: number; tolerance?: number; sharing?: number } = {}) {
  const { seed = 'sf_e-shape', size = 1727, panelSize = 110, tolerance = 2, sharing = 0.04 } = options;
  const random = seedrandom(seed);
  const pick = (weights: number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  };
  const people: Person[] = [];
  for (let i = 0; i < size; i++) {
    const features = Object.fromEntries(CATEGORIES.map((c) => [c.name, `${c.name}-${pick(c.pool)}`]));
    // Some share an address with the person before them (same region, as households do): 4% by default.
    const shares = i > 0 && random() < sharing;
    if (shares) features.region = people[i - 1].features.region;
    people.push({ id: `p${i}`, features, household: shares ? (people[i - 1].household ?? `addr-${i - 1}`) : `addr-${i}` });
    if (shares) people[i - 1].household = people[i].household;
  }
  const quotas: Quota[] = CATEGORIES.flatMap((c) => {
    const targets = tolerance === 0 ? exactTargets(c.population, panelSize) : c.population.map((share) => Math.round((share / sum(c.population)) * panelSize));
    return targets.map((target, v) => ({ category: c.name, value: `${c.name}-${v}`, min: Math.max(0, target - tolerance), max: target + tolerance }));
  });
  return { people, quotas, panelSize };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Seats by largest remainder, so exact quotas add up to the panel. */
function exactTargets(population: number[], panelSize: number): number[] {
  const raw = population.map((share) => (share / sum(population)) * panelSize);
  const seats = raw.map(Math.floor);
  const order = raw.map((r, i) => ({ i, left: r - Math.floor(r) })).sort((a, b) => b.left - a.left);
  const short = panelSize - sum(seats);
  for (let k = 0; k < short; k++) seats[order[k].i]++;
  return seats;
}
