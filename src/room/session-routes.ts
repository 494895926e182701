import fs from 'node:fs';
import { type Request, Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import { onTeam, panelIdsOf } from '../auth/teams';
import type { User } from '../auth/users';
import type { AppContext } from '../context';
import { findPanel, listPanels } from '../panels/repo';
import { notFound } from '../web/errors';
import { formValues, parseForm, parseId } from '../web/validate';
import { AgendaError, EXAMPLE_AGENDA, parseAgenda } from './agenda';
import { createSession, issuePasses, joinLink, type NewSession } from './create';
import type { RoomRepo } from './repo';
import type { Revocations } from '../revocations';

const EXAMPLE = fs.readFileSync(EXAMPLE_AGENDA, 'utf8');
const formSchema = z.object({
  panelId: z.coerce.number({ error: 'Choose a panel' }).int().min(1, 'Choose a panel'),
  agenda: z.string().trim().min(1, 'Paste an agenda, or keep the example').max(200_000, 'The agenda is too long (at most 200,000 characters)'),
});

/** The page that shows a session's join links, once. */
function linksPage(req: Request, title: string, panelTitle: string, agenda: { title: string; rounds: unknown[] }, made: NewSession) {
  const base = `${req.protocol}://${req.get('host')}`;
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

  /** Only the sessions and panels of the teams this person is on. */
  const page = (user: User, form: { panelId?: unknown; agenda?: unknown } = { agenda: EXAMPLE }, errors?: Record<string, string>) => {
    const mine = new Set(panelIdsOf(db, user));
    return {
      title: 'Live sessions',
      sessions: repo.list().filter((s) => mine.has(s.panelId)),
      panels: listPanels(db).filter((p) => mine.has(p.id)).map((p) => ({ ...p, selected: String(p.id) === String(form.panelId) })),
      form,
      errors,
    };
  };

  router.get('/admin/sessions', (_req, res) => res.render('pages/admin/sessions', page(currentUser(res))));

  router.post('/admin/sessions', (req, res) => {
    const form = parseForm(formSchema, req.body);
    const again = (errors: Record<string, string>, status = 400) => res.status(status).render('pages/admin/sessions', page(currentUser(res), formValues(req.body), errors));
    if (!form.ok) return again(form.errors);
    const panel = findPanel(db, form.data.panelId);
    if (!panel) return again({ panelId: 'That panel no longer exists. Choose another.' });
    if (!onTeam(db, currentUser(res), panel.id)) return again({ panelId: 'You are not on that panel’s team, so you cannot run its sessions. Ask an administrator to add you.' }, 403);
    let agenda;
    try {
      agenda = parseAgenda(form.data.agenda);
    } catch (err) {
      if (err instanceof AgendaError) return again({ agenda: err.message });
      throw err;
    }
    const user = currentUser(res);
    const made = db.transaction(() => {
      const session = createSession(db, clock, repo, panel, agenda, user.id);
      audit(db, clock, { panelId: panel.id, userId: user.id, action: 'session.create', subject: String(session.sessionId) });
      return session;
    })();
    res.status(201).render('pages/admin/session-created', linksPage(req, 'Session created', panel.title, agenda, made));
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
    res.render('pages/admin/session-created', { ...linksPage(req, 'New join links', findPanel(db, session.panelId)?.title ?? '', agenda, made), replaced: true });
  });
  return router;
}
