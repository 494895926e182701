import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import type { RoomRepo } from '../room/repo';
import { optionalText, parseForm, text } from '../web/validate';
import { publishedSessions } from './panel';
import type { Summaries } from './summaries';

/**
 * The council's response to a panel's recommendations (issue 24): for each recommendation the panel adopted (in the
 * latest published summary of its session), whether it is accepted, accepted in part, not accepted or needs further
 * work, why in plain words, who is responsible and by when. The team drafts; publishing makes a numbered version,
 * fixed once written (a trigger refuses any change); a correction is a new version with a note saying what changed.
 */
export const RESPONSE_STATUSES = ['accepted', 'in-part', 'not-accepted', 'further-work'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export interface Answer {
  status: ResponseStatus;
  reasons: string;
  responsible: string;
  /** YYYY-MM-DD, or null when no date is promised. */
  due: string | null;
}

/** An adopted recommendation, as the panel worded it, and where it was adopted. */
export interface Adopted {
  session: number;
  sessionTitle: string;
  recommendation: number;
  text: string;
}

export interface ResponseVersion {
  version: number;
  note: string | null;
  publishedAt: number;
  answers: (Adopted & Answer)[];
}

export const answerSchema = z.object({
  status: z.enum(RESPONSE_STATUSES, { error: 'Choose the response: accepted, accepted in part, not accepted, or needs further work.' }),
  reasons: text('The reasons', 3000, 'Say why, in plain words: what the council will do, or why not.'),
  responsible: text('Who is responsible', 200, 'Say who is responsible: a team, a service or a named post.'),
  due: optionalText('The date', 10).refine((d) => d === undefined || (/^\d{4}-\d\d-\d\d$/.test(d) && !Number.isNaN(Date.parse(d))), 'Give the date as a day, such as 2027-03-31, or leave it empty.'),
});

export class Responses {
  constructor(
    private readonly ctx: AppContext,
    private readonly room: RoomRepo,
    private readonly summaries: Summaries,
  ) {}

  /** Every recommendation adopted in the panel's published summaries, in the order of its sessions. */
  adopted(panelId: number): Adopted[] {
    return publishedSessions(this.room, this.summaries, panelId).flatMap(({ session, latest }) =>
      latest.content.record.recommendations.filter((r) => r.status === 'adopted').map((r) => ({ session: session.id, sessionTitle: session.title, recommendation: r.id, text: r.text })),
    );
  }

  drafts(panelId: number): Map<string, Answer> {
    const rows = this.ctx.db.prepare('SELECT session_id AS session, recommendation, status, reasons, responsible, due FROM response_drafts WHERE panel_id = ?').all(panelId) as (Answer & { session: number; recommendation: number })[];
    return new Map(rows.map(({ session, recommendation, ...answer }) => [keyOf(session, recommendation), answer]));
  }

  /** Saves the team's draft answer to one adopted recommendation; bad input is answered by field and changes nothing. */
  saveDraft(panelId: number, session: number, recommendation: number, body: unknown, userId: number): { ok: true } | { ok: false; errors: Record<string, string> } {
    if (!this.adopted(panelId).some((a) => a.session === session && a.recommendation === recommendation)) {
      throw new DomainError('not_found', 'That recommendation is not one the panel adopted in a published summary.', 'No such recommendation');
    }
    const form = parseForm(answerSchema, body);
    if (!form.ok) return form;
    const { db, clock } = this.ctx;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO response_drafts (panel_id, session_id, recommendation, status, reasons, responsible, due, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (panel_id, session_id, recommendation) DO UPDATE SET status = excluded.status, reasons = excluded.reasons, responsible = excluded.responsible,
           due = excluded.due, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ).run(panelId, session, recommendation, form.data.status, form.data.reasons, form.data.responsible, form.data.due ?? null, userId, clock.now());
      audit(db, clock, { userId, panelId, action: 'response.draft', subject: `session ${session} recommendation ${recommendation}`, detail: { status: form.data.status } });
    })();
    return { ok: true };
  }

  versions(panelId: number): ResponseVersion[] {
    const rows = this.ctx.db.prepare('SELECT version, note, published_at AS publishedAt, content FROM response_versions WHERE panel_id = ? ORDER BY version').all(panelId) as { version: number; note: string | null; publishedAt: number; content: string }[];
    return rows.map(({ content, ...v }) => ({ ...v, answers: JSON.parse(content) as ResponseVersion['answers'] }));
  }

  latest(panelId: number): ResponseVersion | undefined {
    return this.versions(panelId).at(-1);
  }

  /**
   * Publishes the drafts as the next version: every adopted recommendation must have an answer; a version after the
   * first needs a note saying what changed, and must change something. Returns the version's number.
   */
  publish(panelId: number, note: string | undefined, userId: number): number {
    const { db, clock } = this.ctx;
    const adopted = this.adopted(panelId);
    if (adopted.length === 0) throw new DomainError('conflict', 'There is nothing to respond to yet: no published summary has an adopted recommendation.', 'Nothing to respond to');
    const drafts = this.drafts(panelId);
    const missing = adopted.filter((a) => !drafts.has(keyOf(a.session, a.recommendation)));
    if (missing.length) {
      throw new DomainError('invalid', `Answer every recommendation before publishing: ${missing.map((m) => `recommendation ${m.recommendation} (${m.sessionTitle})`).join(', ')} ${missing.length === 1 ? 'has' : 'have'} no response yet.`);
    }
    const answers = adopted.map((a) => ({ ...a, ...(drafts.get(keyOf(a.session, a.recommendation)) as Answer) }));
    const previous = this.latest(panelId);
    if (previous) {
      if (!note) throw new DomainError('invalid', `Say what changed since version ${previous.version}: a published response is corrected by a new version with a note.`);
      if (JSON.stringify(previous.answers) === JSON.stringify(answers)) throw new DomainError('conflict', `Nothing changed since version ${previous.version}: change a response first.`, 'Nothing changed');
    }
    const version = (previous?.version ?? 0) + 1;
    db.transaction(() => {
      db.prepare('INSERT INTO response_versions (panel_id, version, content, note, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?)').run(panelId, version, JSON.stringify(answers), previous ? note : null, userId, clock.now());
      audit(db, clock, { userId, panelId, action: 'response.publish', subject: `version ${version}`, detail: { answers: answers.length } });
    })();
    return version;
  }
}

/** The key of one recommendation of one session. */
export const keyOf = (session: number, recommendation: number): string => `${session}-${recommendation}`;
