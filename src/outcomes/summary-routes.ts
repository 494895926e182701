import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { findPanel } from '../panels/repo';
import { publicUrl } from '../config';
import { queueOutcome } from '../membership/messages';
import type { RoomRepo } from '../room/repo';
import { HttpError, notFound } from '../web/errors';
import { unconfirmed } from '../web/confirm';
import { formValues, parseForm, parseId } from '../web/validate';
import { type Correction, type Summaries, SummaryError } from './summaries';
import { summaryView, versionsView } from './view';

const draftSchema = z.object({
  narrative: z.string().max(20_000, 'The narrative is too long (at most 20,000 characters).').default(''),
  corrections: z.string().max(20_000, 'The corrections are too long (at most 20,000 characters).').default(''),
});
const publishSchema = z.object({ note: z.string().max(1000, 'Keep the note under 1,000 characters.').default('') });

/** One correction per line: "what it corrects: the correction". Returns the corrections, or the first bad line. */
export function parseCorrections(text: string): Correction[] | string {
  const out: Correction[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(':');
    if (at < 1 || !line.slice(at + 1).trim()) return `Line ${i + 1} of the corrections: write what it corrects, a colon, then the correction, as in "Vote 3: two paper ballots were counted twice".`;
    out.push({ about: line.slice(0, at).trim(), text: line.slice(at + 1).trim() });
  }
  return out;
}

/**
 * The written summary of a session: the facilitator writes the narrative and corrections over the record the
 * room kept; the panel approves it by a vote in the room; the organiser publishes it, and later corrections.
 */
export function summaryRouter(ctx: AppContext, room: RoomRepo, summaries: Summaries): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/sessions/:id/summary', requireRole('organiser', 'facilitator'));

  const load = (raw: string) => {
    const session = room.find(parseId(raw, 'That session'));
    if (!session) throw notFound('That session');
    return { session, panel: findPanel(db, session.panelId) };
  };
  const page = (id: string, extra: Record<string, unknown> = {}) => {
    const { session, panel } = load(id);
    const draft = summaries.draft(session.id);
    const versions = summaries.versions(session.id);
    return {
      title: `Summary: ${session.title}`,
      session,
      panel,
      draft,
      approval: draft && summaries.approval(session.id, draft.revision),
      nextRevision: (draft?.revision ?? 0) + 1,
      correctionsText: draft?.corrections.map((c) => `${c.about}: ${c.text}`).join('\n') ?? '',
      versions: versionsView(versions),
      published: versions.length > 0,
      ...extra,
    };
  };

  router.get('/admin/sessions/:id/summary', (req, res) => res.render('pages/admin/summary', page(req.params.id)));

  router.get('/admin/sessions/:id/summary/preview', (req, res) => {
    const { session, panel } = load(req.params.id);
    const draft = summaries.draft(session.id);
    if (!draft) throw new HttpError(404, 'There is no saved summary to preview yet: write one and save it first.', 'No summary yet');
    res.render('pages/outcomes/summary', { title: `Preview: ${session.title}`, preview: true, panel, session, version: { version: `draft ${draft.revision}` }, isLatest: true, summary: summaryView(draft), versions: [] });
  });

  router.post('/admin/sessions/:id/summary', (req, res) => {
    const form = parseForm(draftSchema, req.body);
    const again = (errors: Record<string, string>) => res.status(400).render('pages/admin/summary', page(req.params.id, { errors, form: formValues(req.body) }));
    if (!form.ok) return again(form.errors);
    const corrections = parseCorrections(form.data.corrections);
    if (typeof corrections === 'string') return again({ corrections });
    const { session } = load(req.params.id);
    const user = currentUser(res);
    const draft = db.transaction(() => {
      const saved = summaries.save(session.id, form.data.narrative, corrections, user.id);
      audit(db, clock, { panelId: session.panelId, userId: user.id, action: 'summary.save', subject: `session ${session.id}`, detail: { revision: saved.revision } });
      return saved;
    })();
    res.render('pages/admin/summary', page(req.params.id, { saved: draft.revision }));
  });

  router.post('/admin/sessions/:id/summary/publish', requireRole('organiser'), (req, res) => {
    const id = String(req.params.id);
    const form = parseForm(publishSchema, req.body);
    // A published version is fixed for good (a correction is a new version beside it): the box says so.
    const errors = { ...(form.ok ? {} : form.errors), ...unconfirmed(req.body, 'confirm-publish') };
    if (!form.ok || Object.keys(errors).length) return res.status(400).render('pages/admin/summary', page(id, { errors, note: formValues(req.body).note }));
    const { session, panel } = load(id);
    const user = currentUser(res);
    try {
      const version = db.transaction(() => {
        const v = summaries.publish(session.id, form.data.note, user.id);
        // The members hear of the first version; a correction is a new version beside it, not news.
        const told = v.version === 1 && panel ? queueOutcome(ctx, panel, session.title, `${publicUrl(ctx.config)}/outcomes/${panel.slug}/sessions/${session.id}`) : 0;
        audit(db, clock, { panelId: session.panelId, userId: user.id, action: 'summary.publish', subject: `session ${session.id}`, detail: { version: v.version, revision: v.revision, membersTold: told } });
        return v;
      })();
      res.redirect(303, `/outcomes/${panel?.slug}/sessions/${session.id}/v/${version.version}`);
    } catch (err) {
      if (err instanceof SummaryError) return res.status(409).render('pages/admin/summary', page(id, { errors: { note: err.message }, note: form.data.note }));
      throw err;
    }
  });
  return router;
}
