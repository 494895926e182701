import { Router } from 'express';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import { loadPanel } from '../panels/load';
import type { Panel } from '../panels/repo';
import { unconfirmed } from '../web/confirm';
import { formValues, parseForm, parseId } from '../web/validate';
import { type Answer, keyOf, RESPONSE_STATUSES, type Responses } from './responses';
import { MILESTONE_STATUSES, type Progress } from './progress';
import { queueResponse } from '../membership/messages';
import { publicUrl } from '../config';
import { translator } from '../web/i18n';

const noteSchema = z.object({ note: z.string().trim().max(1000, 'Keep the note under 1,000 characters.').default('') });

/** What each response is called on the organiser's page (the public page says it in the reader's language). */
export const STATUS_WORDS: Record<(typeof RESPONSE_STATUSES)[number], string> = {
  accepted: 'Accepted',
  'in-part': 'Accepted in part',
  'not-accepted': 'Not accepted',
  'further-work': 'Needs further work',
};

/**
 * A form's errors keyed as this page's fields are (`reasons-12-3`, `milestone-due-12-3`): the page holds one form per
 * recommendation or milestone, so the summary's links and each form's own messages carry its key.
 */
const keyed = (errors: Record<string, string>, key: string | number, prefix = '') => Object.fromEntries(Object.entries(errors).map(([field, message]) => [`${prefix}${field}-${key}`, message]));

/** What each state of a milestone is called on the organiser's page. */
export const MILESTONE_WORDS: Record<(typeof MILESTONE_STATUSES)[number], string> = { planned: 'Planned', 'in-progress': 'In progress', done: 'Done', dropped: 'Dropped' };

/**
 * The council's response (responses.ts), for the panel's organisers: one form per adopted recommendation, then
 * publishing the whole response as a version; corrections are later versions with a note.
 */
export function responseRouter(ctx: AppContext, responses: Responses, progress: Progress): Router {
  const router = Router();
  router.use('/admin/panels/:id/response', requireRole('organiser'));
  router.use('/admin/panels/:id/milestones', requireRole('organiser'));

  const render = (res: Parameters<Parameters<Router['get']>[1]>[1], panel: Panel, extra: Record<string, unknown> = {}) => {
    const drafts = responses.drafts(panel.id);
    const typed = extra.typed as { key: string; values: Record<string, string>; errors: Record<string, string> } | undefined;
    const versions = responses.versions(panel.id);
    const milestones = progress.milestones(panel.id);
    const answered = new Set(versions.at(-1)?.answers.map((a) => keyOf(a.session, a.recommendation)) ?? []);
    res.render('pages/admin/response', {
      milestoneStatuses: MILESTONE_STATUSES.map((value) => ({ value, label: MILESTONE_WORDS[value] })),
      title: `The council’s response: ${panel.title}`,
      panel,
      statuses: RESPONSE_STATUSES.map((value) => ({ value, label: STATUS_WORDS[value] })),
      recommendations: responses.adopted(panel.id).map((a) => {
        const key = keyOf(a.session, a.recommendation);
        const mine = typed?.key === key ? typed : undefined;
        const answer: Partial<Answer> = mine ? mine.values : (drafts.get(key) ?? {});
        const steps = milestones.filter((m) => m.session === a.session && m.recommendation === a.recommendation).map((m) => ({ ...m, statusWord: MILESTONE_WORDS[m.status] }));
        return { ...a, key, answer, errors: mine?.errors, published: answered.has(key), milestones: steps };
      }),
      versions: versions.slice().reverse(),
      latest: versions.at(-1),
      next: (versions.at(-1)?.version ?? 0) + 1,
      ...extra,
    });
  };

  router.get('/admin/panels/:id/response', (req, res) => render(res, loadPanel(ctx, req.params.id), { saved: req.query.saved }));

  router.post('/admin/panels/:id/response/:sessionId/:rec', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const session = parseId(req.params.sessionId, 'That session');
    const rec = parseId(req.params.rec, 'That recommendation');
    const saved = responses.saveDraft(panel.id, session, rec, req.body, currentUser(res).id);
    const key = keyOf(session, rec);
    if (!saved.ok) return render(res.status(400), panel, { errors: keyed(saved.errors, key), typed: { key, values: formValues(req.body), errors: saved.errors } });
    res.redirect(303, `/admin/panels/${panel.id}/response?saved=${rec}#recommendation-${session}-${rec}`);
  });

  // Progress (progress.ts): milestones on an answered recommendation, and updates to them; public at once.
  router.post('/admin/panels/:id/response/:sessionId/:rec/milestones', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const session = parseId(req.params.sessionId, 'That session');
    const rec = parseId(req.params.rec, 'That recommendation');
    const added = progress.add(panel.id, session, rec, req.body, currentUser(res).id);
    const key = keyOf(session, rec);
    if (!added.ok) return render(res.status(400), panel, { errors: keyed(added.errors, key, 'milestone-'), milestoneErrors: keyed(added.errors, key) });
    res.redirect(303, `/admin/panels/${panel.id}/response?saved=milestone#recommendation-${key}`);
  });

  router.post('/admin/panels/:id/milestones/:milestoneId/updates', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const id = parseId(req.params.milestoneId, 'That milestone');
    const posted = progress.update(panel.id, id, req.body, currentUser(res).id);
    const milestone = posted.ok ? progress.milestones(panel.id).find((m) => m.id === id) : undefined;
    if (milestone) {
      const what = (language: string) => translator(language)('outcomes.response.message.progress', { recommendation: milestone.recommendation, milestone: milestone.title, status: translator(language)(`outcomes.progress.status.${milestone.status}`) });
      queueResponse(ctx, panel, what, `${publicUrl(ctx.config)}/outcomes/${panel.slug}#milestone-${id}`);
    }
    if (!posted.ok) return render(res.status(400), panel, { errors: keyed(posted.errors, id, 'update-'), updateErrors: keyed(posted.errors, id) });
    res.redirect(303, `/admin/panels/${panel.id}/response?saved=update#milestone-${id}`);
  });

  router.post('/admin/panels/:id/response/publish', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(noteSchema, req.body);
    const errors = { ...(form.ok ? {} : form.errors), ...unconfirmed(req.body, 'confirm-publish') };
    if (!form.ok || Object.keys(errors).length) return render(res.status(400), panel, { errors, note: formValues(req.body).note });
    try {
      const version = responses.publish(panel.id, form.data.note || undefined, currentUser(res).id);
      // Members hear back, in their language: the response, or that it was corrected and how.
      const key = version === 1 ? 'outcomes.response.message.published' : 'outcomes.response.message.corrected';
      queueResponse(ctx, panel, (language) => translator(language)(key, { version, note: form.data.note }), `${publicUrl(ctx.config)}/outcomes/${panel.slug}#recommended`);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'invalid') return render(res.status(400), panel, { errors: { note: err.message }, note: form.data.note });
      throw err;
    }
    res.redirect(303, `/admin/panels/${panel.id}/response?saved=published`);
  });

  return router;
}
