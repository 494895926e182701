import { type Response, Router } from 'express';
import { z } from 'zod';
import { auditDownload, auditView } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { CsvError } from '../csv';
import { listCategories, poolSize, type Panel } from '../panels/repo';
import { loadPanel } from '../panels/load';
import { csvUpload, problemsView, uploadedFile } from '../web/upload';
import { formValues, parseForm, parseId } from '../web/validate';
import { importPoolOffThread } from './import-job';
import { erase, exportPoolCsv } from './pool';
import { findRegistrant, listPool, searchPool, valuesOf } from './repo';
import { sendCsv } from '../web/download';
import type { Revocations } from '../revocations';
import { Membership } from '../membership/lifecycle';
import { findCommitment } from '../selection/repo';
import { HttpError, notFound } from '../web/errors';

const PAGE_SIZE = 100;

const searchSchema = z.object({
  q: z
    .string({ error: 'Search for one name, email, phone or pseudonym at a time.' })
    .trim()
    .max(100, 'A search must be at most 100 characters.')
    .default(''),
});

export function poolRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const { db } = ctx;
  const membership = new Membership(ctx, revocations);
  router.use('/admin/panels/:id', requireRole('organiser'));

  /** A page of the pool, or of the people matching a search (`q`, empty for everyone), recorded as seen by `res`'s user. */
  const renderPool = (res: Response, panel: Panel, page: unknown, extra: Record<string, unknown> = {}, q = '') => {
    const categories = listCategories(db, panel.id);
    const total = poolSize(db, panel.id);
    // No page past the pool's last is asked for: a search matches no more than the pool holds.
    const wanted = Math.min(Math.max(1, Math.ceil(total / PAGE_SIZE)), Math.max(1, Math.floor(Number(page)) || 1));
    const found = (n: number) => (q ? searchPool(db, panel.id, q, PAGE_SIZE, (n - 1) * PAGE_SIZE) : { total, people: listPool(db, panel.id, PAGE_SIZE, (n - 1) * PAGE_SIZE) });
    let result = found(wanted);
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const current = Math.min(pages, wanted);
    if (current !== wanted) result = found(current);
    const values = valuesOf(db, result.people.map((p) => p.id));
    const people = result.people.map((p) => ({
      ...p,
      answers: categories.map((c) => values.get(p.id)?.get(c.id) ?? ''),
    }));
    // The search itself stays out of the trail: it is often someone's name.
    auditView(ctx, res, panel.id, q ? 'pool search' : 'pool', people.length);
    return {
      title: `Pool: ${panel.title}`,
      panel,
      categories,
      people,
      total,
      q,
      matches: result.total,
      // The search goes with the pager's links.
      qParam: encodeURIComponent(q),
      page: current,
      pages,
      prev: current > 1 ? current - 1 : null,
      next: current < pages ? current + 1 : null,
      ...extra,
    };
  };

  router.get('/admin/panels/:id/pool', (req, res) => {
    const imported = typeof req.query.imported === 'string' ? Number(req.query.imported) : undefined;
    const erased = typeof req.query.erased === 'string' && /^R-[0-9A-Z]{8}$/.test(req.query.erased) ? req.query.erased : undefined;
    const ignored = typeof req.query.ignored === 'string' ? req.query.ignored : undefined;
    const panel = loadPanel(ctx, req.params.id);
    const search = parseForm(searchSchema, req.query);
    if (!search.ok) return res.status(400).render('pages/admin/pool', renderPool(res, panel, 1, { searchErrors: search.errors, typed: formValues(req.query).q }));
    res.render('pages/admin/pool', renderPool(res, panel, req.query.page, { imported, erased, ignored }, search.data.q));
  });

  router.post('/admin/panels/:id/pool/import', ...csvUpload(), async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (findCommitment(db, panel.id)) {
      throw new HttpError(409, 'The pool is fixed: its commitment has been published, and the draw must run on exactly the pool it fingerprints. People who come forward now can be kept for a later panel, not added to this one.', 'The pool is fixed');
    }
    if (req.body?.consentConfirmed !== 'yes') {
      return res.status(400).render('pages/admin/pool', renderPool(res, panel, 1, {
        importErrors: { consentConfirmed: 'Confirm that everyone in the file agreed to take part and to the privacy notice.' },
      }));
    }
    try {
      const result = await importPoolOffThread(ctx, panel, uploadedFile(req), currentUser(res).id);
      const ignored = result.ignoredColumns.length ? `&ignored=${encodeURIComponent(result.ignoredColumns.join(', ').slice(0, 300))}` : '';
      res.redirect(303, `/admin/panels/${panel.id}/pool?imported=${result.imported}${ignored}`);
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      res.status(400).render('pages/admin/pool', renderPool(res, panel, 1, problemsView(err, req)));
    }
  });

  router.get('/admin/panels/:id/pool.csv', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const csv = exportPoolCsv(ctx, panel);
    auditDownload(ctx, res, panel.id, 'pool.csv', poolSize(db, panel.id));
    sendCsv(res, `${panel.slug}-pool.csv`, csv);
  });

  const loadPerson = (panelId: unknown, rawId: unknown) => {
    const panel = loadPanel(ctx, panelId);
    const person = findRegistrant(db, panel.id, parseId(rawId, 'That registrant'));
    if (!person) throw notFound('That registrant (they may already have been erased)');
    return { panel, person };
  };

  router.get('/admin/panels/:id/registrants/:rid/erase', (req, res) => {
    const { panel, person } = loadPerson(req.params.id, req.params.rid);
    auditView(ctx, res, panel.id, 'registrant', 1, person.publicId);
    res.render('pages/admin/erase', { title: 'Erase a registrant', panel, person });
  });

  router.post('/admin/panels/:id/registrants/:rid/erase', (req, res) => {
    const { panel, person } = loadPerson(req.params.id, req.params.rid);
    // Someone drawn who asks to be erased has left the panel: their seat is empty, and can be filled.
    const leaving = membership.erasing(panel.id, person.id, currentUser(res).id);
    erase(ctx, panel, person, currentUser(res).id, leaving.within);
    leaving.after();
    res.redirect(303, `/admin/panels/${panel.id}/pool?erased=${encodeURIComponent(person.publicId)}`);
  });

  return router;
}
