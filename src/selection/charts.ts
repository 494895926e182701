import { percent } from '../sortition/report';
import type { ValueCount } from '../sortition/types';

/** Bars for "selected against quota": per value, the quota band and the count, in percent of one scale. */
export function quotaBars(counts: ValueCount[]) {
  const scale = Math.max(1, ...counts.map((c) => Math.max(c.max, c.selected)));
  const pct = (n: number) => Math.round((n / scale) * 1000) / 10;
  return counts.map((c) => ({
    ...c,
    within: c.selected >= c.min && c.selected <= c.max,
    band: { x: pct(c.min), width: Math.max(0.5, pct(c.max - c.min)) },
    bar: pct(c.selected),
  }));
}

/** A histogram of chances for an SVG 200 wide and 100 high: bars, and labels for the axis ends. */
export function chanceHistogram(chances: number[], bins = 20) {
  const top = Math.max(...chances, 1e-9);
  const counts = new Array<number>(bins).fill(0);
  for (const c of chances) counts[Math.min(bins - 1, Math.floor((c / top) * bins))]++;
  const most = Math.max(...counts, 1);
  const width = 200 / bins;
  return {
    bars: counts.map((n, i) => {
      const height = Math.round((n / most) * 900) / 10;
      const from = (top * i) / bins;
      return { x: i * width + 0.5, width: width - 1, y: 100 - height, height, n, label: `${n} people with a chance from ${percent(from)} to ${percent(from + top / bins)}` };
    }),
    top: percent(top),
  };
}
