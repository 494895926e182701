import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { createApp } from '../../src/app';
import { audit } from '../../src/audit';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { readCsv } from '../../src/csv';
import { closeDb, openDb } from '../../src/db';
import { addMembers } from '../../src/membership/members';
import { insertPanel, openPanel } from '../../src/panels/repo';
import { finishDraw, insertDraw } from '../../src/selection/repo';
import { type Agent, csrfToken, PASSWORD, personalDataIn, smallPanel, submit } from '../helpers';

/**
 * Issue 20, "An audit trail an auditor can use", through the real app on a real SQLite file: sign-ins let in and
 * refused, every view and download of residents' data, and the trail's own page (filters, pages, CSV) for the
 * panel's organisers and, for the whole installation, administrators. Nothing in the trail names a resident.
 */

const DAY = 86_400_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-audit-trail-'));
const db = openDb(path.join(dir, 'audit.db'));
const clock = new ManualClock();
const made = createApp({ db, clock, config: testConfig(), log: () => {} });
const app = made.app;

const { panelId, slug } = smallPanel(db, clock);
const otherPanel = insertPanel(db, { slug: 'other-panel', title: 'Other Panel', question: 'Else?', panelSize: 10, closesAt: clock.now() + 30 * DAY, quotaTolerance: 1 }, clock.now());
openPanel(db, otherPanel, clock.now());
const person = (email: string, name: string, admin = false) => createUser(db, clock, { email, name, role: 'organiser', admin, password: PASSWORD });
const organiser = person('olive.organiser@example.org', 'Olive');
const other = person('otto.other@example.org', 'Otto');
const admin = person('ada.admin@example.org', 'Ada', true);
addToTeam(db, panelId, organiser.id, clock.now());
addToTeam(db, otherPanel, other.id, clock.now());

const RESIDENT = { name: 'Rosalind Quennell', email: 'rosalind.quennell@example.net', phone: '07700 900123', address: '17 Larkspur Row', postcode: 'CV2 9ZZ' };
const admins = `/admin/panels/${panelId}`;

interface Row {
  id: number;
  at: number;
  user_id: number | null;
  panel_id: number | null;
  action: string;
  subject: string | null;
  detail: string;
}
const rows = (): Row[] => db.prepare('SELECT * FROM audit_log ORDER BY id').all() as Row[];
const since = (id: number) => rows().filter((r) => r.id > id);
const lastId = () => (db.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_log').pluck().get() as number);
const latest = (action: string) => rows().filter((r) => r.action === action).at(-1);

function signIn(email: string, password = PASSWORD) {
  const agent = request.agent(app);
  return submit(agent, '/login', '/login', { email, password }).then((res) => ({ agent, res }));
}
async function signedIn(email: string): Promise<Agent> {
  const { agent, res } = await signIn(email);
  if (res.status !== 303) throw new Error(`could not sign in as ${email}: ${res.status}`);
  return agent;
}
/** How many entries a page of the trail lists. */
const listed = (html: string) => (html.match(/<tr><td>\d{4}-\d{2}-\d{2} /g) ?? []).length;

beforeAll(async () => {
  // A resident signs up on the public form, as anyone would.
  const browser = request.agent(app);
  const res = await submit(browser, `/register/${slug}`, `/register/${slug}`, { ...RESIDENT, q_gender: 'Woman', q_age: '65+', consent: 'yes' });
  if (res.status !== 303) throw new Error(`the resident could not register: ${res.status}`);
});

// The login limits (10 per address and email, 50 per address, in 15 minutes) start afresh for each test.
beforeEach(() => clock.advance(16 * 60_000));

afterAll(async () => {
  await made.io.close();
  closeDb(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sign-ins', () => {
  test('one let in, and one refused for a wrong password, each with the time, the account and no panel; signing out too', async () => {
    const before = lastId();
    const { agent, res } = await signIn(organiser.email);
    expect(res.status).toBe(303);
    expect(since(before)).toEqual([{ id: expect.any(Number), at: clock.now(), user_id: organiser.id, panel_id: null, action: 'login.success', subject: null, detail: '{"method":"password"}' }]);

    const wrong = await signIn(organiser.email, 'not the password at all');
    expect(wrong.res.status).toBe(401);
    expect(latest('login.failure')).toMatchObject({ at: clock.now(), user_id: organiser.id, panel_id: null, detail: '{"reason":"wrong-password"}' });

    const token = await csrfToken(agent, '/account');
    expect((await agent.post('/logout').type('form').send({ _csrf: token })).status).toBe(303);
    expect(latest('logout')).toMatchObject({ user_id: organiser.id, panel_id: null });
  });

  test('an email that is no account is refused and recorded with no account and nothing of what was typed', async () => {
    const before = lastId();
    const typed = 'someone.unknown@example.net';
    const { res } = await signIn(typed, 'a guess at a password');
    expect(res.status).toBe(401);
    expect(since(before)).toEqual([{ id: expect.any(Number), at: clock.now(), user_id: null, panel_id: null, action: 'login.failure', subject: null, detail: '{"reason":"no-such-account"}' }]);
    const everything = JSON.stringify(rows()).toLowerCase();
    for (const part of [typed, 'someone.unknown', 'a guess at a password']) expect(everything).not.toContain(part);
  });

  test('too many tries are refused as limited, against the account when the email is one', async () => {
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) status = (await signIn(other.email, `wrong ${i}`)).res.status;
    expect(status).toBe(429);
    expect(latest('login.failure')).toMatchObject({ user_id: other.id, panel_id: null, detail: '{"reason":"rate-limited"}' });
  });

  test('a wrong two-factor code is refused and recorded against the account; the right code lets in', async () => {
    const agent = await signedIn(admin.email);
    const setup = await agent.get('/account/two-factor');
    const secret = (/<code id="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.text)?.[1] ?? '').replace(/\s/g, '');
    const codeAt = (ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: ms });
    expect((await submit(agent, '/account/two-factor', '/account/two-factor', { code: codeAt(clock.now()) })).status).toBe(200);
    clock.advance(60_000);

    const browser = request.agent(app);
    const password = await submit(browser, '/login', '/login', { email: admin.email, password: PASSWORD });
    expect([password.status, password.headers.location]).toEqual([303, '/login/code']);
    // The password alone is not a sign-in: nothing is recorded until the code.
    expect(latest('login.success')?.at).toBeLessThan(clock.now());
    const wrong = await submit(browser, '/login/code', '/login/code', { code: codeAt(clock.now()) === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(latest('login.failure')).toMatchObject({ at: clock.now(), user_id: admin.id, panel_id: null, detail: '{"reason":"two-factor-failed"}' });
    const right = await submit(browser, '/login/code', '/login/code', { code: codeAt(clock.now()) });
    expect(right.status).toBe(303);
    expect(latest('login.success')).toMatchObject({ at: clock.now(), user_id: admin.id, panel_id: null, detail: '{"method":"two-factor"}' });
  });
});

describe("residents' data", () => {
  test('viewing the pool page is recorded with the organiser, the panel and how many people it showed', async () => {
    const agent = await signedIn(organiser.email);
    const before = lastId();
    const page = await agent.get(`${admins}/pool`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(RESIDENT.name);
    expect(since(before)).toEqual([{ id: expect.any(Number), at: clock.now(), user_id: organiser.id, panel_id: panelId, action: 'personal_data.view', subject: null, detail: '{"what":"pool","rows":1}' }]);
  });

  test('downloading pool.csv is recorded with the organiser, the panel and how many rows it held', async () => {
    const agent = await signedIn(organiser.email);
    const before = lastId();
    const file = await agent.get(`${admins}/pool.csv`);
    expect(file.status).toBe(200);
    expect(file.text).toContain(RESIDENT.email);
    expect(since(before)).toEqual([{ id: expect.any(Number), at: clock.now(), user_id: organiser.id, panel_id: panelId, action: 'personal_data.download', subject: null, detail: '{"what":"pool.csv","rows":1}' }]);
  });

  test('a search of the pool is recorded as a search, without what was searched for', async () => {
    const agent = await signedIn(organiser.email);
    const before = lastId();
    expect((await agent.get(`${admins}/pool`).query({ q: 'Quennell' })).text).toContain(RESIDENT.name);
    expect(since(before).map((r) => [r.action, r.detail])).toEqual([['personal_data.view', '{"what":"pool search","rows":1}']]);
    expect(JSON.stringify(rows())).not.toContain('Quennell');
  });
});

describe('the audit page', () => {
  // 120 entries over three days, 40 a day, and one whose subject a spreadsheet would run as a formula.
  const march = (d: number) => Date.parse(`2027-03-0${d}T12:00:00Z`);
  beforeAll(() => {
    for (let i = 0; i < 120; i++) {
      const at = march(1 + Math.floor(i / 40)) + (i % 40) * 60_000;
      audit(db, { now: () => at }, { userId: i % 3 === 0 ? organiser.id : null, panelId, action: 'test.batch', subject: `entry ${i}`, detail: { n: i } });
    }
    audit(db, { now: () => march(4) }, { userId: organiser.id, panelId, action: 'test.formula', subject: '=HYPERLINK("http://evil.example","click")' });
    audit(db, { now: () => march(4) }, { userId: other.id, panelId: otherPanel, action: 'test.elsewhere' });
  });

  test('filters by action, 50 to a page, newest first, with next and previous', async () => {
    const agent = await signedIn(organiser.email);
    const first = await agent.get(`${admins}/audit`).query({ action: 'test.batch' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('120 entries');
    expect(listed(first.text)).toBe(50);
    expect(first.text).toContain('Page 1 of 3');
    expect(first.text.indexOf('entry 119')).toBeLessThan(first.text.indexOf('entry 118'));
    expect(first.text).not.toContain('rel="prev"');
    const next = /href="([^"]+)" rel="next"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=') ?? '';
    expect(next).toBe(`${admins}/audit?action=test.batch&page=2`);
    const second = await agent.get(next);
    expect([listed(second.text), second.text.includes('rel="prev"'), second.text.includes('rel="next"')]).toEqual([50, true, true]);
    expect(second.text).toContain('entry 69');
    const third = await agent.get(`${admins}/audit`).query({ action: 'test.batch', page: '3' });
    expect([listed(third.text), third.text.includes('rel="next"')]).toEqual([20, false]);
    expect(third.text).toContain('entry 0<');
    // A prefix: "test" is both kinds of test entries on this panel, not the other panel's.
    expect((await agent.get(`${admins}/audit`).query({ action: 'test' })).text).toContain('121 entries');
  });

  test('filters by dates (whole days, UTC) and by who did it', async () => {
    const agent = await signedIn(organiser.email);
    const oneDay = await agent.get(`${admins}/audit`).query({ action: 'test.batch', from: '2027-03-02', to: '2027-03-02' });
    expect(oneDay.text).toContain('40 entries');
    expect(oneDay.text).toContain('entry 40<');
    expect(oneDay.text).not.toContain('entry 39<');
    expect((await agent.get(`${admins}/audit`).query({ action: 'test.batch', from: '2027-03-02' })).text).toContain('80 entries');
    expect((await agent.get(`${admins}/audit`).query({ action: 'test.batch', actor: String(organiser.id) })).text).toContain('40 entries');
    expect((await agent.get(`${admins}/audit`).query({ action: 'test.batch', actor: 'none' })).text).toContain('80 entries');
  });

  test('a filter it cannot read is refused beside its field, showing nothing', async () => {
    const agent = await signedIn(organiser.email);
    const bad = await agent.get(`${admins}/audit`).query({ action: "x' OR 1=1 --", from: '2027-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Action is the start of an action’s name');
    expect(bad.text).toContain('From must be a date, like 2026-11-23.');
    expect(listed(bad.text)).toBe(0);
    const backwards = await agent.get(`${admins}/audit`).query({ from: '2027-03-03', to: '2027-03-01' });
    expect([backwards.status, backwards.text.includes('To must be on or after From.')]).toEqual([400, true]);
  });

  test('the CSV export holds exactly the filtered entries, with formula cells made inert', async () => {
    const agent = await signedIn(organiser.email);
    const before = lastId();
    const file = await agent.get(`${admins}/audit.csv`).query({ action: 'test.batch', from: '2027-03-02', to: '2027-03-02' });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toContain(`${slug}-audit.csv`);
    const table = readCsv(file.text);
    expect(table.header).toEqual(['id', 'time', 'user_id', 'user', 'panel_id', 'panel', 'action', 'subject', 'detail']);
    expect(table.rows).toHaveLength(40);
    expect(new Set(table.rows.map((r) => r.cells.action))).toEqual(new Set(['test.batch']));
    expect(table.rows.every((r) => r.cells.time.startsWith('2027-03-02T'))).toBe(true);
    expect(table.rows.map((r) => r.cells.subject)).toEqual(Array.from({ length: 40 }, (_, i) => `entry ${79 - i}`));
    expect(table.rows.find((r) => r.cells.subject === 'entry 42')?.cells.user).toBe(organiser.email);
    expect(since(before)).toEqual([expect.objectContaining({ user_id: organiser.id, panel_id: panelId, action: 'audit.download', detail: JSON.stringify({ rows: 40, filter: { action: 'test.batch', from: '2027-03-02', to: '2027-03-02' } }) })]);

    const formula = await agent.get(`${admins}/audit.csv`).query({ action: 'test.formula' });
    expect(formula.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  test('reading the page is itself recorded, after the read', async () => {
    const agent = await signedIn(organiser.email);
    const before = lastId();
    const earlier = rows().filter((r) => r.action === 'audit.view' && r.panel_id === panelId).length;
    const page = await agent.get(`${admins}/audit`).query({ action: 'audit.view' });
    const recorded = since(before);
    expect(recorded).toEqual([expect.objectContaining({ at: clock.now(), user_id: organiser.id, panel_id: panelId, action: 'audit.view' })]);
    expect(JSON.parse(recorded[0].detail)).toEqual({ page: 1, rows: earlier, total: earlier, filter: { action: 'audit.view' } });
    expect(page.text).toContain(`${earlier} entries`);
  });

  test("another panel's organiser cannot see this panel's trail, nor a non-administrator the installation's", async () => {
    const intruder = await signedIn(other.email);
    const before = lastId();
    expect((await intruder.get(`${admins}/audit`)).status).toBe(403);
    expect((await intruder.get(`${admins}/audit.csv`)).status).toBe(403);
    expect((await intruder.get('/admin/audit')).status).toBe(403);
    expect((await (await signedIn(organiser.email)).get('/admin/audit.csv')).status).toBe(403);
    expect(since(before).map((r) => r.action)).toEqual(['login.success']); // the second sign-in; nothing read
    const anonymous = await request(app).get(`${admins}/audit`);
    expect([anonymous.status, anonymous.headers.location]).toEqual([302, `/login?next=${encodeURIComponent(`${admins}/audit`)}`]);
    // And this panel's page lists none of the other panel's entries.
    expect((await (await signedIn(organiser.email)).get(`${admins}/audit`).query({ action: 'test.elsewhere' })).text).toContain('0 entries');
  });

  test("the installation's page, for administrators, has every panel's entries and the sign-ins, which belong to none", async () => {
    // Two-factor is on for the administrator now (the sign-in test): a session made directly stands for both steps.
    const signedInAdmin = request.agent(app).set('Cookie', `cp_session=${logInAs(db, clock, admin.id)}`);
    const logins = await signedInAdmin.get('/admin/audit').query({ action: 'login', panel: 'none' });
    expect(logins.status).toBe(200);
    expect(logins.text).toContain('login.failure');
    expect(logins.text).toContain('no account'); // the unknown email's refusal
    expect(logins.text).not.toContain('<code>test.batch</code>');
    const everywhere = await signedInAdmin.get('/admin/audit').query({ action: 'test' });
    expect(everywhere.text).toContain('122 entries');
    expect(everywhere.text).toContain('Other Panel');
    const file = readCsv((await signedInAdmin.get('/admin/audit.csv').query({ action: 'test.elsewhere' })).text);
    expect(file.rows.map((r) => [r.cells.panel_id, r.cells.panel, r.cells.user])).toEqual([[String(otherPanel), 'Other Panel', other.email]]);
    expect(latest('audit.download')).toMatchObject({ user_id: admin.id, panel_id: null });
  });
});

test("no audit entry, in any column, holds a resident's name, email, phone, address or postcode, through the whole journey", async () => {
  const agent = await signedIn(organiser.email);
  const publicId = db.prepare('SELECT public_id FROM registrants WHERE panel_id = ?').pluck().get(panelId) as string;
  const registrantId = db.prepare('SELECT id FROM registrants WHERE panel_id = ?').pluck().get(panelId) as number;
  // The resident is drawn (a final draw, made here rather than run), invited, and seen on every page that names them.
  const drawId = insertDraw(db, { panelId, kind: 'final', algorithm: 'leximin', seed: 'audit', panelSize: 1, poolCsv: '', quotasCsv: '' }, organiser.id, clock.now());
  finishDraw(db, drawId, clock.now(), { selected: [publicId], minProbability: 1, gini: 0, counts: [], chances: [1], poolSize: 1, types: 1, notes: [] }, null);
  addMembers(db, panelId, drawId, [publicId], 'selected');
  const before = lastId();

  const pages = [
    await agent.get(`${admins}/selection`),
    await submit(agent, `${admins}/selection`, `${admins}/invitations`, {}),
    await agent.get(`${admins}/draws/${drawId}`),
    await agent.get(`${admins}/pool`).query({ q: RESIDENT.email }),
    await agent.get(`${admins}/pool`).query({ q: RESIDENT.phone }),
    await agent.get(`${admins}/pool.csv`),
    await agent.get(`${admins}/registrants/${registrantId}/erase`),
    await agent.get(`${admins}/audit`),
    await agent.get(`${admins}/audit.csv`),
  ];
  expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200]);
  // Each of the first seven shows the resident by name or email: these are the views the trail must record.
  expect(pages.slice(0, 7).map((p) => p.text.includes(RESIDENT.name) || p.text.includes(RESIDENT.email))).toEqual(Array(7).fill(true));
  // A resident who types their own email at the login form.
  expect((await signIn(RESIDENT.email, 'my password?')).res.status).toBe(401);

  const views = since(before).filter((r) => r.action.startsWith('personal_data.')).map((r) => [r.action, JSON.parse(r.detail).what, r.subject, r.user_id, r.panel_id]);
  expect(views).toEqual(
    expect.arrayContaining([
      ['personal_data.view', 'members', null, organiser.id, panelId],
      ['personal_data.view', 'invitation links', null, organiser.id, panelId],
      ['personal_data.view', 'draw selected', null, organiser.id, panelId],
      ['personal_data.view', 'pool search', null, organiser.id, panelId],
      ['personal_data.download', 'pool.csv', null, organiser.id, panelId],
      ['personal_data.view', 'registrant', publicId, organiser.id, panelId],
    ]),
  );

  const everything = rows();
  const text = JSON.stringify(everything);
  expect(personalDataIn(db, [text])).toEqual([]);
  const lower = text.toLowerCase();
  for (const value of [...Object.values(RESIDENT), 'Rosalind', 'Quennell', 'rosalind.quennell', '07700900123', 'Larkspur']) expect(lower).not.toContain(value.toLowerCase());
  // Every column, one by one, as stored.
  for (const row of everything) for (const cell of Object.values(row)) if (typeof cell === 'string') expect(personalDataIn(db, [cell])).toEqual([]);
});
