import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { audit } from '../audit';
import { generatePassword } from '../auth/passwords';
import { addToTeam } from '../auth/teams';
import { createUser } from '../auth/users';
import type { AppContext } from '../context';
import { computeQuotas } from '../panels/quotas';
import { findPanel, insertCategory, insertPanel, openPanel } from '../panels/repo';
import { fixturesDir } from '../paths';
import { importPool } from '../registration/pool';

const demoSchema = z.object({
  slug: z.string(),
  title: z.string(),
  question: z.string(),
  panelSize: z.number().int(),
  closesAt: z.string(),
  quotaTolerance: z.number().int(),
  categories: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      question: z.string(),
      values: z.array(z.object({ value: z.string(), label: z.string(), share: z.number() })),
    }),
  ),
});

export const DEMO_ORGANISER = 'organiser@demo.coventry.example';
export const DEMO_FACILITATOR = 'facilitator@demo.coventry.example';

export interface DemoLogins {
  organiser: { email: string; password: string };
  facilitator: { email: string; password: string };
  panelId: number;
}

/**
 * Seeds the Coventry demo once per database: the panel, its categories with census shares, quotas
 * from those shares, the synthetic pool (through the same importer organisers use), and two accounts.
 * Returns the logins the first time, and undefined ever after.
 */
export function seedDemo(ctx: AppContext, dir = path.join(fixturesDir, 'coventry')): DemoLogins | undefined {
  const { db, clock } = ctx;
  if (db.prepare("SELECT 1 FROM meta WHERE key = 'demo_seeded'").get()) return undefined;
  const demo = demoSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'panel.json'), 'utf8')));
  const pool = fs.readFileSync(path.join(dir, 'pool.csv'));
  const logins = { organiser: generatePassword(), facilitator: generatePassword() };

  const panelId = db.transaction(() => {
    const id = insertPanel(
      db,
      { ...demo, closesAt: Date.parse(`${demo.closesAt}T23:59:59Z`) },
      clock.now(),
    );
    for (const category of demo.categories) insertCategory(db, id, category);
    const panel = findPanel(db, id);
    if (!panel) throw new Error('demo panel vanished');
    computeQuotas(ctx, panel, demo.quotaTolerance, null);
    importPool(ctx, panel, pool, null);
    openPanel(db, id, clock.now());
    // The demo's organiser is also its administrator; both are on the demo panel's team.
    const organiser = createUser(db, clock, { email: DEMO_ORGANISER, name: 'Demo Organiser', role: 'organiser', admin: true, password: logins.organiser });
    const facilitator = createUser(db, clock, { email: DEMO_FACILITATOR, name: 'Demo Facilitator', role: 'facilitator', password: logins.facilitator });
    for (const person of [organiser, facilitator]) addToTeam(db, id, person.id, clock.now());
    audit(db, clock, { panelId: id, action: 'demo.seed' });
    db.prepare("INSERT INTO meta (key, value) VALUES ('demo_seeded', ?)").run(String(clock.now()));
    return id;
  })();

  return {
    organiser: { email: DEMO_ORGANISER, password: logins.organiser },
    facilitator: { email: DEMO_FACILITATOR, password: logins.facilitator },
    panelId,
  };
}
