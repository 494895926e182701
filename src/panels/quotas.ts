import { audit } from '../audit';
import type { AppContext } from '../context';
import { type CsvProblem, CsvError, writeCsv } from '../csv';
import { checkQuotaSums, parseQuotasCsv, quotasFromShares } from '../sortition/quotas';
import type { FieldErrors } from '../web/validate';
import { shareWarning } from './shares';
import { earlierFirst, listTwoWay, saveTwoWayRow, twoWayAsQuotas, twoWayPool } from './two-way';
import { componentsOf, JOIN } from '../sortition/intersections';
import { drawableSize, listCategories, panelQuotas, poolCounts, updateValueQuota, type Category, type Panel } from './repo';

/** The quotas page's figures: per value its share, target, quota and how many in the pool hold it. */
export function quotaTable(ctx: AppContext, panel: Panel) {
  const categories = listCategories(ctx.db, panel.id);
  const counts = poolCounts(ctx.db, panel.id);
  const total = drawableSize(ctx.db, panel.id);
  const targets = new Map(
    quotasFromShares(shareCategories(categories), panel.panelSize, panel.quotaTolerance).map((t) => [
      `${t.category}\u0000${t.value}`,
      t.target,
    ]),
  );
  const poolShare = (id: number) => (total ? round1(((counts.get(id) ?? 0) / total) * 100) : 0);
  const rows = categories.map((c) => {
    // Bars are drawn in a 100-wide box scaled to the category's largest share, so small groups stay visible.
    const scale = 100 / Math.max(1, ...c.values.map((v) => Math.max(poolShare(v.id), v.share ?? 0)));
    return {
      ...c,
      shareTotal: round1(c.values.reduce((sum, v) => sum + (v.share ?? 0), 0)),
      shareWarning: shareWarning(c),
      values: c.values.map((v) => {
        const pool = counts.get(v.id) ?? 0;
        return {
          ...v,
          pool,
          poolShare: poolShare(v.id),
          bar: { pool: round1(poolShare(v.id) * scale), population: round1((v.share ?? 0) * scale) },
          target: targets.get(`${c.key}\u0000${v.value}`) ?? null,
          short: v.quotaMin !== null && pool < v.quotaMin,
        };
      }),
    };
  });
  const twoWay = listTwoWay(ctx.db, panel.id, categories);
  const inPool = twoWayPool(ctx.db, twoWay);
  return {
    categories: rows,
    twoWay: twoWay.map((q) => ({ ...q, pool: inPool.get(q.id) ?? 0, short: (inPool.get(q.id) ?? 0) < q.min })),
    shortCount: rows.reduce((n, c) => n + c.values.filter((v) => v.short).length, 0),
    sumProblems: checkQuotaSums(
      [...panelQuotas(categories), ...twoWayAsQuotas(twoWay)],
      panel.panelSize,
      new Set(categories.filter((c) => c.values.some((v) => v.quotaMax === null)).map((c) => c.key)),
    ),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function shareCategories(categories: Category[]) {
  return categories
    .filter((c) => c.values.every((v) => v.share !== null))
    .map((c) => ({ category: c.key, values: c.values.map((v) => ({ value: v.value, share: v.share ?? 0 })) }));
}

/** Reads the typed-in quotas form (fields share_ID, min_ID, max_ID); all or nothing. */
export function saveTypedQuotas(ctx: AppContext, panel: Panel, body: Record<string, unknown>, userId: number): FieldErrors {
  const categories = listCategories(ctx.db, panel.id);
  const errors: FieldErrors = {};
  const updates = categories.flatMap((c) =>
    c.values.map((v) => {
      const name = `${c.label} "${v.label}"`;
      // A field missing from the request keeps its stored value; an empty box clears it.
      const read = (field: string, what: string, max: number, whole: boolean, stored: number | null) =>
        field in body ? readNumber(body[field], field, `${name} ${what}`, errors, max, whole) : stored;
      const share = read(`share_${v.id}`, 'share', 100, false, v.share);
      const min = read(`min_${v.id}`, 'minimum', panel.panelSize, true, v.quotaMin);
      const max = read(`max_${v.id}`, 'maximum', panel.panelSize, true, v.quotaMax);
      const bad = [`min_${v.id}`, `max_${v.id}`].some((f) => f in errors);
      if (!bad && (min === null) !== (max === null)) errors[`max_${v.id}`] = `${name}: give both a minimum and a maximum, or neither.`;
      if (!bad && min !== null && max !== null && min > max) errors[`min_${v.id}`] = `${name}: the minimum ${min} is more than the maximum ${max}.`;
      return { id: v.id, share, min, max };
    }),
  );
  if (Object.keys(errors).length) return errors;
  ctx.db.transaction(() => {
    for (const u of updates) updateValueQuota(ctx.db, u.id, u);
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'quotas.edit', detail: { values: updates.length } });
  })();
  return {};
}

function readNumber(raw: unknown, field: string, name: string, errors: FieldErrors, max: number, whole: boolean): number | null {
  if (raw !== undefined && typeof raw !== 'string') {
    errors[field] = `${name} was sent more than once or in a form this page cannot read; reload the page and try again.`;
    return null;
  }
  const text = (raw ?? '').trim();
  if (text === '') return null;
  const n = /^\d+(\.\d+)?%?$/.test(text) ? Number(text.replace(/%$/, '')) : Number.NaN;
  if (!Number.isFinite(n) || n > max || (whole && !Number.isInteger(n))) {
    errors[field] = `${name} must be ${whole ? 'a whole number' : 'a number'} from 0 to ${max}; "${text}" is not.`;
    return null;
  }
  return n;
}

/** Sets every quota from population shares, the panel size and a tolerance either side. */
export function computeQuotas(ctx: AppContext, panel: Panel, tolerance: number, userId: number | null): string[] {
  const categories = listCategories(ctx.db, panel.id);
  const missing = categories.filter((c) => c.values.some((v) => v.share === null)).map((c) => c.label);
  if (missing.length) {
    return [`Population shares are missing for: ${missing.join(', ')}. Type a share for every value first.`];
  }
  const empty = categories.filter((c) => c.values.every((v) => !v.share)).map((c) => c.label);
  if (empty.length) return [`The population shares add up to 0 for: ${empty.join(', ')}. Type the real shares first.`];
  const targets = quotasFromShares(shareCategories(categories), panel.panelSize, tolerance);
  ctx.db.transaction(() => {
    for (const c of categories) {
      for (const v of c.values) {
        const t = targets.find((x) => x.category === c.key && x.value === v.value);
        if (t) updateValueQuota(ctx.db, v.id, { min: t.min, max: t.max });
      }
    }
    ctx.db.prepare('UPDATE panels SET quota_tolerance = ? WHERE id = ?').run(tolerance, panel.id);
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'quotas.compute', detail: { tolerance } });
  })();
  return [];
}

/** Applies a quota CSV; every row must name a category and value of this panel. */
export function importQuotas(ctx: AppContext, panel: Panel, file: Buffer | string, userId: number): number {
  const quotas = parseQuotasCsv(file);
  const categories = listCategories(ctx.db, panel.id);
  const problems: CsvProblem[] = [];
  const lineOf = new Map<number, number>();
  const twoWay: { line: number; a: number; b: number; min: number; max: number }[] = [];
  const updates = quotas.flatMap(({ line, ...q }) => {
    const parts = componentsOf(q.category);
    if (parts) {
      // A two-way quota, "age & gender" with "16-24 & Woman": each part a category and value of this panel.
      const values = q.value.split(JOIN).map((v) => v.trim());
      const picked = parts.map((part, i) => {
        const category = named(categories, part, (c) => c.key);
        const value = category && named(category.values, values[i] ?? '', (v) => v.value);
        return category && value ? { category, value } : undefined;
      });
      const [x, y] = picked;
      if (parts.length !== 2 || values.length !== 2 || !x || !y || x.category === y.category) {
        problems.push({ line, column: 'category', message: `"${q.category}: ${q.value}" is not two categories of this panel and one value of each, joined by "&" (such as "age & gender" and "16-24 & Woman")` });
      } else {
        const [a, b] = earlierFirst(categories, x, y);
        twoWay.push({ line, a: a.value.id, b: b.value.id, min: q.min, max: q.max });
      }
      return [];
    }
    const category = named(categories, q.category, (c) => c.key);
    const value = category && named(category.values, q.value, (v) => v.value);
    if (!category) problems.push({ line, column: 'category', message: `"${q.category}" is not a category of this panel (${categories.map((c) => c.key).join(', ')})` });
    else if (!value) problems.push({ line, column: 'value', message: `"${q.value}" is not a value of ${category.key} (${category.values.map((v) => v.value).join(', ')})` });
    const earlier = value && lineOf.get(value.id);
    if (earlier) problems.push({ line, column: 'value', message: `${category?.key}: ${value?.value} is listed twice (also on line ${earlier})` });
    if (value) lineOf.set(value.id, line);
    if (q.max > panel.panelSize) problems.push({ line, column: 'max', message: `${q.max} is more than the panel size ${panel.panelSize}` });
    return [{ id: value?.id ?? 0, min: q.min, max: q.max }];
  });
  for (const q of twoWay) if (q.max > panel.panelSize) problems.push({ line: q.line, column: 'max', message: `${q.max} is more than the panel size ${panel.panelSize}` });
  if (problems.length) throw new CsvError(problems);
  ctx.db.transaction(() => {
    for (const u of updates) updateValueQuota(ctx.db, u.id, u);
    for (const q of twoWay) saveTwoWayRow(ctx.db, panel.id, q);
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'quotas.import', detail: { rows: updates.length, ...(twoWay.length ? { twoWay: twoWay.length } : {}) } });
  })();
  return updates.length + twoWay.length;
}

/** A category or value a quota file names, by its key (or value) or its label, in any case. */
function named<T extends { label: string }>(list: T[], name: string, key: (x: T) => string): T | undefined {
  const wanted = name.toLowerCase();
  return list.find((x) => key(x).toLowerCase() === wanted || x.label.toLowerCase() === wanted);
}

export function exportQuotasCsv(ctx: AppContext, panel: Panel): string {
  const categories = listCategories(ctx.db, panel.id);
  const quotas = [...panelQuotas(categories), ...twoWayAsQuotas(listTwoWay(ctx.db, panel.id, categories))];
  return writeCsv(['category', 'value', 'min', 'max'], quotas.map((q) => [q.category, q.value, q.min, q.max]));
}
