import { Router } from 'express';
import type { AppContext } from '../context';
import { findPanelBySlug, registrationEnd } from '../panels/repo';
import { notFound } from '../web/errors';
import { MIN_GROUP } from '../disclosure';
import { type Draw, findCommitment, listAuditors, listDraws } from './repo';
import { localiseForPage } from '../panels/localise';
import { pageLanguage, translate } from '../web/language';
import { bandWords, chanceBands } from './charts';
import { commitmentText } from './commitment';
import { publishedFields, ticketFor, ticketsOf } from './tickets';
import { HOUSEHOLD_COLUMN } from './snapshot';
import { sendCsv } from '../web/download';

/**
 * What the public sees of a selection (docs/verification.md): the commitment, the numbers, the seed, the quotas,
 * the tickets drawn, everyone's chance in bands of 5 or more, and the auditors' statements; no row-level pool.
 */
export function publicSelectionRouter(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  const loadPublished = (slug: string) => {
    const panel = findPanelBySlug(db, slug);
    const commitment = panel && findCommitment(db, panel.id);
    if (!panel || !commitment) throw notFound('A published selection for that panel');
    return { panel, commitment };
  };

  // In the reader's language, but for what the draw was fixed with (the commitment's text, hashes, commands).
  router.get('/panels/:slug/selection', (req, res) => {
    const { panel: original, commitment } = loadPublished(req.params.slug);
    const draws = listDraws(db, original.id).filter((d) => d.kind !== 'trial' && d.status === 'done').reverse();
    const fields = publishedFields(commitment, original.slug);
    const tickets = ticketsOf(commitment, original.slug);
    const panel = localiseForPage(db, res, original).panel;
    const { code, tag } = pageLanguage(res);
    const words = bandWords(code);
    const time = new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/London' });
    res.render('pages/selection', {
      title: translate(res)('chosen.title', { panel: panel.title }),
      panel,
      registrationClosed: registrationEnd(panel),
      sourceUrl: ctx.config.SOURCE_URL,
      commitment,
      commitmentText: commitmentText(fields),
      poolSha256: fields.poolSha256,
      quotasSha256: fields.quotasSha256,
      poolSize: commitment.poolCsv.trim().split('\n').length - 1,
      auditors: listAuditors(db, panel.id),
      least: MIN_GROUP,
      shown: { panelSize: new Intl.NumberFormat(tag).format(commitment.panelSize), closedTime: time.format(registrationEnd(panel)), committedTime: time.format(commitment.committedAt) },
      auditorsStep: draws.length ? 4 : 3,
      draws: draws.map((d, i) => ({
        final: d.kind === 'final',
        number: i,
        seed: d.seed,
        command: command(d),
        selected: (d.outcome?.selected ?? []).map((id) => ticketFor(tickets, id)).sort(),
        chances: d.kind === 'final' ? chanceBands(d.outcome?.chances ?? [], MIN_GROUP, undefined, words) : undefined,
      })),
    });
  });

  router.get('/panels/:slug/selection/quotas.csv', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    sendCsv(res, `${panel.slug}-quotas.csv`, commitment.quotasCsv);
  });

  return router;
}

/** The command that re-runs a draw from its published files. */
function command(d: Draw): string {
  return `npx citizens-panel draw --pool pool.csv --quotas quotas.csv --panel-size ${d.panelSize} --algorithm ${d.algorithm} --address-columns ${HOUSEHOLD_COLUMN} --seed ${d.seed}`;
}
