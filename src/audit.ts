import type { Clock } from './clock';
import type { Db } from './db';

export interface AuditEntry {
  userId?: number | null;
  panelId?: number | null;
  action: string;
  subject?: string;
  /** Counts, ids and settings only: never names, contacts or addresses. */
  detail?: Record<string, unknown>;
}

export function audit(db: Db, clock: Clock, entry: AuditEntry): void {
  db.prepare(
    'INSERT INTO audit_log (at, user_id, panel_id, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    clock.now(),
    entry.userId ?? null,
    entry.panelId ?? null,
    entry.action,
    entry.subject ?? null,
    JSON.stringify(entry.detail ?? {}),
  );
}

export interface AuditRow {
  at: number;
  action: string;
  subject: string | null;
  detail: string;
  user_email: string | null;
}

export function listAudit(db: Db, panelId: number, limit = 200): AuditRow[] {
  return db
    .prepare(
      `SELECT a.at, a.action, a.subject, a.detail, u.email AS user_email
       FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.panel_id = ? ORDER BY a.id DESC LIMIT ?`,
    )
    .all(panelId, limit) as AuditRow[];
}
