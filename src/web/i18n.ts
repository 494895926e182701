import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n } from 'i18next';
import ICU from 'i18next-icu';
import { viewsDir } from '../paths';
import { pseudoLocalise } from './pseudo-locale';

/** A language the resident-facing pages and messages speak. `tag` is BCP 47, for `lang` and `Intl`. */
export interface Language {
  code: string;
  tag: string;
  name: string;
  dir: 'ltr' | 'rtl';
}

export const LANGUAGES: readonly Language[] = [
  { code: 'en', tag: 'en-GB', name: 'English', dir: 'ltr' },
  { code: 'pl', tag: 'pl', name: 'Polski', dir: 'ltr' },
  { code: 'pa', tag: 'pa-Guru', name: 'ਪੰਜਾਬੀ', dir: 'ltr' },
  { code: 'ar', tag: 'ar', name: 'العربية', dir: 'rtl' },
];
/** Every string in English with its letters accented and brackets round it: text that is not translated shows. */
export const PSEUDO: Language = { code: 'qps', tag: 'en-XA', name: 'Pseudo', dir: 'ltr' };
export const ENGLISH = LANGUAGES[0];

export const localesDir = path.join(viewsDir, 'locales');
export type Strings = { [key: string]: string | Strings };

/**
 * A language's strings: every `views/locales/<code>/<part>.json` (pages.json, room.json, …), each holding whole
 * top-level sections, merged. A section in two parts is a mistake, and so is a file that is not JSON: both are named.
 */
export function readLocale(code: string, dir = localesDir): Strings {
  const folder = path.join(dir, code);
  const merged: Strings = {};
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
    const part = readJson(path.join(folder, file), code) as Strings;
    for (const [section, strings] of Object.entries(part)) {
      if (section in merged) throw new Error(`${path.join(folder, file)}: the section "${section}" is also in another file of ${folder}. Keep each section in one file.`);
      merged[section] = strings;
    }
  }
  return merged;
}

export function readJson(file: string, code: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the ${code} translation, ${file}: ${(err as Error).message}. Check the file is valid JSON (docs/translating.md).`);
  }
}

/** A locale's strings as `a.b.c` keys, as the tests, the pseudo-locale and the review files name them. */
export function flatten(strings: Strings, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(strings)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(name, value);
    else for (const [k, v] of flatten(value, name)) out.set(k, v);
  }
  return out;
}

function mapStrings(strings: Strings, f: (s: string, key: string) => string, prefix = ''): Strings {
  return Object.fromEntries(
    Object.entries(strings).map(([k, v]) => [k, typeof v === 'string' ? f(v, prefix + k) : mapStrings(v, f, `${prefix}${k}.`)]),
  );
}

function pseudo(message: string, key: string): string {
  try {
    return pseudoLocalise(message);
  } catch (err) {
    throw new Error(`views/locales/en: "${key}" is not a valid ICU message (${(err as Error).message}). Fix its braces or quotes.`);
  }
}

// Dates are read in Coventry's time, whatever the server's zone.
const formats: { date: Record<string, Intl.DateTimeFormatOptions>; time: Record<string, Intl.DateTimeFormatOptions> } = {
  date: {
    long: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' },
    weekday: { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/London' },
  },
  time: { short: { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/London' } },
};

let instance: i18n | undefined;

/** The one i18next instance, loaded synchronously from views/locales the first time it is asked for. */
export function i18nInstance(): i18n {
  if (instance) return instance;
  const english = readEnglish();
  const resources: Record<string, { translation: Strings }> = { [PSEUDO.code]: { translation: mapStrings(english, pseudo) } };
  for (const { code } of LANGUAGES) resources[code] = { translation: code === 'en' ? english : readLocale(code) };
  const made = i18next.createInstance();
  made.use(new ICU({ formats }) as never).init({
    resources,
    fallbackLng: 'en',
    initAsync: false,
    returnNull: false,
    interpolation: { escapeValue: false },
  });
  instance = made;
  return made;
}

export function languageOf(code: string | null | undefined): Language {
  if (code === PSEUDO.code) return PSEUDO;
  return LANGUAGES.find((l) => l.code === code) ?? ENGLISH;
}

export function isLanguage(code: unknown): code is string {
  return typeof code === 'string' && (code === PSEUDO.code || LANGUAGES.some((l) => l.code === code));
}

/**
 * The raw messages under a prefix (say `room.live`) in one language, English where it has none, for the
 * browser to format (src/client/words.ts). Keys lose the prefix.
 */
export function rawWords(code: string, prefix: string): Record<string, string> {
  const i18 = i18nInstance();
  const lng = languageOf(code).code;
  const out: Record<string, string> = {};
  for (const key of flatten(readEnglish()).keys()) {
    if (!key.startsWith(`${prefix}.`)) continue;
    out[key.slice(prefix.length + 1)] = (i18.getResource(lng, 'translation', key) as string | undefined) ?? (i18.getResource('en', 'translation', key) as string);
  }
  return out;
}

let english: Strings | undefined;
const readEnglish = () => (english ??= readLocale('en'));

export function hasText(key: string): boolean {
  return i18nInstance().exists(key, { lng: 'en' });
}

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/**
 * A translator for one language: a key missing from it falls back to English; a key missing from English too is
 * a mistake in our code, so it throws rather than show a resident `register.lead`.
 */
export function translator(code: string): Translate {
  const t = i18nInstance().getFixedT(languageOf(code).code);
  return (key, vars) => {
    if (!hasText(key)) throw new Error(`No English text for "${key}" in views/locales/en.`);
    return String(t(key, vars as never));
  };
}
