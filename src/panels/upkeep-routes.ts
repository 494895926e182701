import { Router } from 'express';
import { audit } from '../audit';
import { currentUser, requireAdmin, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { listMembers } from '../membership/members';
import type { RoomRepo } from '../room/repo';
import { findCommitment, listAuditors, listDraws } from '../selection/repo';
import { unconfirmed } from '../web/confirm';
import { HttpError } from '../web/errors';
import { formValues, parseForm } from '../web/validate';
import { oneAtATime } from './busy';
import { loadPanel } from './load';
import { deletePanel, findPanel, listCategories, type Panel, type PanelEdit, poolSize, updatePanel } from './repo';
import { detailsOf, panelEditSchema } from './schemas';
import { changedFields, deleteRefusal, editRefusals, type PanelStanding } from './upkeep';
import { panelPage } from './view';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Upkeep of a panel (issue 19): editing its settings and the event's details, within what its commitment and
 * registration have fixed (panels/upkeep.ts), and deleting a draft that has gathered nothing.
 */
export function panelUpkeepRouter(ctx: AppContext, room: RoomRepo): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/panels/:id', requireRole('organiser'));

  const standingOf = (panel: Panel): PanelStanding => {
    const draws = listDraws(db, panel.id);
    return {
      committedSize: findCommitment(db, panel.id)?.panelSize ?? null,
      registrants: poolSize(db, panel.id),
      draws: draws.filter((d) => d.kind !== 'trial').length,
      drawRunning: draws.some((d) => d.status === 'running'),
      members: listMembers(db, panel.id).length,
      sessions: room.ofPanel(panel.id).length,
      auditors: listAuditors(db, panel.id).length,
    };
  };

  const editPage = (panel: Panel, values: Record<string, unknown>, errors?: Record<string, string>) => {
    const committedSize = findCommitment(db, panel.id)?.panelSize ?? null;
    return {
      title: `Edit: ${panel.title}`,
      panel,
      values,
      errors,
      // Said on the page, beside the fields, before anyone tries.
      sizeFixed: committedSize !== null,
      dateFixed: committedSize !== null || panel.closedAt !== null,
      closingPassed: panel.closesAt <= clock.now(),
    };
  };

  router.get('/admin/panels/:id/edit', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { title, question, panelSize, closesAt, quotaTolerance, details } = panel;
    res.render('pages/admin/panel-edit', editPage(panel, { title, question, panelSize, closesAt: day(closesAt), quotaTolerance, ...details }));
  });

  router.post('/admin/panels/:id/edit', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const again = (errors: Record<string, string>) => res.status(400).render('pages/admin/panel-edit', editPage(panel, formValues(req.body), errors));
    const form = parseForm(panelEditSchema, req.body);
    if (!form.ok) return again(form.errors);
    const { title, question, panelSize, closesAt, quotaTolerance } = form.data;
    const edit: PanelEdit = { title, question, panelSize, closesAt, quotaTolerance, details: detailsOf(form.data) };
    const refused = editRefusals(panel, edit, standingOf(panel), clock.now());
    if (Object.keys(refused).length) return again(refused);
    const changed = changedFields(panel, edit);
    const save = () =>
      db.transaction(() => {
        updatePanel(db, panel.id, edit);
        // Which fields, and the settings' old and new values: never the contact's details, which are personal.
        const from = { panelSize: panel.panelSize, closesAt: panel.closesAt, quotaTolerance: panel.quotaTolerance };
        const settings = Object.fromEntries(Object.entries(from).filter(([k]) => changed.includes(k)).map(([k, v]) => [k, { from: v, to: edit[k as keyof typeof from] }]));
        audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'panel.edit', subject: panel.slug, detail: { fields: changed, ...settings } });
      })();
    // A commitment being checked reads the size and needs registration closed: neither moves under it (busy.ts).
    if (changed.includes('panelSize') || changed.includes('closesAt')) await oneAtATime(panel.id, 'An edit of the panel', async () => save());
    else if (changed.length) save();
    // A new size leaves quotas set for the old one: the panel page says to look at them again.
    const resized = changed.includes('panelSize') && listCategories(db, panel.id).some((c) => c.values.some((v) => v.quotaMin !== null));
    res.redirect(303, `/admin/panels/${panel.id}?edited=1${resized ? '&quotas=check' : ''}`);
  });

  // Only administrators create panels, so only they delete one: the panel page offers it on a draft.
  router.post('/admin/panels/:id/delete', requireAdmin, async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const why = deleteRefusal(panel, standingOf(panel));
    if (why) throw new HttpError(409, why, 'This panel cannot be deleted');
    const notYet = unconfirmed(req.body, 'confirm-delete');
    if (notYet) return res.status(400).render('pages/admin/panel', panelPage(ctx, panel, currentUser(res), { deleteErrors: notYet }));
    // Not while an import is writing to it (panels/busy.ts); checked again in the transaction that deletes it.
    await oneAtATime(panel.id, 'Deleting the panel', async () => {
      db.transaction(() => {
        const now = findPanel(db, panel.id);
        const still = now ? deleteRefusal(now, standingOf(now)) : 'This panel was deleted already.';
        if (still) throw new HttpError(409, still, 'This panel cannot be deleted');
        const categories = listCategories(db, panel.id).length;
        deletePanel(db, panel.id);
        // With no panel id: the panel's own activity log goes with it.
        audit(db, clock, { userId: currentUser(res).id, action: 'panel.delete', subject: panel.slug, detail: { panel: panel.id, categories } });
      })();
    });
    res.redirect(303, `/admin?deleted=${encodeURIComponent(panel.slug)}`);
  });

  return router;
}
