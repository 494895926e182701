import { z } from 'zod';

/**
 * A mail-out's plan (issue 21): how many letters, how they are spread over the register's strata (ward and
 * deprivation decile), and what they should bring in against the stage-two quotas. Pure.
 *
 * Letters go to each stratum in proportion to its households, the most deprived deciles weighted up by the
 * oversampling factor (so a ward with more deprived areas gets more than its share), never more than a stratum has.
 * Expected registrations are letters × the response rate of the stratum's decile, in registrations per 100 letters.
 */
export interface Stratum {
  ward: string;
  /** 1 (most deprived tenth) to 10; null where the register gives none. */
  decile: number | null;
  households: number;
}

export const planSettings = z.object({
  letters: z.coerce.number({ error: 'Letters: give a whole number.' }).int('Letters: give a whole number.').min(1, 'Letters: send at least 1.').max(1_000_000, 'Letters: at most 1,000,000 in one wave.'),
  factor: z.coerce.number({ error: 'Oversampling: give a number such as 1.5.' }).min(1, 'Oversampling: 1 (none) or more.').max(5, 'Oversampling: at most 5 times.'),
  deprived: z.coerce.number({ error: 'Deciles to oversample: give a whole number.' }).int().min(0, 'Deciles to oversample: 0 to 10.').max(10, 'Deciles to oversample: 0 to 10.'),
  /** Registrations per 100 letters, by decile (1 to 10), and for households without a decile. */
  rates: z.record(z.string(), z.coerce.number().min(0.1, 'Response rates: at least 0.1 per 100 letters.').max(100, 'Response rates: at most 100 per 100 letters.')),
});
export type PlanSettings = z.infer<typeof planSettings>;

const RATE_KEYS = [...Array.from({ length: 10 }, (_, i) => String(i + 1)), 'none'];
const rate = z.coerce.number({ error: 'Response rates: give a number such as 4.' }).min(0.1, 'Response rates: at least 0.1 per 100 letters.').max(100, 'Response rates: at most 100 per 100 letters.');

/** The plan's form: its fields flat (rate_1 to rate_10, rate_none), read into settings. An empty rate keeps the default. */
export const planForm = z
  .object({ ...planSettings.shape, rates: z.undefined().optional(), ...Object.fromEntries(RATE_KEYS.map((k) => [`rate_${k}`, z.preprocess((v) => (v === '' ? undefined : v), rate.optional())])) })
  .transform((f): PlanSettings => {
    const fields = f as Record<string, unknown>;
    const rates = Object.fromEntries(RATE_KEYS.flatMap((k) => (fields[`rate_${k}`] === undefined ? [] : [[k, fields[`rate_${k}`] as number]])));
    return { letters: f.letters, factor: f.factor, deprived: f.deprived, rates: { ...PUBLISHED_RATES, ...rates } };
  });
export const RATE_FIELDS = RATE_KEYS;

/**
 * Default response rates, per 100 letters: the newDemocracy/UNDEF handbook expects 3 to 5% of households to
 * respond, Climate Assembly UK had about 6%. Response falls with deprivation; how steeply varies, so this gradient
 * (2.5 in decile 1 to 6 in decile 10, about 4 overall) is illustrative. A panel's own earlier waves replace it
 * (observedRates) once a decile has had 100 letters.
 */
export const PUBLISHED_RATES: Record<string, number> = { ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), Math.round((2.5 + (3.5 * i) / 9) * 10) / 10])), none: 4 };
const OBSERVED_FROM = 100;

export const DEFAULT_SETTINGS: PlanSettings = { letters: 6000, factor: 1.5, deprived: 2, rates: PUBLISHED_RATES };

/** Rates seen in earlier waves, per decile with at least 100 letters; the published defaults elsewhere. */
export function observedRates(seen: { decile: number | null; letters: number; registrations: number }[]): { rates: Record<string, number>; observed: string[] } {
  const rates = { ...PUBLISHED_RATES };
  const observed: string[] = [];
  for (const s of seen) {
    const key = s.decile === null ? 'none' : String(s.decile);
    if (s.letters < OBSERVED_FROM) continue;
    rates[key] = Math.max(0.1, Math.round((1000 * s.registrations) / s.letters) / 10);
    observed.push(key);
  }
  return { rates, observed };
}

export const rateOf = (settings: PlanSettings, decile: number | null): number => settings.rates[decile === null ? 'none' : String(decile)] ?? settings.rates.none ?? PUBLISHED_RATES.none;

/** Letters per stratum, in the strata's order, adding up to the letters asked for (or every household, if fewer). */
export function allocate(strata: Stratum[], settings: Pick<PlanSettings, 'letters' | 'factor' | 'deprived'>): number[] {
  const weight = strata.map((s) => s.households * (s.decile !== null && s.decile <= settings.deprived ? settings.factor : 1));
  const total = Math.min(settings.letters, strata.reduce((n, s) => n + s.households, 0));
  const letters = strata.map(() => 0);
  const full = strata.map((s) => s.households === 0);
  // Water-filling: share what is left among strata not yet full, fill those the share would overflow, repeat.
  for (let left = total; left > 0; ) {
    const open = strata.map((_, i) => i).filter((i) => !full[i]);
    const sum = open.reduce((n, i) => n + weight[i], 0);
    const ideal = new Map(open.map((i) => [i, (left * weight[i]) / sum]));
    const overflowing = open.filter((i) => letters[i] + ideal.get(i)! >= strata[i].households);
    if (overflowing.length) {
      for (const i of overflowing) {
        left -= strata[i].households - letters[i];
        letters[i] = strata[i].households;
        full[i] = true;
      }
      continue;
    }
    // Largest remainders: whole letters first, then one more to the strata with the largest fractions.
    const floors = open.map((i) => [i, Math.floor(ideal.get(i)!), ideal.get(i)! % 1] as const);
    let given = 0;
    for (const [i, f] of floors) {
      letters[i] += f;
      given += f;
    }
    const byFraction = [...floors].sort((a, b) => b[2] - a[2] || a[0] - b[0]);
    for (let k = 0; k < left - given; k++) letters[byFraction[k][0]]++;
    left = 0;
  }
  return letters;
}

export interface QuotaTarget {
  category: string;
  value: string;
  label: string;
  min: number | null;
  max: number | null;
  /** Population share, percent. */
  share: number | null;
}

export interface Expectation {
  label: string;
  households: number;
  letters: number;
  expected: number;
  min: number | null;
  /** The chance (Poisson) that fewer register than the quota's minimum. */
  shortfall: number | null;
  warning?: string;
}

export interface Plan {
  letters: number[];
  total: number;
  expected: number;
  byWard: Expectation[];
  byDecile: Expectation[];
  /** The other stage-two quotas, on the assumption that those who register mirror the population's shares. */
  byQuota: Expectation[];
  warnings: string[];
}

const WARN_ABOVE = 0.05;

/** The whole plan: the allocation and what it should bring in against the quotas, with warnings in words. */
export function makePlan(strata: Stratum[], settings: PlanSettings, quotas: QuotaTarget[], wardCategory?: string): Plan {
  const letters = allocate(strata, settings);
  const expectedOf = strata.map((s, i) => (letters[i] * rateOf(settings, s.decile)) / 100);
  const group = (key: (s: Stratum) => string) => {
    const groups = new Map<string, { households: number; letters: number; expected: number }>();
    strata.forEach((s, i) => {
      const g = groups.get(key(s)) ?? { households: 0, letters: 0, expected: 0 };
      g.households += s.households;
      g.letters += letters[i];
      g.expected += expectedOf[i];
      groups.set(key(s), g);
    });
    return groups;
  };
  const expected = expectedOf.reduce((a, b) => a + b, 0);
  const wardQuotas = new Map(quotas.filter((q) => q.category === wardCategory).flatMap((q) => [[q.value, q], [q.label, q]]));
  const byWard = [...group((s) => s.ward)].sort((a, b) => a[0].localeCompare(b[0])).map(([ward, g]) => judge(ward, g, wardQuotas.get(ward)?.min ?? null));
  const byDecile = [...group((s) => (s.decile === null ? 'none' : String(s.decile)))]
    .sort((a, b) => (a[0] === 'none' ? 1 : b[0] === 'none' ? -1 : Number(a[0]) - Number(b[0])))
    .map(([d, g]) => judge(d === 'none' ? 'no decile' : `decile ${d}`, g, null));
  const byQuota = quotas
    .filter((q) => q.category !== wardCategory && q.share !== null)
    .map((q) => judge(q.label, { households: 0, letters: 0, expected: (expected * (q.share ?? 0)) / 100 }, q.min));
  const warnings = [...byWard, ...byQuota].flatMap((e) => (e.warning ? [e.warning] : []));
  for (const q of quotas.filter((q) => q.category === wardCategory && q.min)) {
    if (!byWard.some((w) => w.label === q.value || w.label === q.label)) warnings.push(`${q.label}: the register has no households in this ward, so its quota (at least ${q.min}) can only be met by registrations without a code.`);
  }
  return { letters, total: letters.reduce((a, b) => a + b, 0), expected, byWard, byDecile, byQuota, warnings };
}

function judge(label: string, g: { households: number; letters: number; expected: number }, min: number | null): Expectation {
  const shortfall = min ? poissonBelow(g.expected, min) : null;
  const e: Expectation = { label, ...g, min, shortfall };
  if (shortfall !== null && shortfall > WARN_ABOVE) {
    e.warning = `${label}: about ${Math.round(g.expected)} registrations expected for a quota of at least ${min}; a ${Math.round(shortfall * 100)}% chance of too few. Send more letters, oversample, or plan a second wave.`;
  }
  return e;
}

/** P(X < k) for X ~ Poisson(λ). */
export function poissonBelow(lambda: number, k: number): number {
  let term = Math.exp(-lambda);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    sum += term;
    term *= lambda / (i + 1);
  }
  return Math.min(1, sum);
}
