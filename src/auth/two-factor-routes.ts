import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { audit, auditLogin } from '../audit';
import type { AppContext } from '../context';
import type { Revocations } from '../revocations';
import { HttpError } from '../web/errors';
import { minutes, RateLimiter } from '../web/rate-limit';
import { parseForm } from '../web/validate';
import { currentUser, requireRole } from './middleware';
import { createSession, endSessionsOf, SESSION_COOKIE, SESSION_HOURS } from './sessions';
import { CHALLENGE_MINUTES, required, TwoFactor } from './two-factor';
import { findUser, isOwnPassword, type User } from './users';

/** The cookie that carries a sign-in from the right password to the right code. */
export const LOGIN_COOKIE = 'cp_login';
const WRONG_CODES = 10;
const WRONG_CODES_WINDOW_MS = 15 * 60_000;

const codeForm = z.object({ code: z.string().trim().min(1, 'Type the 6-digit code from your app, or a recovery code.').max(40) });
const passwordForm = z.object({ password: z.string().min(1, 'Type your password.').max(200) });
const offForm = passwordForm.extend({ code: codeForm.shape.code });

/**
 * Two-factor sign-in (issue 17): the code page after a right password, and on the account page setting up an
 * authenticator app, new recovery codes, and turning it off. An installation can require it (REQUIRE_TWO_FACTOR).
 */
export function twoFactorRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  const factor = new TwoFactor(ctx);
  const wrong = new RateLimiter(WRONG_CODES, WRONG_CODES_WINDOW_MS, clock);
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.SECURE_COOKIES, path: '/' };
  const challengeOf = (req: Request) => (typeof req.cookies?.[LOGIN_COOKIE] === 'string' ? (req.cookies[LOGIN_COOKIE] as string) : '');
  const codePage = { title: 'Your sign-in code' };

  router.get('/login/code', (req, res) => {
    if (!factor.waiting(challengeOf(req))) return res.redirect(303, '/login');
    res.render('pages/login-code', codePage);
  });

  router.post('/login/code', (req, res) => {
    const token = challengeOf(req);
    const form = parseForm(codeForm, req.body);
    if (!form.ok) return res.status(400).render('pages/login-code', { ...codePage, errors: form.errors });
    const waiting = factor.attempt(token);
    if (!waiting) {
      // No sign-in waits for this cookie (ended, or never was): whose it was is not known.
      auditLogin(db, clock, null, { refused: 'two-factor-expired' });
      res.clearCookie(LOGIN_COOKIE, cookie);
      throw new HttpError(401, `This sign-in has ended: it waits ${CHALLENGE_MINUTES} minutes for the code and takes a few wrong ones. Log in again with your password.`, 'Log in again');
    }
    const user = findUser(db, waiting.userId) as User;
    // Wrong codes are counted per account too, so new sign-ins with a stolen password do not buy more guesses.
    const blocked = wrong.waiting(String(user.id));
    if (blocked > 0) {
      auditLogin(db, clock, user.id, { refused: 'two-factor-limited' });
      throw new HttpError(429, `Too many wrong codes for this account. Wait ${minutes(blocked)}, then log in again.`);
    }
    const how = factor.check(user, form.data.code);
    if (!how) {
      wrong.hit(String(user.id));
      auditLogin(db, clock, user.id, { refused: 'two-factor-failed' });
      const left = waiting.left ? ` ${waiting.left} ${waiting.left === 1 ? 'try' : 'tries'} left.` : ' That was the last try: log in again.';
      return res.status(401).render('pages/login-code', { ...codePage, errors: { code: `That code is not right, or it was used already: wait for the next one in your app.${left}` } });
    }
    factor.finish(token);
    res.clearCookie(LOGIN_COOKIE, cookie);
    const session = createSession(db, clock, user.id, req.get('user-agent'));
    auditLogin(db, clock, user.id, { method: 'two-factor' });
    res.cookie(SESSION_COOKIE, session, { ...cookie, maxAge: SESSION_HOURS * 3600_000 });
    if (how === 'recovery') audit(db, clock, { userId: user.id, action: 'login.recovery-code', detail: { left: factor.recoveryLeft(user.id) } });
    res.redirect(303, how === 'recovery' ? '/account/two-factor?recovered=1' : user.mustChangePassword ? '/account' : waiting.next);
  });

  router.use('/account/two-factor', requireRole('organiser', 'facilitator'));

  const page = async (res: Response, extra: Record<string, unknown> = {}) => {
    const user = currentUser(res);
    const base = { title: 'Two-factor sign-in', me: user, mustHave: required(ctx.config.REQUIRE_TWO_FACTOR, user), ...extra };
    if (user.twoFactor) return { ...base, on: true, left: factor.recoveryLeft(user.id) };
    const { secret, uri } = factor.pending(user);
    return { ...base, on: false, secret: secret.match(/.{1,4}/g)?.join(' '), qr: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
  };

  router.get('/account/two-factor', async (req, res) => {
    res.render('pages/two-factor', await page(res, { recovered: req.query.recovered === '1' }));
  });

  router.post('/account/two-factor', async (req, res) => {
    const user = currentUser(res);
    if (user.twoFactor) throw new HttpError(409, 'Two-factor sign-in is on already. To use another phone, turn it off and set it up again.', 'On already');
    const form = parseForm(codeForm, req.body);
    if (!form.ok) return res.status(400).render('pages/two-factor', await page(res, { errors: form.errors }));
    const codes = factor.enable(user, form.data.code);
    if (!codes) return res.status(400).render('pages/two-factor', await page(res, { errors: { code: 'That code is not right. Check the app shows the Citizens’ Panel Toolkit, and type the code it shows now.' } }));
    audit(db, clock, { userId: user.id, action: 'two-factor.on' });
    // Whoever was signed in with the password alone is signed out.
    for (const hash of endSessionsOf(db, user.id, { allBut: req.cookies?.[SESSION_COOKIE] as string | undefined })) revocations.loginHash(hash);
    res.render('pages/two-factor', await page(res, { me: { ...user, twoFactor: true }, on: true, codes, left: codes.length }));
  });


  router.post('/account/two-factor/recovery', async (req, res) => {
    const user = currentUser(res);
    const form = parseForm(passwordForm, req.body);
    if (!user.twoFactor) throw new HttpError(409, 'Set up two-factor sign-in first; recovery codes come with it.', 'Not on');
    if (!form.ok || !isOwnPassword(db, user, form.data.password)) return res.status(400).render('pages/two-factor', await page(res, { errors: { password: 'That is not your password. Type it again.' } }));
    const codes = factor.newRecoveryCodes(user.id);
    audit(db, clock, { userId: user.id, action: 'two-factor.recovery-codes' });
    res.render('pages/two-factor', await page(res, { codes, left: codes.length }));
  });

  router.post('/account/two-factor/off', async (req, res) => {
    const user = currentUser(res);
    if (!user.twoFactor) throw new HttpError(409, 'Two-factor sign-in is off already.', 'Off already');
    if (required(ctx.config.REQUIRE_TWO_FACTOR, user)) throw new HttpError(409, 'This installation requires two-factor sign-in for your account, so it cannot be turned off. To move to a new phone, ask an administrator to reset it.', 'Required here');
    const form = parseForm(offForm, req.body);
    const again = (errors: Record<string, string>) => page(res).then((p) => res.status(400).render('pages/two-factor', { ...p, errors }));
    if (!form.ok) return again(form.errors);
    if (!isOwnPassword(db, user, form.data.password)) return again({ password: 'That is not your password. Type it again.' });
    if (!factor.check(user, form.data.code)) return again({ code: 'That code is not right, or it was used already.' });
    factor.disable(user.id);
    audit(db, clock, { userId: user.id, action: 'two-factor.off' });
    res.redirect(303, '/account/two-factor');
  });

  return router;
}

/**
 * Where the installation requires two-factor sign-in (REQUIRE_TWO_FACTOR), someone without it can only set it up,
 * read their account and log out: every other page sends them to set it up.
 */
export function requireTwoFactor(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user;
    const open = req.path === '/account' || req.path.startsWith('/account/two-factor') || req.path === '/logout';
    if (!user || user.twoFactor || !required(ctx.config.REQUIRE_TWO_FACTOR, user) || open || !(req.path.startsWith('/admin') || req.path.startsWith('/account'))) return next();
    if (req.method === 'GET') return res.redirect(303, '/account/two-factor');
    next(new HttpError(403, 'Set up two-factor sign-in first, on your account page: this installation requires it for your account.'));
  };
}
