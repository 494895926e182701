import { Router } from 'express';
import { z } from 'zod';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import { Membership } from '../membership/lifecycle';
import type { Panel } from '../panels/repo';
import { loadPanel } from '../panels/load';
import type { Revocations } from '../revocations';
import { unconfirmed } from '../web/confirm';
import { formValues, parseForm, text, wholeNumber } from '../web/validate';
import { auditorRouter } from './auditor-routes';
import { algorithm, drawRouter } from './draw-routes';
import { diceSheet, renderSelection } from './hub';
import { readDiceNumber } from './dice';
import { DEFAULT_LIST_SIZE, LIST_SIZES } from '../sortition/uniform-list';
import { memberRouter } from './member-routes';
import type { DrawRunner } from './runner';
import { Selection } from './workflow';
import { AlternateSeats } from './alternate-seats';
import { dropoutHistory } from './dropout-history';
import { findCommitment } from './repo';
import { panelIdsOf } from '../auth/teams';

const commitSchema = z.object({
  algorithm,
  randomness: text('The description of the public numbers', 500, 'Say which public numbers will make the seed: which draw, where and when.').refine(
    (s) => s.length >= 10,
    'Say which public numbers, where and when (at least 10 characters).',
  ),
  // A transparent final pick (issue 23): dice rolled in public pick a panel of a list the commitment fixes.
  finalPick: z.enum(['numbers', 'dice'], { error: 'Choose how the final pick is made: by the public numbers, or by dice rolled in public.' }).default('numbers'),
  listSize: z
    .enum(LIST_SIZES.map(String) as [string, ...string[]], { error: `Choose how many panels the list has: ${LIST_SIZES.join(', ')}.` })
    .default(String(DEFAULT_LIST_SIZE))
    .transform(Number),
  // Alternates ranked with the panel for the panel's dropout table (issue 23); an empty box is none.
  alternates: wholeNumber('The number of alternates', 0, 1000, 0),
});
const dropoutSchema = z.object({ dropout: z.string().max(20_000, 'The dropout table must be at most 20,000 characters.').default('') });
const diceSchema = z.object({ numbers: text('The number rolled', 20, 'Type the number the dice show, such as 417.') });
const numbersSchema = z.object({
  numbers: text('The numbers', 500, 'Type the numbers as published, such as 7 19 23 31 40 52.').refine((s) => /\d/.test(s) && /^[\d\s,;]+$/.test(s), 'Type only the numbers as published, separated by spaces or commas, such as 7 19 23 31 40 52.'),
});

/**
 * The organiser's road from pool to panel: the Selection page, the public commitment and the final draw;
 * trial draws and members have their own routers, mounted here.
 */
export function selectionRouter(ctx: AppContext, runner: DrawRunner, revocations: Revocations): Router {
  const router = Router();
  const selection = new Selection(ctx, runner);
  const seats = new AlternateSeats(ctx);
  router.use('/admin/panels/:id', requireRole('organiser'));
  router.use(drawRouter(ctx, runner, selection));
  router.use(auditorRouter(ctx));
  router.use(memberRouter(ctx, selection, new Membership(ctx, revocations)));
  const base = (panel: Panel) => `/admin/panels/${panel.id}/selection`;

  router.get('/admin/panels/:id/selection', (req, res) => {
    // After a reminder (member-routes.ts): how many went, and how many are left to reach by hand.
    const count = (v: unknown) => (typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : 0);
    const reminded = req.query.reminded === undefined ? undefined : { sent: count(req.query.reminded), byHand: count(req.query.byHand) };
    const seated = req.query.seated === undefined ? undefined : { seated: count(req.query.seated), left: count(req.query.left) };
    renderSelection(ctx, res, loadPanel(ctx, req.params.id), { ...(reminded ? { reminded } : {}), ...(seated ? { seated } : {}) });
  });

  router.post('/admin/panels/:id/commitment', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const again = (errors: Record<string, string>) => renderSelection(ctx, res.status(400), panel, { errors, values: formValues(req.body) });
    selection.mayCommit(panel);
    const form = parseForm(commitSchema, req.body);
    const tooMany: Record<string, string> = form.ok && form.data.alternates > panel.panelSize ? { alternates: `At most ${panel.panelSize} alternates: as many as the panel has seats.` } : {};
    const errors = { ...(form.ok ? {} : form.errors), ...tooMany, ...unconfirmed(req.body, 'confirm-commit') };
    if (!form.ok || Object.keys(errors).length) return again(errors);
    try {
      await selection.commit(panel, form.data, currentUser(res).id);
    } catch (err) {
      // A pool or quotas no draw can meet: said beside the form, which keeps what was typed.
      if (err instanceof DomainError && err.kind === 'invalid') return again({ form: err.message });
      throw err;
    }
    res.redirect(303, base(panel));
  });

  // The public numbers, or for a final pick by dice the number rolled (checked against the list's range here too).
  router.post('/admin/panels/:id/commitment/numbers', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { dice } = selection.awaitingNumbers(panel);
    const form = parseForm(dice ? diceSchema : numbersSchema, req.body);
    const rolled = dice && form.ok ? readDiceNumber(form.data.numbers, dice.listSize) : undefined;
    const errors = { ...(form.ok ? {} : form.errors), ...(rolled && !rolled.ok ? { numbers: rolled.message } : {}), ...unconfirmed(req.body, 'confirm-numbers') };
    if (!form.ok || Object.keys(errors).length) return renderSelection(ctx, res.status(400), panel, { errors, values: formValues(req.body) });
    res.redirect(303, `/admin/panels/${panel.id}/draws/${selection.enterNumbers(panel, form.data.numbers, currentUser(res).id)}`);
  });

  // The sheet for the live draw: the numbers, what each die says, the list's fingerprint, and where to type the roll.
  router.get('/admin/panels/:id/selection/dice', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.render('pages/admin/dice-sheet', diceSheet(ctx, panel));
  });

  router.post('/admin/panels/:id/selection/confirmed-only', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const choice = formValues(req.body).confirmedOnly;
    if (choice !== 'yes' && choice !== 'no') {
      return renderSelection(ctx, res.status(400), panel, { errors: { confirmedOnly: 'Choose who goes into the draw: everyone, or only confirmed email addresses.' } });
    }
    await selection.drawConfirmedOnly(panel, choice === 'yes', currentUser(res).id);
    res.redirect(303, `${base(panel)}#step-pool`);
  });

  // The dropout table the alternates are chosen for: before the commitment, which fixes it.
  router.post('/admin/panels/:id/selection/dropout', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const again = (errors: Record<string, string>) => renderSelection(ctx, res.status(400), panel, { errors, values: formValues(req.body) });
    const form = parseForm(dropoutSchema, req.body);
    if (!form.ok) return again(form.errors);
    try {
      seats.setDropoutTable(panel, form.data.dropout, currentUser(res).id);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'invalid') return again({ dropout: err.message });
      throw err;
    }
    res.redirect(303, `${base(panel)}#step-alternates`);
  });

  // A dropout table estimated from the earlier panels this organiser may act on: shown in the box to check, not saved.
  router.post('/admin/panels/:id/selection/dropout/history', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (findCommitment(ctx.db, panel.id)) throw new DomainError('conflict', 'The commitment has fixed the dropout table: it can no longer change.', 'The table is fixed');
    const history = dropoutHistory(ctx.db, panel.id, panelIdsOf(ctx.db, currentUser(res)));
    renderSelection(ctx, res, panel, { history, ...(history.csv ? { values: { dropout: history.csv } } : {}) });
  });

  // Empty seats filled from the final draw's ranked alternates; the page then says how many, and how many are left.
  router.post('/admin/panels/:id/alternates/seat', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { seated, left } = seats.seat(panel, currentUser(res).id);
    res.redirect(303, `${base(panel)}?seated=${seated}&left=${left}#step-members`);
  });

  router.post('/admin/panels/:id/commitment/rerun', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.redirect(303, `/admin/panels/${panel.id}/draws/${selection.rerunFinal(panel, currentUser(res).id)}`);
  });

  return router;
}
