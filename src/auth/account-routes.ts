import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Revocations } from '../revocations';
import { HttpError, notFound } from '../web/errors';
import { parseForm, parseId } from '../web/validate';
import { currentUser, requireRole } from './middleware';
import { MIN_PASSWORD_LENGTH } from './passwords';
import { endSessionsOf, SESSION_COOKIE, sessionsOf } from './sessions';
import { isOwnPassword, setPassword } from './users';

const passwordForm = z
  .object({
    current: z.string().min(1, 'Type your current password.').max(200),
    password: z.string().min(MIN_PASSWORD_LENGTH, `The new password must be at least ${MIN_PASSWORD_LENGTH} characters.`).max(200, 'The new password must be at most 200 characters.'),
    confirm: z.string().max(200),
  })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'The two new passwords are not the same. Type it again in both boxes.' });

/**
 * Your account (issue 17): who you are, every browser you are signed in on (end any of them, and its room closes
 * at once), and your password. After an administrator resets your password, this page is the only one open to
 * you until you choose a new one.
 */
export function accountRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  const token = (req: Request) => (typeof req.cookies?.[SESSION_COOKIE] === 'string' ? (req.cookies[SESSION_COOKIE] as string) : undefined);
  const end = (hashes: string[]) => hashes.forEach((h) => revocations.loginHash(h));
  const page = (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const user = currentUser(res);
    const sessions = sessionsOf(db, clock, user.id, token(req));
    return { title: 'Your account', me: user, sessions, others: sessions.length > 1, mustChange: user.mustChangePassword, changed: req.query.changed === '1', ...extra };
  };

  router.use('/account', requireRole('organiser', 'facilitator'));
  router.get('/account', (req, res) => res.render('pages/account', page(req, res)));

  router.post('/account/sessions/others/end', (req, res) => {
    const user = currentUser(res);
    end(endSessionsOf(db, user.id, { allBut: token(req) }));
    audit(db, clock, { userId: user.id, action: 'sessions.end-others' });
    res.redirect(303, '/account');
  });

  router.post('/account/sessions/:id/end', (req, res) => {
    const user = currentUser(res);
    const ended = endSessionsOf(db, user.id, { id: parseId(req.params.id, 'That signed-in session') });
    if (!ended.length) throw notFound('That signed-in session (it may have ended already)');
    end(ended);
    res.redirect(303, '/account');
  });

  router.post('/account/password', (req, res) => {
    const user = currentUser(res);
    const form = parseForm(passwordForm, req.body);
    if (!form.ok) return res.status(400).render('pages/account', page(req, res, { errors: form.errors }));
    if (!isOwnPassword(db, user, form.data.current)) {
      return res.status(400).render('pages/account', page(req, res, { errors: { current: 'That is not your current password. Type it again.' } }));
    }
    db.transaction(() => {
      setPassword(db, user.id, form.data.password, false);
      audit(db, clock, { userId: user.id, action: 'password.change' });
    })();
    // Anyone who knew the old password is signed out everywhere else.
    end(endSessionsOf(db, user.id, { allBut: token(req) }));
    res.redirect(303, '/account?changed=1');
  });
  return router;
}

/** After a reset, only the account page (to choose a new password) and logging out are open. */
export function requireOwnPassword(req: Request, res: Response, next: NextFunction): void {
  const user = res.locals.user;
  const open = req.path === '/account' || req.path === '/account/password' || req.path === '/logout';
  if (!user?.mustChangePassword || open || !(req.path.startsWith('/admin') || req.path.startsWith('/account'))) return next();
  if (req.method === 'GET') return res.redirect(303, '/account');
  next(new HttpError(403, 'Choose a new password first, on your account page: an administrator reset yours.'));
}
