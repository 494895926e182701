import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import { applyChange } from '../../src/room/change';
import type { Change, ClientToServerEvents, Presence, Reply, ServerToClientEvents, Snapshot } from '../../src/room/events';
import { handleOf, type RoomState } from '../../src/room/state';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const agenda = exampleAgenda();
const DISCUSSION = agenda.rounds.findIndex((r) => r.type === 'discussion');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-room-'));
const file = path.join(dir, 'room.db');
const clock = new ManualClock();
let port = 0;
let server: ReturnType<typeof start>;
let passes: { facilitator: string; ann: string; bob: string };
let sessionId: number;
const clients: Client[] = [];

/** The app on the database file, listening on `port` (0 the first time, the same one after a restart). */
function start() {
  const db = openDb(file);
  const ctx = { db, clock, config: testConfig() };
  const app = createApp({ ...ctx, log: () => {} });
  return { db, ctx, ...app };
}

async function listen(s: ReturnType<typeof start>) {
  await new Promise<void>((resolve) => s.server.listen(port, '127.0.0.1', resolve));
  port = (s.server.address() as AddressInfo).port;
}

async function stop(s: ReturnType<typeof start>) {
  await s.io.close();
  closeDb(s.db);
}

/** A client, resolved with the first snapshot it receives. */
async function join(pass: string): Promise<{ socket: Client; first: Snapshot }> {
  const socket: Client = connect(`http://127.0.0.1:${port}`, { auth: { pass }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 200 });
  const first = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('room:state', resolve);
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
  clients.push(socket);
  // Each client keeps the room as the protocol says: the snapshot, then each change applied in order.
  states.set(socket, first.state);
  socket.on('room:state', (s) => states.set(socket, s.state));
  socket.on('room:changed', (c) => states.set(socket, applyChange(states.get(socket) as RoomState, c)));
  return { socket, first };
}

function send<K extends keyof ClientToServerEvents>(socket: Client, event: K, payload: Record<string, unknown>): Promise<Reply<{ version: number }>> {
  return new Promise((resolve) => (socket.emit as (e: string, p: unknown, a: (r: Reply<{ version: number }>) => void) => void)(event, payload, resolve));
}

const states = new Map<Client, RoomState>();
type Seen = Change & { state: RoomState };
/** The next change this client receives, with the room as it stands after it. */
const nextChange = (socket: Client) => new Promise<Seen>((resolve) => socket.once('room:changed', (c) => resolve({ ...c, state: states.get(socket) as RoomState })));
/** Resolves with the change that brings this client to `version`. */
const changeTo = (socket: Client, version: number) =>
  new Promise<Seen>((resolve) => {
    const seen = (change: Change) => {
      if (change.version < version) return;
      socket.off('room:changed', seen);
      resolve({ ...change, state: states.get(socket) as RoomState });
    };
    socket.on('room:changed', seen);
  });
let ids = 0;
const cid = () => `c${++ids}`;

beforeAll(async () => {
  server = start();
  const demo = seedDemo(server.ctx);
  const members = server.db.prepare('SELECT public_id FROM registrants LIMIT 2').pluck().all() as string[];
  sessionId = server.room.createSession(demo?.panelId ?? 0, agenda, members, null, clock.now());
  passes = {
    facilitator: server.room.issuePass(sessionId, { role: 'facilitator' }, clock.now()),
    ann: server.room.issuePass(sessionId, { role: 'panellist', member: members[0] }, clock.now()),
    bob: server.room.issuePass(sessionId, { role: 'panellist', member: members[1] }, clock.now()),
  };
  await listen(server);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await stop(server);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('each client gets the whole room on connect; a bad join link is refused with a clear message', async () => {
  const { first } = await join(passes.facilitator);
  expect(first.version).toBe(0);
  expect(first.you).toEqual({ role: 'facilitator', who: expect.stringMatching(/^link:[0-9a-f]{8}$/) });
  expect(first.state.rounds).toHaveLength(agenda.rounds.length);
  await expect(join('not-a-real-link')).rejects.toThrow('This join link is not valid');
});

test('a command is acknowledged, stored, and broadcast to everyone else; panellists see no airtime', async () => {
  const facilitator = clients[0];
  const ann = (await join(passes.ann)).socket;
  const bob = (await join(passes.bob)).socket;
  const seen = Promise.all([nextChange(ann), nextChange(bob)]);
  const reply = await send(facilitator, 'round:open', { clientId: cid(), round: DISCUSSION });
  expect(reply).toEqual({ ok: true, data: { version: 1 } });
  const [a, b] = await seen;
  expect(a.version).toBe(1);
  expect(b.state.rounds[DISCUSSION].status).toBe('open');
  expect(server.room.state(sessionId)?.version).toBe(1);

  const heard = nextChange(facilitator);
  expect((await send(ann, 'queue:raise', { clientId: cid() })).ok).toBe(true);
  expect((await heard).state.queue).toHaveLength(1);
  const floor = nextChange(bob);
  await send(facilitator, 'floor:give', { clientId: cid() });
  clock.advance(30_000);
  await floor;
  const taken = Promise.all([nextChange(facilitator), nextChange(bob)]);
  await send(facilitator, 'floor:take', { clientId: cid() });
  const [forFacilitator, forBob] = await taken;
  expect(Object.values(forFacilitator.state.airtime)).toEqual([30_000]);
  expect(forFacilitator.airtime?.notSpoken).toHaveLength(1); // Bob
  expect(forFacilitator.airtime?.groups.some((g) => g.category === 'age' && g.airtimeShare === 1)).toBe(true);
  expect(forBob.state.airtime).toEqual({});
  expect(forBob.airtime).toBeUndefined();
});

test('refusals: a panellist acting as facilitator, bad payloads, no acknowledgement; nothing changes', async () => {
  const [facilitator, ann] = clients;
  const before = server.room.state(sessionId);
  expect(await send(ann, 'round:close', { clientId: cid() })).toEqual({ ok: false, error: 'forbidden', message: 'Only the facilitator can do that.' });
  expect(await send(ann, 'floor:give', { clientId: cid(), member: 'R-ANYONE' })).toMatchObject({ ok: false, error: 'forbidden' });
  expect(await send(facilitator, 'round:open', { clientId: cid(), round: 'two' })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringContaining('round') });
  expect(await send(facilitator, 'round:extend', { minutes: 5 })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringContaining('clientId') });
  expect(await send(ann, 'queue:lower', { clientId: cid() })).toMatchObject({ ok: false, error: 'conflict', message: 'That hand is not up.' });
  (facilitator.emit as (event: string) => void)('round:close'); // no acknowledgement: ignored
  await new Promise((r) => setTimeout(r, 50));
  expect(server.room.state(sessionId)).toEqual(before);
});

test('a retried command (same client id, lost acknowledgement) is applied once', async () => {
  const ann = clients[1];
  const id = cid();
  const first = await send(ann, 'queue:raise', { clientId: id });
  const again = await send(ann, 'queue:raise', { clientId: id });
  expect(again).toEqual(first);
  expect(server.room.state(sessionId)?.queue).toHaveLength(1);
});

test('a restart in the middle of a round loses nothing: clients reconnect, get the snapshot, and carry on', async () => {
  const [facilitator, , bob] = clients;
  const before = server.room.state(sessionId);
  const deadline = before?.rounds[DISCUSSION].deadline;
  const back = clients.map((c) => new Promise<Snapshot>((resolve) => c.once('room:state', resolve)));
  await stop(server);
  server = start();
  await listen(server);
  const snapshots = await Promise.all(back);
  for (const s of snapshots) {
    expect(s.version).toBe(before?.version);
    expect(s.state.rounds[DISCUSSION]).toMatchObject({ status: 'open', deadline });
    // The facilitator's room names members by id; everyone else's by their handle in the session.
    expect(s.state.queue).toEqual(s.you.role === 'facilitator' ? before?.queue : before?.queue.map((m) => handleOf(before, m)));
  }
  const reply = await send(bob, 'queue:raise', { clientId: cid() });
  expect(reply).toEqual({ ok: true, data: { version: (before?.version ?? 0) + 1 } });
  expect((await send(facilitator, 'floor:give', { clientId: cid() })).ok).toBe(true);
});

test('the facilitator sees who is connected, and who leaves, live', async () => {
  const watcher: Client = connect(`http://127.0.0.1:${port}`, { auth: { pass: passes.facilitator }, transports: ['websocket'] });
  clients.push(watcher);
  const first = await new Promise<Presence>((resolve) => watcher.once('room:presence', resolve));
  expect(first.panellists).toHaveLength(2);
  expect(first.facilitators).toBe(2);
  const bob = clients[2];
  const after = new Promise<Presence>((resolve) => watcher.once('room:presence', resolve));
  bob.disconnect();
  expect((await after).panellists).toHaveLength(1);
  // Panellists never receive presence.
  let leaked = false;
  clients[1].once('room:presence' as never, () => {
    leaked = true;
  });
  bob.connect();
  await new Promise((r) => setTimeout(r, 100));
  expect(leaked).toBe(false);
});

test('tables are proposed from the members’ answers in the database, and a table’s hands stay at the table', async () => {
  const [facilitator, ann] = clients;
  const TABLES = agenda.rounds.findIndex((r) => r.type === 'tables');
  expect((await send(facilitator, 'round:open', { clientId: cid(), round: TABLES })).ok).toBe(true);
  const reply = await send(facilitator, 'tables:propose', { clientId: cid(), size: 3 });
  const { state } = await changeTo(ann, reply.ok ? reply.data.version : Infinity);
  expect(state.tables).toHaveLength(1);
  expect(state.tables[0].members).toHaveLength(2);
  expect((await send(ann, 'queue:raise', { clientId: cid() })).ok).toBe(true);
  const stored = server.room.state(sessionId);
  expect(stored?.tables[0].queue).toHaveLength(1);
  expect(stored?.queue).toEqual([]);
  expect(await send(ann, 'tables:propose', { clientId: cid() })).toMatchObject({ ok: false, error: 'forbidden' });
});
