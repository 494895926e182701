import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { JOIN } from '../sortition/intersections';
import type { Quota } from '../sortition/types';
import type { FieldErrors } from '../web/validate';
import { type Category, IN_DRAW, listCategories, type Panel } from './repo';

/**
 * Two-way quotas (issue 23): at least and at most so many of the panel in the intersection of two values of two
 * categories ("16-29" and "Woman"), so a panel that meets every one-way quota cannot still hold no young women.
 * The draw takes them as quotas on "age & gender" (sortition/intersections.ts).
 */
export interface TwoWayQuota {
  id: number;
  a: { category: Category; value: Category['values'][number] };
  b: { category: Category; value: Category['values'][number] };
  min: number;
  max: number;
}

export function listTwoWay(db: Db, panelId: number, categories = listCategories(db, panelId)): TwoWayQuota[] {
  const find = (valueId: number) => {
    for (const category of categories) {
      const value = category.values.find((v) => v.id === valueId);
      if (value) return { category, value };
    }
    return undefined;
  };
  const rows = db.prepare('SELECT id, value_a AS a, value_b AS b, quota_min AS min, quota_max AS max FROM two_way_quotas WHERE panel_id = ? ORDER BY id').all(panelId) as { id: number; a: number; b: number; min: number; max: number }[];
  return rows.flatMap((r) => {
    const [a, b] = [find(r.a), find(r.b)];
    return a && b ? [{ id: r.id, a, b, min: r.min, max: r.max }] : [];
  });
}

/** As the draw reads them: category "age & gender", value "16-29 & woman". */
export function twoWayAsQuotas(quotas: TwoWayQuota[]): Quota[] {
  return quotas.map((q) => ({ category: `${q.a.category.key}${JOIN}${q.b.category.key}`, value: `${q.a.value.value}${JOIN}${q.b.value.value}`, min: q.min, max: q.max }));
}

/** How many who go into the draw (repo.ts IN_DRAW) hold both values of each two-way quota, by its id. */
export function twoWayPool(db: Db, quotas: TwoWayQuota[]): Map<number, number> {
  const count = db.prepare(
    `SELECT COUNT(*) FROM registrant_values x JOIN registrant_values y ON y.registrant_id = x.registrant_id
     JOIN registrants r ON r.id = x.registrant_id WHERE x.value_id = ? AND y.value_id = ? AND ${IN_DRAW}`,
  );
  return new Map(quotas.map((q) => [q.id, count.pluck().get(q.a.value.id, q.b.value.id) as number]));
}

/**
 * Adds a two-way quota, or changes the one on the same two values. The form names the two values by id and
 * gives a minimum and a maximum; bad input is answered by field, and nothing changes.
 */
/** Two picked values, the earlier category's first (as two_way_quotas stores them), by the categories' order. */
export function earlierFirst<T extends { category: Category }>(categories: Category[], x: T, y: T): [T, T] {
  const at = (v: T) => categories.findIndex((c) => c.id === v.category.id);
  return at(x) <= at(y) ? [x, y] : [y, x];
}

export function saveTwoWay(ctx: AppContext, panel: Panel, form: Record<string, string>, userId: number): FieldErrors {
  const categories = listCategories(ctx.db, panel.id);
  const errors: FieldErrors = {};
  const valueOf = (field: string, which: string) => {
    for (const category of categories) {
      const value = category.values.find((v) => String(v.id) === form[field]);
      if (value) return { category, value };
    }
    errors[field] = `Choose the ${which} value from the list.`;
    return undefined;
  };
  const first = valueOf('a', 'first');
  const second = valueOf('b', 'second');
  if (first && second && first.category.id === second.category.id) errors.b = `Choose a value of another category than ${first.category.label}: a two-way quota joins two categories.`;
  const number = (field: string, what: string) => {
    const text = (form[field] ?? '').trim();
    if (/^\d{1,6}$/.test(text) && Number(text) <= panel.panelSize) return Number(text);
    errors[field] = `The ${what} must be a whole number from 0 to the panel size, ${panel.panelSize}; "${text}" is not.`;
    return undefined;
  };
  const min = number('min', 'minimum');
  const max = number('max', 'maximum');
  if (min !== undefined && max !== undefined && min > max) errors.min = `The minimum ${min} is more than the maximum ${max}.`;
  if (Object.keys(errors).length || !first || !second || min === undefined || max === undefined) return errors;
  const [a, b] = earlierFirst(categories, first, second);
  ctx.db.transaction(() => {
    saveTwoWayRow(ctx.db, panel.id, { a: a.value.id, b: b.value.id, min, max });
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'quotas.two-way', subject: `${a.category.key}=${a.value.value} & ${b.category.key}=${b.value.value}`, detail: { min, max } });
  })();
  return {};
}

/**
 * Writes one, or changes the one on the same two values. `a` is the value of the earlier category (by position):
 * the caller orders them (earlierFirst), and checks they are the panel's, of two categories, and min <= max.
 */
export function saveTwoWayRow(db: Db, panelId: number, q: { a: number; b: number; min: number; max: number }): void {
  const { a, b } = q;
  db.prepare(
    `INSERT INTO two_way_quotas (panel_id, value_a, value_b, quota_min, quota_max) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (panel_id, value_a, value_b) DO UPDATE SET quota_min = excluded.quota_min, quota_max = excluded.quota_max`,
  ).run(panelId, a, b, q.min, q.max);
}

export function removeTwoWay(ctx: AppContext, panel: Panel, id: number, userId: number): boolean {
  return ctx.db.transaction(() => {
    const gone = ctx.db.prepare('DELETE FROM two_way_quotas WHERE id = ? AND panel_id = ?').run(id, panel.id).changes === 1;
    if (gone) audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'quotas.two-way-remove', subject: String(id) });
    return gone;
  })();
}
