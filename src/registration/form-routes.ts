import { type Response, Router } from 'express';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { formatCode, readCode } from '../mailout/codes';
import { checkInvitation, sendsLetters } from '../mailout/invitation';
import { loadPanel } from '../panels/load';
import { findPanelBySlug, listCategories, registrationClosed, type Category, type Panel } from '../panels/repo';
import { HttpError, notFound } from '../web/errors';
import { minutes, RateLimiter } from '../web/rate-limit';
import { formValues, parseForm } from '../web/validate';
import { pageLanguage, residentErrors, translate } from '../web/language';
import { localiseForPage } from '../panels/localise';
import { acknowledgeRegistration, confirmationOf, confirmEmail } from './confirm';
import { questions, registrationSchema } from './registration-form';
import { findDuplicate, insertRegistrant } from './repo';

// Generous: a registration stall in a library or community centre sends everyone from one address.
const REGISTRATIONS_PER_IP = 60;
const WINDOW_MS = 10 * 60_000;
// Wrong letter codes: 10 an hour from one address (the sum behind it is in mailout/codes.ts).
const WRONG_CODES_PER_IP = 10;
const CODE_WINDOW_MS = 60 * 60_000;

/**
 * The public registration form, and the same form for staff taking a registration over the phone or from paper
 * (issue 21: the channel is recorded). Where the panel has sent letters, the form asks for the letter's code
 * (filled in from the QR code's link), which ties the registration to the invited household.
 */
export function registrationRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const limiter = new RateLimiter(REGISTRATIONS_PER_IP, WINDOW_MS, clock);
  const codeGuesses = new RateLimiter(WRONG_CODES_PER_IP, CODE_WINDOW_MS, clock);

  const load = (slug: string) => {
    const panel = findPanelBySlug(db, slug);
    // A draft is not public yet: to everyone outside, it does not exist.
    if (!panel || panel.openedAt === null) throw notFound('That panel');
    return { panel, categories: listCategories(db, panel.id) };
  };
  const page = (res: Response, original: Panel, categories: Category[], extra: { values?: unknown; errors?: Record<string, string>; staff?: boolean } = {}) => {
    const values = (extra.values ?? {}) as Record<string, unknown>;
    // The organiser's words in the resident's language where they have been translated (staff pages: English).
    const local = localiseForPage(db, res, original, categories);
    const panel = local.panel;
    return {
      title: extra.staff ? `Register someone: ${panel.title}` : translate(res)('register.title', { panel: panel.title }),
      panel,
      closed: registrationClosed(panel, clock.now()),
      asksCode: sendsLetters(ctx, panel.id),
      staff: extra.staff,
      action: extra.staff ? `/admin/panels/${panel.id}/registrations/by-staff` : `/register/${panel.slug}`,
      questions: questions(local.categories, values, extra.errors ?? {}),
      values,
      errors: extra.errors,
    };
  };
  const contactLine = (panel: Panel) => (panel.details.contactPhone ? `call ${panel.details.contactPhone}` : '');

  /** Checks and stores one registration; answers the page again with its errors, or null when it is stored. */
  const register = (res: Response, panel: Panel, categories: Category[], body: unknown, ip: string, channel: 'online' | 'phone' | 'paper', userId: number | null): boolean => {
    const staff = channel !== 'online';
    const again = (errors: Record<string, string>) => {
      const question = (field: string) => localiseForPage(db, res, panel, categories).categories.find((c) => `q_${c.key}` === field)?.question;
      res.status(400).render('pages/register', page(res, panel, categories, { values: formValues(body), errors: residentErrors(res, 'register', errors, question), staff }));
      return false;
    };
    const form = parseForm(registrationSchema(categories), body);
    const typedCode = (formValues(body).code ?? '').slice(0, 40);
    if (!form.ok) return again(form.errors);
    let invitation: ReturnType<typeof checkInvitation> = { ok: true, household: null, addressFlag: null };
    if (sendsLetters(ctx, panel.id)) {
      const wait = codeGuesses.waiting(ip);
      if (wait > 0 && typedCode.trim()) throw new HttpError(429, `Too many codes that did not match a letter from this connection. Wait ${minutes(wait)}, then try again${contactLine(panel) ? `, or ${contactLine(panel)}` : ''}.`);
      invitation = checkInvitation(ctx, panel.id, typedCode, form.data, contactLine(panel));
      if (!invitation.ok) {
        if (invitation.wrongCode) codeGuesses.hit(ip);
        return again({ code: invitation.message });
      }
    }
    // A duplicate gets the same answer as a new registration, whichever field matched: the form must not tell
    // anyone whether an address or a number is registered (issue 17). The organiser's log counts it, naming nobody.
    if (findDuplicate(db, panel.id, form.data)) {
      audit(db, clock, { panelId: panel.id, userId, action: 'registrant.duplicate' });
      return true;
    }
    const answers = form.data as Record<string, unknown>;
    const valueIds = categories.map((c) => c.values.find((v) => v.value === answers[`q_${c.key}`])?.id ?? 0);
    const now = clock.now();
    const { household, addressFlag } = invitation;
    db.transaction(() => {
      const publicId = insertRegistrant(db, panel.id, { ...form.data, valueIds, source: 'form', consentAt: now, channel, householdId: household?.id ?? null, wave: household?.wave ?? null, addressFlag, language: pageLanguage(res).code }, now);
      audit(db, clock, { panelId: panel.id, userId, action: 'registrant.register', subject: publicId, detail: { channel, invited: household !== null, ...(addressFlag ? { addressFlag } : {}) } });
      acknowledgeRegistration(ctx, panel, publicId, now);
    })();
    return true;
  };

  router.get('/register/:slug', (req, res) => {
    const { panel, categories } = load(req.params.slug);
    // From a QR code's link: shown as the letter prints it (K7M-4QX-R9E), so the resident can check one against the other.
    const linked = typeof req.query.code === 'string' ? req.query.code.slice(0, 40) : undefined;
    const read = linked ? readCode(linked) : undefined;
    const code = read?.ok ? formatCode(read.code) : linked;
    res.status(registrationClosed(panel, clock.now()) ? 410 : 200).render('pages/register', page(res, panel, categories, { values: code ? { code } : {} }));
  });

  router.post('/register/:slug', (req, res) => {
    const { panel, categories } = load(req.params.slug);
    if (registrationClosed(panel, clock.now())) {
      return res.status(410).render('pages/register', page(res, panel, categories));
    }
    const wait = limiter.hit(req.ip ?? 'unknown');
    if (wait > 0) throw new HttpError(429, `Too many registrations from this connection. Wait ${minutes(wait)}, then try again.`);
    if (register(res, panel, categories, req.body, req.ip ?? 'unknown', 'online', null)) res.redirect(303, `/register/${panel.slug}/thanks`);
  });

  router.get('/register/:slug/thanks', (req, res) => {
    const { panel } = load(req.params.slug);
    res.render('pages/register-thanks', { title: translate(res)('thanks.title'), panel: localiseForPage(db, res, panel).panel });
  });

  // Staff take a registration over the phone or from a paper form: the same checks, the channel recorded.
  router.get('/admin/panels/:id/registrations/by-staff', requireRole('organiser'), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.render('pages/register', page(res, panel, listCategories(db, panel.id), { staff: true, values: { channel: 'phone' } }));
  });

  router.post('/admin/panels/:id/registrations/by-staff', requireRole('organiser'), (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const categories = listCategories(db, panel.id);
    if (registrationClosed(panel, clock.now())) throw new HttpError(409, 'Registration for this panel is closed.', 'Registration is closed');
    const channel = formValues(req.body).channel === 'paper' ? 'paper' : 'phone';
    if (register(res, panel, categories, req.body, `staff ${currentUser(res).id}`, channel, currentUser(res).id)) res.redirect(303, `/admin/panels/${panel.id}/pool?registered=1`);
  });

  // The link in the message that acknowledges a registration. Opening it shows a button; only pressing it
  // confirms, so a mail scanner that follows links confirms nothing.
  router.get('/confirm/:token', (req, res) => {
    if (!confirmationOf(db, req.params.token)) throw notFound('That confirmation link');
    res.render('pages/confirm-email', { title: translate(res)('confirm.title'), token: req.params.token });
  });

  router.post('/confirm/:token', (req, res) => {
    const confirmed = db.transaction(() => {
      const done = confirmEmail(db, req.params.token, clock.now());
      if (done && !done.already) audit(db, clock, { panelId: done.panelId, action: 'registrant.email-confirmed', subject: done.publicId });
      return done;
    })();
    if (!confirmed) throw notFound('That confirmation link');
    res.render('pages/confirm-email', { title: translate(res)('confirm.doneTitle'), confirmed: true });
  });

  router.get('/privacy', (_req, res) => res.render('pages/privacy', { title: translate(res)('privacy.title') }));

  return router;
}
