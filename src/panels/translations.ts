import type { Db } from '../db';
import type { Category, Panel, PanelDetails } from './repo';

/**
 * The organiser's own words in other languages (issue 22): a panel's title, question, the days' details, and
 * each category's question and answers. A translation is used while the English it was made from is the English
 * now; otherwise (none, or stale) residents see the English, marked as English, and the page says so.
 */
export interface Translatable {
  field: string;
  /** What the words are, for the organiser's form. */
  what: string;
  english: string;
}

export interface Translation {
  text: string;
  english: string;
  state: 'draft' | 'reviewed';
}

const DETAILS: (keyof PanelDetails)[] = ['dates', 'venue', 'expenses', 'access'];
const DETAIL_NAMES: Record<string, string> = { dates: 'When', venue: 'Where', expenses: 'Expenses and support', access: 'Access' };

export function translatable(panel: Panel, categories: Category[]): Translatable[] {
  const fields: Translatable[] = [
    { field: 'title', what: 'Title', english: panel.title },
    { field: 'question', what: 'The question', english: panel.question },
    ...DETAILS.map((d) => ({ field: `details.${d}`, what: `The days: ${DETAIL_NAMES[d]}`, english: panel.details[d] })),
  ];
  for (const c of categories) {
    fields.push({ field: `category.${c.key}.question`, what: `${c.label}: the question`, english: c.question });
    for (const v of c.values) fields.push({ field: `category.${c.key}.value.${v.value}`, what: `${c.label}: an answer`, english: v.label });
  }
  return fields.filter((f) => f.english.trim() !== '');
}

export function translationsOf(db: Db, panelId: number, language: string): Map<string, Translation> {
  const rows = db.prepare('SELECT field, text, english, state FROM panel_translations WHERE panel_id = ? AND language = ?').all(panelId, language) as (Translation & { field: string })[];
  return new Map(rows.map(({ field, ...t }) => [field, t]));
}

/** Where a language stands for a panel: translations in use, translations whose English has changed, none yet. */
export function translationCounts(fields: Translatable[], saved: Map<string, Translation>) {
  let current = 0;
  let stale = 0;
  for (const f of fields) {
    const t = saved.get(f.field);
    if (t && t.english === f.english) current++;
    else if (t) stale++;
  }
  return { current, stale, missing: fields.length - current - stale, total: fields.length };
}

export interface Entry {
  field: string;
  text: string;
  reviewed: boolean;
}

/** Saves a language's translations: an empty text removes one. Each is stored with the English it translates. */
export function saveTranslations(db: Db, panelId: number, language: string, fields: Translatable[], entries: Entry[], userId: number, now: number): number {
  const english = new Map(fields.map((f) => [f.field, f.english]));
  const upsert = db.prepare(
    `INSERT INTO panel_translations (panel_id, language, field, text, english, state, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (panel_id, language, field) DO UPDATE SET text = excluded.text, english = excluded.english, state = excluded.state,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by
     WHERE text <> excluded.text OR english <> excluded.english OR state <> excluded.state`,
  );
  const remove = db.prepare('DELETE FROM panel_translations WHERE panel_id = ? AND language = ? AND field = ?');
  let changed = 0;
  for (const e of entries) {
    const source = english.get(e.field);
    if (source === undefined) continue;
    const result = e.text.trim() ? upsert.run(panelId, language, e.field, e.text.trim(), source, e.reviewed ? 'reviewed' : 'draft', now, userId) : remove.run(panelId, language, e.field);
    changed += result.changes;
  }
  return changed;
}

export interface Localised {
  panel: Panel;
  categories: Category[];
  /** The words shown in the language (not English), for pages to tell them from the English left. */
  translated: Set<string>;
  /** How many of the organiser's words have no current translation. */
  untranslated: number;
}

/** A panel, and its categories, in a language: each field its current translation, or its English. */
export function localise(db: Db, panel: Panel, categories: Category[], language: string): Localised {
  if (language === 'en') return { panel, categories, translated: new Set(), untranslated: 0 };
  const saved = translationsOf(db, panel.id, language);
  const translated = new Set<string>();
  let untranslated = 0;
  const say = (field: string, english: string): string => {
    const t = saved.get(field);
    if (t && t.english === english) {
      translated.add(t.text);
      return t.text;
    }
    if (english.trim()) untranslated++;
    return english;
  };
  const details = { ...panel.details };
  for (const d of DETAILS) details[d] = say(`details.${d}`, panel.details[d]);
  const local: Panel = { ...panel, title: say('title', panel.title), question: say('question', panel.question), details };
  const localCategories = categories.map((c) => ({
    ...c,
    question: say(`category.${c.key}.question`, c.question),
    values: c.values.map((v) => ({ ...v, label: say(`category.${c.key}.value.${v.value}`, v.label) })),
  }));
  return { panel: local, categories: localCategories, translated, untranslated };
}
