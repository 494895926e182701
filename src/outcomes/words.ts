import type { Response } from 'express';
import { languageOf, translator, type Language, type Translate } from '../web/i18n';
import { pageLanguage } from '../web/language';

/**
 * What the public pages put together in TypeScript, in the page's language: its translator (views/locales/<code>/
 * public.json), and numbers, shares, times and lists formatted for the language with Intl, so a figure reads as
 * the rest of the page does (as the templates' `{n, number}` and `longDate` do). Times are formatted here, for the
 * language's tag (en-GB, not en-US).
 */
export interface Words {
  lang: Language;
  t: Translate;
  number(n: number): string;
  /** A share from 0 to 1 as a percentage: up to one decimal place, or exactly `digits` of them. */
  percent(share: number, digits?: number): string;
  /** 14:05, in Coventry's time. */
  time(ms: number | null): string;
  /** 23 November 2026, as the `longDate` helper has it. */
  date(ms: number | null): string;
  /** "A, B or C". */
  either(items: string[]): string;
  /** "A, B, C": a plain list. */
  list(items: string[]): string;
}

const made = new Map<string, Words>();

export function wordsIn(code: string): Words {
  const lang = languageOf(code);
  let words = made.get(lang.code);
  if (words) return words;
  const tag = lang.tag;
  const number = new Intl.NumberFormat(tag);
  const shares = new Map<number | undefined, Intl.NumberFormat>();
  const share = (digits?: number) => {
    let f = shares.get(digits);
    if (!f) shares.set(digits, (f = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: digits ?? 0, maximumFractionDigits: digits ?? 1 })));
    return f;
  };
  const time = new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/London' });
  const date = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
  const either = new Intl.ListFormat(tag, { type: 'disjunction' });
  const list = new Intl.ListFormat(tag, { type: 'unit', style: 'short' });
  words = {
    lang,
    t: translator(lang.code),
    number: (n) => number.format(n),
    // Rounded first as the figures are (percent() in the tallies), so 66.65 shows as it does in the JSON.
    percent: (p, digits) => share(digits).format(digits === undefined ? Math.round(p * 1000) / 1000 : p),
    time: (ms) => (ms === null ? '' : time.format(ms)),
    date: (ms) => (ms === null ? '' : date.format(ms)),
    either: (items) => either.format(items),
    list: (items) => list.format(items),
  };
  made.set(lang.code, words);
  return words;
}

/** The words of the page being answered. */
export const wordsFor = (res: Response): Words => wordsIn(pageLanguage(res).code);
