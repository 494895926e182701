import { z } from 'zod';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { Membership } from '../membership/lifecycle';
import { listMembers, type Member, vacancies } from '../membership/members';
import { closeRegistration, findPanel, type Panel } from '../panels/repo';
import { type Commitment, findCommitment, findDraw } from '../selection/repo';
import { DrawRunner, drawInput } from '../selection/runner';
import { Selection } from '../selection/workflow';
import { ALGORITHMS, type Algorithm, type Person } from '../sortition/types';

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

/**
 * Runs the whole selection for the demo panel through the same steps the Selection page takes (selection/
 * workflow.ts, membership/lifecycle.ts), each skipped if it is done already.
 */
export async function selectDemoPanel(ctx: AppContext, panel: Panel, organiser: number, selection: DemoSelection, log: (line: string) => void): Promise<void> {
  const runner = new DrawRunner(ctx);
  const steps = new Selection(ctx, runner);
  const membership = new Membership(ctx);
  await publishCommitment(ctx, steps, panel, organiser, selection);
  await finalDraw(ctx, steps, runner, panel, organiser, selection.numbers, log);
  invite(ctx, membership, panel, organiser);
  answerInvitations(ctx, membership, panel, selection.decline);
  await replaceDecliners(ctx, steps, runner, panel, organiser, log);
  invite(ctx, membership, panel, organiser);
  answerInvitations(ctx, membership, panel, []);
}

/** Registration closes (as the panel page's button does), then the pool and quotas as they stand are committed, in registration order. */
async function publishCommitment(ctx: AppContext, steps: Selection, panel: Panel, userId: number, selection: DemoSelection): Promise<void> {
  const { db, clock } = ctx;
  if (findCommitment(db, panel.id)) return;
  if (closeRegistration(db, panel.id, clock.now())) audit(db, clock, { userId, panelId: panel.id, action: 'panel.close', subject: panel.slug });
  await steps.commit(findPanel(db, panel.id) ?? panel, { algorithm: selection.algorithm, randomness: selection.randomness }, userId, null);
}

/** The numbers make the seed, and the final draw runs on the worker. */
async function finalDraw(ctx: AppContext, steps: Selection, runner: DrawRunner, panel: Panel, userId: number, typed: string, log: (line: string) => void): Promise<void> {
  const commitment = findCommitment(ctx.db, panel.id);
  if (!commitment) throw new Error('The demo panel has no commitment.');
  if (!commitment.numbers) {
    const pool = drawInput(commitment.poolCsv, commitment.quotasCsv).people.length;
    log(`Preparing the demo story: a real draw of ${commitment.panelSize} from ${pool.toLocaleString('en-GB')}…`);
    await finished(ctx, runner, panel, steps.enterNumbers(panel, typed, userId));
    return;
  }
  const draw = commitment.drawId ? findDraw(ctx.db, panel.id, commitment.drawId) : undefined;
  if (draw?.status !== 'done') {
    throw new Error(`The demo's final draw is ${draw?.status ?? 'missing'}, so the story cannot go on. Start the server, run the final draw again from the panel's Selection page, and carry on from there by hand.`);
  }
}

/** A link for everyone drawn. Nobody will use these links, so they are not kept. */
function invite(ctx: AppContext, membership: Membership, panel: Panel, userId: number): void {
  if (listMembers(ctx.db, panel.id).some((m) => m.status === 'selected')) membership.inviteDrawn(panel.id, userId);
}

/**
 * Each invited person answers, as from their link. The script's decliners say no, unless someone has declined
 * already (the story was cut short after the answers); everyone else says yes, giving the room their first name.
 */
function answerInvitations(ctx: AppContext, membership: Membership, panel: Panel, decline: number[]): void {
  const members = listMembers(ctx.db, panel.id);
  const commitment = findCommitment(ctx.db, panel.id);
  const saysNo = commitment && !members.some((m) => m.status === 'declined') ? decliners(commitment, members, decline) : new Set<number>();
  for (const member of members.filter((m) => m.status === 'invited')) {
    if (saysNo.has(member.id)) membership.answer(panel.id, member, 'decline');
    // Each says what the room should call them: their first name, as most people would.
    else membership.answer(panel.id, member, 'confirm', member.name?.split(' ')[0]);
  }
}

/**
 * The members at the script's `decline` positions (from 1, in the draw's order), each moved on to the next
 * member whose seat the pool can surely refill. A replacement draw must meet every quota with the seats left,
 * which is impossible when nobody left in the pool fits (about one demo in twenty, as pseudonyms and so draws
 * differ from one database to the next). Someone never drawn with exactly the same answers, outside the
 * drawn members' households, always fits: then the replacement draw cannot fail.
 */
export function decliners(commitment: Commitment, members: Member[], positions: number[]): Set<number> {
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

/** A verifiable draw for the empty seats, on what is left of the pool. */
async function replaceDecliners(ctx: AppContext, steps: Selection, runner: DrawRunner, panel: Panel, userId: number, log: (line: string) => void): Promise<void> {
  const empty = vacancies(listMembers(ctx.db, panel.id));
  if (!findCommitment(ctx.db, panel.id)?.seed || empty.length === 0) return;
  log(`Preparing the demo story: ${empty.length === 1 ? 'one person declined, so a replacement draw fills the seat' : `${empty.length} people declined, so a replacement draw fills their seats`}…`);
  await finished(ctx, runner, panel, await steps.replace(panel, userId));
}

async function finished(ctx: AppContext, runner: DrawRunner, panel: Panel, drawId: number): Promise<void> {
  await runner.settled(drawId);
  const draw = findDraw(ctx.db, panel.id, drawId);
  if (draw?.status !== 'done') throw new Error(`The demo's ${draw?.kind ?? ''} draw ${drawId} failed: ${draw?.error ?? 'no reason recorded'}.`);
}

