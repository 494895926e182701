import type { Db } from '../db';
import type { Alternates } from '../sortition/alternates';
import type { Algorithm, ValueCount } from '../sortition/types';
import type { AlternatesChoice } from './commitment';

export type DrawKind = 'trial' | 'final' | 'replacement';

/** What a finished draw keeps: pseudonyms only. */
export interface DrawOutcome {
  selected: string[];
  minProbability: number;
  gini: number;
  counts: ValueCount[];
  /** Every person's chance, in the order of the pool file. */
  chances: number[];
  poolSize: number;
  types: number;
  notes: string[];
  /** Diversimax only: everyone's chance under LEXIMIN on the same pool, for the comparison on the draw page. */
  leximinChances?: number[];
  /** A final draw whose commitment asked for alternates: the ranked list, and what its simulation found. */
  alternates?: Alternates;
}

export interface Draw {
  id: number;
  panelId: number;
  kind: DrawKind;
  algorithm: Algorithm;
  seed: string;
  panelSize: number;
  poolCsv: string;
  quotasCsv: string;
  status: 'running' | 'done' | 'failed';
  outcome: DrawOutcome | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

const DRAW_COLUMNS = `id, panel_id AS panelId, kind, algorithm, seed, panel_size AS panelSize, pool_csv AS poolCsv,
  quotas_csv AS quotasCsv, status, result, error, created_at AS createdAt, finished_at AS finishedAt`;

type DrawRow = Omit<Draw, 'outcome'> & { result: string | null };
const toDraw = ({ result, ...row }: DrawRow): Draw => ({ ...row, outcome: result ? (JSON.parse(result) as DrawOutcome) : null });

export function insertDraw(
  db: Db,
  d: Pick<Draw, 'panelId' | 'kind' | 'algorithm' | 'seed' | 'panelSize' | 'poolCsv' | 'quotasCsv'>,
  userId: number | null,
  now: number,
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO draws (panel_id, kind, algorithm, seed, panel_size, pool_csv, quotas_csv, status, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(d.panelId, d.kind, d.algorithm, d.seed, d.panelSize, d.poolCsv, d.quotasCsv, userId, now).lastInsertRowid,
  );
}

export function finishDraw(db: Db, id: number, now: number, outcome: DrawOutcome | null, error: string | null): void {
  db.prepare('UPDATE draws SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ?').run(
    outcome ? 'done' : 'failed',
    outcome ? JSON.stringify(outcome) : null,
    error,
    now,
    id,
  );
}

export function findDraw(db: Db, panelId: number, id: number): Draw | undefined {
  const row = db.prepare(`SELECT ${DRAW_COLUMNS} FROM draws WHERE panel_id = ? AND id = ?`).get(panelId, id) as DrawRow | undefined;
  return row && toDraw(row);
}

export function listDraws(db: Db, panelId: number): Draw[] {
  return (db.prepare(`SELECT ${DRAW_COLUMNS} FROM draws WHERE panel_id = ? ORDER BY id DESC`).all(panelId) as DrawRow[]).map(toDraw);
}

/** Draws left 'running' by a stopped server cannot finish: mark them failed, with the reason. */
export function failInterruptedDraws(db: Db, now: number): void {
  db.prepare("UPDATE draws SET status = 'failed', error = 'the server stopped during the draw; run it again', finished_at = ? WHERE status = 'running'").run(now);
}

export interface Commitment {
  panelId: number;
  algorithm: Algorithm;
  engineVersion: string;
  panelSize: number;
  poolCsv: string;
  quotasCsv: string;
  randomness: string;
  hash: string;
  committedAt: number;
  numbers: string | null;
  seed: string | null;
  drawId: number | null;
  /** A transparent final pick (dice): the list the commitment fixed; null for one by public numbers. */
  dice?: Dice | null;
  /** Alternates the final draw ranks, and the dropout table they are chosen for; null for none. */
  alternates?: AlternatesChoice | null;
}

/** What a commitment to a final pick by dice fixes: how many panels, how they were made, the list's fingerprint. */
export interface Dice {
  listSize: number;
  listMethod: string;
  listSha256: string;
}

/** What the organiser's and the public pages say of the list: each person's chance in it and in the lottery rounded. */
export interface DiceSummary extends Dice {
  listChances: number[];
  lotteryChances: number[];
  maxChange: number;
  lotteryPanels: number;
}

/** The list itself: one line per panel, by tickets (uniform-list.ts). */
export interface DiceList extends DiceSummary {
  listText: string;
}

export function findCommitment(db: Db, panelId: number): Commitment | undefined {
  const row = db
    .prepare(
      `SELECT c.panel_id AS panelId, algorithm, engine_version AS engineVersion, panel_size AS panelSize, pool_csv AS poolCsv,
         quotas_csv AS quotasCsv, randomness, hash, committed_at AS committedAt, numbers, seed, draw_id AS drawId,
         d.size AS listSize, d.method AS listMethod, d.fingerprint AS listSha256, c.alternates AS count, c.dropout_csv AS dropoutCsv
       FROM commitments c LEFT JOIN dice_lists d ON d.panel_id = c.panel_id WHERE c.panel_id = ?`,
    )
    .get(panelId) as (Omit<Commitment, 'dice' | 'alternates'> & { listSize: number | null; listMethod: string; listSha256: string; count: number; dropoutCsv: string | null }) | undefined;
  if (!row) return undefined;
  const { listSize, listMethod, listSha256, count, dropoutCsv, ...commitment } = row;
  return { ...commitment, dice: listSize === null ? null : { listSize, listMethod, listSha256 }, alternates: count > 0 && dropoutCsv ? { count, dropoutCsv } : null };
}

export function insertDiceList(db: Db, panelId: number, list: DiceList): void {
  db.prepare(
    `INSERT INTO dice_lists (panel_id, size, method, fingerprint, list_text, list_chances, lottery_chances, max_change, lottery_panels)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(panelId, list.listSize, list.listMethod, list.listSha256, list.listText, JSON.stringify(list.listChances), JSON.stringify(list.lotteryChances), list.maxChange, list.lotteryPanels);
}

const SUMMARY_COLUMNS = `size AS listSize, method AS listMethod, fingerprint AS listSha256, list_chances AS listChances,
  lottery_chances AS lotteryChances, max_change AS maxChange, lottery_panels AS lotteryPanels`;
type SummaryRow = Omit<DiceSummary, 'listChances' | 'lotteryChances'> & { listChances: string; lotteryChances: string };
const toSummary = (row: SummaryRow): DiceSummary => ({ ...row, listChances: JSON.parse(row.listChances) as number[], lotteryChances: JSON.parse(row.lotteryChances) as number[] });

/** The list's figures, without the list (a large text). */
export function findDiceSummary(db: Db, panelId: number): DiceSummary | undefined {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM dice_lists WHERE panel_id = ?`).get(panelId) as SummaryRow | undefined;
  return row && toSummary(row);
}

export function findDiceList(db: Db, panelId: number): DiceList | undefined {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS}, list_text AS listText FROM dice_lists WHERE panel_id = ?`).get(panelId) as (SummaryRow & { listText: string }) | undefined;
  return row && { ...toSummary(row), listText: row.listText };
}

/** A commitment's fingerprint, seed and final draw, without its files: enough to tell whether it changed. */
export function commitmentHead(db: Db, panelId: number): { hash: string; seed: string | null; drawId: number | null } | undefined {
  return db.prepare('SELECT hash, seed, draw_id AS drawId FROM commitments WHERE panel_id = ?').get(panelId) as { hash: string; seed: string | null; drawId: number | null } | undefined;
}

/** How many replacement draws have finished. */
export function replacementsDone(db: Db, panelId: number): number {
  return db.prepare("SELECT COUNT(*) FROM draws WHERE panel_id = ? AND kind = 'replacement' AND status = 'done'").pluck().get(panelId) as number;
}

export function insertCommitment(db: Db, c: Omit<Commitment, 'numbers' | 'seed' | 'drawId' | 'dice'>, userId: number): void {
  db.prepare(
    `INSERT INTO commitments (panel_id, algorithm, engine_version, panel_size, pool_csv, quotas_csv, randomness, hash, committed_by, committed_at, alternates, dropout_csv)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(c.panelId, c.algorithm, c.engineVersion, c.panelSize, c.poolCsv, c.quotasCsv, c.randomness, c.hash, userId, c.committedAt, c.alternates?.count ?? 0, c.alternates?.dropoutCsv ?? null);
}

export function recordNumbers(db: Db, panelId: number, numbers: string, seed: string, drawId: number): void {
  db.prepare('UPDATE commitments SET numbers = ?, seed = ?, draw_id = ? WHERE panel_id = ?').run(numbers, seed, drawId, panelId);
}

export interface Auditor {
  id: number;
  name: string;
  organisation: string;
  givenAt: number;
  statement: string | null;
  statedAt: number | null;
}

export function listAuditors(db: Db, panelId: number): Auditor[] {
  return db
    .prepare('SELECT id, name, organisation, given_at AS givenAt, statement, stated_at AS statedAt FROM auditors WHERE panel_id = ? ORDER BY id')
    .all(panelId) as Auditor[];
}
