import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Revocations } from '../revocations';
import { HttpError } from '../web/errors';
import { minutes, RateLimiter } from '../web/rate-limit';
import { formValues, parseForm } from '../web/validate';
import { findLink, LINK_MINUTES, type LinkPurpose, type PasswordLink, useLink } from './password-links';
import { MIN_PASSWORD_LENGTH } from './passwords';
import { requestReset } from './password-messages';
import { endSessionsOf, SESSION_COOKIE } from './sessions';
import { findUser, newUserSchema, setPassword } from './users';

const forgotForm = z.object({
  email: z
    .string({ error: 'Type the email address you log in with.' })
    .trim()
    .toLowerCase()
    .min(1, 'Type the email address you log in with.')
    .max(200, 'Email must be at most 200 characters.')
    .email('Email must be a valid email address, like name@example.org.'),
});
// A box left out of the form counts as empty, so the answer is the rule a password must meet.
const typed = (v: unknown) => (typeof v === 'string' ? v : '');
const passwordForm = z
  .object({ password: z.preprocess(typed, newUserSchema.shape.password), confirm: z.preprocess(typed, z.string()) })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'The two passwords are not the same. Type it again in both boxes.' });

const WINDOW_MS = 15 * 60_000;
const PER_ADDRESS = 3;
const PER_IP = 20;
// Links are 256-bit, so guessing one is hopeless; this stops anyone trying at speed all the same.
const WRONG_LINKS = 50;

const FORGOT = { title: 'Forgotten your password?' };
const PAGES: Record<LinkPurpose, { base: string; title: string; audit: string; lasts: string }> = {
  setup: { base: '/account/setup', title: 'Choose your password', audit: 'account.setup', lasts: `${LINK_MINUTES.setup / 1440} days` },
  reset: { base: '/password/reset', title: 'Choose a new password', audit: 'password.reset-by-email', lasts: `${LINK_MINUTES.reset} minutes` },
};
const ASK_AGAIN = 'choose “Forgotten your password?” on the login page, and we will email you a new link.';
const USED = `This link has been used already: a password was chosen with it. Log in with that password. If you have forgotten it, ${ASK_AGAIN}`;

/**
 * Choosing one's own password by email (issue 22): "Forgotten your password?" (the same answer whether or not
 * there is an account for the address), and the pages the set-up and reset links open. Choosing a password ends
 * every other session of the person; it signs nobody in, so two-factor is still asked at the next sign-in.
 */
export function passwordRouter(ctx: AppContext, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  const perAddress = new RateLimiter(PER_ADDRESS, WINDOW_MS, clock);
  const perIp = new RateLimiter(PER_IP, WINDOW_MS, clock);
  const wrongLinks = new RateLimiter(WRONG_LINKS, WINDOW_MS, clock);

  router.get('/password/forgot', (_req, res) => res.render('pages/password-forgot', FORGOT));
  router.post('/password/forgot', (req, res) => {
    const form = parseForm(forgotForm, req.body);
    if (!form.ok) return res.status(400).render('pages/password-forgot', { ...FORGOT, values: formValues(req.body), errors: form.errors });
    const { email } = form.data;
    const wait = Math.max(perAddress.hit(email), perIp.hit(req.ip ?? ''));
    if (wait > 0) throw new HttpError(429, `Too many requests for a new password, from here or for this address. Wait ${minutes(wait)}, then try again.`);
    requestReset(ctx, email);
    res.render('pages/password-forgot', { ...FORGOT, sent: email, minutes: LINK_MINUTES.reset });
  });

  /** The link in the request, if it can still be used; otherwise an answer that says what happened and what to do. */
  const openLink = (req: Request, purpose: LinkPurpose): PasswordLink & { token: string } => {
    const ip = req.ip ?? '';
    const blocked = wrongLinks.waiting(ip);
    if (blocked > 0) throw new HttpError(429, `Too many wrong links from here. Wait ${minutes(blocked)}, then open the link from your email again.`);
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const link = findLink(db, token, purpose);
    if (!link) {
      wrongLinks.hit(ip);
      throw new HttpError(404, `That link is not one we know, or a newer password has replaced it. Check that you copied the whole link from the email; if you did, ${ASK_AGAIN}`, 'Link not found');
    }
    if (link.usedAt !== null) throw new HttpError(410, USED, 'Link used');
    if (link.expiresAt <= clock.now()) throw new HttpError(410, `This link has expired: it worked for ${PAGES[purpose].lasts}. To get another, ${ASK_AGAIN}`, 'Link expired');
    return { ...link, token };
  };
  const page = (purpose: LinkPurpose, link: PasswordLink & { token: string }, extra: Record<string, unknown> = {}) => ({
    title: PAGES[purpose].title,
    action: `${PAGES[purpose].base}/${link.token}`,
    email: findUser(db, link.userId)?.email,
    minLength: MIN_PASSWORD_LENGTH,
    ...extra,
  });

  const show = (purpose: LinkPurpose) => (req: Request, res: Response) => {
    res.render('pages/password-choose', page(purpose, openLink(req, purpose)));
  };
  const choose = (purpose: LinkPurpose) => (req: Request, res: Response) => {
    const link = openLink(req, purpose);
    const form = parseForm(passwordForm, req.body);
    if (!form.ok) return res.status(400).render('pages/password-choose', page(purpose, link, { errors: form.errors }));
    const current: unknown = req.cookies?.[SESSION_COOKIE];
    const ended = db.transaction(() => {
      if (!useLink(db, link.id, clock.now())) throw new HttpError(410, USED, 'Link used');
      setPassword(db, link.userId, form.data.password, false);
      audit(db, clock, { userId: link.userId, action: PAGES[purpose].audit });
      return endSessionsOf(db, link.userId, { allBut: typeof current === 'string' ? current : undefined });
    })();
    for (const hash of ended) revocations.loginHash(hash);
    res.redirect(303, '/login?password=set');
  };

  router.get('/account/setup/:token', show('setup'));
  router.post('/account/setup/:token', choose('setup'));
  router.get('/password/reset/:token', show('reset'));
  router.post('/password/reset/:token', choose('reset'));
  return router;
}
