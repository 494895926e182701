import { Router } from 'express';
import { z } from 'zod';
import { audit, auditLogin, type LoginRefusal } from '../audit';
import type { AppContext } from '../context';
import type { Revocations } from '../revocations';
import { HttpError } from '../web/errors';
import { minutes, RateLimiter } from '../web/rate-limit';
import { parseForm } from '../web/validate';
import { hashPassword, verifyPassword } from './passwords';
import { createSession, endSession, SESSION_COOKIE, SESSION_HOURS } from './sessions';
import { CHALLENGE_MINUTES, TwoFactor } from './two-factor';
import { LOGIN_COOKIE } from './two-factor-routes';
import { findUserByEmail } from './users';

const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'Email is required.').max(200),
  password: z.string().min(1, 'Password is required.').max(200),
  next: z.string().optional(),
});

const LOGIN_LIMIT = 10;
const LOGIN_LIMIT_PER_IP = 50;
// Checked when the email is unknown, so a wrong email takes as long as a wrong password.
const DUMMY_HASH = hashPassword('no account has this password');
const LOGIN_WINDOW_MS = 15 * 60_000;

/** Only same-site paths, so a crafted link cannot bounce a fresh login to another site. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/admin';
}

export function authRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const limiter = new RateLimiter(LOGIN_LIMIT, LOGIN_WINDOW_MS, ctx.clock);
  const ipLimiter = new RateLimiter(LOGIN_LIMIT_PER_IP, LOGIN_WINDOW_MS, ctx.clock);
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.SECURE_COOKIES, path: '/' };
  const twoFactor = new TwoFactor(ctx);

  router.get('/login', (req, res) => {
    res.render('pages/login', { title: 'Log in', next: typeof req.query.next === 'string' ? req.query.next : '', passwordSet: req.query.password === 'set' });
  });

  router.post('/login', (req, res) => {
    const form = parseForm(loginSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/login', { title: 'Log in', errors: form.errors });
    const { email, password, next } = form.data;
    const wait = Math.max(limiter.hit(`${req.ip}|${email}`), ipLimiter.hit(req.ip ?? ''));
    const user = findUserByEmail(ctx.db, email);
    // The trail names the account when the email is one; an unknown email leaves no trace of what was typed.
    const refused = (reason: LoginRefusal) => auditLogin(ctx.db, ctx.clock, user?.id ?? null, { refused: reason });
    if (wait > 0) {
      refused('rate-limited');
      throw new HttpError(429, `Too many login attempts from here. Wait ${minutes(wait)}, then try again.`);
    }
    const matches = verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !matches) {
      refused(user ? 'wrong-password' : 'no-such-account');
      return res.status(401).render('pages/login', {
        title: 'Log in',
        email,
        next,
        errors: { form: 'That email and password do not match an account. Check both and try again.' },
      });
    }
    limiter.reset(`${req.ip}|${email}`);
    if (user.twoFactor) {
      // The password was right; the code from the app comes next (two-factor-routes.ts). No session yet.
      res.cookie(LOGIN_COOKIE, twoFactor.challenge(user.id, safeNext(next)), { ...cookie, maxAge: CHALLENGE_MINUTES * 60_000 });
      return res.redirect(303, '/login/code');
    }
    // A new token at every login, so a session id planted before login is worthless.
    const old: unknown = req.cookies?.[SESSION_COOKIE];
    if (typeof old === 'string') endSession(ctx.db, old);
    const token = createSession(ctx.db, ctx.clock, user.id, req.get('user-agent'));
    auditLogin(ctx.db, ctx.clock, user.id, { method: 'password' });
    res.cookie(SESSION_COOKIE, token, { ...cookie, maxAge: SESSION_HOURS * 3600_000 });
    res.redirect(303, user.mustChangePassword ? '/account' : safeNext(next));
  });

  router.post('/logout', (req, res) => {
    const token: unknown = req.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string') {
      endSession(ctx.db, token);
      revocations.login(token);
    }
    const user = res.locals.user;
    if (user) audit(ctx.db, ctx.clock, { userId: user.id, action: 'logout' });
    res.clearCookie(SESSION_COOKIE, cookie);
    res.redirect(303, '/');
  });

  return router;
}
