import { Router } from 'express';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { findPanelBySlug, listCategories, registrationClosed, type Category, type Panel } from '../panels/repo';
import { HttpError, notFound } from '../web/errors';
import { minutes, RateLimiter } from '../web/rate-limit';
import { formValues, parseForm } from '../web/validate';
import { questions, registrationSchema } from './registration-form';
import { findDuplicate, insertRegistrant } from './repo';

// Generous: a registration stall in a library or community centre sends everyone from one address.
const REGISTRATIONS_PER_IP = 60;
const WINDOW_MS = 10 * 60_000;

export function registrationRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const limiter = new RateLimiter(REGISTRATIONS_PER_IP, WINDOW_MS, clock);

  const load = (slug: string) => {
    const panel = findPanelBySlug(db, slug);
    // A draft is not public yet: to everyone outside, it does not exist.
    if (!panel || panel.openedAt === null) throw notFound('That panel');
    return { panel, categories: listCategories(db, panel.id) };
  };
  const page = (panel: Panel, categories: Category[], extra: { values?: unknown; errors?: Record<string, string> } = {}) => {
    const values = (extra.values ?? {}) as Record<string, unknown>;
    return {
      title: `Register: ${panel.title}`,
      panel,
      closed: registrationClosed(panel, clock.now()),
      questions: questions(categories, values, extra.errors ?? {}),
      values,
      errors: extra.errors,
    };
  };

  router.get('/register/:slug', (req, res) => {
    const { panel, categories } = load(req.params.slug);
    res.status(registrationClosed(panel, clock.now()) ? 410 : 200).render('pages/register', page(panel, categories));
  });

  router.post('/register/:slug', (req, res) => {
    const { panel, categories } = load(req.params.slug);
    if (registrationClosed(panel, clock.now())) {
      return res.status(410).render('pages/register', page(panel, categories));
    }
    const wait = limiter.hit(req.ip ?? 'unknown');
    if (wait > 0) throw new HttpError(429, `Too many registrations from this connection. Wait ${minutes(wait)}, then try again.`);
    const form = parseForm(registrationSchema(categories), req.body);
    if (!form.ok) {
      return res.status(400).render('pages/register', page(panel, categories, { values: formValues(req.body), errors: form.errors }));
    }
    // A duplicate gets the same answer as a new registration, whichever field matched: the form must not tell
    // anyone whether an address or a number is registered (issue 17). The organiser's log counts it, naming nobody.
    if (findDuplicate(db, panel.id, form.data)) {
      audit(db, clock, { panelId: panel.id, action: 'registrant.duplicate' });
      return res.redirect(303, `/register/${panel.slug}/thanks`);
    }
    const answers = form.data as Record<string, unknown>;
    const valueIds = categories.map((c) => c.values.find((v) => v.value === answers[`q_${c.key}`])?.id ?? 0);
    const now = clock.now();
    db.transaction(() => {
      const publicId = insertRegistrant(db, panel.id, { ...form.data, valueIds, source: 'form', consentAt: now }, now);
      audit(db, clock, { panelId: panel.id, action: 'registrant.register', subject: publicId });
    })();
    res.redirect(303, `/register/${panel.slug}/thanks`);
  });

  router.get('/register/:slug/thanks', (req, res) => {
    const { panel } = load(req.params.slug);
    res.render('pages/register-thanks', { title: 'Thank you for registering', panel });
  });

  router.get('/privacy', (_req, res) => res.render('pages/privacy', { title: 'Privacy notice' }));

  return router;
}
