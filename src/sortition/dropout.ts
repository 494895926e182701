import { type CsvProblem, CsvError, readCsv, writeCsv } from '../csv';
import type { Person } from './types';

/**
 * How likely each drawn person is to drop out before the first day (issue 23, alternates). A table of rates:
 * one row `all` for everyone (the base rate, 10% unless said), and rows for values whose people drop out more
 * or less often (say `age,16-29,18`). A person's chance starts at the base rate and, for each of their values
 * with a rate of its own, is multiplied by that rate ÷ the base rate: independent relative risks, capped at 90%.
 */
export interface DropoutTable {
  base: number;
  rates: { category: string; value: string; rate: number }[];
}

export const DEFAULT_DROPOUT: DropoutTable = { base: 0.1, rates: [] };
export const MAX_DROPOUT = 0.9;
const ALL = 'all';

/** Reads `category,value,percent` (rates in percent, 0 to 90); a row `all` with no value sets the base rate. */
export function parseDropoutCsv(input: string | Buffer, categories?: ReadonlySet<string>): DropoutTable {
  const { header, rows } = readCsv(input);
  const lower = header.map((h) => h.toLowerCase());
  const missing = ['category', 'value', 'percent'].filter((c) => !lower.includes(c));
  if (missing.length) throw new CsvError([{ line: 1, message: `missing ${missing.map((m) => `"${m}"`).join(', ')}; the header must be category,value,percent` }]);
  const col = (name: string) => header[lower.indexOf(name)];
  const problems: CsvProblem[] = [];
  const table: DropoutTable = { ...DEFAULT_DROPOUT, rates: [] };
  const seen = new Set<string>();
  for (const { line, cells } of rows) {
    const category = cells[col('category')].trim();
    const value = cells[col('value')].trim();
    const text = cells[col('percent')].trim().replace(/%$/, '');
    const percent = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(percent >= 0 && percent <= MAX_DROPOUT * 100)) problems.push({ line, column: col('percent'), message: `"${cells[col('percent')]}" is not a percentage from 0 to ${MAX_DROPOUT * 100}` });
    const key = `${category}\u0000${value}`.toLowerCase();
    if (seen.has(key)) problems.push({ line, message: `"${category}${value ? `: ${value}` : ''}" is listed twice` });
    seen.add(key);
    if (category.toLowerCase() === ALL) {
      if (percent > 0) table.base = percent / 100;
      else if (percent === 0) problems.push({ line, column: col('percent'), message: 'the base rate must be more than 0: nobody can be certain to come' });
      continue;
    }
    if (!category || !value) problems.push({ line, message: 'needs a category and a value (or the category "all" for everyone)' });
    else if (categories && !categories.has(category)) problems.push({ line, column: col('category'), message: `"${category}" is not one of the quotas' categories (${[...categories].join(', ')})` });
    if (category && value && percent >= 0) table.rates.push({ category, value, rate: percent / 100 });
  }
  if (problems.length) throw new CsvError(problems);
  return table;
}

/** The table as the file it is read from: the base rate first, then each value's rate. */
export function dropoutCsv(table: DropoutTable): string {
  const percent = (r: number) => String(Math.round(r * 10000) / 100);
  return writeCsv(['category', 'value', 'percent'], [[ALL, '', percent(table.base)], ...table.rates.map((r) => [r.category, r.value, percent(r.rate)])]);
}

/** Each person's chance of dropping out, by the table. */
export function dropoutChance(table: DropoutTable): (p: Person) => number {
  const byValue = new Map(table.rates.map((r) => [`${r.category}\u0000${r.value}`, r.rate / table.base]));
  return (p) => {
    let chance = table.base;
    for (const [category, value] of Object.entries(p.features)) chance *= byValue.get(`${category}\u0000${value}`) ?? 1;
    return Math.min(MAX_DROPOUT, chance);
  };
}
