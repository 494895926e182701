import type { Db } from '../db';
import type { Quota } from '../sortition/quotas';

export interface Panel {
  id: number;
  slug: string;
  title: string;
  question: string;
  panelSize: number;
  closesAt: number;
  quotaTolerance: number;
  createdAt: number;
  /** When registration opened; null while the panel is a draft. */
  openedAt: number | null;
  /** When an organiser closed registration by hand (before the commitment); null if not. */
  closedAt: number | null;
  /** What the invitation tells the people drawn; empty strings until the organiser fills them in. */
  details: PanelDetails;
  /** Whether only people whose email address is confirmed (or who gave none) go into the draw. */
  confirmedOnly: boolean;
}

/** The event's practical details, as the organiser typed them (free text), and whom to ask. */
export interface PanelDetails {
  dates: string;
  venue: string;
  expenses: string;
  access: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
}

export const NO_DETAILS: PanelDetails = { dates: '', venue: '', expenses: '', access: '', contactName: '', contactEmail: '', contactPhone: '' };

/**
 * Whether nobody can register now: closed by hand, past its closing date, or never opened (a pool imported
 * without the public form; such a panel cannot open once it has a commitment).
 */
export const registrationClosed = (panel: Pick<Panel, 'closesAt' | 'closedAt' | 'openedAt'>, now: number): boolean =>
  panel.openedAt === null || panel.closedAt !== null || panel.closesAt <= now;

/** When registration ended, or ends: the earlier of the hand closing and the closing date. */
export const registrationEnd = (panel: Pick<Panel, 'closesAt' | 'closedAt'>): number => Math.min(panel.closesAt, panel.closedAt ?? Infinity);

/** The closing date in words, as letters and messages give it ("2 February 2027"), in a language's own words (a BCP 47 tag). */
export const closingDay = (panel: Pick<Panel, 'closesAt'>, tag = 'en-GB'): string =>
  new Date(panel.closesAt).toLocaleDateString(tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

export function closeRegistration(db: Db, panelId: number, now: number): boolean {
  return db.prepare('UPDATE panels SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(now, panelId).changes === 1;
}

export interface CategoryValue {
  id: number;
  value: string;
  label: string;
  share: number | null;
  quotaMin: number | null;
  quotaMax: number | null;
}

export interface Category {
  id: number;
  key: string;
  label: string;
  question: string;
  values: CategoryValue[];
}

export interface NewCategory {
  key: string;
  label: string;
  question: string;
  values: { value: string; label: string; share?: number | null }[];
}

export interface NewPanel {
  slug: string;
  title: string;
  question: string;
  panelSize: number;
  closesAt: number;
  quotaTolerance: number;
  details?: PanelDetails;
}

/** What an organiser may change on a panel after creating it (panels/upkeep.ts says when). */
export type PanelEdit = Omit<NewPanel, 'slug' | 'details'> & { details: PanelDetails };

const PANEL_COLUMNS = `id, slug, title, question, panel_size AS panelSize, closes_at AS closesAt,
  quota_tolerance AS quotaTolerance, created_at AS createdAt, opened_at AS openedAt, closed_at AS closedAt,
  confirmed_only AS confirmedOnly, details_dates AS dates, details_venue AS venue, details_expenses AS expenses, details_access AS access,
  contact_name AS contactName, contact_email AS contactEmail, contact_phone AS contactPhone`;

type PanelRow = Omit<Panel, 'details' | 'confirmedOnly'> & PanelDetails & { confirmedOnly: number | boolean };

/** A row as selected by PANEL_COLUMNS, with its details gathered into one object. */
function toPanel<T extends PanelRow>(row: T): Omit<T, keyof PanelDetails | 'confirmedOnly'> & { details: PanelDetails; confirmedOnly: boolean } {
  const { dates, venue, expenses, access, contactName, contactEmail, contactPhone, confirmedOnly, ...rest } = row;
  return { ...rest, confirmedOnly: Boolean(confirmedOnly), details: { dates, venue, expenses, access, contactName, contactEmail, contactPhone } };
}

export function insertPanel(db: Db, panel: NewPanel, now: number): number {
  const d = panel.details ?? NO_DETAILS;
  const result = db
    .prepare(
      `INSERT INTO panels (slug, title, question, panel_size, closes_at, quota_tolerance, created_at,
         details_dates, details_venue, details_expenses, details_access, contact_name, contact_email, contact_phone)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(panel.slug, panel.title, panel.question, panel.panelSize, panel.closesAt, panel.quotaTolerance, now,
      d.dates, d.venue, d.expenses, d.access, d.contactName, d.contactEmail, d.contactPhone);
  return Number(result.lastInsertRowid);
}

/** Writes an edit the caller has checked (panels/upkeep.ts); the slug, and when registration opened or was closed by hand, stay. */
export function updatePanel(db: Db, id: number, edit: PanelEdit): void {
  const d = edit.details;
  db.prepare(
    `UPDATE panels SET title = ?, question = ?, panel_size = ?, closes_at = ?, quota_tolerance = ?,
       details_dates = ?, details_venue = ?, details_expenses = ?, details_access = ?,
       contact_name = ?, contact_email = ?, contact_phone = ? WHERE id = ?`,
  ).run(edit.title, edit.question, edit.panelSize, edit.closesAt, edit.quotaTolerance,
    d.dates, d.venue, d.expenses, d.access, d.contactName, d.contactEmail, d.contactPhone, id);
}

/**
 * Deletes a panel and everything hanging from it (categories and their values and quotas, its team, its audit
 * lines, trial draws, erased registrants' remains: every reference to a panel cascades). The caller checks that
 * nothing that matters hangs from it, and wraps this in the transaction that records why.
 */
export function deletePanel(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM panels WHERE id = ?').run(id).changes === 1;
}

export function listPanels(db: Db): (Panel & { poolSize: number })[] {
  return (db
    .prepare(
      `SELECT ${PANEL_COLUMNS},
        (SELECT COUNT(*) FROM registrants r WHERE r.panel_id = panels.id AND r.erased_at IS NULL) AS poolSize
       FROM panels ORDER BY created_at DESC, id DESC`,
    )
    .all() as (PanelRow & { poolSize: number })[]).map(toPanel);
}

export function openPanel(db: Db, id: number, now: number): void {
  db.prepare('UPDATE panels SET opened_at = ? WHERE id = ? AND opened_at IS NULL').run(now, id);
}

export function findPanel(db: Db, id: number): Panel | undefined {
  const row = db.prepare(`SELECT ${PANEL_COLUMNS} FROM panels WHERE id = ?`).get(id) as PanelRow | undefined;
  return row && toPanel(row);
}

export function findPanelBySlug(db: Db, slug: string): Panel | undefined {
  const row = db.prepare(`SELECT ${PANEL_COLUMNS} FROM panels WHERE slug = ?`).get(slug) as PanelRow | undefined;
  return row && toPanel(row);
}

export function slugTaken(db: Db, slug: string): boolean {
  return db.prepare('SELECT 1 FROM panels WHERE slug = ?').get(slug) !== undefined;
}

export function listCategories(db: Db, panelId: number): Category[] {
  const categories = db
    .prepare('SELECT id, key, label, question FROM categories WHERE panel_id = ? ORDER BY position, id')
    .all(panelId) as Omit<Category, 'values'>[];
  const values = db.prepare(
    `SELECT id, value, label, share, quota_min AS quotaMin, quota_max AS quotaMax
     FROM category_values WHERE category_id = ? ORDER BY position, id`,
  );
  return categories.map((c) => ({ ...c, values: values.all(c.id) as CategoryValue[] }));
}

export function insertCategory(db: Db, panelId: number, category: NewCategory): number {
  const position = (
    db.prepare('SELECT COALESCE(MAX(position), 0) + 1 AS p FROM categories WHERE panel_id = ?').get(panelId) as {
      p: number;
    }
  ).p;
  const id = Number(
    db
      .prepare('INSERT INTO categories (panel_id, key, label, question, position) VALUES (?, ?, ?, ?, ?)')
      .run(panelId, category.key, category.label, category.question, position).lastInsertRowid,
  );
  const insertValue = db.prepare(
    'INSERT INTO category_values (category_id, value, label, share, position) VALUES (?, ?, ?, ?, ?)',
  );
  category.values.forEach((v, i) => insertValue.run(id, v.value, v.label, v.share ?? null, i + 1));
  return id;
}

/** Another panel's categories (questions, values, census shares; not its quotas), added after this panel's own. */
export function copyCategories(db: Db, fromPanelId: number, toPanelId: number): number {
  const categories = listCategories(db, fromPanelId);
  for (const c of categories) {
    insertCategory(db, toPanelId, { key: c.key, label: c.label, question: c.question, values: c.values.map((v) => ({ value: v.value, label: v.label, share: v.share })) });
  }
  return categories.length;
}

export function deleteCategory(db: Db, panelId: number, categoryId: number): boolean {
  return db.prepare('DELETE FROM categories WHERE id = ? AND panel_id = ?').run(categoryId, panelId).changes > 0;
}

/**
 * Who goes into the draw, as SQL on `registrants r`: not erased and, when the panel draws only confirmed
 * addresses, with an email address confirmed or none given.
 */
export const IN_DRAW = `r.erased_at IS NULL
  AND ((SELECT confirmed_only FROM panels WHERE id = r.panel_id) = 0 OR r.email IS NULL OR r.email_confirmed_at IS NOT NULL)`;

/** How many people who go into the draw hold each category value, by value id. */
export function poolCounts(db: Db, panelId: number): Map<number, number> {
  const rows = db
    .prepare(
      `SELECT rv.value_id AS id, COUNT(*) AS n FROM registrant_values rv
       JOIN registrants r ON r.id = rv.registrant_id
       WHERE r.panel_id = ? AND ${IN_DRAW} GROUP BY rv.value_id`,
    )
    .all(panelId) as { id: number; n: number }[];
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** How many go into the draw (IN_DRAW): fewer than poolSize when the panel draws only confirmed addresses. */
export function drawableSize(db: Db, panelId: number): number {
  return db.prepare(`SELECT COUNT(*) FROM registrants r WHERE r.panel_id = ? AND ${IN_DRAW}`).pluck().get(panelId) as number;
}

/** The pool's email addresses: confirmed, not (yet) confirmed, and people who gave none. */
export function emailCounts(db: Db, panelId: number): { confirmed: number; unconfirmed: number; none: number } {
  return db
    .prepare(
      `SELECT COALESCE(SUM(email IS NOT NULL AND email_confirmed_at IS NOT NULL), 0) AS confirmed,
         COALESCE(SUM(email IS NOT NULL AND email_confirmed_at IS NULL), 0) AS unconfirmed, COALESCE(SUM(email IS NULL), 0) AS none
       FROM registrants WHERE panel_id = ? AND erased_at IS NULL`,
    )
    .get(panelId) as { confirmed: number; unconfirmed: number; none: number };
}

/** Sets whether only confirmed addresses go into the draw; the caller checks there is no commitment yet. */
export function setConfirmedOnly(db: Db, panelId: number, on: boolean): void {
  db.prepare('UPDATE panels SET confirmed_only = ? WHERE id = ?').run(on ? 1 : 0, panelId);
}

/** The dropout table the organiser set for the panel's alternates (sortition/dropout.ts), or null for the default. */
export function dropoutTableCsv(db: Db, panelId: number): string | null {
  return db.prepare('SELECT dropout_csv FROM panels WHERE id = ?').pluck().get(panelId) as string | null;
}

/** Sets the panel's dropout table (null: back to the default); the caller checks there is no commitment yet. */
export function setDropoutTable(db: Db, panelId: number, csv: string | null): void {
  db.prepare('UPDATE panels SET dropout_csv = ? WHERE id = ?').run(csv, panelId);
}

export function poolSize(db: Db, panelId: number): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM registrants WHERE panel_id = ? AND erased_at IS NULL').get(panelId) as {
      n: number;
    }
  ).n;
}

/** Writes shares and quotas by value id; callers validate and wrap in a transaction. */
export function updateValueQuota(
  db: Db,
  valueId: number,
  fields: { share?: number | null; min: number | null; max: number | null },
): void {
  if (fields.share !== undefined) {
    db.prepare('UPDATE category_values SET share = ? WHERE id = ?').run(fields.share, valueId);
  }
  db.prepare('UPDATE category_values SET quota_min = ?, quota_max = ? WHERE id = ?').run(
    fields.min,
    fields.max,
    valueId,
  );
}

export function panelQuotas(categories: Category[]): Quota[] {
  return categories.flatMap((c) =>
    c.values
      .filter((v) => v.quotaMin !== null && v.quotaMax !== null)
      .map((v) => ({ category: c.key, value: v.value, min: v.quotaMin ?? 0, max: v.quotaMax ?? 0 })),
  );
}
