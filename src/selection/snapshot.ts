import type { AppContext } from '../context';
import { writeCsv } from '../csv';
import { exportQuotasCsv } from '../panels/quotas';
import { listCategories, type Panel } from '../panels/repo';
import { type PoolRow, poolPage } from '../registration/repo';
import { normaliseAddress } from '../sortition/instance';
import { newToken, sha256 } from '../tokens';
import { ticketAt } from './tickets';

/** Registrants read per turn of the event loop. */
const PAGE = 500;

/** The column of the published pool that ties housemates together. */
export const HOUSEHOLD_COLUMN = 'household';

export interface Snapshot {
  poolCsv: string;
  /** The same pool with tickets for ids (tickets.ts): the file the commitment fingerprints. */
  auditorsCsv: string;
  quotasCsv: string;
  categories: string[];
}

/**
 * The draw's input with no personal data: each person's pseudonym and answers, and a household code
 * (H1, H2, ...) shared only by people at the same address. Its rows are in an order set by a random key, so a
 * row's number, which becomes its ticket in the public record (tickets.ts), says nothing about when its person
 * registered. `orderKey: null` keeps the order of registration: the demo's invented pool, so that its panel is
 * the same on every machine (its people's pseudonyms are random, so any key would reorder them each time).
 */
export async function snapshot(ctx: AppContext, panel: Panel, orderKey: string | null = newToken()): Promise<Snapshot> {
  const categories = listCategories(ctx.db, panel.id);
  // Read a page at a time, with a turn of the event loop between: a large pool never holds up the live rooms.
  const registered: PoolRow[] = [];
  const values = new Map<number, Map<number, string>>();
  for (let after = 0; ; ) {
    const page = poolPage(ctx.db, panel.id, after, PAGE);
    if (!page.people.length) break;
    registered.push(...page.people);
    for (const [id, answers] of page.values) values.set(id, answers);
    after = page.people[page.people.length - 1].id;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const people = orderKey === null ? registered : registered
    .map((p) => ({ p, order: sha256(`${orderKey} ${p.publicId}`) }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map((e) => e.p);
  // A household invited by letter is the one its code names (issue 21); otherwise the address typed, normalised.
  const addresses = people.map((p) => (p.householdId ? `invited household ${p.householdId}` : normaliseAddress([p.address ?? '', p.postcode ?? ''])));
  const shared = new Map<string, number>();
  for (const a of addresses) if (a) shared.set(a, (shared.get(a) ?? 0) + 1);
  const codes = new Map<string, string>();
  const household = (a: string | undefined) => {
    if (!a || (shared.get(a) ?? 0) < 2) return '';
    if (!codes.has(a)) codes.set(a, `H${codes.size + 1}`);
    return codes.get(a);
  };
  const header = ['id', ...categories.map((c) => c.key), HOUSEHOLD_COLUMN];
  const answers = people.map((p, i) => [...categories.map((c) => values.get(p.id)?.get(c.id) ?? ''), household(addresses[i])]);
  return {
    poolCsv: writeCsv(header, answers.map((row, i) => [people[i].publicId, ...row])),
    auditorsCsv: writeCsv(header, answers.map((row, i) => [ticketAt(i, people.length), ...row])),
    quotasCsv: exportQuotasCsv(ctx, panel),
    categories: categories.map((c) => c.key),
  };
}
