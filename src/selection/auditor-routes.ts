import { Router } from 'express';
import { z } from 'zod';
import { audit, auditDownload } from '../audit';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import { readCsv, writeCsv } from '../csv';
import { loadPanel } from '../panels/load';
import { sendCsv } from '../web/download';
import { HttpError, notFound } from '../web/errors';
import { formValues, parseForm, parseId, text } from '../web/validate';
import { renderSelection } from './hub';
import { findCommitment, findDiceList, findDraw, listAuditors } from './repo';
import { auditorsFile, committedPoolFile, ticketAt, ticketsOf } from './tickets';

const auditorSchema = z.object({ name: text('The auditor’s name', 120), organisation: text('Their organisation', 160) });
const statementSchema = z.object({ statement: text('The statement', 4000) });

/**
 * Named auditors (issue 17): the draw inputs with tickets (answers and household codes, no names) are for the
 * panel's organisers to hand to the auditors they name here, and each auditor's statement is published on the
 * public selection page. Downloads are GETs, which change nothing but the audit trail, where each pool file taken
 * is recorded (issue 20); who was given the files is what the organiser records, and that is logged too. Mounted
 * by selectionRouter, behind its organiser and team checks.
 */
export function auditorRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const committed = (raw: string) => {
    const panel = loadPanel(ctx, raw);
    const commitment = findCommitment(db, panel.id);
    if (!commitment) throw new HttpError(409, 'There is nothing to audit yet: publish the commitment first.', 'Not yet');
    return { panel, commitment };
  };
  const withList = (raw: string) => {
    const { panel, commitment } = committed(raw);
    const list = commitment.dice ? findDiceList(db, panel.id) : undefined;
    if (!list) throw notFound('A list of panels for a final pick by dice');
    return { panel, commitment, list };
  };
  const back = (panelId: number) => `/admin/panels/${panelId}/selection#step-auditors`;

  router.get('/admin/panels/:id/auditors/pool.csv', (req, res) => {
    const { panel, commitment } = committed(req.params.id);
    auditDownload(ctx, res, panel.id, 'auditors pool.csv', readCsv(commitment.poolCsv).rows.length);
    sendCsv(res, `${panel.slug}-auditors-pool.csv`, committedPoolFile(commitment, panel.slug));
  });

  // A final pick by dice: the list of panels by tickets (its digests' SHA-256 is in the commitment), and each ticket's
  // chance in the list and in the lottery it rounds. For the auditors only: a chance per ticket is a row per person.
  router.get('/admin/panels/:id/auditors/panels.txt', (req, res) => {
    const { panel, list } = withList(req.params.id);
    auditDownload(ctx, res, panel.id, 'auditors panels.txt', list.listSize);
    res.type('text/plain; charset=utf-8').attachment(`${panel.slug}-auditors-panels.txt`).send(list.listText);
  });

  router.get('/admin/panels/:id/auditors/chances.csv', (req, res) => {
    const { panel, commitment, list } = withList(req.params.id);
    const size = list.listChances.length;
    const rows = list.listChances.map((c, i) => [ticketAt(i, size), c.toFixed(6), list.lotteryChances[i].toFixed(6)]);
    auditDownload(ctx, res, panel.id, 'auditors chances.csv', rows.length);
    sendCsv(res, `${panel.slug}-auditors-chances.csv`, writeCsv(['ticket', 'chance', `${commitment.algorithm}_chance`], rows));
  });

  // A replacement draw's inputs: the pool left, and the quotas less the seated members, which tell about them.
  router.get('/admin/panels/:id/auditors/draws/:drawId/:file', (req, res) => {
    const { panel, commitment } = committed(req.params.id);
    const draw = findDraw(db, panel.id, parseId(req.params.drawId, 'That draw'));
    if (!draw || draw.kind === 'trial') throw notFound('That draw');
    const file = req.params.file;
    if (file !== 'pool.csv' && file !== 'quotas.csv') throw notFound('That file');
    if (file === 'pool.csv') auditDownload(ctx, res, panel.id, 'auditors draw pool.csv', readCsv(draw.poolCsv).rows.length);
    sendCsv(res, `${panel.slug}-auditors-draw-${draw.id}-${file}`, file === 'pool.csv' ? auditorsFile(draw.poolCsv, ticketsOf(commitment, panel.slug)) : draw.quotasCsv);
  });

  router.post('/admin/panels/:id/auditors', (req, res) => {
    const { panel } = committed(req.params.id);
    const form = parseForm(auditorSchema, req.body);
    if (!form.ok) return renderSelection(ctx, res.status(400), panel, { errors: form.errors, values: formValues(req.body) });
    db.transaction(() => {
      const id = db.prepare('INSERT INTO auditors (panel_id, name, organisation, given_by, given_at) VALUES (?, ?, ?, ?, ?)').run(panel.id, form.data.name, form.data.organisation, currentUser(res).id, clock.now()).lastInsertRowid;
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'auditor.add', subject: `auditor ${id}`, detail: form.data });
    })();
    res.redirect(303, back(panel.id));
  });

  router.post('/admin/panels/:id/auditors/:auditorId/statement', (req, res) => {
    const { panel } = committed(req.params.id);
    const id = parseId(req.params.auditorId, 'That auditor');
    if (!listAuditors(db, panel.id).some((a) => a.id === id)) throw notFound('That auditor');
    const form = parseForm(statementSchema, req.body);
    if (!form.ok) return renderSelection(ctx, res.status(400), panel, { errors: form.errors, values: formValues(req.body) });
    db.transaction(() => {
      db.prepare('UPDATE auditors SET statement = ?, stated_at = ? WHERE id = ?').run(form.data.statement, clock.now(), id);
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'auditor.statement', subject: `auditor ${id}` });
    })();
    res.redirect(303, back(panel.id));
  });

  return router;
}
