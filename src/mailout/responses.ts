import type { Db } from '../db';
import { listCategories, poolCounts } from '../panels/repo';
import { listWaves, type Response, responseBy } from './repo';

/**
 * The response dashboard's figures (issue 21): who has registered, by wave, ward and decile, against the letters
 * sent, and the pool so far against every stage-two quota. Counts for the panel's organisers; nothing here is
 * published. Registrations without a code are "open".
 */
const DAY = 86_400_000;

export interface Rate {
  label: string;
  lettered: number;
  households: number;
  people: number;
  /** Households registered per 100 households written to. */
  rate: number;
  /** The bar's length, as a percentage of the longest. */
  bar: number;
}

const oneDecimal = (n: number) => Math.round(n * 10) / 10;

function rates(rows: Response[], label: (r: Response) => string): Rate[] {
  const rateOf = (r: Response) => (r.lettered ? (100 * r.households) / r.lettered : 0);
  const top = Math.max(0.1, ...rows.map(rateOf));
  return rows.map((r) => ({ label: label(r), lettered: r.lettered, households: r.households, people: r.people, rate: oneDecimal(rateOf(r)), bar: oneDecimal((100 * rateOf(r)) / top) }));
}

export function responses(db: Db, panelId: number) {
  const waves = listWaves(db, panelId).filter((w) => w.drawnAt !== null);
  const count = (sql: string) => db.prepare(sql).pluck().get(panelId) as number;
  const live = 'FROM registrants WHERE panel_id = ? AND erased_at IS NULL';
  const totals = {
    letters: waves.reduce((n, w) => n + w.letters, 0),
    lettered: count('SELECT COUNT(DISTINCT l.household_id) FROM letters l JOIN mailout_waves w ON w.id = l.wave_id WHERE w.panel_id = ?'),
    codesUsed: count(`SELECT COUNT(DISTINCT household_id) ${live} AND household_id IS NOT NULL`),
    invited: count(`SELECT COUNT(*) ${live} AND household_id IS NOT NULL`),
    open: count(`SELECT COUNT(*) ${live} AND household_id IS NULL AND channel IS NOT NULL`),
    flagged: count(`SELECT COUNT(*) ${live} AND address_flag IS NOT NULL`),
    byStaff: count(`SELECT COUNT(*) ${live} AND channel IN ('phone', 'paper')`),
  };
  const perWave = waves.map((w) => ({
    number: w.number,
    kind: w.kind,
    letters: w.letters,
    people: db.prepare(`SELECT COUNT(*) ${live} AND wave = ?`).pluck().get(panelId, w.number) as number,
  }));
  return {
    totals,
    responseRate: totals.lettered ? oneDecimal((100 * totals.codesUsed) / totals.lettered) : 0,
    perWave,
    timeline: timeline(db, panelId, waves.length ? Math.min(...waves.map((w) => w.drawnAt as number)) : null),
    byWard: rates(responseBy(db, panelId, 'ward'), (r) => String(r.label)),
    byDecile: rates(responseBy(db, panelId, 'decile'), (r) => (r.label === null ? 'no decile' : `decile ${r.label}`)),
    quotas: poolAgainstQuotas(db, panelId),
  };
}

/**
 * Registrations over time, one line per wave (and one for open registrations), as cumulative counts by day since
 * the first wave was drawn: points for an SVG 300 wide and 120 high.
 */
function timeline(db: Db, panelId: number, from: number | null) {
  if (from === null) return null;
  const rows = db.prepare(`SELECT COALESCE(wave, 0) AS wave, CAST((created_at - ?) / ${DAY} AS INTEGER) AS day, COUNT(*) AS n
    FROM registrants WHERE panel_id = ? AND erased_at IS NULL AND channel IS NOT NULL AND created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2`).all(from, panelId, from) as { wave: number; day: number; n: number }[];
  const days = Math.max(7, ...rows.map((r) => r.day + 1));
  const lines = new Map<number, { day: number; total: number }[]>();
  for (const r of rows) {
    const line = lines.get(r.wave) ?? [];
    line.push({ day: r.day, total: (line[line.length - 1]?.total ?? 0) + r.n });
    lines.set(r.wave, line);
  }
  const top = Math.max(1, ...[...lines.values()].map((l) => l[l.length - 1].total));
  const x = (day: number) => Math.round((day / days) * 3000) / 10;
  const y = (n: number) => Math.round((120 - (n / top) * 110) * 10) / 10;
  return {
    days,
    top,
    lines: [...lines.entries()].map(([wave, points], i) => ({
      label: wave === 0 ? 'open (no code)' : `wave ${wave}`,
      total: points[points.length - 1].total,
      className: `line-${i % 4}`,
      points: [`0,120`, ...points.flatMap((p, k) => [`${x(p.day)},${y(k ? points[k - 1].total : 0)}`, `${x(p.day)},${y(p.total)}`]), `${x(days)},${y(points[points.length - 1].total)}`].join(' '),
    })),
  };
}

/** Everyone registered so far, per category value, against its quota: bars on one scale per category. */
function poolAgainstQuotas(db: Db, panelId: number) {
  const counts = poolCounts(db, panelId);
  return listCategories(db, panelId).map((c) => {
    const scale = Math.max(1, ...c.values.map((v) => Math.max(counts.get(v.id) ?? 0, (v.quotaMax ?? 0) * 3)));
    const at = (n: number) => Math.round((n / scale) * 1000) / 10;
    return {
      label: c.label,
      values: c.values.map((v) => {
        const n = counts.get(v.id) ?? 0;
        return { label: v.label, n, quota: v.quotaMin === null ? 'none' : `${v.quotaMin}–${v.quotaMax}`, min: v.quotaMin, short: v.quotaMin !== null && n < v.quotaMin, bar: at(n), mark: v.quotaMin === null ? null : at(v.quotaMin) };
      }),
    };
  });
}

export interface FlaggedAddress {
  id: number;
  publicId: string;
  /** What differs from the invited address: postcode, house number, house name or flat. */
  flag: string;
  address: string;
  postcode: string;
  invited: string;
}

/** Registrations whose address differs from the invited household's, for the organiser to check. */
export function flaggedAddresses(db: Db, panelId: number): FlaggedAddress[] {
  const rows = db.prepare(`SELECT r.id, r.public_id AS publicId, r.address_flag AS flag, r.address, r.postcode, h.line1, h.line2, h.postcode AS invitedPostcode
    FROM registrants r JOIN households h ON h.id = r.household_id
    WHERE r.panel_id = ? AND r.address_flag IS NOT NULL AND r.erased_at IS NULL ORDER BY r.id`).all(panelId) as (FlaggedAddress & { line1: string; line2: string; invitedPostcode: string })[];
  return rows.map(({ line1, line2, invitedPostcode, ...r }) => ({ ...r, invited: [line1, line2, invitedPostcode].filter(Boolean).join(', ') }));
}

/** The organiser has checked a flagged address (and corrected it if need be): the flag goes. */
export function clearAddressFlag(db: Db, panelId: number, registrantId: number): string | undefined {
  return db.prepare('UPDATE registrants SET address_flag = NULL WHERE id = ? AND panel_id = ? AND address_flag IS NOT NULL AND erased_at IS NULL RETURNING public_id').pluck().get(registrantId, panelId) as string | undefined;
}
