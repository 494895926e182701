import { Router } from 'express';
import { audit } from '../audit';
import { currentUser, requireAdmin, requireRole } from '../auth/middleware';
import { addToTeam, panelIdsOf } from '../auth/teams';
import type { AppContext } from '../context';
import { findCommitment } from '../selection/repo';
import { loadPanel } from './load';
import { HttpError, notFound } from '../web/errors';
import { formValues, parseForm, parseId } from '../web/validate';
import {
  closeRegistration,
  copyCategories,
  deleteCategory,
  findPanel,
  insertCategory,
  insertPanel,
  listCategories,
  listPanels,
  openPanel,
  poolSize,
  slugTaken,
  type Panel,
} from './repo';
import { categorySchema, detailsOf, newPanelSchema, slugify } from './schemas';
import { PAST_CLOSING_DATE } from './upkeep';
import { copySources, panelPage } from './view';

export function panelsRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;

  router.get('/admin', requireRole('organiser', 'facilitator'), (req, res) => {
    const user = currentUser(res);
    const mine = new Set(panelIdsOf(db, user));
    // After deleting a draft (upkeep-routes.ts): its web address, which is all that is left of it.
    const deleted = typeof req.query.deleted === 'string' && /^[a-z0-9-]{1,60}$/.test(req.query.deleted) ? req.query.deleted : undefined;
    res.render('pages/admin/dashboard', { title: 'Panels', panels: listPanels(db).filter((p) => mine.has(p.id)), admin: user.admin, deleted });
  });

  router.use('/admin/panels', requireRole('organiser'));

  router.get('/admin/panels/new', requireAdmin, (_req, res) => {
    res.render('pages/admin/panel-new', { title: 'New panel', values: { quotaTolerance: 2 } });
  });

  router.post('/admin/panels', requireAdmin, (req, res) => {
    const form = parseForm(newPanelSchema, req.body);
    const rerender = (errors: Record<string, string>) =>
      res.status(400).render('pages/admin/panel-new', { title: 'New panel', values: formValues(req.body), errors });
    if (!form.ok) return rerender(form.errors);
    if (form.data.closesAt <= clock.now()) return rerender({ closesAt: PAST_CLOSING_DATE });
    const slug = form.data.slug || slugify(form.data.title);
    if (!slug) return rerender({ slug: 'Web address is required when the title has no letters or digits.' });
    if (slugTaken(db, slug)) {
      return rerender({ slug: `Another panel already uses the web address "${slug}". Choose another.` });
    }
    const id = db.transaction(() => {
      const { title, question, panelSize, closesAt, quotaTolerance } = form.data;
      const panelId = insertPanel(db, { slug, title, question, panelSize, closesAt, quotaTolerance, details: detailsOf(form.data) }, clock.now());
      addToTeam(db, panelId, currentUser(res).id, clock.now());
      audit(db, clock, { userId: currentUser(res).id, panelId, action: 'panel.create', subject: slug });
      return panelId;
    })();
    res.redirect(303, `/admin/panels/${id}`);
  });

  router.get('/admin/panels/:id', (req, res) => {
    const { opened, edited, quotas, copied } = req.query;
    res.render('pages/admin/panel', panelPage(ctx, loadPanel(ctx, req.params.id), currentUser(res), { opened: opened === '1', edited: edited === '1', copied: copied === '1', checkQuotas: quotas === 'check' }));
  });

  router.post('/admin/panels/:id/open', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (panel.openedAt !== null) throw new HttpError(409, 'Registration for this panel is already open.');
    if (findCommitment(db, panel.id)) throw new HttpError(409, 'This panel’s pool is fixed by its published commitment, so registration cannot open now.', 'The pool is fixed');
    if (listCategories(db, panel.id).length === 0) {
      throw new HttpError(409, 'Add at least one category before opening registration: the lottery needs something to balance.');
    }
    db.transaction(() => {
      openPanel(db, panel.id, clock.now());
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'panel.open', subject: panel.slug });
    })();
    res.redirect(303, `/admin/panels/${panel.id}?opened=1`);
  });

  // The commitment fixes the pool, so registration closes first: nobody may be told they are in a lottery they are not in.
  router.post('/admin/panels/:id/registration/close', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (panel.openedAt === null) throw new HttpError(409, 'Registration for this panel has not opened yet, so there is nothing to close.', 'Not open yet');
    if (panel.closedAt !== null) throw new HttpError(409, `Registration for this panel closed on ${new Date(panel.closedAt).toUTCString()}.`, 'Closed already');
    db.transaction(() => {
      closeRegistration(db, panel.id, clock.now());
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'panel.close', subject: panel.slug });
    })();
    res.redirect(303, req.body?.back === 'selection' ? `/admin/panels/${panel.id}/selection#step-commit` : `/admin/panels/${panel.id}`);
  });

  router.post('/admin/panels/:id/categories', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    assertCategoriesEditable(ctx, panel, 'add a category');
    const form = parseForm(categorySchema, req.body);
    const errors = form.ok ? {} : form.errors;
    if (form.ok && listCategories(db, panel.id).some((c) => c.key === form.data.key)) {
      errors.key = `This panel already has a category with the key "${form.data.key}".`;
    }
    if (!form.ok || Object.keys(errors).length) {
      return res.status(400).render('pages/admin/panel', panelPage(ctx, panel, currentUser(res), { newCategory: formValues(req.body), errors }));
    }
    db.transaction(() => {
      insertCategory(db, panel.id, form.data);
      audit(db, clock, {
        userId: currentUser(res).id,
        panelId: panel.id,
        action: 'category.add',
        subject: form.data.key,
        detail: { values: form.data.values.length },
      });
    })();
    res.redirect(303, `/admin/panels/${panel.id}#categories`);
  });

  /** A second panel usually asks the first one's questions: copy them, with their census shares, into a draft. */
  router.post('/admin/panels/:id/categories/copy', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    assertCategoriesEditable(ctx, panel, 'copy categories');
    const user = currentUser(res);
    const from = Number(formValues(req.body).from);
    const source = copySources(ctx, user, panel.id).find((p) => p.id === from);
    const refuse = (message: string) => res.status(400).render('pages/admin/panel', panelPage(ctx, panel, user, { errors: { from: message } }));
    if (!source) return refuse('Choose one of your panels that has categories.');
    const have = new Set(listCategories(db, panel.id).map((c) => c.key));
    const clash = listCategories(db, from).filter((c) => have.has(c.key)).map((c) => c.key);
    if (clash.length) return refuse(`This panel already has ${clash.map((k) => `"${k}"`).join(', ')}. Remove ${clash.length === 1 ? 'it' : 'them'} first, or add the other categories by hand.`);
    db.transaction(() => {
      const n = copyCategories(db, from, panel.id);
      audit(db, clock, { userId: user.id, panelId: panel.id, action: 'category.copy', subject: findPanel(db, from)?.slug, detail: { categories: n } });
    })();
    res.redirect(303, `/admin/panels/${panel.id}?copied=1#categories`);
  });

  router.post('/admin/panels/:id/categories/:categoryId/delete', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const categoryId = parseId(req.params.categoryId, 'That category');
    assertCategoriesEditable(ctx, panel, 'remove a category');
    db.transaction(() => {
      if (!deleteCategory(db, panel.id, categoryId)) throw notFound('That category');
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'category.delete', subject: String(categoryId) });
    })();
    res.redirect(303, `/admin/panels/${panel.id}#categories`);
  });

  return router;
}

/** Categories are settled before anyone registers, so every registrant answers the same questions. */
function assertCategoriesEditable(ctx: AppContext, panel: Panel, action: string): void {
  if (panel.openedAt !== null) {
    throw new HttpError(409, `You cannot ${action} after registration has opened: every registrant must answer the same questions.`);
  }
  const n = poolSize(ctx.db, panel.id);
  if (n > 0) {
    throw new HttpError(
      409,
      `You cannot ${action} once people are in the pool: it already holds ${n}. Categories must be settled first.`,
    );
  }
}
