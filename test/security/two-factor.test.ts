import type { IncomingMessage } from 'node:http';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { TwoFactor } from '../../src/auth/two-factor';
import { createUser, findUser, type User } from '../../src/auth/users';
import { keyStore } from '../../src/keys';
import { exampleAgenda } from '../../src/room/agenda';
import { authenticate } from '../../src/room/auth';
import { makeApp, PASSWORD, snapshot } from '../helpers';

/**
 * Issue 17, two-factor sign-in: set up with an authenticator app, a wrong code, a replayed code, recovery codes
 * used once, and an installation's requirement enforced; then, one step further, what someone with the password,
 * a sign-in cookie or a copy of the database can still do.
 */
const CSRF = 'test-csrf-token';

function harness(config: Parameters<typeof makeApp>[0] = {}) {
  const t = makeApp(config);
  const send = (path: string, cookies: string, body?: Record<string, string>) => {
    const cookie = `cp_csrf=${CSRF}; ${cookies}`;
    return body ? request(t.app).post(path).set('Cookie', cookie).type('form').send({ _csrf: CSRF, ...body }).redirects(0) : request(t.app).get(path).set('Cookie', cookie).redirects(0);
  };
  const cookieOf = (res: request.Response, name: string) => new RegExp(`${name}=([^;]+)`).exec(String(res.headers['set-cookie']))?.[1] ?? '';
  /** The password step: the sign-in cookie it sets (cp_login), or the session (cp_session) without two-factor. */
  const password = (email: string, pass = PASSWORD) => send('/login', '', { email, password: pass });
  const code = (login: string, value: string) => send('/login/code', `cp_login=${login}`, { code: value });
  return { t, send, cookieOf, password, code };
}

/** The app's code for a secret at a moment, as the person's phone shows it. */
const codeAt = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: ms });

test('the codes are RFC 6238 codes: the RFC’s SHA-1 test vectors, as 6-digit codes', () => {
  const secret = Secret.fromUTF8('12345678901234567890').base32;
  const vectors: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [seconds, eight] of vectors) expect(codeAt(secret, seconds * 1000)).toBe(eight.slice(2));
});

describe('setting it up and signing in with it', () => {
  const h = harness();
  const { t } = h;
  const fran = createUser(t.db, t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  const session = () => `cp_session=${logInAs(t.db, t.clock, fran.id)}`;
  let secret = '';
  let recovery: string[] = [];

  test('a wrong code sets nothing up; the right one turns it on, gives 10 recovery codes once, and signs out elsewhere', async () => {
    const elsewhere = session();
    const here = session();
    const page = await h.send('/account/two-factor', here);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<svg'); // the QR code
    secret = /<code id="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1] ?? '';
    expect(secret.replace(/\s/g, '')).toHaveLength(32);
    // Reloading the page keeps the same secret: the phone that scanned it still works.
    expect((await h.send('/account/two-factor', here)).text).toContain(secret);

    const before = snapshot(t.db);
    const wrong = await h.send('/account/two-factor', here, { code: String((Number(codeAt(secret, t.clock.now())) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That code is not right');
    expect(snapshot(t.db)).toEqual(before);

    const on = await h.send('/account/two-factor', here, { code: codeAt(secret, t.clock.now()) });
    expect(on.status).toBe(200);
    recovery = [...on.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    expect(new Set(recovery).size).toBe(10);
    expect((await h.send('/admin', elsewhere)).status).toBe(302); // signed out
    expect((await h.send('/admin', here)).status).toBe(200);
    expect((await h.send('/account/two-factor', here)).text).not.toContain(recovery[0]); // shown once
  });

  test('the password alone no longer signs in; the password and the code do', async () => {
    t.clock.advance(60_000);
    const step = await h.password('fran@example.org');
    expect(step.headers.location).toBe('/login/code');
    expect(h.cookieOf(step, 'cp_session')).toBe('');
    const login = h.cookieOf(step, 'cp_login');
    // The sign-in cookie is not a session: no page behind the login opens with it.
    expect((await h.send('/admin', `cp_login=${login}`)).status).toBe(302);
    const wrong = await h.code(login, '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right');
    const right = await h.code(login, codeAt(secret, t.clock.now()));
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/admin');
    expect((await h.send('/admin', `cp_session=${h.cookieOf(right, 'cp_session')}`)).status).toBe(200);
    // The sign-in is spent: its cookie cannot sign in again.
    expect((await h.code(login, codeAt(secret, t.clock.now() + 30_000))).status).toBe(401);
  });

  test('a code is good once: replayed, or an earlier one after a later, it is refused', async () => {
    const used = codeAt(secret, t.clock.now()); // accepted in the test above
    const again = await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), used);
    expect(again.status).toBe(401);
    expect(again.text).toContain('or it was used already');
    t.clock.advance(30_000);
    const earlier = codeAt(secret, t.clock.now() - 30_000); // the one before, still within the window
    const later = codeAt(secret, t.clock.now());
    expect((await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), later)).status).toBe(303);
    expect((await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), earlier)).status).toBe(401);
  });

  test('a recovery code signs in once, and says how many are left', async () => {
    const first = await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), recovery[0].toUpperCase().replace('-', ' '));
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/account/two-factor?recovered=1');
    const page = await h.send(first.headers.location, `cp_session=${h.cookieOf(first, 'cp_session')}`);
    expect(page.text).toContain('9 are left');
    expect((await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), recovery[0])).status).toBe(401);
  });

  test('a sign-in takes 5 wrong codes, then ends; an account takes 10, then waits, whatever new sign-ins are started', async () => {
    t.clock.advance(16 * 60_000);
    const login = h.cookieOf(await h.password('fran@example.org'), 'cp_login');
    for (let i = 0; i < 5; i++) expect((await h.code(login, '111111')).status).toBe(401);
    const ended = await h.code(login, codeAt(secret, t.clock.now()));
    expect(ended.status).toBe(401);
    expect(ended.text).toContain('Log in again with your password');
    for (let i = 0; i < 5; i++) await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), '222222');
    const waiting = await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), codeAt(secret, t.clock.now()));
    expect(waiting.status).toBe(429);
    expect(waiting.text).toContain('Too many wrong codes for this account');
  });

  test('someone with a copy of the database finds no secret in it, and no recovery code', () => {
    const dump = JSON.stringify(t.db.prepare('SELECT * FROM users').all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v)) + JSON.stringify(t.db.prepare('SELECT * FROM recovery_codes').all());
    expect(dump).not.toContain(secret.replace(/\s/g, ''));
    for (const code of recovery) expect(dump).not.toContain(code);
  });

  test('turning it off needs the password and a code; an administrator can reset it for a lost phone', async () => {
    t.clock.advance(16 * 60_000);
    const here = session();
    const before = snapshot(t.db);
    expect((await h.send('/account/two-factor/off', here, { password: 'not my password', code: codeAt(secret, t.clock.now()) })).status).toBe(400);
    expect(snapshot(t.db)).toEqual(before);
    const admin = createUser(t.db, t.clock, { email: 'admin@example.org', name: 'Ada', role: 'organiser', admin: true, password: PASSWORD });
    expect((await h.send(`/admin/people/${fran.id}/two-factor/reset`, here, {})).status).toBe(403); // only administrators
    const reset = await h.send(`/admin/people/${fran.id}/two-factor/reset`, `cp_session=${logInAs(t.db, t.clock, admin.id)}`, {});
    expect(reset.status).toBe(200);
    expect(reset.text).toContain('two-factor sign-in is reset');
    expect((await h.send('/admin', here)).status).toBe(302); // every session of theirs ended
    expect((await h.password('fran@example.org')).headers.location).toBe('/admin'); // the password alone again
    // The new phone is offered a new secret: the old one, and any copy of its QR code, is worthless.
    const offered = /<code id="secret">([A-Z2-7 ]+)<\/code>/.exec((await h.send('/account/two-factor', session())).text)?.[1];
    expect(offered).toBeDefined();
    expect(offered).not.toBe(secret);
  });
});

describe('an installation that requires it of organisers', () => {
  const h = harness({ config: { REQUIRE_TWO_FACTOR: 'organisers' } });
  const { t } = h;
  const olu = createUser(t.db, t.clock, { email: 'olu@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
  createUser(t.db, t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });

  test('an organiser without it can only set it up: pages send them there, forms are refused, the room is shut', async () => {
    const olus = `cp_session=${h.cookieOf(await h.password('olu@example.org'), 'cp_session')}`;
    const admin = await h.send('/admin', olus);
    expect(admin.status).toBe(303);
    expect(admin.headers.location).toBe('/account/two-factor');
    const before = snapshot(t.db);
    const refused = await h.send('/admin/panels', olus, { title: 'A panel', question: 'What?', panelSize: '10', closesAt: '2027-01-01', quotaTolerance: '1', slug: 'a-panel' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Set up two-factor sign-in first');
    expect(snapshot(t.db)).toEqual(before);
    expect((await h.send('/account/two-factor', olus)).text).toContain('requires two-factor sign-in for your account');
    // A facilitator is not required to.
    expect((await h.send('/admin', `cp_session=${h.cookieOf(await h.password('fran@example.org'), 'cp_session')}`)).status).toBe(200);
  });

  test('once set up it cannot be turned off here', async () => {
    const olus = `cp_session=${logInAs(t.db, t.clock, olu.id)}`;
    const secret = (/<code id="secret">([A-Z2-7 ]+)<\/code>/.exec((await h.send('/account/two-factor', olus)).text)?.[1] ?? '').replace(/\s/g, '');
    expect((await h.send('/account/two-factor', olus, { code: codeAt(secret, t.clock.now()) })).status).toBe(200);
    expect((await h.send('/admin', olus)).status).toBe(200);
    t.clock.advance(30_000);
    const off = await h.send('/account/two-factor/off', olus, { password: PASSWORD, code: codeAt(secret, t.clock.now()) });
    expect(off.status).toBe(409);
    expect(off.text).toContain('cannot be turned off');
  });
});

test('where it is required, the room refuses an organiser who has not set it up, and lets them in once they have', () => {
  const t = makeApp({ demo: true, config: { REQUIRE_TWO_FACTOR: 'organisers' } });
  const panelId = t.demo?.panelId ?? 0;
  const olu = createUser(t.db, t.clock, { email: 'olu@example.org', name: 'Olu', role: 'organiser', password: PASSWORD });
  addToTeam(t.db, panelId, olu.id, t.clock.now());
  const session = t.room.createSession(panelId, exampleAgenda(), [], null, t.clock.now());
  const handshake = () => authenticate(t.ctx, t.room, { session: String(session) }, { headers: { cookie: `cp_session=${logInAs(t.db, t.clock, olu.id)}` } } as IncomingMessage);
  expect(handshake()).toBe('Set up two-factor sign-in first, on your account page (this installation requires it for your account), then open the room again.');
  const factor = new TwoFactor(t.ctx);
  const user = findUser(t.db, olu.id) as User;
  expect(factor.enable(user, codeAt(factor.pending(user).secret, t.clock.now()))).toHaveLength(10);
  expect(handshake()).toEqual({ sessionId: session, actor: { role: 'facilitator', who: `user:${olu.id}` } });
  t.db.close();
});

test('with the key folder lost, a code cannot be checked: a clear refusal, nobody signed in, and a reset still works', async () => {
  const h = harness();
  const { t } = h;
  const fran = createUser(t.db, t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  const factor = new TwoFactor(t.ctx);
  const user = findUser(t.db, fran.id) as User;
  const { secret } = factor.pending(user);
  factor.enable(user, codeAt(secret, t.clock.now()));
  keyStore(t.db).drop('two-factor'); // as if the key folder had not been restored with the database
  t.clock.advance(30_000);
  const res = await h.code(h.cookieOf(await h.password('fran@example.org'), 'cp_login'), codeAt(secret, t.clock.now()));
  expect(res.status).toBe(503);
  expect(res.text).toContain('key folder');
  expect(h.cookieOf(res, 'cp_session')).toBe('');
  factor.disable(fran.id);
  expect((await h.password('fran@example.org')).headers.location).toBe('/admin');
});
