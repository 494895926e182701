import crypto from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../src/app';
import { isAccessRecord } from '../src/audit';
import { addToTeam } from '../src/auth/teams';
import { createUser, type Role } from '../src/auth/users';
import { ManualClock } from '../src/clock';
import { type Config, testConfig } from '../src/config';
import { openDb, type Db } from '../src/db';
import { seedDemo } from '../src/demo/seed';
import { insertCategory, insertPanel, openPanel } from '../src/panels/repo';
import { RoomRepo } from '../src/room/repo';
import type { RoomState } from '../src/room/state';
import { insertDraw } from '../src/selection/repo';
import { addMembers } from '../src/membership/members';

export type Agent = TestAgent;

export const PASSWORD = 'correct horse battery staple';

/** A fresh app on an in-memory database, with a clock that moves only when told. */
export function makeApp(options: { demo?: boolean; demoDir?: string; config?: Partial<Config> } = {}) {
  const db = openDb(':memory:');
  const clock = new ManualClock();
  const ctx = { db, clock, config: testConfig(options.config) };
  const demo = options.demo ? seedDemo(ctx, options.demoDir) : undefined;
  const { app, server, io, runner, room } = createApp({ ...ctx, log: () => {} });
  return { app, server, io, runner, room, db, clock, ctx, demo, agent: () => request.agent(app) };
}

/** The CSRF token from a page's first form (the cookie lands in the agent's jar). */
export async function csrfToken(agent: Agent, url: string): Promise<string> {
  const res = await agent.get(url);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token on ${url} (status ${res.status})`);
  return match[1];
}

/** POSTs a form the way a browser would: token from the page first. */
export async function submit(agent: Agent, page: string, action: string, fields: Record<string, string>) {
  const _csrf = await csrfToken(agent, page);
  return agent.post(action).type('form').send({ _csrf, ...fields });
}

/**
 * Logs in as `role`, making the account if needed as a database migrated from before teams would have it (issue
 * 17): an organiser is an administrator, a facilitator is on the team of every panel there is now.
 */
export async function logIn(db: Db, clock: ManualClock, agent: Agent, role: Role, email = `${role}@example.org`) {
  if (!db.prepare('SELECT 1 FROM users WHERE email = ?').get(email)) {
    const user = createUser(db, clock, { email, name: `Test ${role}`, role, admin: role === 'organiser', password: PASSWORD });
    for (const panelId of db.prepare('SELECT id FROM panels').pluck().all() as number[]) addToTeam(db, panelId, user.id, clock.now());
  }
  const res = await submit(agent, '/login', '/login', { email, password: PASSWORD });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return agent;
}

/**
 * The contents of every table but sessions and /readyz's probe, as one comparable value each: a bad request must change none. The
 * audit trail's records of access (sign-ins let in or refused, views and downloads of personal data, reading the
 * trail) are left out: a page read or a refused sign-in writes one by design (issue 20), and changes nothing else.
 */
export function snapshot(db: Db): Record<string, string> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sessions', 'health_probe') ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const kept = (t: string) => (row: unknown) => t !== 'audit_log' || !isAccessRecord((row as { action: string }).action);
  return Object.fromEntries(
    tables.map((t) => {
      const rows = db.prepare(`SELECT * FROM ${t}`).all().filter(kept(t)).map((r) => JSON.stringify(r)).sort();
      return [t, `${rows.length} rows, digest ${crypto.createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`];
    }),
  );
}

/** A small open panel with two categories, for tests that do not need the whole demo. */
export function smallPanel(db: Db, clock: ManualClock) {
  const now = clock.now();
  const panelId = insertPanel(
    db,
    { slug: 'test-panel', title: 'Test Panel', question: 'What next?', panelSize: 10, closesAt: now + 30 * 86400_000, quotaTolerance: 1 },
    now,
  );
  const values = (list: [string, number][]) => list.map(([value, share]) => ({ value, label: value, share }));
  insertCategory(db, panelId, { key: 'gender', label: 'Gender', question: 'Your gender?', values: values([['Woman', 50], ['Man', 50]]) });
  insertCategory(db, panelId, { key: 'age', label: 'Age band', question: 'Your age band?', values: values([['16-39', 45], ['40-64', 35], ['65+', 20]]) });
  openPanel(db, panelId, now);
  return { panelId, slug: 'test-panel' };
}

/**
 * Members on a panel as a final draw and their yes would leave them (no real draw runs): for room tests. Only
 * confirmed members are in a session (room/create.ts); `status: 'selected'` leaves them as just drawn.
 */
export function seatMembers(db: Db, panelId: number, publicIds: string[], now: number, status: 'confirmed' | 'selected' = 'confirmed'): void {
  const drawId = insertDraw(db, { panelId, kind: 'final', algorithm: 'leximin', seed: 'test', panelSize: publicIds.length, poolCsv: '', quotasCsv: '' }, null, now);
  addMembers(db, panelId, drawId, publicIds, status);
}

/** Every registrant's name, email, phone, address and postcode that appears in any of `texts`: public pages must give none. */
export function personalDataIn(db: Db, texts: string[]): string[] {
  const people = db.prepare('SELECT name, email, phone, address, postcode FROM registrants').all() as Record<string, string | null>[];
  const values = new Set(people.flatMap((p) => Object.values(p).filter((v): v is string => typeof v === 'string' && v.trim().length >= 5)));
  const all = texts.join('\n');
  return [...values].filter((v) => all.includes(v));
}

/** A session's room as the database file holds it, read afresh (not from the app's cache). */
export function storedRoom(db: Db, sessionId: number): RoomState {
  const state = new RoomRepo(db).state(sessionId);
  if (!state) throw new Error(`there is no session ${sessionId}`);
  return state;
}
