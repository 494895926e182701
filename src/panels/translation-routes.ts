import { Router } from 'express';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { notFound } from '../web/errors';
import { LANGUAGES, type Language } from '../web/i18n';
import { formValues } from '../web/validate';
import { loadPanel } from './load';
import { listCategories, type Panel } from './repo';
import { type Entry, saveTranslations, translatable, translationCounts, translationsOf } from './translations';

const MAX_TITLE = 200;
const MAX_TEXT = 2000;

/**
 * The organiser's own words in other languages (issue 22): a page per language with each of the panel's words
 * in English beside a box for its translation, a translation whose English has changed since marked so, and
 * whether a native speaker has checked it. Nothing is saved unless every box is acceptable.
 */
export function translationRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  const base = '/admin/panels/:id/translations';
  router.use(base, requireRole('organiser'));

  const languageOf = (code: string): Language => {
    const language = LANGUAGES.find((l) => l.code === code && l.code !== 'en');
    if (!language) throw notFound('That language');
    return language;
  };
  const fieldsOf = (panel: Panel) => translatable(panel, listCategories(db, panel.id));

  router.get(base, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const fields = fieldsOf(panel);
    const languages = LANGUAGES.filter((l) => l.code !== 'en').map((l) => ({ ...l, ...translationCounts(fields, translationsOf(db, panel.id, l.code)) }));
    res.render('pages/admin/translations', { title: `Translations: ${panel.title}`, panel, languages });
  });

  const form = (panel: Panel, language: Language, values?: Record<string, string>, errors?: Record<string, string>) => {
    const saved = translationsOf(db, panel.id, language.code);
    const rows = fieldsOf(panel).map((f, i) => {
      const t = saved.get(f.field);
      return {
        ...f,
        name: `text_${i}`,
        text: values ? (values[`text_${i}`] ?? '') : (t?.text ?? ''),
        reviewed: values ? values[`reviewed_${i}`] === 'on' : t?.state === 'reviewed',
        stale: t !== undefined && t.english !== f.english,
        was: t?.english,
        error: errors?.[`text_${i}`],
      };
    });
    return { title: `${language.name} translation: ${panel.title}`, panel, language, rows, errors };
  };

  router.get(`${base}/:lang`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.render('pages/admin/translation', { ...form(panel, languageOf(req.params.lang)), saved: req.query.saved === '1' });
  });

  router.post(`${base}/:lang`, (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const language = languageOf(req.params.lang);
    const values = formValues(req.body);
    const fields = fieldsOf(panel);
    const errors: Record<string, string> = {};
    const entries: Entry[] = fields.map((f, i) => {
      const text = values[`text_${i}`] ?? '';
      const max = f.field === 'title' ? MAX_TITLE : MAX_TEXT;
      if (text.length > max) errors[`text_${i}`] = `${f.what}: keep the translation to ${max} characters or fewer (it has ${text.length}).`;
      else if (/[\p{Cc}<>]/u.test(text.replace(/[\n\r\t]/g, ''))) errors[`text_${i}`] = `${f.what}: use words and ordinary punctuation, without < or >.`;
      return { field: f.field, text, reviewed: values[`reviewed_${i}`] === 'on' };
    });
    if (Object.keys(errors).length) return res.status(400).render('pages/admin/translation', form(panel, language, values, errors));
    db.transaction(() => {
      const changed = saveTranslations(db, panel.id, language.code, fields, entries, currentUser(res).id, clock.now());
      audit(db, clock, { panelId: panel.id, userId: currentUser(res).id, action: 'panel.translations', subject: language.code, detail: { changed } });
    })();
    res.redirect(303, `/admin/panels/${panel.id}/translations/${language.code}?saved=1`);
  });

  return router;
}
