import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AppContext } from '../context';
import { Progress } from '../outcomes/progress';
import { RESPONSE_STATUSES, Responses } from '../outcomes/responses';
import type { Summaries } from '../outcomes/summaries';
import { fixturesDir } from '../paths';
import { RoomRepo } from '../room/repo';

export const DEMO_RESPONSE = path.join(fixturesDir, 'coventry', 'response.json');

const scriptSchema = z.object({
  responsible: z.string(),
  answers: z.array(z.object({ status: z.enum(RESPONSE_STATUSES), reasons: z.string(), due: z.string().nullable() })).min(1),
  milestones: z.array(
    z.object({
      recommendation: z.number().int().min(1),
      title: z.string(),
      due: z.string(),
      updates: z.array(z.object({ days: z.number().min(0), status: z.enum(['planned', 'in-progress', 'done', 'dropped']), progress: z.number().int().min(0).max(100).nullable(), text: z.string() })),
    }),
  ),
});

/**
 * After the demo's summary: the council's response to each recommendation the panel adopted (the script's answers
 * in turn), published as version 1, and milestones with updates dated over the months after, so /outcomes shows a
 * response and progress to follow by feed. Through the same steps as an organiser's.
 */
export function respondForDemo(ctx: AppContext, summaries: Summaries, panelId: number, organiser: number, file = DEMO_RESPONSE): void {
  const parsed = scriptSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} cannot be used: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const script = parsed.data;
  const responses = new Responses(ctx, new RoomRepo(ctx.db), summaries);
  const adopted = responses.adopted(panelId);
  const start = ctx.clock.now();
  ctx.db.transaction(() => {
    adopted.forEach((a, i) => {
      const { status, reasons, due } = script.answers[i % script.answers.length];
      const saved = responses.saveDraft(panelId, a.session, a.recommendation, { status, reasons, responsible: script.responsible, due: due ?? '' }, organiser);
      if (!saved.ok) throw new Error(`${file}: answers[${i % script.answers.length}] cannot be saved: ${Object.values(saved.errors).join('; ')}`);
    });
    responses.publish(panelId, undefined, organiser);
    for (const [i, m] of script.milestones.entries()) {
      const rec = adopted[m.recommendation - 1];
      if (!rec) continue;
      const posted = (days: number) => new Progress({ ...ctx, clock: { now: () => start + days * 86_400_000 } }, responses);
      const added = posted(7).add(panelId, rec.session, rec.recommendation, { title: m.title, due: m.due }, organiser);
      if (!added.ok) throw new Error(`${file}: milestones[${i}] cannot be added: ${Object.values(added.errors).join('; ')}`);
      const id = ctx.db.prepare('SELECT MAX(id) FROM milestones WHERE panel_id = ?').pluck().get(panelId) as number;
      for (const u of m.updates) posted(u.days).update(panelId, id, { status: u.status, progress: u.progress === null ? '' : String(u.progress), text: u.text }, organiser);
    }
  })();
}
