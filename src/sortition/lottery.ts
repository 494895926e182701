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
