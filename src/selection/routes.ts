import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import type { Revocations } from '../room/revocations';
import { CsvError } from '../csv';
import { oneAtATime, PanelBusyError } from '../panels/busy';
import { type Panel, registrationClosed } from '../panels/repo';
import { loadPanel } from '../panels/routes';
import { ENGINE_VERSION } from '../sortition/draw';
import { InfeasibleError } from '../sortition/feasibility';
import { InputError } from '../sortition/instance';
import { checkInWorker } from '../sortition/worker';
import { HttpError } from '../web/errors';
import { formValues, parseForm, text } from '../web/validate';
import { commitmentFields, commitmentHash, normaliseNumbers, seedFrom } from './commitment';
import { auditorRouter } from './auditors';
import { algorithm, drawRouter } from './draw-routes';
import { selectionPage } from './hub';
import { memberRouter } from './member-routes';
import { addMembers, type Commitment, findCommitment, findDraw, insertCommitment, recordNumbers } from './repo';
import type { DrawRunner } from './runner';
import { HOUSEHOLD_COLUMN, snapshot } from './snapshot';

const commitSchema = z.object({
  algorithm,
  randomness: text('Which public numbers', 500).refine((s) => s.length >= 10, 'Say which public numbers, where and when (at least 10 characters).'),
});
const numbersSchema = z.object({
  numbers: text('The numbers', 500).refine((s) => /\d/.test(s) && /^[\d\s,;]+$/.test(s), 'Type only the numbers as published, separated by spaces or commas, such as 7 19 23 31 40 52.'),
});

/**
 * The organiser's road from pool to panel: the Selection page, the public commitment and the final draw;
 * trial draws and members have their own routers, mounted here.
 */
export function selectionRouter(ctx: AppContext, runner: DrawRunner, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/panels/:id', requireRole('organiser'));
  router.use(drawRouter(ctx, runner));
  router.use(auditorRouter(ctx));
  router.use(memberRouter(ctx, runner, revocations));
  const base = (panel: Panel) => `/admin/panels/${panel.id}/selection`;

  router.get('/admin/panels/:id/selection', (req, res) => {
    res.render('pages/admin/selection', selectionPage(ctx, loadPanel(ctx, req.params.id)));
  });

  router.post('/admin/panels/:id/commitment', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (findCommitment(db, panel.id)) throw new HttpError(409, 'This panel already has a published commitment; it cannot change. Enter the public numbers when they are drawn.');
    if (!registrationClosed(panel, clock.now())) {
      throw new HttpError(409, 'Close registration first, on the panel’s page: the commitment fixes the pool, and someone who registered after it would be told they are in a lottery they are not in.', 'Registration is still open');
    }
    const form = parseForm(commitSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/admin/selection', selectionPage(ctx, panel, { errors: form.errors, values: formValues(req.body) }));
    // No import may add to the pool while its snapshot is checked (panels/busy.ts).
    const { input, problem } = await oneAtATime(panel.id, 'A commitment', async () => {
      const input = snapshot(ctx, panel);
      // A commitment cannot change, so it must be one a draw can satisfy.
      return { input, problem: await drawProblem(input.poolCsv, input.quotasCsv, panel.panelSize) };
    }).catch((err: unknown) => {
      throw err instanceof PanelBusyError ? new HttpError(409, err.message, 'Still running') : err;
    });
    if (problem) {
      const errors = { form: `Nothing was published: ${problem} Fix the pool or the quotas, then commit.` };
      return res.status(400).render('pages/admin/selection', selectionPage(ctx, panel, { errors, values: formValues(req.body) }));
    }
    if (findCommitment(db, panel.id)) throw new HttpError(409, 'This panel already has a published commitment; it cannot change.');
    const fields = commitmentFields({ panel: panel.slug, ...form.data, engineVersion: ENGINE_VERSION, panelSize: panel.panelSize, ...input, poolCsv: input.auditorsCsv });
    const hash = commitmentHash(fields);
    db.transaction(() => {
      insertCommitment(db, { panelId: panel.id, ...fields, algorithm: form.data.algorithm, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, hash, committedAt: clock.now() }, currentUser(res).id);
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'commitment.publish', subject: hash, detail: { algorithm: fields.algorithm, randomness: fields.randomness } });
    })();
    res.redirect(303, base(panel));
  });

  router.post('/admin/panels/:id/commitment/numbers', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const commitment = findCommitment(db, panel.id);
    if (!commitment) throw new HttpError(409, 'Publish a commitment first: the numbers only mean something if the draw was fixed before they were known.', 'Not yet');
    if (commitment.numbers) throw new HttpError(409, `The numbers were already entered (${commitment.numbers}); the final draw cannot be run again.`);
    const form = parseForm(numbersSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/admin/selection', selectionPage(ctx, panel, { errors: form.errors, values: formValues(req.body) }));
    const numbers = normaliseNumbers(form.data.numbers);
    const seed = seedFrom(commitment.hash, numbers);
    const userId = currentUser(res).id;
    const id = startFinal(panel, commitment, seed, userId, (drawId) => {
      recordNumbers(db, panel.id, numbers, seed, drawId);
      audit(db, clock, { userId, panelId: panel.id, action: 'commitment.numbers', subject: numbers, detail: { seed } });
    });
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  // A final draw stopped by a server restart runs again with the same seed: the result cannot change.
  router.post('/admin/panels/:id/commitment/rerun', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const commitment = findCommitment(db, panel.id);
    const last = commitment?.drawId ? findDraw(db, panel.id, commitment.drawId) : undefined;
    if (!commitment?.numbers || !commitment.seed || last?.status !== 'failed') {
      throw new HttpError(409, `The final draw is ${last ? last.status : 'not started'}; only a final draw that failed can run again.`, 'Nothing to run again');
    }
    const { numbers, seed } = commitment;
    const id = startFinal(panel, commitment, seed, currentUser(res).id, (drawId) => recordNumbers(db, panel.id, numbers, seed, drawId));
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  function startFinal(panel: Panel, commitment: Commitment, seed: string, userId: number, alongside: (drawId: number) => void): number {
    return runner.start(
      { panelId: panel.id, kind: 'final', algorithm: commitment.algorithm, seed, panelSize: commitment.panelSize, poolCsv: commitment.poolCsv, quotasCsv: commitment.quotasCsv },
      userId,
      (outcome, finished) => addMembers(db, panel.id, finished, outcome.selected),
      alongside,
    );
  }

  return router;
}

/** Why a draw on this input could not run, in words; undefined when it can. */
async function drawProblem(poolCsv: string, quotasCsv: string, panelSize: number): Promise<string | undefined> {
  try {
    await checkInWorker({ files: { poolCsv, quotasCsv, addressColumns: [HOUSEHOLD_COLUMN] } }, { panelSize });
    return undefined;
  } catch (err) {
    if (err instanceof InputError || err instanceof InfeasibleError || err instanceof CsvError) return err.message;
    throw err;
  }
}

