import seedrandom from 'seedrandom';
import type { Instance } from './instance';

export type Random = () => number;

export function rng(seed: string): Random {
  return seedrandom(seed);
}

/** Picks index i with probability weights[i] (weights add up to 1). */
export function pickWeighted(weights: ArrayLike<number>, random: Random): number {
  let r = random();
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** k distinct items of `items`, uniformly, in a seeded order (partial Fisher-Yates). */
export function sample<T>(items: readonly T[], k: number, random: Random): T[] {
  const copy = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}

/** A lottery over panels (people per type), and what it gives each type's members. */
export interface Portfolio {
  panels: Int32Array[];
  probabilities: Float64Array;
  /** Per type: each member's chance of selection. */
  marginals: Float64Array;
  notes: string[];
}

/** The portfolio of these panels with these weights, scaled to add up to 1; panels of no weight dropped. */
export function portfolio(instance: Instance, panels: Int32Array[], weights: ArrayLike<number>, notes: string[] = []): Portfolio {
  const kept = panels.map((panel, p) => ({ panel, weight: weights[p] > 1e-12 ? weights[p] : 0 })).filter((e) => e.weight > 0);
  const total = kept.reduce((sum, e) => sum + e.weight, 0);
  const probabilities = Float64Array.from(kept, (e) => e.weight / total);
  const marginals = new Float64Array(instance.types.length);
  kept.forEach(({ panel }, p) => panel.forEach((x, t) => (marginals[t] += (probabilities[p] * x) / instance.types[t].count)));
  return { panels: kept.map((e) => e.panel), probabilities, marginals, notes };
}

/**
 * The lottery itself: one panel (people per type) drawn with its portfolio probability, then within
 * each type the right number of its members, uniformly. Each person's chance is their type's marginal.
 */
export function drawFromPortfolio(
  instance: Instance,
  panels: Int32Array[],
  probabilities: Float64Array,
  random: Random,
): number[] {
  const panel = panels[pickWeighted(probabilities, random)];
  const chosen: number[] = [];
  panel.forEach((x, t) => {
    if (x > 0) chosen.push(...sample(instance.types[t].members, x, random));
  });
  return chosen.sort((a, b) => a - b);
}
