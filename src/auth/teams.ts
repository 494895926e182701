import type { Db } from '../db';
import type { User } from './users';

/**
 * Each panel's team (issue 17): the organisers and facilitators who may act on it. An administrator may act on
 * every panel; everyone else only on the panels whose team they are on, in every route, room handshake, room
 * event, summary action and CLI command. Membership is asked for each request, so a removal holds at once.
 */
export interface TeamMember {
  userId: number;
  name: string;
  email: string;
  role: User['role'];
  admin: boolean;
  addedAt: number;
}

export function onTeam(db: Db, user: Pick<User, 'id' | 'admin'>, panelId: number): boolean {
  if (user.admin) return true;
  return db.prepare('SELECT 1 FROM panel_team WHERE panel_id = ? AND user_id = ?').get(panelId, user.id) !== undefined;
}

/** The panels a person may act on: every panel for an administrator. */
export function panelIdsOf(db: Db, user: Pick<User, 'id' | 'admin'>): number[] {
  const sql = user.admin ? 'SELECT id FROM panels ORDER BY id' : 'SELECT panel_id FROM panel_team WHERE user_id = ? ORDER BY panel_id';
  return db.prepare(sql).pluck().all(...(user.admin ? [] : [user.id])) as number[];
}

export function teamOf(db: Db, panelId: number): TeamMember[] {
  const rows = db
    .prepare(
      `SELECT u.id AS userId, u.name, u.email, u.role, u.admin, t.added_at AS addedAt FROM panel_team t JOIN users u ON u.id = t.user_id
       WHERE t.panel_id = ? ORDER BY u.name, u.email`,
    )
    .all(panelId) as (Omit<TeamMember, 'admin'> & { admin: number })[];
  return rows.map((r) => ({ ...r, admin: r.admin === 1 }));
}

/** Adds a person to a panel's team; false if they were on it already. */
export function addToTeam(db: Db, panelId: number, userId: number, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO panel_team (panel_id, user_id, added_at) VALUES (?, ?, ?)').run(panelId, userId, now).changes === 1;
}

/** Takes a person off a panel's team; false if they were not on it. */
export function removeFromTeam(db: Db, panelId: number, userId: number): boolean {
  return db.prepare('DELETE FROM panel_team WHERE panel_id = ? AND user_id = ?').run(panelId, userId).changes === 1;
}

/** Each person's teams, by panel title, in one query (the People page). */
export function teamTitlesByUser(db: Db): Map<number, string[]> {
  const rows = db.prepare('SELECT t.user_id AS userId, p.title FROM panel_team t JOIN panels p ON p.id = t.panel_id ORDER BY p.title').all() as { userId: number; title: string }[];
  const map = new Map<number, string[]>();
  for (const r of rows) map.set(r.userId, [...(map.get(r.userId) ?? []), r.title]);
  return map;
}
