import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { type ServerProcess, startServerProcess, tempDbFile } from '../e2e/server-process';
import { seatMembers, storedRoom } from '../helpers';
import { RoomClient } from './room-client';

/**
 * `citizens-panel backup FILE` while the room is busy: 30 panellists keep posting ideas into the server process
 * as the copy is taken. The copy is one consistent moment of the room (its state and its command record agree),
 * and an app started on it serves that room and carries on.
 */
let server: ServerProcess;
let clients: RoomClient[];
let sessionId: number;
let dir: string;

beforeAll(async () => {
  const dbFile = tempDbFile();
  dir = path.dirname(dbFile);
  const db = openDb(dbFile);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('the demo was not seeded');
  seatMembers(db, demo.panelId, db.prepare('SELECT public_id FROM registrants LIMIT 30').pluck().all() as string[], Date.now());
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
  sessionId = made.sessionId;
  closeDb(db);
  server = await startServerProcess({ dbFile });
  const facilitator = new RoomClient(server.url, made.facilitator);
  clients = [facilitator, ...made.panellists.map((p) => new RoomClient(server.url, p.token))];
  await Promise.all(clients.map((c) => c.joined()));
  await facilitator.send('round:open', { round: exampleAgenda().rounds.findIndex((r) => r.type === 'ideas') }, 'open-ideas');
}, 60_000);
afterAll(async () => {
  for (const c of clients ?? []) c.close();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a backup taken while panellists post ideas is consistent, and an app started on it works', async () => {
  let busy = true;
  let posted = 0;
  const posting = clients.slice(1).map(async (c, i) => {
    for (let n = 0; busy; n++) {
      const reply = await c.send('idea:post', { text: `Idea ${n} from panellist ${i}` }, `idea-${i}-${n}`);
      if (reply.ok) posted++;
    }
  });
  while (posted < 100) await new Promise((resolve) => setTimeout(resolve, 20));

  const copy = path.join(dir, 'backup.db');
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['backup', copy], { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE: server.dbFile } });
  const postedAtBackup = posted;
  while (posted < postedAtBackup + 100) await new Promise((resolve) => setTimeout(resolve, 20));
  busy = false;
  await Promise.all(posting);
  expect(err.join('')).toBe('');
  expect(code).toBe(0);
  expect(out.join('')).toMatch(/Backed up .* room commands/);
  expect(out.join('')).toContain('Integrity check: ok');

  // The copy is one moment of the room: its state's version is its last command, and every idea up to it is there.
  const backup = openDb(copy);
  const live = openDb(server.dbFile);
  try {
    const state = (db: typeof backup) => storedRoom(db, sessionId);
    const commands = (db: typeof backup, upTo: number) => db.prepare('SELECT actor, client_id, command, version FROM room_commands WHERE session_id = ? AND version <= ? ORDER BY version').all(sessionId, upTo);
    const saved = state(backup);
    expect(saved.version).toBe(backup.prepare('SELECT MAX(version) FROM room_commands WHERE session_id = ?').pluck().get(sessionId));
    expect(saved.ideas.length).toBeGreaterThanOrEqual(100);
    expect(state(live).version).toBeGreaterThan(saved.version); // the room went on while the copy was taken
    expect(commands(backup, saved.version)).toEqual(commands(live, saved.version));
  } finally {
    closeDb(backup);
    closeDb(live);
  }

  // Restored: the app on the copy serves the room as it was, and takes new commands.
  const restored = await startServerProcess({ dbFile: copy });
  try {
    const again = new RoomClient(restored.url, clients[0].pass);
    await again.joined();
    const before = again.state?.version ?? 0;
    expect(before).toBeGreaterThan(100);
    expect(await again.send('idea:theme', { idea: 1, theme: 'Restored' }, 'after-restore')).toEqual({ ok: true, data: { version: before + 1 } });
    again.close();
  } finally {
    await restored.stop();
  }
});
