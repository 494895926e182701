import { CsvError, readCsv } from '../csv';
import { normaliseAddress } from './instance';
import { plainCategories } from './intersections';
import { parseQuotasCsv } from './quotas';
import type { Person, Quota } from './types';

export interface PoolOptions {
  /** The categories the quotas name: each must be a column. */
  categories: string[];
  idColumn?: string;
  addressColumns?: string[];
}

/** A draw's two files as the CLI reads them: the quotas, and the pool by the quotas' categories. */
export function readDrawFiles(poolCsv: string | Buffer, quotasCsv: string | Buffer, addressColumns: string[]): { people: Person[]; quotas: Quota[] } {
  const quotas = parseQuotasCsv(quotasCsv).map(({ category, value, min, max }) => ({ category, value, min, max }));
  const people = readPool(poolCsv, { categories: plainCategories(quotas), addressColumns });
  return { people, quotas };
}

/**
 * Reads a pool CSV: one row per person, one column per category. Ids come from `idColumn`, else a
 * column named `id`, else the 0-based row number. Address columns, when given, define households.
 */
export function readPool(input: string | Buffer, options: PoolOptions): Person[] {
  const { header, rows } = readCsv(input);
  const column = (name: string, what: string) => {
    const found = header.find((h) => h === name) ?? header.find((h) => h.toLowerCase() === name.toLowerCase());
    if (!found) throw new CsvError([{ line: 1, column: name, message: `no such column for ${what}; the columns are: ${header.join(', ')}` }]);
    return found;
  };
  const idColumn = options.idColumn
    ? column(options.idColumn, 'the ids')
    : header.find((h) => h.toLowerCase() === 'id');
  const categoryColumns = options.categories.map((c) => [c, column(c, `the category "${c}" of the quotas`)] as const);
  const addressColumns = (options.addressColumns ?? []).map((a) => column(a, 'the address'));

  const seen = new Map<string, number>();
  const problems: { line: number; column?: string; message: string }[] = [];
  const people = rows.map(({ line, cells }, index) => {
    const id = idColumn ? cells[idColumn] : String(index);
    if (!id) problems.push({ line, column: idColumn, message: 'the id is empty' });
    else if (seen.has(id)) problems.push({ line, column: idColumn, message: `the id "${id}" is also on line ${seen.get(id)}` });
    seen.set(id, line);
    const features = Object.fromEntries(categoryColumns.map(([c, col]) => [c, cells[col]]));
    const household = addressColumns.length ? normaliseAddress(addressColumns.map((a) => cells[a])) : undefined;
    return { id, features, household };
  });
  if (problems.length) throw new CsvError(problems);
  return people;
}
