import fs from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { findPanel, listPanels } from '../panels/repo';
import { parseForm } from '../web/validate';
import { AgendaError, EXAMPLE_AGENDA, parseAgenda } from './agenda';
import { createSession, joinLink } from './create';
import type { RoomRepo } from './repo';

const EXAMPLE = fs.readFileSync(EXAMPLE_AGENDA, 'utf8');
const formSchema = z.object({
  panelId: z.coerce.number({ error: 'Choose a panel' }).int().min(1, 'Choose a panel'),
  agenda: z.string().trim().min(1, 'Paste an agenda, or keep the example').max(200_000, 'The agenda is too long (at most 200,000 characters)'),
});

/** Live sessions: facilitators and organisers list them, enter them, and create one from an agenda. */
export function sessionsRouter(ctx: AppContext, repo: RoomRepo): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/sessions', requireRole('organiser', 'facilitator'));

  const page = (form: { panelId?: unknown; agenda?: unknown } = { agenda: EXAMPLE }, errors?: Record<string, string>) => ({
    title: 'Live sessions',
    sessions: repo.list(),
    panels: listPanels(db).map((p) => ({ ...p, selected: String(p.id) === String(form.panelId) })),
    form,
    errors,
  });

  router.get('/admin/sessions', (_req, res) => res.render('pages/admin/sessions', page()));

  router.post('/admin/sessions', (req, res) => {
    const form = parseForm(formSchema, req.body);
    const again = (errors: Record<string, string>) => res.status(400).render('pages/admin/sessions', page(req.body as Record<string, unknown>, errors));
    if (!form.ok) return again(form.errors);
    const panel = findPanel(db, form.data.panelId);
    if (!panel) return again({ panelId: 'That panel no longer exists. Choose another.' });
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
    const base = `${req.protocol}://${req.get('host')}`;
    res.status(201).render('pages/admin/session-created', {
      title: 'Session created',
      panel,
      agenda,
      sessionId: made.sessionId,
      observer: joinLink(base, made.sessionId, made.observer),
      panellists: made.panellists.map((p) => ({ id: p.member, link: joinLink(base, made.sessionId, p.token) })),
    });
  });
  return router;
}
