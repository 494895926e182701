import type { Clock } from './clock';
import { type Db, preparedOnce } from './db';

/**
 * The audit trail (issue 20): what was done, by whom, to what, and who saw or took residents' data. An entry holds
 * ids, counts and settings, never a name, a contact or an address, nor anything typed that could be one (a search,
 * an email typed at the login form): an auditor may read all of it, and a subject access export quotes it.
 */
export interface AuditEntry {
  userId?: number | null;
  panelId?: number | null;
  action: string;
  subject?: string;
  /** Counts, ids and settings only: never names, contacts or addresses. */
  detail?: Record<string, unknown>;
}

const statements = preparedOnce((db) => ({
  insert: db.prepare('INSERT INTO audit_log (at, user_id, panel_id, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)'),
  recent: db.prepare(
    `SELECT a.at, a.action, a.subject, a.detail, u.email AS user_email
     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.panel_id = ? ORDER BY a.id DESC LIMIT ?`,
  ),
}));

export function audit(db: Db, clock: Clock, entry: AuditEntry): void {
  statements(db).insert.run(
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

/** A panel's latest entries, newest first (the filterable, paged trail is in audit-query.ts). */
export function listAudit(db: Db, panelId: number, limit = 200): AuditRow[] {
  return statements(db).recent.all(panelId, limit) as AuditRow[];
}

// --- Who came in ---

/** Why a sign-in was refused: the auditor's words for it, never what was typed. */
export type LoginRefusal = 'wrong-password' | 'no-such-account' | 'rate-limited' | 'two-factor-failed' | 'two-factor-limited' | 'two-factor-expired';

/**
 * A sign-in, let in or refused. Logins belong to no panel. `userId` is the account's when the email named one,
 * null when it named none: then nothing is kept of what was typed, since it may be a resident's own address.
 */
export function auditLogin(db: Db, clock: Clock, userId: number | null, outcome: { refused: LoginRefusal } | { method: 'password' | 'two-factor' }): void {
  if ('refused' in outcome) audit(db, clock, { userId, action: 'login.failure', detail: { reason: outcome.refused } });
  else audit(db, clock, { userId, action: 'login.success', detail: { method: outcome.method } });
}

// --- Who saw residents' data ---

/**
 * What of residents' data a page shows or a file holds: a fixed label, so a route cannot put a name or a search
 * in the trail by mistake.
 */
export type PersonalData =
  | 'pool'
  | 'pool search'
  | 'pool.csv'
  | 'registrant'
  | 'members'
  | 'invitation links'
  | 'draw selected'
  | 'draw chances.csv'
  | 'auditors pool.csv'
  | 'auditors draw pool.csv'
  | 'auditors panels.txt'
  | 'auditors chances.csv'
  | 'letters.pdf'
  | 'flagged addresses'
  | 'letters large print.pdf'
  | 'letters.csv'
  | 'invitation letters.pdf'
  | 'messages'
  | 'message';

/** What the helpers need of a response: who is signed in. */
interface Viewer {
  locals: { user?: { id: number } };
}

/** What every helper below is given: the app's database and clock. */
interface Trail {
  db: Db;
  clock: Clock;
}

/**
 * Records that the signed-in person saw `rows` people's data on a page of this panel (one line per route). A page
 * that showed nobody records nothing. `subject` names one person, by pseudonym only.
 */
export function auditView(trail: Trail, res: Viewer, panelId: number, what: PersonalData, rows: number, subject?: string): void {
  personalData(trail, res, panelId, 'personal_data.view', what, rows, subject);
}

/** Records that the signed-in person downloaded a file of `rows` people's data from this panel. */
export function auditDownload(trail: Trail, res: Viewer, panelId: number, what: PersonalData, rows: number): void {
  personalData(trail, res, panelId, 'personal_data.download', what, rows);
}

function personalData(trail: Trail, res: Viewer, panelId: number, action: string, what: PersonalData, rows: number, subject?: string): void {
  if (rows === 0) return;
  audit(trail.db, trail.clock, { userId: res.locals.user?.id ?? null, panelId, action, subject, detail: { what, rows } });
}

/**
 * Entries that record access (who signed in, who saw or took data, who read the trail) rather than a change: a
 * GET or a refused sign-in writes them, and changes nothing else.
 */
export function isAccessRecord(action: string): boolean {
  return /^(personal_data|audit|login)\./.test(action) || action === 'logout';
}
