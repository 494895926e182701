import type { AppContext } from '../context';
import { listCategories } from '../panels/repo';
import type { RoomRepo } from '../room/repo';
import { buildRecord, type SessionRecord } from './record';
import { publicRecord } from './small-groups';

/** Something the facilitator adds to the record: what it corrects, and the correction. */
export interface Correction {
  about: string;
  text: string;
}

/** What is published: the record as built, the facilitator's narrative (Markdown) and corrections. */
export interface SummaryContent {
  record: SessionRecord;
  narrative: string;
  corrections: Correction[];
}

export interface Draft extends SummaryContent {
  sessionId: number;
  revision: number;
  updatedAt: number;
}

export interface Approval {
  vote: number;
  summary: string;
}

export interface Version {
  sessionId: number;
  version: number;
  revision: number;
  content: SummaryContent;
  /** The panel's vote that approved it (the first version). */
  approval: Approval | null;
  /** A correction: the organiser's note, and which parts changed from the version before. */
  changes: { note: string; parts: string[] } | null;
  publishedAt: number;
}

export class SummaryError extends Error {}

const PARTS: (keyof SessionRecord)[] = ['agenda', 'attendance', 'questions', 'boards', 'tableReports', 'votes', 'recommendations', 'airtime'];

/**
 * Written summaries of sessions: a draft the facilitator saves (each save rebuilds the record from what the room
 * stored, and is a new revision), the panel approves a revision by a vote in the room, and the organiser
 * publishes it. Published versions are fixed (a trigger refuses any update); a correction is a new version.
 */
export class Summaries {
  private readonly q;
  /** Parsed published versions per session: they never change, so they are parsed once, not on every page view. */
  private readonly published = new Map<number, { key: string; versions: readonly Version[] }>();

  constructor(
    private readonly ctx: AppContext,
    private readonly room: RoomRepo,
  ) {
    const { db } = ctx;
    this.q = {
      draft: db.prepare('SELECT session_id AS sessionId, revision, record, narrative, corrections, updated_at AS updatedAt FROM summary_drafts WHERE session_id = ?'),
      saveDraft: db.prepare(
        `INSERT INTO summary_drafts (session_id, revision, record, narrative, corrections, updated_by, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET revision = revision + 1, record = excluded.record, narrative = excluded.narrative,
           corrections = excluded.corrections, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ),
      keepRevision: db.prepare(
        'INSERT INTO summary_revisions (session_id, revision, record, narrative, corrections, saved_at) SELECT session_id, revision, record, narrative, corrections, updated_at FROM summary_drafts WHERE session_id = ?',
      ),
      revision: db.prepare('SELECT record, narrative, corrections FROM summary_revisions WHERE session_id = ? AND revision = ?'),
      versionsKey: db.prepare("SELECT COUNT(*) || ':' || IFNULL(MAX(published_at), '') FROM summary_versions WHERE session_id = ?").pluck(),
      versions: db.prepare('SELECT session_id AS sessionId, version, revision, content, approval, changes, published_at AS publishedAt FROM summary_versions WHERE session_id = ? ORDER BY version'),
      insertVersion: db.prepare('INSERT INTO summary_versions (session_id, version, revision, content, approval, changes, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  /** The record of a session as the room has it now. */
  build(sessionId: number): SessionRecord {
    const session = this.room.find(sessionId);
    const state = this.room.state(sessionId);
    if (!session || !state) throw new SummaryError(`There is no session ${sessionId}.`);
    const categories = listCategories(this.ctx.db, session.panelId).map((c) => ({ key: c.key, label: c.label, values: c.values.map((v) => ({ value: v.value, label: v.label })) }));
    return publicRecord(buildRecord({
      session: { id: sessionId, title: session.title },
      state,
      attendance: this.room.attendance(sessionId),
      answers: this.room.answers(sessionId),
      categories,
    }));
  }

  draft(sessionId: number): Draft | undefined {
    const row = this.q.draft.get(sessionId) as (Omit<Draft, 'record' | 'corrections'> & { record: string; corrections: string }) | undefined;
    return row && { ...row, record: JSON.parse(row.record) as SessionRecord, corrections: JSON.parse(row.corrections) as Correction[] };
  }

  /** Saves the narrative and corrections with the record rebuilt now: a new revision, which needs the panel's approval again. */
  save(sessionId: number, narrative: string, corrections: Correction[], userId: number | null): Draft {
    const record = this.build(sessionId);
    this.ctx.db.transaction(() => {
      this.q.saveDraft.run(sessionId, JSON.stringify(record), narrative, JSON.stringify(corrections), userId, this.ctx.clock.now());
      this.q.keepRevision.run(sessionId);
    })();
    return this.draft(sessionId) as Draft;
  }

  /** A saved revision as it was saved: what a vote in the room asks the members to approve. */
  revision(sessionId: number, revision: number): SummaryContent | undefined {
    const row = this.q.revision.get(sessionId, revision) as { record: string; narrative: string; corrections: string } | undefined;
    return row && { record: JSON.parse(row.record) as SessionRecord, narrative: row.narrative, corrections: JSON.parse(row.corrections) as Correction[] };
  }

  /** The vote in the room that approved this revision, if one passed. */
  approval(sessionId: number, revision: number): Approval | undefined {
    const vote = this.room.state(sessionId)?.votes.find((v) => v.approves === revision && v.status === 'closed' && v.result?.outcome === 'passed');
    return vote && { vote: vote.id, summary: vote.result?.summary ?? '' };
  }

  /** The published versions, oldest first. Shared and read-only: they are parsed once and kept while none is added. */
  versions(sessionId: number): readonly Version[] {
    type Row = Omit<Version, 'content' | 'approval' | 'changes'> & { content: string; approval: string | null; changes: string | null };
    const key = this.q.versionsKey.get(sessionId) as string;
    const kept = this.published.get(sessionId);
    if (kept?.key === key) return kept.versions;
    const versions = (this.q.versions.all(sessionId) as Row[]).map((r) => ({
      ...r,
      content: JSON.parse(r.content) as SummaryContent,
      approval: r.approval ? (JSON.parse(r.approval) as Approval) : null,
      changes: r.changes ? (JSON.parse(r.changes) as Version['changes']) : null,
    }));
    this.published.set(sessionId, { key, versions });
    return versions;
  }

  /**
   * Publishes the draft. The first version needs the panel's approval of this very revision; a later one is a
   * correction and needs a note saying what changed and why, shown with it.
   */
  publish(sessionId: number, note: string, userId: number | null): Version {
    return this.ctx.db.transaction(() => {
      const draft = this.draft(sessionId);
      if (!draft) throw new SummaryError('There is no summary to publish yet: write and save one first.');
      const earlier = this.versions(sessionId);
      const last = earlier[earlier.length - 1];
      const content: SummaryContent = { record: draft.record, narrative: draft.narrative, corrections: draft.corrections };
      let approval: Approval | null = null;
      let changes: Version['changes'] = null;
      if (!last) {
        approval = this.approval(sessionId, draft.revision) ?? null;
        if (!approval) throw new SummaryError(`The panel has not approved revision ${draft.revision} yet. In the room's vote round, choose "the session's written summary" under "What the vote decides", and publish once the vote has passed.`);
      } else {
        const parts = changedParts(last.content, content);
        if (!parts.length) throw new SummaryError(`Nothing has changed since version ${last.version}: there is nothing to correct.`);
        if (note.trim().length < 10) throw new SummaryError('Say what this correction changes and why (at least 10 characters): it is published with the new version.');
        changes = { note: note.trim(), parts };
      }
      const version = (last?.version ?? 0) + 1;
      const now = this.ctx.clock.now();
      this.q.insertVersion.run(sessionId, version, draft.revision, JSON.stringify(content), approval && JSON.stringify(approval), changes && JSON.stringify(changes), userId, now);
      return { sessionId, version, revision: draft.revision, content, approval, changes, publishedAt: now };
    })();
  }
}

/** Which parts of a summary differ between two versions, in words people use. */
export function changedParts(before: SummaryContent, after: SummaryContent): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const parts = PARTS.filter((p) => !same(before.record[p], after.record[p])).map((p) => PART_NAMES[p] ?? p);
  if (before.narrative !== after.narrative) parts.unshift('the narrative');
  if (!same(before.corrections, after.corrections)) parts.push('the corrections');
  return parts;
}

const PART_NAMES: Partial<Record<keyof SessionRecord, string>> = {
  agenda: 'the agenda as it ran',
  attendance: 'attendance',
  questions: 'the questions to speakers',
  boards: 'the ideas and themes',
  tableReports: "the tables' reports",
  votes: 'the votes',
  recommendations: 'the recommendations',
  airtime: 'airtime',
};
