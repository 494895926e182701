import { type CsvProblem, CsvError, readCsv } from '../csv';
import { componentsOf } from './intersections';

/** Pure: quota files, quotas computed from population shares, and quick sanity checks. */

export interface Quota {
  category: string;
  value: string;
  min: number;
  max: number;
}

export interface ShareCategory {
  category: string;
  values: { value: string; share: number }[];
}

export interface Target extends Quota {
  target: number;
}

/**
 * Reads `category,value,min,max`, `category,feature,min,max` (the Nature paper's replication data)
 * or the Sortition Foundation's `feature,value,min,max[,min_flex,max_flex]`.
 */
export function parseQuotasCsv(input: string | Buffer): (Quota & { line: number })[] {
  const { header, rows } = readCsv(input);
  const lower = header.map((h) => h.toLowerCase());
  const [catCol, valCol] = lower.includes('value')
    ? [lower.includes('category') ? 'category' : 'feature', 'value']
    : ['category', 'feature'];
  const need = [catCol, valCol, 'min', 'max'];
  const missing = need.filter((c) => !lower.includes(c));
  if (missing.length) {
    throw new CsvError([
      {
        line: 1,
        message: `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; the header must be category,value,min,max (or feature,value,min,max)`,
      },
    ]);
  }
  const col = (name: string) => header[lower.indexOf(name)];
  const problems: CsvProblem[] = [];
  const seen = new Set<string>();
  const quotas: (Quota & { line: number })[] = [];
  for (const { line, cells } of rows) {
    const category = cells[col(catCol)];
    const value = cells[col(valCol)];
    if (!category) problems.push({ line, column: col(catCol), message: 'is empty' });
    if (!value) problems.push({ line, column: col(valCol), message: 'is empty' });
    const min = count(cells[col('min')], line, col('min'), problems);
    const max = count(cells[col('max')], line, col('max'), problems);
    if (min !== undefined && max !== undefined && min > max) {
      problems.push({ line, column: col('min'), message: `min ${min} is more than max ${max}` });
    }
    const key = `${category}\u0000${value}`.toLowerCase();
    if (category && value && seen.has(key)) {
      problems.push({ line, message: `"${category}: ${value}" is listed twice` });
    }
    seen.add(key);
    if (category && value && min !== undefined && max !== undefined) quotas.push({ category, value, min, max, line });
  }
  if (problems.length) throw new CsvError(problems);
  if (quotas.length === 0) throw new CsvError([{ line: 2, message: 'the file has a header but no quotas' }]);
  return quotas;
}

function count(cell: string, line: number, column: string, problems: CsvProblem[]): number | undefined {
  if (!/^\d+$/.test(cell)) {
    problems.push({ line, column, message: `"${cell}" is not a whole number of people (0 or more)` });
    return undefined;
  }
  return Number(cell);
}

/**
 * Targets proportional to population shares, rounded by largest remainder so that each category's
 * targets add up to the panel size exactly; min and max are the target -/+ the tolerance.
 */
export function quotasFromShares(categories: ShareCategory[], panelSize: number, tolerance: number): Target[] {
  return categories.flatMap(({ category, values }) => {
    const total = values.reduce((sum, v) => sum + v.share, 0);
    if (total <= 0) return [];
    const exact = values.map((v) => (v.share / total) * panelSize);
    const targets = exact.map(Math.floor);
    let left = panelSize - targets.reduce((a, b) => a + b, 0);
    const byRemainder = exact
      .map((x, i) => ({ i, rest: x - Math.floor(x) }))
      .sort((a, b) => b.rest - a.rest || a.i - b.i);
    for (const { i } of byRemainder) {
      if (left-- <= 0) break;
      targets[i]++;
    }
    return values.map((v, i) => ({
      category,
      value: v.value,
      target: targets[i],
      min: Math.max(0, targets[i] - tolerance),
      max: Math.min(panelSize, targets[i] + tolerance),
    }));
  });
}

/**
 * Per category, whether its minimums and maximums leave room for a panel of this size. Categories in
 * `open` have values without a quota, so their maximums cannot be too low; nor can a two-way quota's, which
 * may cover only some of its cells.
 */
export function checkQuotaSums(quotas: Quota[], panelSize: number, open: Set<string> = new Set()): string[] {
  const byCategory = new Map<string, { min: number; max: number }>();
  for (const q of quotas) {
    const sums = byCategory.get(q.category) ?? { min: 0, max: 0 };
    sums.min += q.min;
    sums.max += q.max;
    byCategory.set(q.category, sums);
  }
  const problems: string[] = [];
  for (const [category, { min, max }] of byCategory) {
    if (min > panelSize) {
      problems.push(`${category}: the minimums add up to ${min}, more than the panel size ${panelSize}. Lower some minimums by ${min - panelSize} in all.`);
    }
    if (max < panelSize && !open.has(category) && !componentsOf(category)) {
      problems.push(`${category}: the maximums add up to ${max}, fewer than the panel size ${panelSize}. Raise some maximums by ${panelSize - max} in all.`);
    }
  }
  return problems;
}
