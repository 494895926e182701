import type { Express } from 'express';
import { ENGLISH, LANGUAGES, PSEUDO, type Language } from '../web/i18n';
import type { Summaries } from './summaries';
import { summaryView } from './view';
import { wordsIn } from './words';

/**
 * A saved revision of a session's summary as HTML for the room's dialog (issue 19): exactly that revision, as the
 * public page would show it, so the members read what they are asked to approve, in the room page's language
 * (`lang`: its code or its `<html lang>` tag; English otherwise). Undefined if there is none.
 */
export function roomSummaryHtml(app: Express, summaries: Summaries, sessionId: number, revision: number, lang?: string): Promise<string | undefined> {
  const content = summaries.revision(sessionId, revision);
  if (!content) return Promise.resolve(undefined);
  const language = languageNamed(lang);
  return new Promise((resolve, reject) => {
    app.render('pages/room-summary', { layout: false, lang: language, revision, summary: summaryView(content, wordsIn(language.code)) }, (err, html) => (err ? reject(err) : resolve(html)));
  });
}

function languageNamed(lang: string | undefined): Language {
  return [...LANGUAGES, PSEUDO].find((l) => l.code === lang || l.tag === lang) ?? ENGLISH;
}
