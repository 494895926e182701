import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { testConfig } from '../src/config';
import { closeDb, openDb } from '../src/db';
import { seedDemo } from '../src/demo/seed';
import { findPanel } from '../src/panels/repo';
import { exampleAgenda } from '../src/room/agenda';
import { createSession } from '../src/room/create';
import { RoomRepo } from '../src/room/repo';
import { insertDraw } from '../src/selection/repo';
import { addMembers } from '../src/membership/members';
import { serveUsage } from './bare-server';

/**
 * The room server for the room benchmarks, run by fork: `room-server.js DIR N [NORMAL|FULL]`. A fresh database
 * in DIR with the demo, a final draw of N members, and a session on the cultural-strategy agenda; then it listens
 * on a free loopback port and sends the passes to the parent. The third argument sets SQLite's `synchronous`
 * (the app's own choice is NORMAL; see README, Durability).
 */
export interface RoomReady {
  type: 'ready';
  port: number;
  facilitator: string;
  observer: string;
  panellists: { member: string; token: string }[];
  rounds: { discussion: number; ideas: number; vote: number };
}

function main(): void {
  const [dir, count, synchronous = 'NORMAL'] = process.argv.slice(2);
  const n = Number(count);
  const file = path.join(dir, `room-${synchronous}.db`);
  const db = openDb(file);
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new Error(`synchronous must be NORMAL or FULL, not ${synchronous}`);
  db.pragma(`synchronous = ${synchronous}`);
  const ctx = { db, clock: systemClock, config: testConfig({ DATABASE: file }) };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('the demo was not seeded into the fresh database');
  const { server, io } = createApp({ ...ctx, log: (line) => console.error(line) });

  const ids = db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? ORDER BY id LIMIT ?').pluck().all(demo.panelId, n) as string[];
  if (ids.length < n) throw new Error(`the demo pool has only ${ids.length} registrants; ask for --clients ${ids.length} or fewer`);
  const drawId = insertDraw(db, { panelId: demo.panelId, kind: 'final', algorithm: 'leximin', seed: 'bench', panelSize: n, poolCsv: '', quotasCsv: '' }, null, Date.now());
  addMembers(db, demo.panelId, drawId, ids, 'confirmed');
  const panel = findPanel(db, demo.panelId);
  if (!panel) throw new Error('the demo panel vanished');
  const agenda = exampleAgenda();
  const made = createSession(db, systemClock, new RoomRepo(db), panel, agenda, null);
  const rounds = { discussion: agenda.rounds.findIndex((r) => r.type === 'discussion'), ideas: agenda.rounds.findIndex((r) => r.type === 'ideas'), vote: agenda.rounds.findIndex((r) => r.type === 'vote') };

  server.listen(0, '127.0.0.1', () => {
    const ready: RoomReady = { type: 'ready', port: (server.address() as AddressInfo).port, facilitator: made.facilitator, observer: made.observer, panellists: made.panellists, rounds };
    process.send?.(ready);
  });
  serveUsage(async () => {
    await io.close();
    closeDb(db);
  });
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`room server: ${(err as Error).message}`);
    process.exit(1);
  }
}
