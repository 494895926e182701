import { audit } from '../audit';
import type { AppContext } from '../context';
import { writeCsv } from '../csv';
import { listCategories, type Panel } from '../panels/repo';
import { parsePoolCsv } from './import';
import { eraseRegistrant, findDuplicate, insertRegistrant, listPool, poolValues, type PoolRow } from './repo';

/** Imports a whole CSV or nothing: every row is checked before the first is written. */
export function importPool(ctx: AppContext, panel: Panel, file: string | Buffer, userId: number | null) {
  const { db, clock } = ctx;
  const categories = listCategories(db, panel.id);
  return db.transaction(() => {
    const result = parsePoolCsv(file, categories, (key) => findDuplicate(db, panel.id, key));
    const now = clock.now();
    for (const person of result.people) {
      insertRegistrant(db, panel.id, { ...person, source: 'import', consentAt: now }, now);
    }
    audit(db, clock, {
      userId,
      panelId: panel.id,
      action: 'pool.import',
      detail: { rows: result.people.length, ignoredColumns: result.ignoredColumns.length },
    });
    return { imported: result.people.length, ignoredColumns: result.ignoredColumns };
  })();
}

/** The pool with personal data, for the organiser only; formula-like cells are neutralised. */
export function exportPoolCsv(ctx: AppContext, panel: Panel): string {
  const categories = listCategories(ctx.db, panel.id);
  const values = poolValues(ctx.db, panel.id);
  const people = listPool(ctx.db, panel.id, -1, 0);
  return writeCsv(
    ['id', 'name', 'email', 'phone', 'address', 'postcode', ...categories.map((c) => c.key), 'source', 'registered'],
    people.map((p) => [
      p.publicId,
      p.name,
      p.email,
      p.phone,
      p.address,
      p.postcode,
      ...categories.map((c) => values.get(p.id)?.get(c.id) ?? ''),
      p.source,
      new Date(p.createdAt).toISOString(),
    ]),
  );
}

/** Erases a registrant; `alongside` runs in the same transaction (the caller's consequences, such as an empty seat). */
export function erase(ctx: AppContext, panel: Panel, person: PoolRow, userId: number, alongside: () => void = () => {}): void {
  ctx.db.transaction(() => {
    eraseRegistrant(ctx.db, person.id, ctx.clock.now());
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'registrant.erase', subject: person.publicId });
    alongside();
  })();
  // Old page images in the write-ahead log still hold the data until it is checkpointed and truncated.
  if (ctx.db.name !== ':memory:') ctx.db.pragma('wal_checkpoint(TRUNCATE)');
}
