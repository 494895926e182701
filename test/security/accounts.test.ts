import request from 'supertest';
import { createSession as logInAs } from '../../src/auth/sessions';
import { createUser } from '../../src/auth/users';
import { PASSWORD, snapshot } from '../helpers';
import { makeApp } from '../helpers';

/**
 * Issue 17, "accounts a council's IT would accept": a person sees where they are signed in and ends any of it;
 * changing a password signs out everywhere else; an administrator's reset ends every session and forces a new
 * password before anything else.
 */
const t = makeApp();
const CSRF = 'test-csrf-token';
const admin = createUser(t.db, t.clock, { email: 'admin@example.org', name: 'Ada', role: 'organiser', admin: true, password: PASSWORD }).id;
const fran = createUser(t.db, t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD }).id;

const as = (token: string) => ({
  get: (path: string) => request(t.app).get(path).set('Cookie', `cp_csrf=${CSRF}; cp_session=${token}`).redirects(0),
  post: (path: string, body: Record<string, string> = {}) => request(t.app).post(path).set('Cookie', `cp_csrf=${CSRF}; cp_session=${token}`).type('form').send({ _csrf: CSRF, ...body }).redirects(0),
});
const signedIn = async (token: string) => (await as(token).get('/admin')).status === 200;
const logIn = (email: string, password: string) =>
  request(t.app).post('/login').set('Cookie', `cp_csrf=${CSRF}`).set('User-Agent', 'Test browser on a laptop').type('form').send({ _csrf: CSRF, email, password }).redirects(0);
const tokenOf = (res: request.Response) => /cp_session=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';

test('a person sees the browsers they are signed in on, and signs one out', async () => {
  const laptop = tokenOf(await logIn('fran@example.org', PASSWORD));
  const phone = logInAs(t.db, t.clock, fran);
  const page = await as(laptop).get('/account');
  expect(page.status).toBe(200);
  expect(page.text).toContain('Test browser on a laptop <strong>(this one)</strong>');
  const ids = [...page.text.matchAll(/\/account\/sessions\/(\d+)\/end/g)].map((m) => m[1]);
  expect(ids).toHaveLength(1); // the other one; this one has no button
  expect((await as(laptop).post(`/account/sessions/${ids[0]}/end`)).status).toBe(303);
  expect([await signedIn(laptop), await signedIn(phone)]).toEqual([true, false]);
  // Someone else's session is not theirs to end.
  const adminToken = logInAs(t.db, t.clock, admin);
  const adminId = t.db.prepare('SELECT rowid FROM sessions WHERE user_id = ?').pluck().get(admin) as number;
  expect((await as(laptop).post(`/account/sessions/${adminId}/end`)).status).toBe(404);
  expect(await signedIn(adminToken)).toBe(true);
});

test('changing a password needs the current one, and signs out every other browser', async () => {
  const here = logInAs(t.db, t.clock, fran);
  const there = logInAs(t.db, t.clock, fran);
  const before = snapshot(t.db);
  const wrong = await as(here).post('/account/password', { current: 'not it at all', password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
  expect(wrong.status).toBe(400);
  expect(wrong.text).toContain('That is not your current password');
  const mismatch = await as(here).post('/account/password', { current: PASSWORD, password: 'a brand new passphrase', confirm: 'a brand new passphrase!' });
  expect(mismatch.text).toContain('are not the same');
  expect(snapshot(t.db)).toEqual(before);
  expect((await as(here).post('/account/password', { current: PASSWORD, password: 'a brand new passphrase', confirm: 'a brand new passphrase' })).status).toBe(303);
  expect([await signedIn(here), await signedIn(there)]).toEqual([true, false]);
  expect((await logIn('fran@example.org', 'a brand new passphrase')).status).toBe(303);
});

test("an administrator's reset ends every session, and the new password must be changed before anything else", async () => {
  const before = logInAs(t.db, t.clock, fran);
  const reset = await as(logInAs(t.db, t.clock, admin)).post(`/admin/people/${fran}/reset`);
  expect(reset.status).toBe(200);
  const temporary = /password, shown once: <code>([^<]+)<\/code>/.exec(reset.text)?.[1] ?? '';
  expect(temporary).toHaveLength(18);
  expect(await signedIn(before)).toBe(false);
  const login = await logIn('fran@example.org', temporary);
  expect(login.headers.location).toBe('/account');
  const fresh = tokenOf(login);
  expect((await as(fresh).get('/admin')).headers.location).toBe('/account');
  expect((await as(fresh).post('/admin/sessions', { panelId: '1', agenda: '{}' })).status).toBe(403);
  expect((await as(fresh).get('/account')).text).toContain('An administrator reset your password');
  expect((await as(fresh).post('/account/password', { current: temporary, password: 'my own passphrase now', confirm: 'my own passphrase now' })).status).toBe(303);
  expect(await signedIn(fresh)).toBe(true);
  // Only administrators reset passwords.
  expect((await as(fresh).post(`/admin/people/${admin}/reset`)).status).toBe(403);
});
