import { audit } from '../audit';
import type { AppContext } from '../context';
import { type CsvProblem, CsvError, readCsv, writeCsv } from '../csv';
import type { Db } from '../db';
import { JOIN } from '../sortition/intersections';
import { type Category, listCategories, type Panel } from './repo';

/**
 * The census's own crossings of two categories (issue 23), for the draw page's intersection picture: a file
 * `category,value,share` with rows such as `age & gender,16-24 & Woman,9.6` (percent of residents), as the paper's
 * replication data carry them in `intersections.csv`. Without it, a cell's share is the two shares multiplied.
 * Each crossing named must give every cell, adding up to 100% (within one point).
 */
export type CrossingShares = Map<string, Map<string, number>>;

/** Reads the file against the panel's categories, each crossing in the panel's order of categories; bad lines are CsvError. */
export function parseCrossings(input: string | Buffer, categories: Category[]): CrossingShares {
  const { header, rows } = readCsv(input);
  const lower = header.map((h) => h.toLowerCase());
  const missing = ['category', 'value', 'share'].filter((c) => !lower.includes(c));
  if (missing.length) throw new CsvError([{ line: 1, message: `missing ${missing.map((m) => `"${m}"`).join(', ')}; the header must be category,value,share` }]);
  const col = (name: string) => header[lower.indexOf(name)];
  const problems: CsvProblem[] = [];
  const shares: CrossingShares = new Map();
  for (const { line, cells } of rows) {
    const names = cells[col('category')].split(JOIN).map((c) => c.trim());
    const values = cells[col('value')].split(JOIN).map((v) => v.trim());
    const pair = names.map((n) => categories.find((c) => c.key === n));
    const text = cells[col('share')].trim().replace(/%$/, '');
    const share = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (names.length !== 2 || pair.some((c) => !c) || pair[0] === pair[1]) {
      problems.push({ line, column: col('category'), message: `"${cells[col('category')]}" is not two of this panel's categories joined by "${JOIN.trim()}", such as "${categories[0]?.key ?? 'age'}${JOIN}${categories[1]?.key ?? 'gender'}"` });
      continue;
    }
    const [a, b] = pair as Category[];
    if (values.length !== 2 || !a.values.some((v) => v.value === values[0]) || !b.values.some((v) => v.value === values[1])) {
      problems.push({ line, column: col('value'), message: `"${cells[col('value')]}" is not a value of "${a.key}" and one of "${b.key}" joined by "${JOIN.trim()}"` });
      continue;
    }
    if (!(share >= 0 && share <= 100)) {
      problems.push({ line, column: col('share'), message: `"${cells[col('share')]}" is not a share from 0 to 100 (percent of residents)` });
      continue;
    }
    // Stored in the panel's order of categories, whichever order the file used.
    const flip = categories.indexOf(a) > categories.indexOf(b);
    const name = flip ? `${b.key}${JOIN}${a.key}` : `${a.key}${JOIN}${b.key}`;
    const value = flip ? `${values[1]}${JOIN}${values[0]}` : `${values[0]}${JOIN}${values[1]}`;
    const crossing = shares.get(name) ?? new Map<string, number>();
    if (crossing.has(value)) problems.push({ line, message: `"${name}: ${value}" is listed twice` });
    crossing.set(value, share / 100);
    shares.set(name, crossing);
  }
  if (problems.length) throw new CsvError(problems);
  if (shares.size === 0) throw new CsvError([{ line: 2, message: 'the file has a header but no shares' }]);
  for (const [name, crossing] of shares) {
    const [a, b] = name.split(JOIN).map((k) => categories.find((c) => c.key === k) as Category);
    const cells = a.values.length * b.values.length;
    if (crossing.size !== cells) problems.push({ line: 1, message: `"${name}" gives ${crossing.size} of its ${cells} cells; give every pair of values, 0 for none` });
    const total = [...crossing.values()].reduce((sum, s) => sum + s, 0) * 100;
    if (Math.abs(total - 100) > 1) problems.push({ line: 1, message: `the shares of "${name}" add up to ${total.toFixed(1)}%, not 100%` });
  }
  if (problems.length) throw new CsvError(problems);
  return shares;
}

/**
 * The panel's census crossings, if it has a file; `stale` if the categories changed since and the file no longer
 * fits them (the picture then multiplies shares, and the quotas page says to upload the file again).
 */
export function crossingsOf(db: Db, panelId: number, categories = listCategories(db, panelId)): { shares?: CrossingShares; stale: boolean } {
  const csv = db.prepare('SELECT crossings_csv FROM panels WHERE id = ?').pluck().get(panelId) as string | null;
  if (!csv) return { stale: false };
  try {
    return { shares: parseCrossings(csv, categories), stale: false };
  } catch (err) {
    if (err instanceof CsvError) return { stale: true };
    throw err;
  }
}

/** Saves the file (checked), or with null removes it; audited. Bad input is a CsvError and changes nothing. */
export function saveCrossings(ctx: AppContext, panel: Panel, input: Buffer | null, userId: number): void {
  const shares = input && parseCrossings(input, listCategories(ctx.db, panel.id));
  const csv = shares && writeCsv(['category', 'value', 'share'], [...shares].flatMap(([name, cells]) => [...cells].map(([value, share]) => [name, value, String(Math.round(share * 1e6) / 1e4)])));
  ctx.db.transaction(() => {
    ctx.db.prepare('UPDATE panels SET crossings_csv = ? WHERE id = ?').run(csv, panel.id);
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: csv ? 'quotas.crossings.import' : 'quotas.crossings.remove', detail: { crossings: shares ? [...shares.keys()] : [] } });
  })();
}
