import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { createSession as logInAs } from '../../src/auth/sessions';
import { TwoFactor } from '../../src/auth/two-factor';
import { createUser, findUser, setPassword } from '../../src/auth/users';
import { findMessage, withLink } from '../../src/messages/outbox';
import { makeApp, PASSWORD, snapshot } from '../helpers';

/**
 * Issue 22, "Forgotten your password?", as an attacker would try it: find out which addresses have accounts, use a
 * link twice or late, use one person's link on another, and guess links or flood someone's inbox at speed.
 */
const CSRF = 'test-csrf-token';
const NEW_PASSWORD = 'a passphrase of my own';

function harness() {
  // Behind a proxy, so each test can come from an address of its own (X-Forwarded-For).
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org', TRUST_PROXY: true } });
  const send = (path: string, body?: Record<string, string>, from = '203.0.113.1', session = '') => {
    const cookie = `cp_csrf=${CSRF}${session && `; cp_session=${session}`}`;
    const req = body ? request(t.app).post(path).type('form').send({ _csrf: CSRF, ...body }) : request(t.app).get(path);
    return req.set('Cookie', cookie).set('X-Forwarded-For', from).redirects(0);
  };
  const forgot = (email: string, from?: string) => send('/password/forgot', { email }, from);
  /** The path of the newest reset link emailed to `to`, as the message carries it. */
  const linkFor = (to: string) => {
    const id = t.db.prepare("SELECT id FROM messages WHERE kind = 'password-reset' AND to_address = ? ORDER BY id DESC").pluck().get(to) as number;
    return /https:\/\/panel\.example\.org(\/password\/reset\/[\w-]{43})/.exec(withLink(t.ctx, findMessage(t.db, id)!).text)?.[1] ?? '';
  };
  const choose = (link: string, password = NEW_PASSWORD, from?: string, session?: string) => send(link, { password, confirm: password }, from, session);
  const logIn = (email: string, password: string) => send('/login', { email, password });
  return { t, send, forgot, linkFor, choose, logIn };
}

test('the forgot form answers the same for an address with an account and one without, and tells the trail no address', async () => {
  const h = harness();
  const fran = createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  const known = await h.forgot('fran@example.org');
  const unknown = await h.forgot('nobody@example.org');
  expect(known.status).toBe(200);
  expect([unknown.status, unknown.text.replace('nobody@example.org', 'fran@example.org')]).toEqual([known.status, known.text]);
  expect(known.text).toContain('If there is an account for fran@example.org, we have emailed it a link');
  // Only the account is written to; the trail has a request for each, naming the account or no one.
  expect(h.t.db.prepare('SELECT to_address FROM messages').pluck().all()).toEqual(['fran@example.org']);
  const trail = h.t.db.prepare("SELECT user_id AS userId, subject, detail FROM audit_log WHERE action = 'password.reset-requested' ORDER BY id").all();
  expect(trail).toEqual([{ userId: fran.id, subject: null, detail: '{}' }, { userId: null, subject: null, detail: '{}' }]);
  expect(JSON.stringify(h.t.db.prepare('SELECT * FROM audit_log').all())).not.toContain('nobody@example.org');
  // An address typed in capitals is the same account.
  expect((await h.forgot('FRAN@example.org', '203.0.113.2')).status).toBe(200);
  expect(h.t.db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(2);
});

test('a link works once: the new password signs in, every session ends, the must-change flag goes, and the link is refused after', async () => {
  const h = harness();
  const fran = createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  setPassword(h.t.db, fran.id, 'one an administrator chose', true);
  const laptop = logInAs(h.t.db, h.t.clock, fran.id);
  await h.forgot('fran@example.org');
  const link = h.linkFor('fran@example.org');
  // The database keeps the link's hash, never the link.
  expect(h.t.db.serialize().toString('latin1')).not.toContain(link.slice('/password/reset/'.length));

  const page = await h.send(link);
  expect(page.status).toBe(200);
  expect(page.text).toContain('For the account fran@example.org');
  const short = await h.choose(link, 'too short');
  expect(short.status).toBe(400);
  expect(short.text).toContain('Password must be at least 12 characters.');
  const chosen = await h.choose(link);
  expect([chosen.status, chosen.headers.location]).toEqual([303, '/login?password=set']);
  expect(h.t.db.prepare('SELECT COUNT(*) FROM sessions WHERE user_id = ?').pluck().get(fran.id)).toBe(0);
  expect((await h.send('/admin', undefined, undefined, laptop)).status).toBe(302); // signed out
  expect(findUser(h.t.db, fran.id)?.mustChangePassword).toBe(false);
  expect((await h.logIn('fran@example.org', NEW_PASSWORD)).headers.location).toBe('/admin');
  expect(h.t.db.prepare("SELECT user_id FROM audit_log WHERE action = 'password.reset-by-email'").pluck().all()).toEqual([fran.id]);

  // Used: it says so, and what to do, and changes nothing.
  const before = snapshot(h.t.db);
  for (const again of [await h.send(link), await h.choose(link, 'the attacker’s own password')]) {
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has been used already');
    expect(again.text).toContain('Forgotten your password?');
  }
  expect(snapshot(h.t.db)).toEqual(before);
  expect((await h.logIn('fran@example.org', NEW_PASSWORD)).status).toBe(303);
});

test('a link expires after 30 minutes of the injected clock; a newer password makes older links stop working', async () => {
  const h = harness();
  createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  await h.forgot('fran@example.org');
  const first = h.linkFor('fran@example.org');
  h.t.clock.advance(30 * 60_000 - 1);
  expect((await h.send(first)).status).toBe(200);
  h.t.clock.advance(1);
  const late = await h.choose(first);
  expect(late.status).toBe(410);
  expect(late.text).toContain('This link has expired: it worked for 30 minutes.');
  expect((await h.logIn('fran@example.org', NEW_PASSWORD)).status).toBe(401);

  // Two links asked for; the second is used; the first, still in time, no longer works.
  await h.forgot('fran@example.org');
  const older = h.linkFor('fran@example.org');
  await h.forgot('fran@example.org');
  const newer = h.linkFor('fran@example.org');
  expect(newer).not.toBe(older);
  expect((await h.choose(newer)).status).toBe(303);
  const replaced = await h.send(older);
  expect(replaced.status).toBe(404);
  expect(replaced.text).toContain('a newer password has replaced it');
});

test("one person's link changes only that person's password, whoever opens it; a reset link is not a set-up link", async () => {
  const h = harness();
  const ada = createUser(h.t.db, h.t.clock, { email: 'ada@example.org', name: 'Ada', role: 'organiser', password: PASSWORD });
  const bo = createUser(h.t.db, h.t.clock, { email: 'bo@example.org', name: 'Bo', role: 'organiser', password: PASSWORD });
  const bosSession = logInAs(h.t.db, h.t.clock, bo.id);
  await h.forgot('ada@example.org');
  const adas = h.linkFor('ada@example.org');
  expect((await h.send(adas.replace('/password/reset/', '/account/setup/'))).status).toBe(404);
  // Bo, signed in, uses Ada's link: it is Ada's password that changes, and Bo stays as Bo, signed in.
  expect((await h.choose(adas, NEW_PASSWORD, undefined, bosSession)).status).toBe(303);
  expect((await h.logIn('bo@example.org', NEW_PASSWORD)).status).toBe(401);
  expect((await h.logIn('bo@example.org', PASSWORD)).status).toBe(303);
  expect((await h.logIn('ada@example.org', NEW_PASSWORD)).status).toBe(303);
  expect((await h.send('/admin', undefined, undefined, bosSession)).status).toBe(200);
  expect(h.t.db.prepare("SELECT user_id FROM audit_log WHERE action = 'password.reset-by-email'").pluck().all()).toEqual([ada.id]);
});

test('two-factor is still asked at the next sign-in after a reset by email', async () => {
  const h = harness();
  const fran = createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
  const factor = new TwoFactor(h.t.ctx);
  const { secret } = factor.pending(fran);
  const code = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: h.t.clock.now() });
  expect(factor.enable(fran, code)).toHaveLength(10);
  await h.forgot('fran@example.org');
  const chosen = await h.choose(h.linkFor('fran@example.org'));
  expect(String(chosen.headers['set-cookie'] ?? '')).not.toContain('cp_session');
  const login = await h.logIn('fran@example.org', NEW_PASSWORD);
  expect(login.headers.location).toBe('/login/code');
  expect(String(login.headers['set-cookie'])).not.toContain('cp_session');
  expect(factor.enabled(fran.id)).toBe(true);
});

describe('at speed', () => {
  test('guessing links: after 50 wrong ones from an address, every link is refused from it for a while, the right one too', async () => {
    const h = harness();
    createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
    await h.forgot('fran@example.org');
    const link = h.linkFor('fran@example.org');
    const guesser = '198.51.100.7';
    for (let i = 0; i < 50; i++) expect((await h.send(`/password/reset/guess-${i}`, undefined, guesser)).status).toBe(404);
    const refused = await h.send(link, undefined, guesser);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many wrong links from here. Wait 15 minutes');
    expect((await h.choose(link, NEW_PASSWORD, guesser)).status).toBe(429);
    expect((await h.send(link)).status).toBe(200); // from elsewhere, Fran's own link still works
    h.t.clock.advance(15 * 60_000);
    expect((await h.send(link, undefined, guesser)).status).toBe(200);
  });

  test('the forgot form: 3 requests an address and 20 an internet address in 15 minutes, then a refusal that sends nothing', async () => {
    const h = harness();
    createUser(h.t.db, h.t.clock, { email: 'fran@example.org', name: 'Fran', role: 'facilitator', password: PASSWORD });
    const sent = () => h.t.db.prepare('SELECT COUNT(*) FROM messages').pluck().get();
    // One address from many places (flooding someone's inbox): the same for an address with no account.
    for (const email of ['fran@example.org', 'nobody@example.org']) {
      for (let i = 0; i < 3; i++) expect((await h.forgot(email, `192.0.2.${i}`)).status).toBe(200);
      const fourth = await h.forgot(email, '192.0.2.99');
      expect(fourth.status).toBe(429);
      expect(fourth.text).toContain('Too many requests for a new password, from here or for this address.');
    }
    expect(sent()).toBe(3);
    // Many addresses from one place (looking for accounts, or a flood).
    for (let i = 0; i < 20; i++) expect((await h.forgot(`person${i}@example.org`, '198.51.100.9')).status).toBe(200);
    const before = snapshot(h.t.db);
    expect((await h.forgot('person20@example.org', '198.51.100.9')).status).toBe(429);
    expect(snapshot(h.t.db)).toEqual(before);
    h.t.clock.advance(15 * 60_000);
    expect((await h.forgot('fran@example.org', '198.51.100.9')).status).toBe(200);
    expect(sent()).toBe(4);
  });
});
