import { IntlMessageFormat } from 'intl-messageformat';

/**
 * The room's words in the page's language: the server puts them, already fallen back to English where a
 * translation is missing, in `<script type="application/json" id="words">` (room/routes.ts); ICU plurals and
 * selects are formatted here for the page's `lang`.
 */
let words: Record<string, string> | undefined;
const formats = new Map<string, IntlMessageFormat>();
// Read when first needed, so a module that uses words can be loaded where there is no page (tests).
const page = () => (words ??= typeof document === 'undefined' ? {} : (JSON.parse(document.getElementById('words')?.textContent || '{}') as Record<string, string>));
const lang = () => (typeof document === 'undefined' ? 'en-GB' : document.documentElement.lang || 'en-GB');

export function t(key: string, vars?: Record<string, string | number>): string {
  let format = formats.get(key);
  if (!format) {
    format = new IntlMessageFormat(page()[key] ?? key, lang(), undefined, { ignoreTag: true });
    formats.set(key, format);
  }
  return String(format.format(vars));
}

/**
 * An element holding English that is not ours to translate here (a vote's rule, summary and figures, which the
 * tallies word): marked as English on a page in another language, for screen readers (and the pseudo-locale's check).
 */
export function inEnglish<T extends HTMLElement>(el: T): T {
  if (lang() !== 'en-GB') el.lang = 'en-GB';
  return el;
}
