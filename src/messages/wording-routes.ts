import { type Request, Router } from 'express';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import { publicUrl } from '../config';
import type { AppContext } from '../context';
import { sessionTime } from '../membership/messages';
import { loadPanel } from '../panels/load';
import { closingDay, type Panel } from '../panels/repo';
import { localise } from '../panels/translations';
import { HttpError, notFound } from '../web/errors';
import { LANGUAGES, languageOf } from '../web/i18n';
import { formValues } from '../web/validate';
import { enqueue, LINK } from './outbox';
import { renderMessage, standardSource } from './templates';
import { dropWording, isPanelKind, ownWording, PANEL_KINDS, type PanelKind, problemsOf, saveWording, VARIABLE_WORDS, variablesFor, wordingSaved } from './wording';

const KIND_WORDS: Record<PanelKind, string> = {
  'registration-received': 'Registration received (with the link that confirms the address)',
  invitation: 'Invitation of a drawn member',
  'invitation-letter': 'Invitation by post (a printed letter, for members with no email address)',
  'replacement-invitation': 'Invitation of a replacement',
  reminder: 'Reminder to answer the invitation',
  'session-details': 'A session’s details',
  'session-reminder': 'Reminder the day before a session',
  outcome: 'The published outcome',
  response: 'The council’s response, and news of its progress',
};
const MAX_LENGTH = 20_000;

/** The values a preview or a test fills in: the panel's own words in the language, an invented person and link. */
function sampleVars(ctx: AppContext, original: Panel, language: string): Record<string, string> {
  const panel = localise(ctx.db, original, [], language).panel;
  const d = panel.details;
  const site = publicUrl(ctx.config);
  const tag = languageOf(language).tag;
  return {
    name: 'Sam Example', panel: panel.title, question: panel.question, closes: closingDay(panel, tag), required: panel.confirmedOnly ? 'yes' : '',
    dates: d.dates, venue: d.venue, expenses: d.expenses, access: d.access, contact: [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', '),
    session: 'The first session', when: sessionTime(language, ctx.clock.now() + 7 * 86400_000), place: d.venue, bring: 'Nothing but yourself', personal: 'yes', url: `${site}/outcomes/${panel.slug}`, site, what: 'The council has published its response to the panel’s recommendations.',
    replyBy: closingDay({ closesAt: ctx.clock.now() + 14 * 86400_000 }, tag), phone: d.contactPhone, contactName: d.contactName,
  };
}

/**
 * A panel's own wording of its messages (issue 22), for its organisers: per kind and language, with a preview, a
 * test sent to themselves, and the checks of wording.ts when saved; the standard wording back at a press.
 */
export function wordingRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const base = '/admin/panels/:id/message-wording';
  router.use(base, requireRole('organiser'));

  router.get(base, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const saved = wordingSaved(db, panel.id);
    res.render('pages/admin/message-wording', {
      title: `Wording of messages: ${panel.title}`,
      panel,
      languages: LANGUAGES,
      kinds: PANEL_KINDS.map((kind) => ({ kind, words: KIND_WORDS[kind], cells: LANGUAGES.map((l) => ({ ...l, kind, savedAt: saved.get(`${kind}/${l.code}`) })) })),
    });
  });

  /** The kind and language a request names, or 404. */
  const target = (req: Request) => {
    const kind = String(req.params.kind);
    const lang = String(req.params.lang);
    if (!isPanelKind(kind) || !LANGUAGES.some((l) => l.code === lang)) throw notFound('That message or language');
    return { kind, language: languageOf(lang) };
  };

  const editor = (panel: Panel, kind: PanelKind, code: string, source: string, extra: Record<string, unknown> = {}) => {
    const own = ownWording(db, panel.id, kind, code);
    const standard = standardSource(kind, code);
    return {
      title: `${KIND_WORDS[kind]} (${languageOf(code).name})`,
      panel,
      kind,
      kindWords: KIND_WORDS[kind],
      language: languageOf(code),
      source,
      own,
      standardIsEnglish: code !== 'en' && standard === standardSource(kind, 'en'),
      variables: variablesFor(kind).map((name) => ({ name, words: VARIABLE_WORDS[name] ?? '' })),
      ...extra,
    };
  };

  const preview = (panel: Panel, kind: PanelKind, code: string, source: string) => {
    const site = publicUrl(ctx.config);
    const words = renderMessage(kind, code, sampleVars(ctx, panel, code), source);
    return { subject: words.subject, text: words.text.split(LINK).join(`${site}/invite/an-example-link`) };
  };

  router.get(`${base}/:kind/:lang`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { kind, language } = target(req);
    const source = ownWording(db, panel.id, kind, language.code)?.source ?? standardSource(kind, language.code);
    const done = ['saved', 'tested', 'standard'].find((k) => req.query[k] === '1');
    res.render('pages/admin/message-wording-edit', editor(panel, kind, language.code, source, { preview: preview(panel, kind, language.code, source), done, to: currentUser(res).email }));
  });

  router.post(`${base}/:kind/:lang`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { kind, language } = target(req);
    const values = formValues(req.body);
    const action = values.action;
    if (!['preview', 'save', 'test', 'standard'].includes(action)) throw new HttpError(400, 'Choose what to do: preview, save, send a test, or go back to the standard wording.');
    const back = `/admin/panels/${panel.id}/message-wording/${kind}/${language.code}`;
    const user = currentUser(res);
    if (action === 'standard') {
      db.transaction(() => {
        if (dropWording(db, panel.id, kind, language.code)) audit(db, clock, { userId: user.id, panelId: panel.id, action: 'message-wording.standard', subject: `${kind} ${language.code}` });
      })();
      return res.redirect(303, `${back}?standard=1`);
    }
    const source = (values.source ?? '').replace(/\r\n/g, '\n');
    const problems = source.length > MAX_LENGTH ? [`The wording is ${source.length} characters long; keep it under ${MAX_LENGTH}.`] : problemsOf(kind, source);
    if (problems.length) {
      return res.status(400).render('pages/admin/message-wording-edit', editor(panel, kind, language.code, source, { errors: { source: problems.join(' ') }, problems, to: user.email }));
    }
    if (action === 'preview') return res.render('pages/admin/message-wording-edit', editor(panel, kind, language.code, source, { preview: preview(panel, kind, language.code, source), previewing: true, to: user.email }));
    if (action === 'save') {
      db.transaction(() => {
        saveWording(db, panel.id, kind, language.code, source, user.id, clock.now());
        audit(db, clock, { userId: user.id, panelId: panel.id, action: 'message-wording.save', subject: `${kind} ${language.code}` });
      })();
      return res.redirect(303, `${back}?saved=1`);
    }
    // A test, to the organiser's own address, as the message would go (the link an example one).
    const words = renderMessage(kind, language.code, { ...sampleVars(ctx, panel, language.code), name: user.name }, source);
    db.transaction(() => {
      enqueue(ctx, { panelId: panel.id, userId: user.id, kind: 'wording-test', to: user.email, language: language.code, ...words, subject: `[Test] ${words.subject}`, link: `${publicUrl(ctx.config)}/invite/an-example-link` }, clock.now());
      audit(db, clock, { userId: user.id, panelId: panel.id, action: 'message-wording.test', subject: `${kind} ${language.code}` });
    })();
    res.redirect(303, `${back}?tested=1`);
  });

  return router;
}
