import { type Request, type Response, Router } from 'express';
import { audit } from './audit';
import { type AuditFilter, type AuditForm, auditActions, auditActors, auditFilterSchema, auditLines, auditPage, filterOf, queryOf } from './audit-query';
import { currentUser, requireAdmin, requireRole } from './auth/middleware';
import type { AppContext } from './context';
import { writeCsv } from './csv';
import { loadPanel } from './panels/load';
import { listPanels, type Panel } from './panels/repo';
import { sendCsv } from './web/download';
import { formValues, parseForm } from './web/validate';

const CSV_HEADER = ['id', 'time', 'user_id', 'user', 'panel_id', 'panel', 'action', 'subject', 'detail'];

/**
 * The audit trail for auditors (issue 20): a panel's, for its organisers (and administrators), and the whole
 * installation's, with logins, for administrators. Filter by action, person and dates, 50 a page, and the filtered
 * entries as CSV. Reading or exporting the trail is itself recorded, after the read, so it is not in what was read.
 */
export function auditRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;

  /** Where the page is: one panel's trail, or the installation's (panel undefined). */
  const scope = (panel: Panel | undefined) => ({
    panel,
    panelId: panel?.id,
    base: panel ? `/admin/panels/${panel.id}/audit` : '/admin/audit',
    // The installation's page may narrow to one panel, or to the entries of none (logins, accounts).
    filterOf: (form: AuditForm): AuditFilter => (panel ? { ...filterOf(form, false), panelId: panel.id } : filterOf(form, true)),
  });
  type Scope = ReturnType<typeof scope>;

  const page = (req: Request, res: Response, where: Scope) => {
    const form = parseForm(auditFilterSchema, req.query);
    const choices = {
      actors: auditActors(db, where.panelId),
      actions: auditActions(db, where.panelId),
      panels: where.panel ? undefined : listPanels(db),
    };
    const title = where.panel ? `Audit trail: ${where.panel.title}` : 'Audit trail: the whole installation';
    const common = { title, panel: where.panel, base: where.base, ...choices };
    if (!form.ok) return res.status(400).render('pages/admin/audit', { ...common, errors: form.errors, values: formValues(req.query), lines: [] });
    const filter = where.filterOf(form.data);
    const wanted = typeof req.query.page === 'string' ? Math.floor(Number(req.query.page)) || 1 : 1;
    const found = auditPage(db, filter, wanted);
    const query = queryOf(form.data, !where.panel);
    audit(db, clock, { userId: currentUser(res).id, panelId: where.panelId ?? null, action: 'audit.view', detail: { page: found.page, rows: found.lines.length, total: found.total, filter: form.data } });
    res.render('pages/admin/audit', {
      ...common,
      values: form.data,
      ...found,
      lines: found.lines.map((l) => ({ ...l, detail: l.detail === '{}' ? '' : l.detail })),
      csv: `${where.base}.csv${query ? `?${query}` : ''}`,
      prev: found.page > 1 ? `${where.base}?${pageQuery(query, found.page - 1)}` : null,
      next: found.page < found.pages ? `${where.base}?${pageQuery(query, found.page + 1)}` : null,
    });
  };

  const download = (req: Request, res: Response, where: Scope, filename: string) => {
    const form = parseForm(auditFilterSchema, req.query);
    // The form is where a mistake is explained: a link that does not parse goes back to it, with the message.
    if (!form.ok) return page(req, res, where);
    const rows = [...auditLines(db, where.filterOf(form.data))].map((l) => [
      l.id,
      new Date(l.at).toISOString(),
      l.userId,
      l.userEmail,
      l.panelId,
      l.panelTitle,
      l.action,
      l.subject,
      l.detail,
    ]);
    audit(db, clock, { userId: currentUser(res).id, panelId: where.panelId ?? null, action: 'audit.download', detail: { rows: rows.length, filter: form.data } });
    sendCsv(res, filename, writeCsv(CSV_HEADER, rows));
  };

  router.get('/admin/panels/:id/audit', requireRole('organiser'), (req, res) => page(req, res, scope(loadPanel(ctx, req.params.id))));
  router.get('/admin/panels/:id/audit.csv', requireRole('organiser'), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    download(req, res, scope(panel), `${panel.slug}-audit.csv`);
  });
  router.get('/admin/audit', requireAdmin, (req, res) => page(req, res, scope(undefined)));
  router.get('/admin/audit.csv', requireAdmin, (req, res) => download(req, res, scope(undefined), 'audit.csv'));

  return router;
}

function pageQuery(query: string, page: number): string {
  return query ? `${query}&page=${page}` : `page=${page}`;
}
