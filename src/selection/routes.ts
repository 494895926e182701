import { type Response, Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { CsvError, writeCsv } from '../csv';
import type { Panel } from '../panels/repo';
import { loadPanel } from '../panels/routes';
import { checkDrawable, ENGINE_VERSION } from '../sortition/draw';
import { InfeasibleError } from '../sortition/feasibility';
import { InputError } from '../sortition/instance';
import { ALGORITHMS, type Algorithm } from '../sortition/types';
import { newToken, sha256 } from '../tokens';
import { HttpError, notFound } from '../web/errors';
import { parseForm, parseId, text } from '../web/validate';
import { chanceHistogram, percent, quotaBars } from './charts';
import { commitmentHash, normaliseNumbers, replacementSeed, seedFrom } from './commitment';
import { replacementInput, SEATED, vacancies } from './replacement';
import {
  addMembers,
  type Commitment,
  findCommitment,
  findDraw,
  insertCommitment,
  listDraws,
  listMembers,
  markReplaced,
  type Member,
  recordNumbers,
  setInvitation,
  setStatus,
} from './repo';
import { type DrawRunner, drawInput } from './runner';
import { snapshot } from './snapshot';
import { sendCsv } from '../web/download';

const algorithm = z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]], { error: 'Choose leximin, maximin or legacy.' });
const trialSchema = z.object({ algorithm, seed: z.string().trim().max(200, 'Seed must be at most 200 characters.').optional() });
const commitSchema = z.object({
  algorithm,
  randomness: text('Which public numbers', 500).refine((s) => s.length >= 10, 'Say which public numbers, where and when (at least 10 characters).'),
});
const numbersSchema = z.object({
  numbers: text('The numbers', 500).refine((s) => /\d/.test(s) && /^[\d\s,;]+$/.test(s), 'Type only the numbers as published, separated by spaces or commas, such as 7 19 23 31 40 52.'),
});

/** The organiser's road from pool to panel: trial draws, the public commitment, the final draw, members. */
export function selectionRouter(ctx: AppContext, runner: DrawRunner): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/panels/:id', requireRole('organiser'));
  const base = (panel: Panel) => `/admin/panels/${panel.id}/selection`;

  const hub = (panel: Panel, extra: Record<string, unknown> = {}) => {
    const draws = listDraws(db, panel.id);
    const commitment = findCommitment(db, panel.id);
    const members = listMembers(db, panel.id);
    const seated = members.filter((m) => SEATED.has(m.status));
    return {
      title: `Selection: ${panel.title}`,
      panel,
      algorithms: ALGORITHMS,
      trials: draws.filter((d) => d.kind === 'trial').map(summary),
      replacements: draws.filter((d) => d.kind === 'replacement').map(summary),
      commitment,
      finalDraw: commitment?.drawId ? summary(findDraw(db, panel.id, commitment.drawId)) : undefined,
      members,
      uninvited: members.filter((m) => m.status === 'selected').length,
      confirmed: members.filter((m) => m.status === 'confirmed').length,
      seated: seated.length,
      vacancies: vacancies(members).length,
      replacing: draws.some((d) => d.kind === 'replacement' && d.status === 'running'),
      complete: members.filter((m) => m.status === 'confirmed').length === panel.panelSize,
      ...extra,
    };
  };

  router.get('/admin/panels/:id/selection', (req, res) => {
    res.render('pages/admin/selection', hub(loadPanel(ctx, req.params.id)));
  });

  router.post('/admin/panels/:id/draws', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const form = parseForm(trialSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/admin/selection', hub(panel, { errors: form.errors, values: req.body }));
    const running = listDraws(db, panel.id).find((d) => d.status === 'running');
    if (running) throw new HttpError(409, `Draw ${running.id} is still running for this panel. Wait for it to finish, then try again.`, 'A draw is running');
    const input = snapshot(ctx, panel);
    const seed = form.data.seed || `trial-${newToken().slice(0, 8)}`;
    const id = runner.start({ panelId: panel.id, kind: 'trial', algorithm: form.data.algorithm, seed, panelSize: panel.panelSize, ...input }, currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  router.get('/admin/panels/:id/draws/:drawId', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = findDraw(db, panel.id, parseId(req.params.drawId, 'That draw'));
    if (!draw) throw notFound('That draw');
    const outcome = draw.outcome;
    const names = new Map(listMembers(db, panel.id).map((m) => [m.publicId, m.name]));
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
      selected: outcome?.selected.map((id) => ({ id, name: names.get(id) })),
    });
  });

  router.get('/admin/panels/:id/draws/:drawId/chances.csv', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = findDraw(db, panel.id, parseId(req.params.drawId, 'That draw'));
    if (!draw?.outcome) throw notFound('A finished draw with that number');
    const { chances, selected } = draw.outcome;
    const chosen = new Set(selected);
    const ids = drawInput(draw.poolCsv, draw.quotasCsv).people.map((p) => p.id);
    const rows = ids.map((id, i) => [id, chances[i].toFixed(6), chosen.has(id) ? 'yes' : 'no']);
    sendCsv(res, `${panel.slug}-draw-${draw.id}-chances.csv`, writeCsv(['id', 'chance', 'selected'], rows));
  });

  // Server-sent events: the draw page follows a running draw live.
  router.get('/admin/panels/:id/draws/:drawId/events', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const draw = findDraw(db, panel.id, parseId(req.params.drawId, 'That draw'));
    if (!draw) throw notFound('That draw');
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

  router.post('/admin/panels/:id/commitment', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    if (findCommitment(db, panel.id)) throw new HttpError(409, 'This panel already has a published commitment; it cannot change. Enter the public numbers when they are drawn.');
    const form = parseForm(commitSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/admin/selection', hub(panel, { errors: form.errors, values: req.body }));
    const input = snapshot(ctx, panel);
    // A commitment cannot change, so it must be one a draw can satisfy.
    const problem = await drawProblem(input.poolCsv, input.quotasCsv, panel.panelSize);
    if (problem) {
      const errors = { form: `Nothing was published: ${problem} Fix the pool or the quotas, then commit.` };
      return res.status(400).render('pages/admin/selection', hub(panel, { errors, values: req.body }));
    }
    if (findCommitment(db, panel.id)) throw new HttpError(409, 'This panel already has a published commitment; it cannot change.');
    const fields = {
      panel: panel.slug,
      algorithm: form.data.algorithm,
      engineVersion: ENGINE_VERSION,
      panelSize: panel.panelSize,
      poolSha256: sha256(input.poolCsv),
      quotasSha256: sha256(input.quotasCsv),
      randomness: form.data.randomness,
    };
    const hash = commitmentHash(fields);
    db.transaction(() => {
      insertCommitment(db, { panelId: panel.id, ...fields, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, hash, committedAt: clock.now() }, currentUser(res).id);
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
    if (!form.ok) return res.status(400).render('pages/admin/selection', hub(panel, { errors: form.errors, values: req.body }));
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

  // Invitation links are shown once: only their hashes are kept.
  router.post('/admin/panels/:id/invitations', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const invite = listMembers(db, panel.id).filter((m) => m.status === 'selected');
    if (invite.length === 0) throw new HttpError(409, 'Everyone drawn has an invitation link already. To replace a lost link, use "New link" beside the person.', 'Links already made');
    showLinks(res, panel, issueLinks(panel, invite, currentUser(res).id, req.protocol, req.get('host')));
  });

  router.post('/admin/panels/:id/members/:memberId/invitation', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const member = loadMember(panel, req.params.memberId);
    if (!SEATED.has(member.status)) throw new HttpError(409, `${member.publicId} has ${member.status}; there is nothing to invite them to.`);
    showLinks(res, panel, issueLinks(panel, [member], currentUser(res).id, req.protocol, req.get('host')));
  });

  router.post('/admin/panels/:id/members/:memberId/withdraw', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const member = loadMember(panel, req.params.memberId);
    if (!SEATED.has(member.status)) throw new HttpError(409, `${member.publicId} has already ${member.status}; their seat is counted as empty.`, 'Already recorded');
    db.transaction(() => {
      setStatus(db, member.id, 'withdrawn', clock.now());
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'member.withdraw', subject: member.publicId });
    })();
    res.redirect(303, `${base(panel)}#step-members`);
  });

  router.post('/admin/panels/:id/replacements', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const commitment = findCommitment(db, panel.id);
    const members = listMembers(db, panel.id);
    const empty = vacancies(members);
    if (!commitment?.seed) throw new HttpError(409, 'There is no final draw yet, so there is nobody to replace. Enter the public numbers first.', 'Not yet');
    if (empty.length === 0) throw new HttpError(409, 'No seat is empty: replacements are drawn for people who declined or withdrew.', 'Nothing to replace');
    const replacements = listDraws(db, panel.id).filter((d) => d.kind === 'replacement');
    if (replacements.some((d) => d.status === 'running')) throw new HttpError(409, 'A replacement draw is already running. Wait for it to finish.', 'A draw is running');
    // Numbered by finished replacements, so a replacement that failed runs again with the same seed.
    const n = replacements.filter((d) => d.status === 'done').length + 1;
    const input = replacementInput(commitment.poolCsv, commitment.quotasCsv, members);
    const id = runner.start(
      { panelId: panel.id, kind: 'replacement', algorithm: commitment.algorithm, seed: replacementSeed(commitment.seed, n), panelSize: input.seats, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv },
      currentUser(res).id,
      (outcome, drawId) => {
        addMembers(db, panel.id, drawId, outcome.selected);
        markReplaced(db, empty.map((m) => m.id), drawId);
      },
    );
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  function loadMember(panel: Panel, raw: unknown): Member {
    const id = parseId(raw, 'That member');
    const member = listMembers(db, panel.id).find((m) => m.id === id);
    if (!member) throw notFound('That member');
    return member;
  }

  function issueLinks(panel: Panel, members: Member[], userId: number, protocol: string, host: string | undefined) {
    const links = members.map((m) => ({ member: m, token: newToken() }));
    db.transaction(() => {
      for (const { member, token } of links) setInvitation(db, member.id, sha256(token), clock.now());
      audit(db, clock, { userId, panelId: panel.id, action: 'invitations.create', detail: { count: links.length, members: links.map((l) => l.member.publicId) } });
    })();
    return links.map(({ member, token }) => ({ ...member, link: `${protocol}://${host ?? 'localhost'}/invite/${token}` }));
  }

  function showLinks(res: Response, panel: Panel, links: unknown[]) {
    res.render('pages/admin/invitations', { title: `Invitation links: ${panel.title}`, panel, links });
  }

  return router;
}

/** Why a draw on this input could not run, in words; undefined when it can. */
async function drawProblem(poolCsv: string, quotasCsv: string, panelSize: number): Promise<string | undefined> {
  try {
    const { people, quotas } = drawInput(poolCsv, quotasCsv);
    await checkDrawable(people, quotas, { panelSize });
    return undefined;
  } catch (err) {
    if (err instanceof InputError || err instanceof InfeasibleError || err instanceof CsvError) return err.message;
    throw err;
  }
}

function summary<T extends { outcome: { minProbability: number } | null } | undefined>(draw: T) {
  return draw && { ...draw, lowest: draw.outcome ? percent(draw.outcome.minProbability) : undefined };
}
