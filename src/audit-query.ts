import { z } from 'zod';
import type { Statement } from 'better-sqlite3';
import { type Db, preparedOnce } from './db';

/**
 * The audit trail as an auditor reads it (issue 20): filtered by action, actor and dates, newest first, a page at a
 * time. The SQL is made only of the fixed clauses below, chosen by which filters are set, and every value is a
 * bound parameter: nothing typed reaches the SQL text. Each combination is prepared once, and each can use an index
 * (audit_panel, and audit_at and audit_user from 0021_audit_index.sql).
 */

export const AUDIT_PAGE_SIZE = 50;

/** Who did it: an account's id, or `null` for no account (the public, the system, an unknown email at the login form). */
export type Actor = number | null;

export interface AuditFilter {
  /** One panel's entries; `null` for the installation's own (logins, accounts); absent for everything. */
  panelId?: number | null;
  /** Actions starting with this, such as `login` or `personal_data.download`. */
  action?: string;
  actor?: Actor;
  /** From this time (inclusive) to that (exclusive), in ms. */
  from?: number;
  to?: number;
}

export interface AuditLine {
  id: number;
  at: number;
  userId: number | null;
  userEmail: string | null;
  panelId: number | null;
  panelTitle: string | null;
  action: string;
  subject: string | null;
  detail: string;
}

const CLAUSES = {
  panel: 'a.panel_id = @panel',
  installation: 'a.panel_id IS NULL',
  action: 'substr(a.action, 1, @actionLength) = @action',
  actor: 'a.user_id = @actor',
  anonymous: 'a.user_id IS NULL',
  from: 'a.at >= @from',
  to: 'a.at < @to',
} as const;
type Clause = keyof typeof CLAUSES;

const COLUMNS = `a.id, a.at, a.user_id AS userId, u.email AS userEmail, a.panel_id AS panelId, p.title AS panelTitle,
  a.action, a.subject, a.detail`;

/** The clauses a filter needs, and their parameters. */
function where(filter: AuditFilter): { clauses: Clause[]; params: Record<string, string | number> } {
  const clauses: Clause[] = [];
  const params: Record<string, string | number> = {};
  const add = (clause: Clause, values: Record<string, string | number> = {}) => {
    clauses.push(clause);
    Object.assign(params, values);
  };
  if (filter.panelId === null) add('installation');
  else if (filter.panelId !== undefined) add('panel', { panel: filter.panelId });
  if (filter.action) add('action', { action: filter.action, actionLength: filter.action.length });
  if (filter.actor === null) add('anonymous');
  else if (filter.actor !== undefined) add('actor', { actor: filter.actor });
  if (filter.from !== undefined) add('from', { from: filter.from });
  if (filter.to !== undefined) add('to', { to: filter.to });
  return { clauses, params };
}

interface Queries {
  count: Statement;
  page: Statement;
  all: Statement;
}

const kept = preparedOnce(() => new Map<string, Queries>());

function queries(db: Db, clauses: Clause[]): Queries {
  const key = clauses.join(',');
  const cache = kept(db);
  let q = cache.get(key);
  if (!q) {
    const sql = clauses.length ? `WHERE ${clauses.map((c) => CLAUSES[c]).join(' AND ')}` : '';
    const from = `FROM audit_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN panels p ON p.id = a.panel_id ${sql}`;
    q = {
      count: db.prepare(`SELECT COUNT(*) FROM audit_log a ${sql}`).pluck(),
      page: db.prepare(`SELECT ${COLUMNS} ${from} ORDER BY a.at DESC, a.id DESC LIMIT @limit OFFSET @offset`),
      all: db.prepare(`SELECT ${COLUMNS} ${from} ORDER BY a.at DESC, a.id DESC`),
    };
    cache.set(key, q);
  }
  return q;
}

export interface AuditPage {
  lines: AuditLine[];
  total: number;
  page: number;
  pages: number;
}

/** One page of the entries the filter matches, newest first; a page past the last is the last. */
export function auditPage(db: Db, filter: AuditFilter, page: number): AuditPage {
  const { clauses, params } = where(filter);
  const q = queries(db, clauses);
  const total = q.count.get(params) as number;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(pages, Math.max(1, page));
  const lines = q.page.all({ ...params, limit: AUDIT_PAGE_SIZE, offset: (current - 1) * AUDIT_PAGE_SIZE }) as AuditLine[];
  return { lines, total, page: current, pages };
}

/** Every entry the filter matches, newest first, one at a time (for the CSV export). */
export function auditLines(db: Db, filter: AuditFilter): IterableIterator<AuditLine> {
  const { clauses, params } = where(filter);
  return queries(db, clauses).all.iterate(params) as IterableIterator<AuditLine>;
}

/** The accounts that appear in the entries (for the actor filter's list), by email. */
export function auditActors(db: Db, panelId: number | undefined): { id: number; email: string; name: string }[] {
  return (panelId === undefined ? actorQueries(db).everywhere.all() : actorQueries(db).panel.all(panelId)) as { id: number; email: string; name: string }[];
}

/** The actions that appear in the entries (for the action filter's suggestions). */
export function auditActions(db: Db, panelId: number | undefined): string[] {
  return (panelId === undefined ? actorQueries(db).actions.all() : actorQueries(db).panelActions.all(panelId)) as string[];
}

const actorQueries = preparedOnce((db) => ({
  everywhere: db.prepare('SELECT id, email, name FROM users WHERE id IN (SELECT DISTINCT user_id FROM audit_log) ORDER BY email'),
  panel: db.prepare('SELECT id, email, name FROM users WHERE id IN (SELECT DISTINCT user_id FROM audit_log WHERE panel_id = ?) ORDER BY email'),
  actions: db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action').pluck(),
  panelActions: db.prepare('SELECT DISTINCT action FROM audit_log WHERE panel_id = ? ORDER BY action').pluck(),
}));

// --- The filter as the page's form sends it ---

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayStart = (s: string) => Date.parse(`${s}T00:00:00Z`);
const day = (label: string) =>
  z
    .string()
    .trim()
    .max(10, `${label} must be a date, like 2026-11-23.`)
    .refine((s) => s === '' || (DAY.test(s) && !Number.isNaN(dayStart(s)) && new Date(dayStart(s)).toISOString().startsWith(s)), `${label} must be a date, like 2026-11-23.`)
    .optional();
/** '' for anyone, `none` for no account, or an id. */
const who = (label: string) =>
  z
    .string()
    .trim()
    .refine((s) => s === '' || s === 'none' || /^[1-9]\d{0,14}$/.test(s), `${label} must be one of the list.`)
    .optional();

export const auditFilterSchema = z
  .object({
    action: z
      .string()
      .trim()
      .max(60, 'Action must be at most 60 characters.')
      .refine((s) => /^[a-z0-9_.-]*$/.test(s), 'Action is the start of an action’s name: lower-case letters, digits, dots, dashes and underscores, like login or personal_data.')
      .optional(),
    actor: who('Who'),
    panel: who('Panel'),
    from: day('From'),
    to: day('To'),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'To must be on or after From.', path: ['to'] });
export type AuditForm = z.infer<typeof auditFilterSchema>;

/** The form's fields as a filter; `panel` is read only where the page lets you choose it (the installation's). */
export function filterOf(form: AuditForm, choosePanel: boolean): AuditFilter {
  const id = (s: string | undefined) => (!s ? undefined : s === 'none' ? null : Number(s));
  return {
    ...(form.action ? { action: form.action } : {}),
    ...(form.actor ? { actor: id(form.actor) } : {}),
    ...(choosePanel && form.panel ? { panelId: id(form.panel) } : {}),
    // Whole days in UTC, as the page shows times: To is the end of its day.
    ...(form.from ? { from: dayStart(form.from) } : {}),
    ...(form.to ? { to: dayStart(form.to) + 86_400_000 } : {}),
  };
}

/** The filter's fields as a query string, for the pager's links and the CSV link (only the fields that are set). */
export function queryOf(form: AuditForm, choosePanel: boolean): string {
  const pairs = Object.entries({ action: form.action, actor: form.actor, panel: choosePanel ? form.panel : undefined, from: form.from, to: form.to }).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
  );
  return new URLSearchParams(pairs).toString();
}
