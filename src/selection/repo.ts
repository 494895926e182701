import type { Db } from '../db';
import type { Algorithm, ValueCount } from '../sortition/types';

export type DrawKind = 'trial' | 'final' | 'replacement';
export type MemberStatus = 'selected' | 'invited' | 'confirmed' | 'declined' | 'withdrawn';

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
}

export function findCommitment(db: Db, panelId: number): Commitment | undefined {
  return db
    .prepare(
      `SELECT panel_id AS panelId, algorithm, engine_version AS engineVersion, panel_size AS panelSize, pool_csv AS poolCsv,
         quotas_csv AS quotasCsv, randomness, hash, committed_at AS committedAt, numbers, seed, draw_id AS drawId
       FROM commitments WHERE panel_id = ?`,
    )
    .get(panelId) as Commitment | undefined;
}

export function insertCommitment(db: Db, c: Omit<Commitment, 'numbers' | 'seed' | 'drawId'>, userId: number): void {
  db.prepare(
    `INSERT INTO commitments (panel_id, algorithm, engine_version, panel_size, pool_csv, quotas_csv, randomness, hash, committed_by, committed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(c.panelId, c.algorithm, c.engineVersion, c.panelSize, c.poolCsv, c.quotasCsv, c.randomness, c.hash, userId, c.committedAt);
}

export function recordNumbers(db: Db, panelId: number, numbers: string, seed: string, drawId: number): void {
  db.prepare('UPDATE commitments SET numbers = ?, seed = ?, draw_id = ? WHERE panel_id = ?').run(numbers, seed, drawId, panelId);
}

export interface Member {
  id: number;
  registrantId: number;
  publicId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  drawId: number;
  status: MemberStatus;
  invitedAt: number | null;
  answeredAt: number | null;
  replacedByDraw: number | null;
}

const MEMBER_COLUMNS = `m.id, m.registrant_id AS registrantId, r.public_id AS publicId, r.name, r.email, r.phone, m.draw_id AS drawId,
  m.status, m.invited_at AS invitedAt, m.answered_at AS answeredAt, m.replaced_by_draw AS replacedByDraw`;

export function listMembers(db: Db, panelId: number): Member[] {
  return db
    .prepare(`SELECT ${MEMBER_COLUMNS} FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.panel_id = ? ORDER BY m.id`)
    .all(panelId) as Member[];
}

export function addMembers(db: Db, panelId: number, drawId: number, publicIds: string[]): void {
  const insert = db.prepare(
    `INSERT INTO members (panel_id, registrant_id, draw_id, status)
     SELECT ?, id, ?, 'selected' FROM registrants WHERE panel_id = ? AND public_id = ?`,
  );
  for (const publicId of publicIds) insert.run(panelId, drawId, panelId, publicId);
}

/** The hash of a member's current invitation link, if they have one. */
export function invitationHash(db: Db, memberId: number): string | undefined {
  return (db.prepare('SELECT token_hash FROM members WHERE id = ?').pluck().get(memberId) as string | null | undefined) ?? undefined;
}

export function setInvitation(db: Db, memberId: number, tokenHash: string, now: number): void {
  db.prepare("UPDATE members SET token_hash = ?, invited_at = ?, status = CASE WHEN status = 'selected' THEN 'invited' ELSE status END WHERE id = ?").run(
    tokenHash,
    now,
    memberId,
  );
}

/** How long an invitation link works from when it was made: the life of a panel, with room to spare. */
export const INVITATION_DAYS = 180;

/** Whether a member's invitation link has run out (a new link, made by the organiser, starts the term again). */
export function invitationExpired(member: { invitedAt: number | null }, now: number): boolean {
  return member.invitedAt !== null && now >= member.invitedAt + INVITATION_DAYS * 86_400_000;
}

export function findByToken(db: Db, tokenHash: string): (Member & { panelId: number }) | undefined {
  return db
    .prepare(`SELECT ${MEMBER_COLUMNS}, m.panel_id AS panelId FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.token_hash = ?`)
    .get(tokenHash) as (Member & { panelId: number }) | undefined;
}

export function setStatus(db: Db, memberId: number, status: MemberStatus, now: number): void {
  db.prepare('UPDATE members SET status = ?, answered_at = ? WHERE id = ?').run(status, now, memberId);
}

export function markReplaced(db: Db, memberIds: number[], drawId: number): void {
  const update = db.prepare('UPDATE members SET replaced_by_draw = ? WHERE id = ?');
  for (const id of memberIds) update.run(drawId, id);
}
