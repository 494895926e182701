import type { Express } from 'express';
import type { Summaries } from './summaries';
import { summaryView } from './view';

/**
 * A saved revision of a session's summary as HTML for the room's dialog (issue 19): exactly that revision, as the
 * public page would show it, so the members read what they are asked to approve. Undefined if there is none.
 */
export function roomSummaryHtml(app: Express, summaries: Summaries, sessionId: number, revision: number): Promise<string | undefined> {
  const content = summaries.revision(sessionId, revision);
  if (!content) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    app.render('pages/room-summary', { layout: false, revision, summary: summaryView(content) }, (err, html) => (err ? reject(err) : resolve(html)));
  });
}
