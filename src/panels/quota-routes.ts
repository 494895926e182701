import { Router } from 'express';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { CsvError } from '../csv';
import { csvUpload, problemsView, uploadedFile } from '../web/upload';
import { notFound } from '../web/errors';
import { formValues, parseForm, parseId, wholeNumber } from '../web/validate';
import { computeQuotas, exportQuotasCsv, importQuotas, quotaTable, saveTypedQuotas } from './quotas';
import type { Panel } from './repo';
import { removeTwoWay, saveTwoWay } from './two-way';
import { crossingsOf, saveCrossings } from './crossings';
import { loadPanel } from './load';
import { sendCsv } from '../web/download';

const toleranceSchema = z.object({
  tolerance: wholeNumber('Tolerance', 0, 50),
});

export function quotasRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/panels/:id/quotas', requireRole('organiser'));
  router.use('/admin/panels/:id/quotas.csv', requireRole('organiser'));

  const view = (panel: Panel, extra: Record<string, unknown> = {}, typed?: Record<string, unknown>) => {
    const table = quotaTable(ctx, panel);
    // After a refused save, show what was typed, so the organiser corrects it rather than retyping it.
    const keep = (field: string, stored: number | null) => (typed && typeof typed[field] === 'string' ? typed[field] : stored);
    const categories = table.categories.map((c) => ({
      ...c,
      values: c.values.map((v) => ({
        ...v,
        share: keep(`share_${v.id}`, v.share),
        quotaMin: keep(`min_${v.id}`, v.quotaMin),
        quotaMax: keep(`max_${v.id}`, v.quotaMax),
      })),
    }));
    const census = crossingsOf(ctx.db, panel.id);
    const crossings = { names: census.shares ? [...census.shares.keys()] : [], stale: census.stale };
    return { title: `Quotas: ${panel.title}`, panel, ...table, categories, crossings, ...extra };
  };

  router.get('/admin/panels/:id/quotas', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.render('pages/admin/quotas', view(panel, { saved: req.query.saved }));
  });

  router.post('/admin/panels/:id/quotas', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const errors = saveTypedQuotas(ctx, panel, req.body ?? {}, currentUser(res).id);
    if (Object.keys(errors).length) {
      return res.status(400).render('pages/admin/quotas', view(panel, { errors }, req.body));
    }
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=typed`);
  });

  router.post('/admin/panels/:id/quotas/compute', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(toleranceSchema, req.body);
    const problems = form.ok ? computeQuotas(ctx, panel, form.data.tolerance, currentUser(res).id) : Object.values(form.errors);
    if (problems.length) return res.status(400).render('pages/admin/quotas', view(panel, { computeProblems: problems }));
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=computed`);
  });

  router.post('/admin/panels/:id/quotas/import', ...csvUpload(), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    try {
      importQuotas(ctx, panel, uploadedFile(req), currentUser(res).id);
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      return res.status(400).render('pages/admin/quotas', view(panel, problemsView(err, req)));
    }
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=imported`);
  });

  // The census's crossings of two categories, for the draw page's intersection picture (crossings.ts).
  router.post('/admin/panels/:id/quotas/crossings', ...csvUpload(), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    try {
      saveCrossings(ctx, panel, uploadedFile(req), currentUser(res).id);
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      return res.status(400).render('pages/admin/quotas', view(panel, { crossingProblems: problemsView(err, req) }));
    }
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=crossings#crossings`);
  });

  router.post('/admin/panels/:id/quotas/crossings/remove', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    saveCrossings(ctx, panel, null, currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=crossings#crossings`);
  });

  router.post('/admin/panels/:id/quotas/two-way', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = formValues(req.body);
    const errors = saveTwoWay(ctx, panel, form, currentUser(res).id);
    if (Object.keys(errors).length) {
      const summary = Object.fromEntries(Object.entries(errors).map(([k, v]) => [`two-way-${k}`, v]));
      return res.status(400).render('pages/admin/quotas', view(panel, { errors: summary, twoWayErrors: errors, twoWayValues: form }));
    }
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=two-way#two-way`);
  });

  router.post('/admin/panels/:id/quotas/two-way/:qid/remove', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (!removeTwoWay(ctx, panel, parseId(req.params.qid, 'That two-way quota'), currentUser(res).id)) throw notFound('That two-way quota');
    res.redirect(303, `/admin/panels/${panel.id}/quotas?saved=two-way#two-way`);
  });

  router.get('/admin/panels/:id/quotas.csv', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    sendCsv(res, `${panel.slug}-quotas.csv`, exportQuotasCsv(ctx, panel));
  });

  return router;
}
