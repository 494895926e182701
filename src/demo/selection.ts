import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { closeRegistration, type Panel } from '../panels/repo';
import { commitmentFields, commitmentHash, normaliseNumbers, replacementSeed, seedFrom } from '../selection/commitment';
import { replacementInput, vacancies } from '../selection/replacement';
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
} from '../selection/repo';
import { DrawRunner, drawInput } from '../selection/runner';
import { snapshot } from '../selection/snapshot';
import { ENGINE_VERSION } from '../sortition/draw';
import { ALGORITHMS, type Algorithm, type Person } from '../sortition/types';
import { newToken, sha256 } from '../tokens';

/**
 * The demo's selection: the organiser's road from pool to panel (commitment, numbers and final draw,
 * invitations, answers, a replacement draw), taken the way the Selection page's routes take it.
 */
export const selectionSchema = z.object({
  algorithm: z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]]),
  randomness: z.string().min(10),
  numbers: z.string().regex(/^[\d\s,;]+$/),
  /** Who declines their invitation: positions in the final draw's list, from 1 (see `decliners`). */
  decline: z.array(z.number().int().min(1)),
});
export type DemoSelection = z.infer<typeof selectionSchema>;

/** Runs the whole selection for the demo panel, each step skipped if it is done already. */
export async function selectDemoPanel(ctx: AppContext, panel: Panel, organiser: number, selection: DemoSelection, log: (line: string) => void): Promise<void> {
  const runner = new DrawRunner(ctx);
  publishCommitment(ctx, panel, organiser, selection);
  await finalDraw(ctx, runner, panel, organiser, selection.numbers, log);
  invite(ctx, panel, organiser);
  answerInvitations(ctx, panel, selection.decline);
  await replaceDecliners(ctx, runner, panel, organiser, log);
  invite(ctx, panel, organiser);
  answerInvitations(ctx, panel, []);
}


/** As POST /admin/panels/:id/registration/close then /commitment: registration closes, then the pool and quotas as they stand are fingerprinted and fixed. */
function publishCommitment(ctx: AppContext, panel: Panel, userId: number, selection: DemoSelection): void {
  const { db, clock } = ctx;
  if (findCommitment(db, panel.id)) return;
  if (closeRegistration(db, panel.id, clock.now())) audit(db, clock, { userId, panelId: panel.id, action: 'panel.close', subject: panel.slug });
  const input = snapshot(ctx, panel, null);
  const fields = commitmentFields({ panel: panel.slug, algorithm: selection.algorithm, randomness: selection.randomness, engineVersion: ENGINE_VERSION, panelSize: panel.panelSize, ...input, poolCsv: input.auditorsCsv });
  const hash = commitmentHash(fields);
  db.transaction(() => {
    insertCommitment(db, { panelId: panel.id, ...fields, algorithm: selection.algorithm, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, hash, committedAt: clock.now() }, userId);
    audit(db, clock, { userId, panelId: panel.id, action: 'commitment.publish', subject: hash, detail: { algorithm: fields.algorithm, randomness: fields.randomness } });
  })();
}

/** As POST /admin/panels/:id/commitment/numbers: the numbers make the seed, and the final draw runs on the worker. */
async function finalDraw(ctx: AppContext, runner: DrawRunner, panel: Panel, userId: number, typed: string, log: (line: string) => void): Promise<void> {
  const { db, clock } = ctx;
  const commitment = findCommitment(db, panel.id);
  if (!commitment) throw new Error('The demo panel has no commitment.');
  if (!commitment.numbers) {
    const pool = drawInput(commitment.poolCsv, commitment.quotasCsv).people.length;
    log(`Preparing the demo story: a real draw of ${commitment.panelSize} from ${pool.toLocaleString('en-GB')}…`);
    const numbers = normaliseNumbers(typed);
    const seed = seedFrom(commitment.hash, numbers);
    const { algorithm, panelSize, poolCsv, quotasCsv } = commitment;
    const id = runner.start(
      { panelId: panel.id, kind: 'final', algorithm, seed, panelSize, poolCsv, quotasCsv },
      userId,
      (outcome, drawId) => addMembers(db, panel.id, drawId, outcome.selected),
      (drawId) => {
        recordNumbers(db, panel.id, numbers, seed, drawId);
        audit(db, clock, { userId, panelId: panel.id, action: 'commitment.numbers', subject: numbers, detail: { seed } });
      },
    );
    await finished(ctx, runner, panel, id);
    return;
  }
  const draw = commitment.drawId ? findDraw(db, panel.id, commitment.drawId) : undefined;
  if (draw?.status !== 'done') {
    throw new Error(`The demo's final draw is ${draw?.status ?? 'missing'}, so the story cannot go on. Start the server, run the final draw again from the panel's Selection page, and carry on from there by hand.`);
  }
}

/** As POST /admin/panels/:id/invitations: a link for everyone drawn. Nobody will use these links, so they are not kept. */
function invite(ctx: AppContext, panel: Panel, userId: number): void {
  const { db, clock } = ctx;
  const members = listMembers(db, panel.id).filter((m) => m.status === 'selected');
  if (members.length === 0) return;
  db.transaction(() => {
    for (const member of members) setInvitation(db, member.id, sha256(newToken()), clock.now());
    audit(db, clock, { userId, panelId: panel.id, action: 'invitations.create', detail: { count: members.length, members: members.map((m) => m.publicId) } });
  })();
}

/**
 * As POST /invite/:token: each invited person answers. The script's decliners say no, unless someone has
 * declined already (the story was cut short after the answers); everyone else says yes.
 */
function answerInvitations(ctx: AppContext, panel: Panel, decline: number[]): void {
  const { db, clock } = ctx;
  const members = listMembers(db, panel.id);
  const commitment = findCommitment(db, panel.id);
  const saysNo = commitment && !members.some((m) => m.status === 'declined') ? decliners(commitment, members, decline) : new Set<number>();
  db.transaction(() => {
    for (const member of members.filter((m) => m.status === 'invited')) {
      const answer = saysNo.has(member.id) ? 'decline' : 'confirm';
      setStatus(db, member.id, answer === 'confirm' ? 'confirmed' : 'declined', clock.now());
      audit(db, clock, { panelId: panel.id, action: `member.${answer}`, subject: member.publicId });
    }
  })();
}

/**
 * The members at the script's `decline` positions (from 1, in the draw's order), each moved on to the next
 * member whose seat the pool can surely refill. A replacement draw must meet every quota with the seats left,
 * which is impossible when nobody left in the pool fits (about one demo in twenty, as pseudonyms and so draws
 * differ from one database to the next). Someone never drawn with exactly the same answers, outside the
 * drawn members' households, always fits: then the replacement draw cannot fail.
 */
function decliners(commitment: Commitment, members: Member[], positions: number[]): Set<number> {
  const { people } = drawInput(commitment.poolCsv, commitment.quotasCsv);
  const drawn = new Set(members.map((m) => m.publicId));
  const households = new Set(people.flatMap((p) => (drawn.has(p.id) && p.household ? [p.household] : [])));
  const answers = (p: Person) => JSON.stringify(Object.entries(p.features).sort());
  const twins = new Map<string, number>();
  for (const p of people) if (!drawn.has(p.id) && !(p.household && households.has(p.household))) twins.set(answers(p), (twins.get(answers(p)) ?? 0) + 1);
  const byId = new Map(people.map((p) => [p.id, p]));
  const chosen = new Set<number>();
  for (const position of positions) {
    for (let k = 0; k < members.length; k++) {
      const member = members[(position - 1 + k) % members.length];
      const person = byId.get(member.publicId);
      const key = person && answers(person);
      if (chosen.has(member.id) || !key || !twins.get(key)) continue;
      twins.set(key, (twins.get(key) ?? 0) - 1);
      chosen.add(member.id);
      break;
    }
  }
  return chosen;
}

/** As POST /admin/panels/:id/replacements: a verifiable draw for the empty seats, on what is left of the pool. */
async function replaceDecliners(ctx: AppContext, runner: DrawRunner, panel: Panel, userId: number, log: (line: string) => void): Promise<void> {
  const { db } = ctx;
  const commitment = findCommitment(db, panel.id);
  const members = listMembers(db, panel.id);
  const empty = vacancies(members);
  if (!commitment?.seed || empty.length === 0) return;
  log(`Preparing the demo story: ${empty.length === 1 ? 'one person declined, so a replacement draw fills the seat' : `${empty.length} people declined, so a replacement draw fills their seats`}…`);
  const n = listDraws(db, panel.id).filter((d) => d.kind === 'replacement' && d.status === 'done').length + 1;
  const input = replacementInput(commitment.poolCsv, commitment.quotasCsv, members);
  const id = runner.start(
    { panelId: panel.id, kind: 'replacement', algorithm: commitment.algorithm, seed: replacementSeed(commitment.seed, n), panelSize: input.seats, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv },
    userId,
    (outcome, drawId) => {
      addMembers(db, panel.id, drawId, outcome.selected);
      markReplaced(db, empty.map((m) => m.id), drawId);
    },
  );
  await finished(ctx, runner, panel, id);
}

async function finished(ctx: AppContext, runner: DrawRunner, panel: Panel, drawId: number): Promise<void> {
  await runner.settled(drawId);
  const draw = findDraw(ctx.db, panel.id, drawId);
  if (draw?.status !== 'done') throw new Error(`The demo's ${draw?.kind ?? ''} draw ${drawId} failed: ${draw?.error ?? 'no reason recorded'}.`);
}

