import type { Db } from '../db';
import { MIN_GROUP } from '../disclosure';
import { listCategories } from '../panels/repo';
import { type DropoutTable, dropoutCsv, MAX_DROPOUT } from '../sortition/dropout';

/**
 * A dropout table estimated from earlier panels (issue 23): of the people drawn onto them who answered, how many
 * declined or withdrew, overall and for each of this panel's values. Each value's rate is shrunk towards the overall
 * one by 20 people's worth of it, so a value few people had says little; values fewer than 5 people had are left out.
 * Only panels the organiser may act on are read, and only counts leave this function.
 */
const SHRINK = 20;
const ENOUGH = 20;

export interface History {
  panels: number;
  answered: number;
  dropped: number;
  /** The table as its file, or undefined if the panels hold too few answers to say anything. */
  csv?: string;
}

export function dropoutHistory(db: Db, panelId: number, panelIds: number[]): History {
  const earlier = panelIds.filter((id) => id !== panelId);
  const marks = earlier.map(() => '?').join(', ');
  const answered = "m.status IN ('confirmed', 'declined', 'withdrawn')";
  const dropped = "m.status IN ('declined', 'withdrawn')";
  const total = earlier.length
    ? (db.prepare(`SELECT COUNT(DISTINCT m.panel_id) AS panels, COUNT(*) AS answered, COALESCE(SUM(${dropped}), 0) AS dropped FROM members m WHERE ${answered} AND m.panel_id IN (${marks})`).get(...earlier) as Omit<History, 'csv'>)
    : { panels: 0, answered: 0, dropped: 0 };
  if (total.answered < ENOUGH) return total;
  const byValue = db
    .prepare(
      `SELECT c.key AS category, cv.value AS value, COUNT(*) AS answered, SUM(${dropped}) AS dropped
       FROM members m JOIN registrant_values rv ON rv.registrant_id = m.registrant_id
       JOIN category_values cv ON cv.id = rv.value_id JOIN categories c ON c.id = cv.category_id
       WHERE ${answered} AND m.panel_id IN (${marks}) GROUP BY c.key, cv.value`,
    )
    .all(...earlier) as { category: string; value: string; answered: number; dropped: number }[];
  const base = Math.min(MAX_DROPOUT, Math.max(0.01, total.dropped / total.answered));
  const ours = new Set(listCategories(db, panelId).flatMap((c) => c.values.map((v) => `${c.key}\u0000${v.value}`)));
  const rates = byValue
    .filter((r) => ours.has(`${r.category}\u0000${r.value}`) && r.answered >= MIN_GROUP)
    .map((r) => ({ category: r.category, value: r.value, rate: Math.min(MAX_DROPOUT, Math.max(0, (r.dropped + base * SHRINK) / (r.answered + SHRINK))) }));
  const table: DropoutTable = { base, rates };
  return { ...total, csv: dropoutCsv(table) };
}
