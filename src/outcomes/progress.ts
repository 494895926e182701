import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import { parseForm, text, wholeNumber } from '../web/validate';
import type { Responses } from './responses';

/**
 * Progress on the council's response that the public can follow (issue 24): for each adopted recommendation,
 * milestones (a step and the date it is promised by), each with a log of dated updates (planned, in progress,
 * done or dropped; an optional percentage; a short text). Everything here is public as soon as it is posted and
 * never changed afterwards (triggers refuse it): a correction is a later update.
 */
export const MILESTONE_STATUSES = ['planned', 'in-progress', 'done', 'dropped'] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

export interface Update {
  id: number;
  status: MilestoneStatus;
  progress: number | null;
  text: string;
  postedAt: number;
}

export interface Milestone {
  id: number;
  session: number;
  recommendation: number;
  title: string;
  /** YYYY-MM-DD. */
  due: string;
  createdAt: number;
  updates: Update[];
  /** The latest update's. */
  status: MilestoneStatus;
  progress: number | null;
  /** Past its date and neither done nor dropped. */
  overdue: boolean;
}

const day = (label: string) => text(label, 40, `Give ${label.toLowerCase()} as a day, such as 2027-03-31.`).refine((d) => /^\d{4}-\d\d-\d\d$/.test(d) && !Number.isNaN(Date.parse(d)), `Give ${label.toLowerCase()} as a day, such as 2027-03-31.`);
export const milestoneSchema = z.object({
  title: text('The milestone', 200, 'Say what the step is, such as “Two venues open in Foleshill and Hillfields”.'),
  due: day('The date'),
});
export const updateSchema = z.object({
  status: z.enum(MILESTONE_STATUSES, { error: 'Choose where it stands: planned, in progress, done or dropped.' }),
  progress: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), wholeNumber('The progress', 0, 100).optional()),
  text: text('The update', 1000, 'Say in a sentence or two what happened.'),
});

/** The end of a YYYY-MM-DD day (UTC), as milliseconds: a milestone is overdue after it. */
const endOf = (due: string) => Date.parse(`${due}T23:59:59Z`);

export class Progress {
  constructor(
    private readonly ctx: AppContext,
    private readonly responses: Responses,
  ) {}

  /** The panel's milestones with their updates, by recommendation then date. */
  milestones(panelId: number): Milestone[] {
    const { db, clock } = this.ctx;
    const rows = db.prepare('SELECT id, session_id AS session, recommendation, title, due, created_at AS createdAt FROM milestones WHERE panel_id = ? ORDER BY session_id, recommendation, due, id').all(panelId) as Omit<Milestone, 'updates' | 'status' | 'progress' | 'overdue'>[];
    // Every update of the panel's milestones in one query, in the order they were posted.
    const updates = db
      .prepare('SELECT u.milestone_id AS milestone, u.id, u.status, u.progress, u.text, u.posted_at AS postedAt FROM milestone_updates u JOIN milestones m ON m.id = u.milestone_id WHERE m.panel_id = ? ORDER BY u.id')
      .all(panelId) as (Update & { milestone: number })[];
    return rows.map((m) => {
      const log = updates.filter((u) => u.milestone === m.id).map(({ milestone: _, ...u }) => u);
      const last = log.at(-1) as Update;
      const open = last.status === 'planned' || last.status === 'in-progress';
      return { ...m, updates: log, status: last.status, progress: [...log].reverse().find((u) => u.progress !== null)?.progress ?? null, overdue: open && clock.now() > endOf(m.due) };
    });
  }

  /** Adds a milestone to an adopted recommendation the council has answered; it starts as planned. */
  add(panelId: number, session: number, recommendation: number, body: unknown, userId: number): { ok: true } | { ok: false; errors: Record<string, string> } {
    this.answered(panelId, session, recommendation);
    const form = parseForm(milestoneSchema, body);
    if (!form.ok) return form;
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const id = Number(
        db.prepare('INSERT INTO milestones (panel_id, session_id, recommendation, title, due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(panelId, session, recommendation, form.data.title, form.data.due, userId, clock.now()).lastInsertRowid,
      );
      db.prepare("INSERT INTO milestone_updates (milestone_id, status, progress, text, posted_by, posted_at) VALUES (?, 'planned', NULL, ?, ?, ?)").run(id, `Planned for ${form.data.due}.`, userId, clock.now());
      audit(db, clock, { userId, panelId, action: 'progress.milestone', subject: `milestone ${id}`, detail: { session, recommendation } });
    })();
    return { ok: true };
  }

  /** Posts an update to one of the panel's milestones. */
  update(panelId: number, milestoneId: number, body: unknown, userId: number): { ok: true } | { ok: false; errors: Record<string, string> } {
    const { db, clock } = this.ctx;
    if (!db.prepare('SELECT 1 FROM milestones WHERE id = ? AND panel_id = ?').get(milestoneId, panelId)) throw new DomainError('not_found', 'That milestone is not one of this panel’s.', 'No such milestone');
    const form = parseForm(updateSchema, body);
    if (!form.ok) return form;
    db.transaction(() => {
      db.prepare('INSERT INTO milestone_updates (milestone_id, status, progress, text, posted_by, posted_at) VALUES (?, ?, ?, ?, ?, ?)').run(milestoneId, form.data.status, form.data.progress ?? null, form.data.text, userId, clock.now());
      audit(db, clock, { userId, panelId, action: 'progress.update', subject: `milestone ${milestoneId}`, detail: { status: form.data.status, progress: form.data.progress ?? null } });
    })();
    return { ok: true };
  }

  /** Refused unless the recommendation is adopted and the published response answers it. */
  private answered(panelId: number, session: number, recommendation: number): void {
    const answered = this.responses.latest(panelId)?.answers.some((a) => a.session === session && a.recommendation === recommendation);
    if (!answered) throw new DomainError('conflict', 'Publish the council’s response to this recommendation first: its milestones follow what the council said it would do.', 'Not answered yet');
  }
}
