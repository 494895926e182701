import { Router } from 'express';
import type { AppContext } from '../context';
import { findPanelBySlug, registrationEnd } from '../panels/repo';
import { notFound } from '../web/errors';
import { MIN_GROUP } from '../disclosure';
import { type Commitment, type Dice, type Draw, findCommitment, findDiceList, findDiceSummary, listAuditors, listDraws } from './repo';
import { diceFor } from './dice';
import { digestsText, entryNumber, readListText } from '../sortition/uniform-list';
import { sha256 } from '../tokens';
import { localiseForPage } from '../panels/localise';
import { pageLanguage, translate } from '../web/language';
import { type BandWords, bandWords, chanceBands } from './charts';
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
      dice: commitment.dice ? publicDice(ctx, original.id, commitment, tag, words) : undefined,
      draws: draws.map((d, i) => {
        const selected = (d.outcome?.selected ?? []).map((id) => ticketFor(tickets, id)).sort();
        // A final pick by dice: the panel is entry N of the list, and its line (number, then tickets) is what is checked.
        const entry = d.kind === 'final' && commitment.dice && commitment.numbers ? `${commitment.numbers} ${selected.join(' ')}` : undefined;
        return {
          final: d.kind === 'final',
          number: i,
          seed: d.seed,
          command: (entry && commitment.dice ? diceCommand(d, commitment.dice, commitment.numbers ?? '') : command(d)) + alternatesArgs(d, commitment),
          selected,
          entry,
          entrySha256: entry && sha256(entry),
          chances: d.kind === 'final' ? chanceBands(d.outcome?.chances ?? [], MIN_GROUP, undefined, words) : undefined,
          alternates: d.kind === 'final' ? publicAlternates(d, commitment, tickets, tag, words) : undefined,
        };
      }),
    });
  });

  // The list's digests (uniform-list.ts): one line per panel, its number and the SHA-256 of its line. Its own SHA-256
  // is the list's fingerprint in the commitment. No panel's tickets can be read from it; the one rolled is checked.
  router.get('/panels/:slug/selection/panels.sha256.txt', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    const list = commitment.dice && findDiceList(db, panel.id);
    const lines = list && readListText(list.listText);
    if (!lines) throw notFound('A list of panels for that panel’s final pick');
    res.type('text/plain; charset=utf-8').attachment(`${panel.slug}-panels.sha256.txt`).send(digestsText(lines));
  });

  // The dropout table a final draw's alternates were chosen for: no one's data, fixed by the commitment.
  router.get('/panels/:slug/selection/dropout.csv', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    if (!commitment.alternates) throw notFound('A dropout table for that panel’s alternates');
    sendCsv(res, `${panel.slug}-dropout.csv`, commitment.alternates.dropoutCsv);
  });

  router.get('/panels/:slug/selection/quotas.csv', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    sendCsv(res, `${panel.slug}-quotas.csv`, commitment.quotasCsv);
  });

  return router;
}

/** What the public page says of a final pick by dice: the list's range, and its chances in bands of 5 or more. */
function publicDice(ctx: AppContext, panelId: number, commitment: Commitment, tag: string, words: BandWords) {
  const dice = commitment.dice as Dice;
  const summary = findDiceSummary(ctx.db, panelId);
  const points = new Intl.NumberFormat(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return {
    ...dice,
    dice: diceFor(dice.listSize),
    first: entryNumber(0, dice.listSize),
    last: entryNumber(dice.listSize - 1, dice.listSize),
    size: new Intl.NumberFormat(tag).format(dice.listSize),
    lotteryPanels: summary?.lotteryPanels ?? 0,
    change: summary ? points.format(summary.maxChange * 100) : '',
    lowest: summary ? words.percent(Math.min(...summary.listChances)) : '',
    lotteryLowest: summary ? words.percent(Math.min(...summary.lotteryChances)) : '',
    chances: summary ? chanceBands(summary.listChances, MIN_GROUP, undefined, words) : undefined,
  };
}

/**
 * What the public page says of a final draw's alternates: their tickets in rank order, the simulated chances (the
 * list's and a naive one's), and everyone else's chance of being an alternate in bands of 5 or more.
 */
function publicAlternates(d: Draw, commitment: Commitment, tickets: Map<string, string>, tag: string, words: BandWords) {
  const alternates = d.outcome?.alternates;
  if (!alternates || !commitment.alternates) return undefined;
  const drawn = new Set(d.outcome?.selected ?? []);
  // The tickets are keyed by the committed pool's ids, in its order: the order of the chances.
  const ids = [...tickets.keys()];
  const others = alternates.onList.filter((_, i) => !drawn.has(ids[i]));
  const serving = alternates.serve.filter((_, i) => !drawn.has(ids[i]));
  return {
    count: alternates.list.length,
    expected: new Intl.NumberFormat(tag, { maximumFractionDigits: 1 }).format(alternates.expectedDropouts),
    checks: alternates.checks,
    keep: words.percent(alternates.keep),
    naive: words.percent(alternates.naiveKeep),
    tickets: alternates.list.map((id) => ticketFor(tickets, id)),
    chances: chanceBands(others, MIN_GROUP, undefined, words),
    serving: chanceBands(serving, MIN_GROUP, undefined, words),
    dropoutSha256: sha256(commitment.alternates.dropoutCsv),
  };
}

/** The command that re-makes a list for dice from the published files and checks its fingerprint and entry. */
function diceCommand(d: Draw, dice: Dice, number: string): string {
  return `npx citizens-panel draw --pool pool.csv --quotas quotas.csv --panel-size ${d.panelSize} --algorithm ${d.algorithm} --address-columns ${HOUSEHOLD_COLUMN} --uniform ${dice.listSize} --entry ${number} --list-sha256 ${dice.listSha256}`;
}

/** What the final draw's command adds to re-make its alternates (the seed too, for a pick by dice, which needs none). */
function alternatesArgs(d: Draw, commitment: Commitment): string {
  if (d.kind !== 'final' || !commitment.alternates || !d.outcome?.alternates) return '';
  return `${commitment.dice ? ` --seed ${d.seed}` : ''} --alternates ${commitment.alternates.count} --dropout dropout.csv`;
}

/** The command that re-runs a draw from its published files. */
function command(d: Draw): string {
  return `npx citizens-panel draw --pool pool.csv --quotas quotas.csv --panel-size ${d.panelSize} --algorithm ${d.algorithm} --address-columns ${HOUSEHOLD_COLUMN} --seed ${d.seed}`;
}
