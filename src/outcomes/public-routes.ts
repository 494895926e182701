import { type Response, Router } from 'express';
import type { AppContext } from '../context';
import { localiseForPage } from '../panels/localise';
import { findPanelBySlug, listCategories, listPanels, type Panel } from '../panels/repo';
import type { RoomRepo } from '../room/repo';
import { sendCsv } from '../web/download';
import { hasText } from '../web/i18n';
import { notFound } from '../web/errors';
import { parseId } from '../web/validate';
import type { ExportDocument } from './export-schema';
import { CSV_TABLES } from './exports';
import { groupLabels, panelMakeup, publishedSessions, selectionFacts } from './panel';
import type { Summaries, Version } from './summaries';
import type { Responses } from './responses';
import type { Progress } from './progress';
import { atomFeed, progressCsv, progressJson } from './follow';
import { publicUrl } from '../config';
import { changedPartsIn, summaryView, versionsView } from './view';
import { wordsFor } from './words';

/** Published pages change only when something is published: caches keep them a few minutes and revalidate by ETag. */
const LIVE = 'public, max-age=300';
/** A numbered version never changes. */
const FIXED = 'public, max-age=31536000, immutable';

/**
 * The public outcomes site: every published panel, and per panel how it was chosen, who it represents, what it
 * recommended and the sessions' summaries, with downloads. Plain HTML, the same for everyone who reads it in one
 * language (mounted before cookies and logins; the page varies only by the language chosen), so any cache can keep
 * it; Express answers a matching If-None-Match with 304. The downloads are the record as it is, in English.
 */
export function outcomesRouter(ctx: AppContext, room: RoomRepo, summaries: Summaries, responses: Responses, progress: Progress): Router {
  const router = Router();
  const { db } = ctx;

  const loadPanel = (slug: string) => {
    const panel = findPanelBySlug(db, slug);
    const sessions = panel ? publishedSessions(room, summaries, panel.id) : [];
    if (!panel || !sessions.length) throw notFound('Published outcomes for that panel');
    return { panel, sessions };
  };
  const loadSession = (slug: string, id: string, version?: string) => {
    const { panel, sessions } = loadPanel(slug);
    const found = sessions.find((s) => s.session.id === parseId(id, 'That session'));
    if (!found) throw notFound('A published summary of that session');
    const chosen = version === undefined ? found.latest : found.versions.find((v) => String(v.version) === version);
    if (!chosen) throw notFound(`Version ${version} of that summary`);
    return { panel, ...found, chosen };
  };

  /** The panel's words and categories as the page shows them, and its groups' names in the page's language. */
  const localised = (res: Response, panel: Panel) => {
    const english = listCategories(db, panel.id);
    const local = localiseForPage(db, res, panel, english);
    const translated = res.locals.translated as Set<string>;
    return { ...local, translated, label: groupLabels(english, local.categories, wordsFor(res), translated) };
  };

  router.get('/outcomes', (_req, res) => {
    const panels = listPanels(db)
      .flatMap((panel) => {
        const sessions = publishedSessions(room, summaries, panel.id);
        if (!sessions.length) return [];
        const adopted = sessions.flatMap((s) => s.latest.content.record.recommendations.filter((r) => r.status === 'adopted'));
        return [{ ...localiseForPage(db, res, panel).panel, published: Math.max(...sessions.map((s) => s.latest.publishedAt)), sessions: sessions.length, adopted: adopted.length }];
      })
      .sort((a, b) => b.published - a.published);
    res.set('Cache-Control', LIVE).render('pages/outcomes/index', { title: wordsFor(res).t('outcomes.index.title'), panels });
  });

  router.get('/outcomes/:slug', (req, res) => {
    const { panel: original, sessions } = loadPanel(req.params.slug);
    const words = wordsFor(res);
    const { panel, categories, translated, label } = localised(res, original);
    // The council's response, beside each recommendation it answers (its latest published version).
    const response = responses.latest(original.id);
    const answerTo = (session: number, rec: number) => {
      const a = response?.answers.find((x) => x.session === session && x.recommendation === rec);
      return a && { status: a.status, reasons: a.reasons, responsible: a.responsible, dueAt: a.due ? Date.parse(`${a.due}T12:00:00Z`) : null };
    };
    const milestones = progress.milestones(original.id);
    const stepsOf = (session: number, rec: number) => milestones.filter((m) => m.session === session && m.recommendation === rec).map((m) => ({ ...m, dueAt: Date.parse(`${m.due}T12:00:00Z`), updates: m.updates.slice().reverse() }));
    const withAnswers = (session: number, summary: ReturnType<typeof summaryView>) => ({ ...summary, adopted: summary.adopted.map((r) => ({ ...r, response: answerTo(session, r.id), milestones: stepsOf(session, r.id) })) });
    res.set('Cache-Control', LIVE).render('pages/outcomes/panel', {
      response: response && { version: response.version, publishedAt: response.publishedAt, note: response.note },
      follow: { feed: `/outcomes/${original.slug}/feed.atom`, json: `/outcomes/${original.slug}/progress.json`, csv: `/outcomes/${original.slug}/progress.csv` },
      title: words.t('outcomes.panel.title', { panel: panel.title }),
      panel,
      selection: selectionFacts(db, panel, words),
      makeup: panelMakeup(db, panel.id, words, categories, translated),
      sessions: sessions.map((s) => ({ ...s.session, version: s.latest.version, publishedAt: s.latest.publishedAt, summary: withAnswers(s.session.id, summaryView(s.latest.content, words, label)) })),
    });
  });

  // The response and its progress to follow: an Atom feed, JSON and CSV (follow.ts).
  const following = (slug: string) => {
    const { panel } = loadPanel(slug);
    return { panel, base: publicUrl(ctx.config), versions: responses.versions(panel.id), milestones: progress.milestones(panel.id) };
  };
  router.get('/outcomes/:slug/feed.atom', (req, res) => {
    const feed = atomFeed(following(req.params.slug));
    res.set('Cache-Control', LIVE).type('application/atom+xml; charset=utf-8').send(feed);
  });
  router.get('/outcomes/:slug/progress.json', (req, res) => {
    const f = following(req.params.slug);
    res.set('Cache-Control', LIVE).attachment(`${f.panel.slug}-progress.json`).json(progressJson(f));
  });
  router.get('/outcomes/:slug/progress.csv', (req, res) => {
    const f = following(req.params.slug);
    res.set('Cache-Control', LIVE);
    sendCsv(res, `${f.panel.slug}-progress.csv`, progressCsv(f));
  });

  router.get('/outcomes/:slug/sessions/:id', (req, res) => renderSummary(res, loadSession(req.params.slug, req.params.id), LIVE));
  router.get('/outcomes/:slug/sessions/:id/v/:version', (req, res) => renderSummary(res, loadSession(req.params.slug, req.params.id, req.params.version), FIXED));

  router.get('/outcomes/:slug/sessions/:id/v/:version/summary.json', (req, res) => {
    const { panel, session, chosen } = loadSession(req.params.slug, req.params.id, req.params.version);
    res.set('Cache-Control', FIXED).attachment(`${panel.slug}-session-${session.id}-v${chosen.version}.json`).json(exportJson(panel, session, chosen));
  });
  router.get('/outcomes/:slug/sessions/:id/v/:version/:table.csv', (req, res) => {
    const { panel, session, chosen } = loadSession(req.params.slug, req.params.id, req.params.version);
    const table = CSV_TABLES[req.params.table];
    if (!table || !Object.hasOwn(CSV_TABLES, req.params.table)) throw notFound('That download');
    res.set('Cache-Control', FIXED);
    sendCsv(res, `${panel.slug}-session-${session.id}-v${chosen.version}-${req.params.table}.csv`, table(chosen.content.record));
  });

  function renderSummary(res: Response, found: ReturnType<typeof loadSession>, cache: string) {
    const { session, versions, latest, chosen } = found;
    const words = wordsFor(res);
    const { panel, label } = localised(res, found.panel);
    const base = `/outcomes/${panel.slug}/sessions/${session.id}/v/${chosen.version}`;
    const file = (name: string) => (hasText(`outcomes.summary.files.${name}`) ? words.t(`outcomes.summary.files.${name}`) : name);
    res.set('Cache-Control', cache).render('pages/outcomes/summary', {
      title: words.t('outcomes.summary.title', { session: session.title }),
      panel,
      session,
      version: chosen,
      versionTime: words.time(chosen.publishedAt),
      changedParts: chosen.changes ? changedPartsIn(chosen.changes.parts, words) : '',
      isLatest: chosen.version === latest.version,
      latestVersion: latest.version,
      versions: versionsView(versions, words),
      summary: summaryView(chosen.content, words, label),
      downloads: { json: `${base}/summary.json`, csv: Object.keys(CSV_TABLES).map((name) => ({ what: file(name), file: `${name}.csv`, href: `${base}/${name}.csv` })) },
    });
  }

  return router;
}

/** The published summary as one JSON document (docs/summary.md describes it). */
function exportJson(panel: { slug: string; title: string; question: string }, session: { id: number; title: string }, v: Version): ExportDocument {
  return {
    panel: { slug: panel.slug, title: panel.title, question: panel.question },
    session: { id: session.id, title: session.title },
    version: v.version,
    publishedAt: new Date(v.publishedAt).toISOString(),
    approval: v.approval,
    changes: v.changes,
    narrative: v.content.narrative,
    corrections: v.content.corrections,
    record: v.content.record,
  };
}
