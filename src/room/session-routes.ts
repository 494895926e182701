import { type Response, Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import { onTeam, panelIdsOf } from '../auth/teams';
import type { User } from '../auth/users';
import type { AppContext } from '../context';
import { confirmedMembers } from '../membership/members';
import { findPanel, listPanels, type Panel } from '../panels/repo';
import { notFound } from '../web/errors';
import { siteUrl } from '../web/site-url';
import { formValues, parseForm, parseId } from '../web/validate';
import { agendaTemplates } from './agenda';
import { builderView, type Built, type Draft, edit, exportName, type FieldErrors, hasRows, importJson, parseAction, readDraft, toAgenda, toDraft } from './agenda-form';
import { createSession, issuePasses, joinLink, type NewSession } from './create';
import type { RoomRepo } from './repo';
import type { Revocations } from '../revocations';

const panelSchema = z.object({
  panelId: z.coerce.number({ error: 'Choose a panel' }).int().min(1, 'Choose a panel'),
});

/** What the page draws in the builder: the rows, the panel chosen, and the import box. */
interface Shown {
  draft: Draft;
  panelId?: string;
  importText?: string;
}

/** The agenda in an `agenda` field of JSON, or the import box's error. */
function fromJson(text: string): Built {
  const imported = importJson(text);
  return imported.ok ? imported : { ok: false, errors: { agenda: imported.message } };
}

/** The page that shows a session's join links, once. */
function linksPage(base: string, title: string, panelTitle: string, agenda: { title: string; rounds: unknown[] }, made: NewSession) {
  return {
    title,
    panel: { title: panelTitle },
    agenda,
    sessionId: made.sessionId,
    observer: joinLink(base, made.sessionId, made.observer),
    panellists: made.panellists.map((p) => ({ id: p.member, link: joinLink(base, made.sessionId, p.token) })),
  };
}

/** Live sessions: facilitators and organisers list them, enter them, create one from an agenda, and replace its links. */
export function sessionsRouter(ctx: AppContext, repo: RoomRepo, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/sessions', requireRole('organiser', 'facilitator'));

  const templates = agendaTemplates();
  const fresh = (): Shown => ({ draft: toDraft(templates[0].agenda) });

  /** Only the sessions and panels of the teams this person is on; each panel with how many members have confirmed. */
  const page = (user: User, shown: Shown, errors?: FieldErrors) => {
    const mine = new Set(panelIdsOf(db, user));
    const panels = listPanels(db)
      .filter((p) => mine.has(p.id))
      .map((p) => ({ ...p, confirmed: confirmedMembers(db, p.id).length }));
    // Until one is chosen, the first panel that has members (the newest panel is often a draft nobody is drawn for).
    const chosen = shown.panelId ?? String(panels.find((p) => p.confirmed > 0)?.id ?? '');
    return {
      title: 'Live sessions',
      sessions: repo.list().filter((s) => mine.has(s.panelId)),
      panels: panels.map((p) => ({ ...p, selected: String(p.id) === chosen })),
      templates: templates.map((t) => ({ id: t.id, name: t.name })),
      builder: builderView(shown.draft, errors),
      importText: shown.importText ?? '',
      importOpen: Boolean(shown.importText || errors?.agenda),
      errors: errors && Object.keys(errors).length ? errors : undefined,
    };
  };
  const render = (res: Response, shown: Shown, errors?: FieldErrors, status = 200) =>
    res.status(status).render('pages/admin/sessions', page(currentUser(res), shown, errors));

  router.get('/admin/sessions', (_req, res) => render(res, fresh()));

  /** The panel a session is to be made for, or why not; `forbidden` for a panel of another team. */
  const panelFor = (user: User, values: Record<string, string>): { panel?: Panel; error?: string; forbidden?: boolean } => {
    const chosen = parseForm(panelSchema, values);
    if (!chosen.ok) return { error: chosen.errors.panelId ?? 'Choose a panel' };
    const panel = findPanel(db, chosen.data.panelId);
    if (!panel) return { error: 'That panel no longer exists. Choose another.' };
    if (!onTeam(db, user, panel.id)) return { forbidden: true, error: 'You are not on that panel’s team, so you cannot run its sessions. Ask an administrator to add you.' };
    // A session is for the panel's members: with nobody confirmed, no one could join it.
    if (confirmedMembers(db, panel.id).length === 0) return { error: 'That panel has no confirmed members yet: run the draw, invite the people drawn, and create the session once some have said yes.' };
    return { panel };
  };

  /**
   * Every button of the builder posts here. The editing ones (add, move, delete, template, import) draw the
   * form again with the change; `export` sends the agenda as a file; `create` makes the session. A body with no
   * rows and an `agenda` field (older callers, the CLI's file) is that agenda's JSON.
   */
  router.post('/admin/sessions', (req, res) => {
    const body: Record<string, unknown> = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
    const values = formValues(body);
    const action = parseAction(Object.hasOwn(body, 'action') ? body.action : undefined);
    const rows = hasRows(values);
    const shown: Shown = { draft: rows ? readDraft(values) : fresh().draft, panelId: values.panelId, importText: values.agenda ?? '' };
    if (!action) return render(res, shown, { builder: 'That button is not one this form has. Reload the page and try again.' }, 400);
    if (action.kind !== 'create' && action.kind !== 'export') {
      const next = edit(shown.draft, action, templates, shown.importText);
      return render(res, { ...shown, ...next }, next.errors, Object.keys(next.errors).length ? 400 : 200);
    }

    // The agenda: the builder's rows, or (with no rows) the JSON in the import box, which then fills the builder.
    const built = rows ? toAgenda(shown.draft) : fromJson(shown.importText ?? '');
    if (!rows && built.ok) Object.assign(shown, { draft: toDraft(built.agenda), importText: '' });
    const errors: FieldErrors = built.ok ? {} : built.errors;
    if (rows && shown.importText?.trim()) {
      errors.agenda = 'There is an agenda in the import box that was not imported. Choose “Import into the builder” first, or empty the box.';
    }
    if (action.kind === 'export') {
      if (!built.ok || errors.agenda) return render(res, shown, errors, 400);
      return res.type('application/json; charset=utf-8').attachment(exportName(built.agenda)).send(`${JSON.stringify(built.agenda, null, 2)}\n`);
    }

    const user = currentUser(res);
    const { panel, error, forbidden } = panelFor(user, values);
    if (forbidden) return render(res, shown, { panelId: error ?? '' }, 403);
    if (error) errors.panelId = error;
    if (!panel || !built.ok || Object.keys(errors).length) return render(res, shown, errors, 400);
    const agenda = built.agenda;
    const made = db.transaction(() => {
      const session = createSession(db, clock, repo, panel, agenda, user.id);
      audit(db, clock, { panelId: panel.id, userId: user.id, action: 'session.create', subject: String(session.sessionId) });
      return session;
    })();
    res.status(201).render('pages/admin/session-created', linksPage(siteUrl(ctx.config, req), 'Session created', panel.title, agenda, made));
  });

  // A lost or leaked link: every join link of the session is replaced, and whoever joined with an old one is let go.
  router.post('/admin/sessions/:id/links', (req, res) => {
    const sessionId = parseId(req.params.id, 'That session');
    const session = repo.find(sessionId);
    const state = repo.state(sessionId);
    if (!session || !state) throw notFound('That session');
    const user = currentUser(res);
    const made = db.transaction(() => {
      repo.dropPasses(sessionId);
      audit(db, clock, { panelId: session.panelId, userId: user.id, action: 'session.links.replace', subject: String(sessionId) });
      return issuePasses(repo, sessionId, state.members, clock.now());
    })();
    revocations.links(sessionId);
    const agenda = { title: session.title, rounds: state.rounds };
    res.render('pages/admin/session-created', { ...linksPage(siteUrl(ctx.config, req), 'New join links', findPanel(db, session.panelId)?.title ?? '', agenda, made), replaced: true });
  });
  return router;
}
