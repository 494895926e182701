import fs from 'node:fs';
import path from 'node:path';
import { flatten, localesDir, readJson, readLocale } from './i18n';

export type ReviewState = 'draft' | 'reviewed';
interface ReviewEntry {
  state: ReviewState;
  /** The English the translation was made from: when English changes, the translation is stale until checked. */
  english: string;
  by?: string;
}

export interface Review {
  code: string;
  draft: number;
  reviewed: number;
  /** Keys whose English has changed since they were translated or reviewed. */
  stale: string[];
  /** Keys with no translation, or a translation with no review state. */
  missing: string[];
}

/**
 * Where a language's translation stands (views/locales/<code>/review/<part>.json, one beside each part):
 * each string is a draft until a native speaker marks it reviewed; a string whose English has changed since
 * is stale, whatever its state. docs/translating.md explains the files.
 */
export function reviewOf(code: string, dir = localesDir): Review {
  const english = flatten(readLocale('en', dir));
  const translated = flatten(readLocale(code, dir));
  const folder = path.join(dir, code, 'review');
  const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.json')) : [];
  const entries = Object.assign({}, ...files.map((f) => readJson(path.join(folder, f), code))) as Record<string, ReviewEntry>;
  const review: Review = { code, draft: 0, reviewed: 0, stale: [], missing: [] };
  for (const [key, text] of english) {
    const entry = entries[key];
    if (!translated.has(key) || !entry) review.missing.push(key);
    else if (entry.english !== text) review.stale.push(key);
    else if (entry.state === 'reviewed') review.reviewed++;
    else review.draft++;
  }
  return review;
}
