import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { testConfig } from '../src/config';
import { closeDb, openDb } from '../src/db';
import { insertCategory, insertPanel, listCategories, findPanel } from '../src/panels/repo';
import { seedDemo } from '../src/demo/seed';
import { addToTeam } from '../src/auth/teams';
import { findUserByEmail } from '../src/auth/users';
import { exampleAgenda } from '../src/room/agenda';
import { createSession } from '../src/room/create';
import { RoomRepo } from '../src/room/repo';
import { insertDraw } from '../src/selection/repo';
import { addMembers } from '../src/membership/members';
import { serveUsage } from './bare-server';

/**
 * The server for bench:eventloop, run by fork: `eventloop-server.js DIR N`. The demo with a session of N members,
 * and a second, empty panel with the demo's categories to import into. It watches its own event loop
 * (monitorEventLoopDelay): `delay` answers the delay percentiles since the last `delay` and starts afresh.
 */
export interface EventLoopReady {
  type: 'ready';
  port: number;
  organiser: { email: string; password: string };
  demoPanel: number;
  importPanel: number;
  facilitator: string;
  panellists: { member: string; token: string }[];
  discussion: number;
}

export interface DelayReport {
  type: 'delay';
  p50: number;
  p99: number;
  max: number;
}

function main(): void {
  const [dir, count] = process.argv.slice(2);
  const file = path.join(dir, 'eventloop.db');
  const db = openDb(file);
  const ctx = { db, clock: systemClock, config: testConfig({ DATABASE: file }) };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('the demo was not seeded into the fresh database');
  const { server, io } = createApp({ ...ctx, log: (line) => console.error(line) });
  const demoPanel = findPanel(db, demo.panelId);
  if (!demoPanel) throw new Error('the demo panel vanished');

  const ids = db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? ORDER BY id LIMIT ?').pluck().all(demo.panelId, Number(count)) as string[];
  addMembers(db, demo.panelId, insertDraw(db, { panelId: demo.panelId, kind: 'final', algorithm: 'leximin', seed: 'bench', panelSize: ids.length, poolCsv: '', quotasCsv: '' }, null, Date.now()), ids, 'confirmed');
  const agenda = exampleAgenda();
  const made = createSession(db, systemClock, new RoomRepo(db), demoPanel, agenda, null);
  const importPanel = insertPanel(db, { slug: 'import-target', title: 'Import target', question: demoPanel.question, panelSize: 40, closesAt: Date.now() + 86_400_000, quotaTolerance: 2 }, Date.now());
  for (const c of listCategories(db, demo.panelId)) insertCategory(db, importPanel, { key: c.key, label: c.label, question: c.question, values: c.values.map((v) => ({ value: v.value, label: v.label, share: v.share })) });
  addToTeam(db, importPanel, findUserByEmail(db, demo.organiser.email)?.id ?? 0, Date.now());

  let histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'delay') return;
    const ms = (ns: number) => ns / 1e6;
    const report: DelayReport = { type: 'delay', p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    histogram.disable();
    histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    process.send?.(report);
  });

  server.listen(0, '127.0.0.1', () => {
    const ready: EventLoopReady = {
      type: 'ready',
      port: (server.address() as AddressInfo).port,
      organiser: demo.organiser,
      demoPanel: demo.panelId,
      importPanel,
      facilitator: made.facilitator,
      panellists: made.panellists,
      discussion: agenda.rounds.findIndex((r) => r.type === 'discussion'),
    };
    process.send?.(ready);
  });
  serveUsage(async () => {
    await io.close();
    closeDb(db);
  });
}

if (require.main === module) main();
