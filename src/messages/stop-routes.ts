import { Router } from 'express';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { translate } from '../web/language';
import { notFound } from '../web/errors';
import { registrantOfStop, stopMessages } from './stop';

/**
 * A person's stop link (List-Unsubscribe). Opening it shows a button, so a mail scanner that follows links stops
 * nothing; the button, or a mail program's one-click POST (RFC 8058), stops reminders and news. The link is its
 * own proof, so the POST takes no form token (web/csrf.ts lets it through).
 */
export function stopRouter(ctx: AppContext): Router {
  const { db, clock } = ctx;
  const router = Router();

  router.get('/messages/stop/:token', (req, res) => {
    if (registrantOfStop(ctx, req.params.token) === undefined) throw notFound('That link');
    res.render('pages/messages-stop', { title: translate(res)('stop.title'), token: req.params.token });
  });

  router.post('/messages/stop/:token', (req, res) => {
    const registrantId = registrantOfStop(ctx, req.params.token);
    const stopped = registrantId !== undefined && db.transaction(() => {
      const panelId = db.prepare('SELECT panel_id FROM registrants WHERE id = ?').pluck().get(registrantId) as number | undefined;
      const done = stopMessages(db, registrantId, clock.now());
      if (done) audit(db, clock, { panelId: panelId ?? null, action: 'messages.stopped' });
      return done;
    })();
    if (!stopped) throw notFound('That link');
    res.render('pages/messages-stop', { title: translate(res)('stop.doneTitle'), stopped: true });
  });

  return router;
}
