import crypto from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../src/app';
import { createUser, type Role } from '../src/auth/users';
import { ManualClock } from '../src/clock';
import { testConfig } from '../src/config';
import { openDb, type Db } from '../src/db';
import { seedDemo } from '../src/demo/seed';

export type Agent = TestAgent;

export const PASSWORD = 'correct horse battery staple';

/** A fresh app on an in-memory database, with a clock that moves only when told. */
export function makeApp(options: { demo?: boolean } = {}) {
  const db = openDb(':memory:');
  const clock = new ManualClock();
  const ctx = { db, clock, config: testConfig() };
  const demo = options.demo ? seedDemo(ctx) : undefined;
  const { app, server, io } = createApp({ ...ctx, log: () => {} });
  return { app, server, io, db, clock, ctx, demo, agent: () => request.agent(app) };
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

export async function logIn(db: Db, clock: ManualClock, agent: Agent, role: Role, email = `${role}@example.org`) {
  if (!db.prepare('SELECT 1 FROM users WHERE email = ?').get(email)) {
    createUser(db, clock, { email, name: `Test ${role}`, role, password: PASSWORD });
  }
  const res = await submit(agent, '/login', '/login', { email, password: PASSWORD });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return agent;
}

/** The contents of the tables a bad request must not touch (sessions aside), as one comparable value per table. */
export function snapshot(db: Db): Record<string, string> {
  const tables = ['panels', 'categories', 'category_values', 'registrants', 'registrant_values', 'users', 'audit_log', 'meta'];
  return Object.fromEntries(
    tables.map((t) => {
      const rows = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
      return [t, `${rows.length} rows, digest ${crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`];
    }),
  );
}

/** A small panel with two categories, for tests that do not need the whole demo. */
export function smallPanel(db: Db, clock: ManualClock) {
  const now = clock.now();
  const panelId = Number(
    db
      .prepare(`INSERT INTO panels (slug, title, question, panel_size, closes_at, quota_tolerance, created_at)
                VALUES ('test-panel', 'Test Panel', 'What next?', 10, ?, 1, ?)`)
      .run(now + 30 * 86400_000, now).lastInsertRowid,
  );
  const addCategory = (key: string, label: string, values: [string, number][], position: number) => {
    const id = Number(db.prepare('INSERT INTO categories (panel_id, key, label, question, position) VALUES (?, ?, ?, ?, ?)').run(panelId, key, label, `Your ${label.toLowerCase()}?`, position).lastInsertRowid);
    values.forEach(([v, share], i) =>
      db.prepare('INSERT INTO category_values (category_id, value, label, share, position) VALUES (?, ?, ?, ?, ?)').run(id, v, v, share, i),
    );
  };
  addCategory('gender', 'Gender', [['Woman', 50], ['Man', 50]], 1);
  addCategory('age', 'Age band', [['16-39', 45], ['40-64', 35], ['65+', 20]], 2);
  return { panelId, slug: 'test-panel' };
}
