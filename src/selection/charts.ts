import { percent } from '../sortition/report';
import type { ValueCount } from '../sortition/types';
import { languageOf, translator } from '../web/i18n';

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

/** How the public chart of chances words its bands: in English unless a page's words are given (bandWords). */
export interface BandWords {
  /** A chance, to two decimal places as the draw's own report gives it. */
  percent(p: number): string;
  /** A band's count of people, with no thousands separator: the chart reads as plain counts. */
  count(n: number): string;
  range(from: string, to: string): string;
  orMore(from: string): string;
  /** "12 people with a chance of 2.00% to 2.50%" */
  band(n: number, label: string): string;
}

/** The chart's words in a language (views/locales/<code>/public.json, `chosen.chart`), numbers formatted for it. */
export function bandWords(code = 'en'): BandWords {
  const t = translator(code);
  const { tag } = languageOf(code);
  const share = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const plain = new Intl.NumberFormat(tag, { useGrouping: false });
  return {
    percent: (p) => share.format(p),
    count: (n) => plain.format(n),
    range: (from, to) => t('chosen.chart.range', { from, to }),
    orMore: (from) => t('chosen.chart.orMore', { from }),
    band: (n, label) => t('chosen.chart.band', { n, count: plain.format(n), label }),
  };
}

/**
 * The public's picture of everyone's chance (issue 17): bands of chances, each holding at least `least` people
 * (a band with fewer joins its neighbour), labelled by where they start, so no bar, and no label, describes
 * fewer than `least` people. The highest chance is not shown: it may be one person's.
 */
export function chanceBands(chances: number[], least = 5, bands = 8, words: BandWords = bandWords()) {
  if (chances.length < least) return { bars: [], lowest: undefined };
  const sorted = [...chances].sort((a, b) => a - b);
  const low = sorted[0];
  const step = (sorted[sorted.length - 1] - low) / bands || 1;
  const groups: { from: number; n: number }[] = [];
  for (const c of sorted) {
    const from = low + Math.min(bands - 1, Math.floor((c - low) / step)) * step;
    const last = groups[groups.length - 1];
    if (last && (last.from === from || last.n < least)) last.n++;
    else groups.push({ from, n: 1 });
  }
  const tail = groups[groups.length - 1];
  if (groups.length > 1 && tail.n < least) groups[groups.length - 2].n += (groups.pop() as typeof tail).n;
  const most = Math.max(...groups.map((g) => g.n));
  const { percent } = words;
  return {
    lowest: percent(low),
    bars: groups.map((g, i) => {
      const label = i === groups.length - 1 ? words.orMore(percent(g.from)) : words.range(percent(g.from), percent(groups[i + 1].from));
      return { y: i * 12, width: Math.max(1, Math.round((g.n / most) * 1400) / 10), n: g.n, shown: words.count(g.n), label, text: words.band(g.n, label) };
    }),
    height: groups.length * 12,
  };
}
