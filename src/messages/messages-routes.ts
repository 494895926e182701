import { type Request, Router } from 'express';
import { audit, auditView } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import { mailDir } from '../config';
import type { AppContext } from '../context';
import { loadPanel } from '../panels/load';
import type { Panel } from '../panels/repo';
import { notFound } from '../web/errors';
import { parseId } from '../web/validate';
import { findMessage, LINK, type Message, messageCounts, panelMessages, resend } from './outbox';

const STATE_WORDS: Record<Message['state'], string> = { queued: 'waiting to go', sending: 'going now', sent: 'sent', failed: 'failed' };

/**
 * The panel's messages (issue 22), for its organisers: every message and its state, a failure in words, a resend,
 * and each message as it went (its personal link left out). Without a mail server, this is where they are read.
 */
export function messagesRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock, config } = ctx;
  const base = '/admin/panels/:id/messages';
  router.use(base, requireRole('organiser'));

  router.get(base, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const state = typeof req.query.state === 'string' && req.query.state in STATE_WORDS ? (req.query.state as Message['state']) : undefined;
    const messages = panelMessages(db, panel.id, state);
    auditView(ctx, res, panel.id, 'messages', messages.length);
    res.render('pages/admin/messages', {
      title: `Messages: ${panel.title}`,
      panel,
      counts: messageCounts(db, panel.id),
      state,
      stateWords: state && STATE_WORDS[state],
      resent: req.query.resent === '1',
      where: config.SMTP_URL ? null : mailDir(config),
      messages: messages.map((m) => ({ ...m, stateWords: STATE_WORDS[m.state], canResend: m.state === 'sent' || m.state === 'failed' })),
    });
  });

  /** The panel's message a request names. */
  const loadMessage = (req: Request, panel: Panel): Message => {
    const message = findMessage(db, parseId(req.params.mid, 'That message'));
    if (!message || message.panelId !== panel.id) throw notFound('That message');
    return message;
  };

  router.get(`${base}/:mid`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const message = loadMessage(req, panel);
    auditView(ctx, res, panel.id, 'message', 1, message.kind);
    res.render('pages/admin/message', { title: message.subject, panel, message: { ...message, stateWords: STATE_WORDS[message.state], text: message.text.split(LINK).join('(their personal link)') } });
  });

  router.post(`${base}/:mid/resend`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const message = loadMessage(req, panel);
    db.transaction(() => {
      if (!resend(db, message.id, clock.now())) throw notFound('A sent or failed message to resend (it is on its way)');
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'message.resend', subject: message.kind });
    })();
    res.redirect(303, `/admin/panels/${panel.id}/messages?resent=1`);
  });

  return router;
}
