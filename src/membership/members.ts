import { type Db, preparedOnce } from '../db';

/**
 * Who is on a panel (issue 18, step 5): the members drawn, where each stands (selected, invited, confirmed,
 * declined, withdrawn), their invitation links and which draw replaced them. The room, the selection, the
 * registration pages and the outcomes all ask here; none of them reads the members table itself.
 */
export type MemberStatus = 'selected' | 'invited' | 'confirmed' | 'declined' | 'withdrawn';

/** Members who hold a seat: drawn and not (yet) gone. */
export const SEATED: ReadonlySet<MemberStatus> = new Set<MemberStatus>(['selected', 'invited', 'confirmed']);

/** Whether a member with this status holds a seat. */
export const isSeated = (status: MemberStatus): boolean => SEATED.has(status);

/** Statements asked on every room event, prepared once per database (rule 6). */
const statements = preparedOnce((db) => ({
  standing: db.prepare(
    `SELECT m.status FROM registrants r LEFT JOIN members m ON m.registrant_id = r.id AND m.panel_id = r.panel_id
     WHERE r.panel_id = ? AND r.public_id = ?`,
  ),
}));

/**
 * Where a registrant of the panel stands: their member status, null if they were never drawn, undefined if the
 * panel has no registrant with that pseudonym (or it was erased).
 */
export function standing(db: Db, panelId: number, publicId: string): MemberStatus | null | undefined {
  const row = statements(db).standing.get(panelId, publicId) as { status: MemberStatus | null } | undefined;
  return row ? row.status : undefined;
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
  /** What the room calls them (a first name, say), given when they confirmed; null until then. */
  roomName: string | null;
  /** The language they registered in, or last chose on their member page (issue 22). */
  language: string;
}

const MEMBER_COLUMNS = `m.id, m.registrant_id AS registrantId, r.public_id AS publicId, r.name, r.email, r.phone, m.draw_id AS drawId,
  m.status, m.invited_at AS invitedAt, m.answered_at AS answeredAt, m.replaced_by_draw AS replacedByDraw, m.room_name AS roomName,
  COALESCE(r.language, 'en') AS language`;

export function listMembers(db: Db, panelId: number): Member[] {
  return db
    .prepare(`SELECT ${MEMBER_COLUMNS} FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.panel_id = ? ORDER BY m.id`)
    .all(panelId) as Member[];
}

/** The people a draw selected, as members; `confirmed` only for scripts and benchmarks that skip the invitations. */
export function addMembers(db: Db, panelId: number, drawId: number, publicIds: string[], status: 'selected' | 'confirmed' = 'selected'): void {
  const insert = db.prepare(
    `INSERT INTO members (panel_id, registrant_id, draw_id, status)
     SELECT ?, id, ?, ? FROM registrants WHERE panel_id = ? AND public_id = ?`,
  );
  for (const publicId of publicIds) insert.run(panelId, drawId, status, panelId, publicId);
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

/** Members who left a seat that no replacement has filled yet. */
export function vacancies(members: Member[]): Member[] {
  return members.filter((m) => !isSeated(m.status) && m.replacedByDraw === null);
}


/** The members who have confirmed their place: the panel's members, as the room, the record and public pages count them. */
export function confirmedMembers(db: Db, panelId: number): Member[] {
  return listMembers(db, panelId).filter((m) => m.status === 'confirmed');
}

/**
 * How many members have confirmed, and how many of them gave each answer (by category value id): counts only.
 * Someone drawn who has not said yes is not (yet) a member, on any page (issue 19).
 */
export function confirmedMakeup(db: Db, panelId: number): { members: number; byValue: Map<number, number> } {
  const rows = db
    .prepare(
      `SELECT rv.value_id AS valueId, COUNT(*) AS n FROM members m JOIN registrant_values rv ON rv.registrant_id = m.registrant_id
       WHERE m.panel_id = ? AND m.status = 'confirmed' GROUP BY rv.value_id`,
    )
    .all(panelId) as { valueId: number; n: number }[];
  const members = db.prepare("SELECT COUNT(*) FROM members WHERE panel_id = ? AND status = 'confirmed'").pluck().get(panelId) as number;
  return { members, byValue: new Map(rows.map((r) => [r.valueId, r.n])) };
}

/** What the room calls a member: given by them, at most this long. */
export const ROOM_NAME_MAX = 40;

export function setRoomName(db: Db, memberId: number, roomName: string | null): void {
  db.prepare('UPDATE members SET room_name = ? WHERE id = ?').run(roomName, memberId);
}

/** The names the panel's seated members gave the room: pseudonym -> name, for those who gave one. */
export function roomNames(db: Db, panelId: number): Map<string, string> {
  const statuses = [...SEATED];
  const rows = db
    .prepare(
      `SELECT r.public_id AS publicId, m.room_name AS roomName FROM members m JOIN registrants r ON r.id = m.registrant_id
       WHERE m.panel_id = ? AND m.room_name IS NOT NULL AND m.status IN (${statuses.map(() => '?').join(', ')})`,
    )
    .all(panelId, ...statuses) as { publicId: string; roomName: string }[];
  return new Map(rows.map((r) => [r.publicId, r.roomName]));
}
