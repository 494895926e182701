import { Router } from 'express';
import { z } from 'zod';
import { auditDownload, auditView } from '../audit';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import { writeCsv } from '../csv';
import type { Panel } from '../panels/repo';
import { loadPanel } from '../panels/load';
import { ALGORITHMS, type Algorithm } from '../sortition/types';
import { sendCsv } from '../web/download';
import { notFound } from '../web/errors';
import { formValues, parseForm, parseId } from '../web/validate';
import { gini, percent } from '../sortition/report';
import { chanceHistogram, quotaBars } from './charts';
import { renderSelection } from './hub';
import { alternatesView } from './alternates-view';
import { crossingsView } from './crossings-view';
import { listCategories } from '../panels/repo';
import { crossingsOf } from '../panels/crossings';
import { type Draw, findDraw } from './repo';
import { listMembers } from '../membership/members';
import { type DrawRunner, drawInput } from './runner';
import type { Selection } from './workflow';

export const algorithm = z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]], { error: 'Choose leximin, maximin, nash, legacy or diversimax.' });
/** What the chance histogram shows of each method, true of that method (README, docs/sortition.md). */
const CHANCE_CAPTIONS: Record<Algorithm, string> = {
  leximin: 'LEXIMIN makes the chances as equal as the quotas allow: it raises the lowest chance as far as it can, then the next lowest, and so on, so the leftmost bar sits as far right as possible.',
  maximin: 'MAXIMIN raises the lowest chance as far as the quotas allow, so the leftmost bar sits as far right as possible; it does not try to even out the chances above it.',
  nash: 'NASH (Nash welfare) gives everyone as equal a chance as it can while never leaving anyone at zero where a chance is possible: it makes the product of all the chances as large as it can. It favours no single worst-off group the way maximin does, so the leftmost bar may sit a little left of where maximin puts it.',
  legacy: 'The legacy method picks people one at a time against the quotas and does not try to even out the chances: some people may have far less chance than others. These chances are estimated from repeated seeded runs.',
  diversimax: 'DIVERSIMAX picks one panel whose crossings of categories (young women, older renters…) are as evenly filled as it can, then its seats of each group go to that group’s members at random. It is not a fair lottery: everyone in a group it leaves out has no chance at all, so the leftmost bar sits at 0. The figures below set it against LEXIMIN on the same pool.',
};
const trialSchema = z.object({ algorithm, seed: z.string().trim().max(200, 'Seed must be at most 200 characters.').optional() });

/** What a diversimax panel costs in equal chances: its lowest chance, Gini and people left out, beside LEXIMIN's. */
function againstLeximin(chances: number[], leximin: number[]) {
  const none = (xs: number[]) => xs.filter((x) => x < 1e-9).length;
  return { lowest: percent(Math.min(...chances)), leximinLowest: percent(Math.min(...leximin)), gini: gini(chances).toFixed(3), leximinGini: gini(leximin).toFixed(3), none: none(chances), leximinNone: none(leximin) };
}

/**
 * Trial draws, and every draw's page: live progress while it runs, then its report and its chances as CSV.
 * Mounted by selectionRouter, behind its organiser check.
 */
export function drawRouter(ctx: AppContext, runner: DrawRunner, selection: Selection): Router {
  const router = Router();
  const { db } = ctx;

  const loadDraw = (panel: Panel, raw: unknown): Draw => {
    const draw = findDraw(db, panel.id, parseId(raw, 'That draw'));
    if (!draw) throw notFound('That draw');
    return draw;
  };

  router.post('/admin/panels/:id/draws', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(trialSchema, req.body);
    if (!form.ok) return renderSelection(ctx, res.status(400), panel, { errors: form.errors, values: formValues(req.body) });
    const id = await selection.trial(panel, form.data.algorithm, form.data.seed, currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  router.get('/admin/panels/:id/draws/:drawId', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = loadDraw(panel, req.params.drawId);
    const outcome = draw.outcome;
    const members = listMembers(db, panel.id);
    const categories = listCategories(db, panel.id);
    const names = new Map(members.map((m) => [m.publicId, m.name]));
    const selected = outcome?.selected.map((id) => ({ id, name: names.get(id) }));
    // A trial's selected are pseudonyms only; a final or replacement draw's page names its members.
    auditView(ctx, res, panel.id, 'draw selected', selected?.filter((s) => s.name).length ?? 0);
    res.render('pages/admin/draw', {
      title: `Draw ${draw.id}: ${panel.title}`,
      panel,
      draw,
      running: draw.status === 'running',
      progress: runner.progress(draw.id),
      lowest: outcome && percent(outcome.minProbability),
      gini: outcome?.gini.toFixed(3),
      bars: outcome && quotaBars(outcome.counts),
      histogram: outcome && chanceHistogram(outcome.chances),
      chanceCaption: CHANCE_CAPTIONS[draw.algorithm],
      selected,
      alternates: outcome?.alternates && alternatesView(outcome.alternates, members),
      crossings: crossingsView(draw, categories, crossingsOf(db, panel.id, categories).shares),
      against: outcome?.leximinChances && againstLeximin(outcome.chances, outcome.leximinChances),
    });
  });

  router.get('/admin/panels/:id/draws/:drawId/chances.csv', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = loadDraw(panel, req.params.drawId);
    if (!draw.outcome) throw notFound('A finished draw with that number');
    const { chances, selected, alternates } = draw.outcome;
    const chosen = new Set(selected);
    const ids = drawInput(draw.poolCsv, draw.quotasCsv).people.map((p) => p.id);
    // With alternates: each person's chance, given the panel drawn, of being on the list and of being seated from it.
    const extra = (i: number) => (alternates ? [alternates.onList[i].toFixed(6), alternates.serve[i].toFixed(6)] : []);
    const rows = ids.map((id, i) => [id, chances[i].toFixed(6), chosen.has(id) ? 'yes' : 'no', ...extra(i)]);
    auditDownload(ctx, res, panel.id, 'draw chances.csv', rows.length);
    sendCsv(res, `${panel.slug}-draw-${draw.id}-chances.csv`, writeCsv(['id', 'chance', 'selected', ...(alternates ? ['alternate_chance', 'seated_from_list_chance'] : [])], rows));
  });

  // Server-sent events: the draw page follows a running draw live.
  router.get('/admin/panels/:id/draws/:drawId/events', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = loadDraw(panel, req.params.drawId);
    res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.flushHeaders();
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const latest = runner.progress(draw.id);
    if (latest) send('progress', latest);
    const unsubscribe = runner.subscribe(draw.id, (e) => {
      send(e.type, e.type === 'progress' ? e.progress : e);
      if (e.type !== 'progress') res.end();
    });
    if (!unsubscribe) {
      send(draw.status === 'failed' ? 'failed' : 'done', {});
      return res.end();
    }
    req.on('close', unsubscribe);
  });

  return router;
}
