import type { NextFunction, Request, Response } from 'express';
import { ENGLISH, hasText, isLanguage, LANGUAGES, languageOf, translator, type Language, type Translate } from './i18n';

export const LANGUAGE_COOKIE = 'cp_lang';
const YEAR_MS = 365 * 24 * 3600_000;

/**
 * Which language a page speaks: the one just chosen with the switcher (`?lang=pl`, remembered in a cookie for a
 * year), else the one remembered, else the best match for the browser's `Accept-Language`, else English. Pages
 * for a member may then follow the member's own language where nothing was chosen (`followLanguage`).
 * Organiser pages stay in English.
 */
export function chooseLanguage(secure: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept-Language').vary('Cookie');
    const asked = req.query.lang;
    const remembered = readCookie(req);
    let code: string | undefined;
    if (isLanguage(asked)) {
      code = asked;
      if (asked !== remembered) res.cookie(LANGUAGE_COOKIE, asked, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: YEAR_MS });
    } else if (isLanguage(remembered)) code = remembered;
    const staff = /^\/(admin|login|logout|account)(\/|$)/.test(req.path);
    if (staff) setLanguage(req, res, ENGLISH, true, false);
    else setLanguage(req, res, languageOf(code ?? (req.acceptsLanguages(...LANGUAGES.map((l) => l.code)) || 'en')), !!code);
    next();
  };
}

/** A member's page in the member's language, unless the person at the keyboard chose one. */
export function followLanguage(req: Request, res: Response, code: string | null | undefined): void {
  if (!res.locals.languageChosen && isLanguage(code)) setLanguage(req, res, languageOf(code), false);
}

export function pageLanguage(res: Response): Language {
  return (res.locals.lang as Language | undefined) ?? ENGLISH;
}

// The switcher is left off organiser pages, which speak only English.
function setLanguage(req: Request, res: Response, lang: Language, chosen: boolean, switcher = true): void {
  res.locals.lang = lang;
  res.locals.languageChosen = chosen;
  res.locals.languages = !switcher ? [] : LANGUAGES.map((l) => ({ ...l, href: withLanguage(req.originalUrl, l.code), current: l.code === lang.code }));
}

function withLanguage(url: string, code: string): string {
  const u = new URL(url, 'http://here');
  u.searchParams.set('lang', code);
  return u.pathname + u.search;
}

function readCookie(req: Request): string | undefined {
  const m = (req.headers.cookie ?? '').match(new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([a-zA-Z-]{2,8})`));
  return m?.[1];
}

/** The page language's translator, for titles and words a route puts together. */
export function translate(res: Response): Translate {
  return translator(pageLanguage(res).code);
}

/**
 * A resident's form errors in their language. English keeps each check's own precise words; other languages get
 * the field's one translated message (`<prefix>.errors.<field>`, or `.answer` for a lottery question).
 */
export function residentErrors(res: Response, prefix: string, errors: Record<string, string>, questionOf: (field: string) => string | undefined = () => undefined): Record<string, string> {
  if (pageLanguage(res).code === 'en') return errors;
  const t = translate(res);
  return Object.fromEntries(
    Object.keys(errors).map((field) => {
      const question = questionOf(field);
      if (question !== undefined) return [field, t(`${prefix}.errors.answer`, { question })];
      return [field, t(hasText(`${prefix}.errors.${field}`) ? `${prefix}.errors.${field}` : `${prefix}.errors.form`)];
    }),
  );
}
