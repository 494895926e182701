import request from 'supertest';
import { createApp } from '../../src/app';
import { createUser } from '../../src/auth/users';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { SESSION_HOURS } from '../../src/auth/sessions';
import { csrfToken, logIn, makeApp, PASSWORD, submit } from '../helpers';

describe('logging in', () => {
  test('an organiser logs in, reaches the admin pages, and logs out', async () => {
    const { agent, db, clock } = makeApp();
    createUser(db, clock, { email: 'org@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
    const a = agent();
    const res = await submit(a, '/login', '/login', { email: 'ORG@example.org ', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/cp_session=[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await a.get('/admin')).text).toContain('Log out Olu');

    const token = await csrfToken(a, '/admin');
    expect((await a.post('/logout').type('form').send({ _csrf: token })).status).toBe(303);
    const after = await a.get('/admin');
    expect(after.status).toBe(302);
    expect(after.headers.location).toBe('/login?next=%2Fadmin');
  });

  test('the session token is stored only as a hash', async () => {
    const { agent, db, clock } = makeApp();
    const res = await logIn(db, clock, agent(), 'organiser').then((a) => a.get('/admin'));
    expect(res.status).toBe(200);
    const row = db.prepare('SELECT token_hash FROM sessions').get() as { token_hash: string };
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a wrong password is refused with a message and no session', async () => {
    const { agent, db, clock } = makeApp();
    createUser(db, clock, { email: 'org@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
    const res = await submit(agent(), '/login', '/login', { email: 'org@example.org', password: 'nope nope nope' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('do not match an account');
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  test('an empty form names the missing fields', async () => {
    const { agent } = makeApp();
    const res = await submit(agent(), '/login', '/login', { email: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Email is required.');
    expect(res.text).toContain('Password is required.');
  });

  test('login is rate-limited per account, and the limit lifts after the window', async () => {
    const { agent, db, clock } = makeApp();
    createUser(db, clock, { email: 'org@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
    const a = agent();
    for (let i = 0; i < 10; i++) {
      expect((await submit(a, '/login', '/login', { email: 'org@example.org', password: 'wrong wrong' })).status).toBe(401);
    }
    const blocked = await submit(a, '/login', '/login', { email: 'org@example.org', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/Wait \d+ minutes?, then try again/);
    clock.advance(16 * 60_000);
    expect((await submit(a, '/login', '/login', { email: 'org@example.org', password: PASSWORD })).status).toBe(303);
  });

  test('sessions expire', async () => {
    const { agent, db, clock } = makeApp();
    const a = await logIn(db, clock, agent(), 'organiser');
    expect((await a.get('/admin')).status).toBe(200);
    clock.advance(SESSION_HOURS * 3600_000 + 1);
    expect((await a.get('/admin')).status).toBe(302);
  });

  test('a login link cannot redirect to another site', async () => {
    const { agent, db, clock } = makeApp();
    createUser(db, clock, { email: 'org@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
    const res = await submit(agent(), '/login', '/login', { email: 'org@example.org', password: PASSWORD, next: '//evil.example/x' });
    expect(res.headers.location).toBe('/admin');
  });
});

describe('CSRF protection', () => {
  test('a form posted without the token is refused and changes nothing', async () => {
    const { agent, db, clock } = makeApp();
    const a = await logIn(db, clock, agent(), 'organiser');
    const res = await a.post('/admin/panels').type('form').send({ title: 'X', question: 'Y?', panelSize: '10', closesAt: '2027-01-01' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('reload the page and try again');
    expect(db.prepare('SELECT COUNT(*) AS n FROM panels').get()).toEqual({ n: 0 });
  });

  test('a token from another browser is refused', async () => {
    const { agent, db, clock } = makeApp();
    const a = await logIn(db, clock, agent(), 'organiser');
    const otherToken = await csrfToken(agent(), '/login');
    const res = await a.post('/admin/panels').type('form').send({ _csrf: otherToken, title: 'X', question: 'Y?', panelSize: '10', closesAt: '2027-01-01' });
    expect(res.status).toBe(403);
  });
});

describe('roles', () => {
  test('a facilitator sees the panel list but not the organiser pages', async () => {
    const { agent, db, clock } = makeApp({ demo: true });
    const a = await logIn(db, clock, agent(), 'facilitator');
    const list = await a.get('/admin');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Coventry Cultural Strategy');
    for (const url of ['/admin/panels/new', '/admin/panels/1', '/admin/panels/1/pool', '/admin/panels/1/quotas', '/admin/panels/1/pool.csv']) {
      const res = await a.get(url);
      expect([url, res.status]).toEqual([url, 403]);
      expect(res.text).not.toContain('example.org');
    }
  });

  test('anonymous visitors are sent to the login page', async () => {
    const { agent } = makeApp({ demo: true });
    const res = await agent().get('/admin/panels/1/pool.csv');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fpanels%2F1%2Fpool.csv');
  });
});

describe('the login cookie', () => {
  test('a session id planted before login is ended at login, and the new one differs', async () => {
    const { agent, db, clock } = makeApp();
    const a = await logIn(db, clock, agent(), 'organiser');
    const first = db.prepare('SELECT token_hash FROM sessions').pluck().all();
    const again = await submit(a, '/login', '/login', { email: 'organiser@example.org', password: PASSWORD });
    expect(again.status).toBe(303);
    const second = db.prepare('SELECT token_hash FROM sessions').pluck().all();
    expect(second).toHaveLength(1); // the session the browser arrived with is gone
    expect(second).not.toEqual(first);
  });

  test('behind TLS (SECURE_COOKIES=true) the cookies are Secure', async () => {
    const db = openDb(':memory:');
    const clock = new ManualClock();
    const { app } = createApp({ db, clock, config: testConfig({ SECURE_COOKIES: true }), log: () => {} });
    createUser(db, clock, { email: 'org@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
    // A browser sends Secure cookies back over TLS only, so this test hands the CSRF cookie back itself.
    const page = await request(app).get('/login');
    const csrf = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('cp_csrf=')) ?? '';
    expect(csrf).toMatch(/; Secure/i);
    const token = /^cp_csrf=([^;]+)/.exec(csrf)?.[1] ?? '';
    const res = await request(app).post('/login').set('Cookie', `cp_csrf=${token}`).type('form').send({ _csrf: token, email: 'org@example.org', password: PASSWORD });
    expect(res.status).toBe(303);
    const session = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('cp_session='));
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; SameSite=Lax/i);
  });
});
