import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import parsePrometheus from 'parse-prometheus-text-format';
import { io as connect } from 'socket.io-client';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { serverLog } from '../../src/logger';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { logIn, seatMembers, smallPanel, submit } from '../helpers';

/** Issue 20, observability: JSON logs that carry no personal data, Prometheus metrics, and /readyz. */
const RESIDENT = { name: 'Ada Testperson', email: 'ada.testperson@example.org', phone: '07700 900123', address: '1 Test Street, Coventry', postcode: 'CV1 5RR' };

function world(config: Parameters<typeof testConfig>[0] = {}) {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
  const db = openDb(':memory:');
  const clock = new ManualClock();
  const ctx = { db, clock, config: testConfig({ LOG_REQUESTS: true, ...config }) };
  const log = serverLog({ LOG_LEVEL: 'info', production: true }, sink);
  return { ...createApp({ ...ctx, log }), db, clock, lines };
}

test('every log line of a resident\'s journey is JSON with time, level and request id, and none names the resident', async () => {
  const t = world();
  const panel = smallPanel(t.db, t.clock);
  const browser = request.agent(t.app);
  const registered = await submit(browser, `/register/${panel.slug}`, `/register/${panel.slug}`, { ...RESIDENT, q_gender: 'Woman', q_age: '40-64', consent: 'yes' });
  expect(registered.status).toBe(303);
  const organiser = await logIn(t.db, t.clock, request.agent(t.app), 'organiser');
  expect((await organiser.get(`/admin/panels/${panel.panelId}/pool`)).text).toContain(RESIDENT.name);
  expect((await organiser.get(`/admin/panels/${panel.panelId}/pool.csv`)).text).toContain(RESIDENT.email);
  await organiser.get('/admin/panels/999/pool'); // a page that is not there
  await browser.post(`/register/${panel.slug}`).type('form').send({ ...RESIDENT, _csrf: 'forged' }); // refused

  expect(t.lines.length).toBeGreaterThan(5);
  const parsed = t.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const entry of parsed) {
    expect(entry).toEqual(expect.objectContaining({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(info|warn|error)$/), msg: expect.any(String) }));
  }
  const requests = parsed.filter((e) => typeof e.route === 'string');
  expect(requests.map((e) => e.route)).toEqual(expect.arrayContaining(['/register/:slug', '/admin/panels/:id/pool.csv']));
  for (const entry of requests) expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);
  const all = t.lines.join('\n').toLowerCase();
  for (const value of Object.values(RESIDENT)) expect(all).not.toContain(value.toLowerCase());
});

test('a request id given by a trusted proxy is used and sent back; an untrusted one is not', async () => {
  const trusted = world({ TRUST_PROXY: true });
  const given = await request(trusted.app).get('/').set('X-Request-Id', 'edge-1234');
  expect(given.headers['x-request-id']).toBe('edge-1234');
  expect(trusted.lines.some((l) => JSON.parse(l).requestId === 'edge-1234')).toBe(true);
  const untrusted = world();
  const ignored = await request(untrusted.app).get('/').set('X-Request-Id', 'edge-1234');
  expect(ignored.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

describe('/metrics', () => {
  test('parses as Prometheus text and reports room clients, commands, acknowledgement latency, the event loop, the database and backups', async () => {
    const t = world();
    const panel = smallPanel(t.db, t.clock);
    seatMembers(t.db, panel.panelId, ['p-metrics'], t.clock.now());
    const made = createSession(t.db, t.clock, t.room, findPanel(t.db, panel.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const socket = connect(url, { auth: { pass: made.facilitator }, transports: ['websocket'] });
    try {
      await new Promise((resolve) => socket.once('room:state', resolve));
      const reply = await socket.emitWithAck('round:open' as never, { round: 0, clientId: 'm-1' } as never);
      expect(reply).toMatchObject({ ok: true });
      const text = (await fetch(`${url}/metrics`)).text();
      const families = parsePrometheus(await text);
      const named = (name: string) => families.find((f) => f.name === name);
      expect(named('room_connected_clients')?.metrics).toEqual([expect.objectContaining({ labels: { session: String(made.sessionId), role: 'facilitator' }, value: '1' })]);
      expect(named('room_commands_total')?.metrics).toEqual([expect.objectContaining({ labels: { type: 'round:open', outcome: 'applied' }, value: '1' })]);
      expect(named('room_ack_seconds')?.type).toBe('HISTOGRAM');
      for (const name of ['nodejs_eventloop_lag_seconds', 'database_size_bytes', 'database_wal_size_bytes', 'backup_last_age_seconds']) expect(named(name)).toBeDefined();
      expect(named('backup_last_age_seconds')?.metrics[0].value).toBe('-1');
    } finally {
      socket.close();
      await new Promise((resolve) => t.server.close(resolve));
    }
  });

  test('is refused through a proxy without a token, and needs the token once one is set', async () => {
    const open = world();
    expect((await request(open.app).get('/metrics').set('X-Forwarded-For', '203.0.113.9')).status).toBe(403);
    const token = 'a-long-metrics-token-0123';
    const guarded = world({ METRICS_TOKEN: token });
    const refused = await request(guarded.app).get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('Authorization: Bearer');
    expect((await request(guarded.app).get('/metrics').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('/readyz', () => {
  test('ready when the database takes writes, is intact, is current and has room', async () => {
    const t = world();
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ok: true, version: expect.any(String), checks: { writable: { ok: true }, intact: { ok: true }, schema: { ok: true }, disk: { ok: true } } });
  });

  test('unready, in words, when the database cannot be written', async () => {
    const t = world();
    // As a file turned read-only under the server would; a truly full disk is test/faults/storage.test.ts's.
    t.db.pragma('query_only = ON');
    const stuck = await request(t.app).get('/readyz');
    expect(stuck.status).toBe(503);
    expect(stuck.body.checks.writable).toEqual({ ok: false, detail: expect.stringContaining('cannot be written to') });
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    t.db.pragma('query_only = OFF');
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });

  test('unready when the disk has less free space than MIN_FREE_MB', async () => {
    const file = path.join(os.tmpdir(), `cp-readyz-${process.pid}.db`);
    const db = openDb(file);
    const app = createApp({ db, clock: new ManualClock(), config: testConfig({ MIN_FREE_MB: 1e12 }), log: () => {} }).app;
    const low = await request(app).get('/readyz');
    expect(low.status).toBe(503);
    expect(low.body.checks.disk).toEqual({ ok: false, detail: expect.stringContaining('below MIN_FREE_MB') });
    db.close();
    for (const end of ['', '-wal', '-shm']) fs.rmSync(file + end, { force: true });
  });
});
