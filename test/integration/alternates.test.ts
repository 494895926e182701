import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { run } from '../../src/cli/run';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { MIN_GROUP } from '../../src/disclosure';
import { insertCategory, insertPanel, listCategories } from '../../src/panels/repo';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { addMembers, isSeated, listMembers } from '../../src/membership/members';
import { insertRegistrant } from '../../src/registration/repo';
import { type Commitment, findCommitment, findDraw, insertDraw } from '../../src/selection/repo';
import { drawInput } from '../../src/selection/runner';
import { ticketsOf } from '../../src/selection/tickets';
import { sha256 } from '../../src/tokens';
import { type Agent, logIn, PASSWORD, personalDataIn, smallPanel, snapshot, submit } from '../helpers';
import { measurePublicRecord } from '../security/public-record';

jest.setTimeout(180_000);

/**
 * Issue 23, alternates robust to dropout: the organiser sets a dropout table, commits to 4 alternates, and the final
 * draw ranks them with the panel; two members drop out and their seats go to the first alternates who keep every
 * quota; the public page shows the list, its simulated chance against a naive one's, and the command that re-makes
 * it. On a real SQLite file, through the app's own routes.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-alternates-'));
const db = openDb(path.join(dir, 'panel.db'));
const clock = new ManualClock();
const { app, runner } = createApp({ db, clock, config: testConfig(), log: () => {} });
const { panelId, slug } = smallPanel(db, clock);
const admin = `/admin/panels/${panelId}`;
const PSEUDONYM = /\bR-[0-9A-Z]{8}\b/;
const TABLE = 'category,value,percent\nall,,10\nage,16-39,25\n';
let organiser: Agent;

/** 90 residents over the small panel's two categories, a few pairs of them at one address. */
function register() {
  const [gender, age] = listCategories(db, panelId);
  for (let i = 0; i < 90; i++) {
    const shared = i >= 80 && i % 2 === 1;
    const valueIds = [gender.values[i % 2].id, age.values[(i * 7) % 3].id];
    const resident = { name: `Resident Number${i}`, email: `resident${i}@example.org`, address: `${shared ? i - 1 : i} Spon Street`, postcode: 'CV1 3BA' };
    insertRegistrant(db, panelId, { ...resident, valueIds, source: 'form', consentAt: clock.now() }, clock.now());
  }
}

const commitment = () => findCommitment(db, panelId) as Commitment;
const finalDraw = () => findDraw(db, panelId, commitment().drawId ?? 0);
const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

beforeAll(async () => {
  register();
  organiser = await logIn(db, clock, request.agent(app), 'organiser');
  expect((await submit(organiser, `${admin}/quotas`, `${admin}/quotas/compute`, { tolerance: '1' })).status).toBe(303);
  expect((await submit(organiser, admin, `${admin}/registration/close`, {})).status).toBe(303);
});

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a dropout table that names no category or value of the panel, or an impossible rate, is refused in words and changes nothing', async () => {
  const before = snapshot(db);
  const cases: [string, string][] = [
    ['category,value,percent\nincome,low,20\n', 'line 2, column "category": "income" is not one of the quotas\' categories (gender, age)'],
    ['category,value,percent\nage,16-30,20\n', '"age: 16-30" is not a value of this panel\'s category "age"'],
    ['category,value,percent\nage,65+,95\n', 'line 2, column "percent": "95" is not a percentage from 0 to 90'],
    ['category,value,percent\nall,,0\n', 'the base rate must be more than 0'],
    ['category,value,rate\nall,,10\n', 'the header must be category,value,percent'],
  ];
  for (const [table, message] of cases) {
    const res = await submit(organiser, `${admin}/selection`, `${admin}/selection/dropout`, { dropout: table });
    expect({ table, status: res.status }).toEqual({ table, status: 400 });
    expect(unescape(res.text)).toContain(message);
  }
  expect(snapshot(db)).toEqual(before);
  const page = (await organiser.get(`${admin}/selection`)).text;
  expect(page).toContain('category,value,percent\nall,,10\n</textarea>');
});

/** An earlier panel with the same categories: 40 drawn who answered, 8 of the 16 youngest and 2 of the rest gone. */
function earlierPanel(): number {
  const now = clock.now();
  const id = insertPanel(db, { slug: 'earlier-panel', title: 'Earlier Panel', question: 'What then?', panelSize: 40, closesAt: now, quotaTolerance: 1 }, now);
  const values = (list: string[]) => list.map((value) => ({ value, label: value, share: 1 }));
  insertCategory(db, id, { key: 'gender', label: 'Gender', question: 'Your gender?', values: values(['Woman', 'Man']) });
  insertCategory(db, id, { key: 'age', label: 'Age band', question: 'Your age band?', values: values(['16-39', '40-64', '65+']) });
  const [gender, age] = listCategories(db, id);
  const drawId = insertDraw(db, { panelId: id, kind: 'final', algorithm: 'leximin', seed: 'then', panelSize: 40, poolCsv: '', quotasCsv: '' }, null, now);
  for (let i = 0; i < 40; i++) {
    const young = i < 16;
    const valueIds = [gender.values[i % 2].id, age.values[young ? 0 : 1 + (i % 2)].id];
    const publicId = insertRegistrant(db, id, { name: `Earlier Resident${i}`, email: `earlier${i}@example.org`, address: `${i} Far Gosford Street`, postcode: 'CV1 5DZ', valueIds, source: 'form', consentAt: now }, now);
    addMembers(db, id, drawId, [publicId], 'confirmed');
    if ((young && i < 8) || i === 20 || i === 21) db.prepare("UPDATE members SET status = 'withdrawn' WHERE panel_id = ? AND registrant_id = (SELECT id FROM registrants WHERE public_id = ?)").run(id, publicId);
  }
  return id;
}

test('the table can be estimated from earlier panels the organiser works on, to check before saving; too little history says so', async () => {
  const alone = await submit(organiser, `${admin}/selection`, `${admin}/selection/dropout/history`, {});
  expect(alone.status).toBe(200);
  expect(alone.text).toContain('The earlier panels you work on hold 0 answers from people drawn: too few (at least 20) to estimate from.');
  earlierPanel();
  const before = snapshot(db);
  const res = await submit(organiser, `${admin}/selection`, `${admin}/selection/dropout/history`, {});
  expect(res.text).toContain('Estimated from 1 earlier panel: of the 40 people drawn who answered, 10 declined or withdrew.');
  // 25% overall; the youngest 8 of 16, shrunk towards 25% by 20 people's worth: (8 + 5) / 36.
  expect(res.text).toContain('category,value,percent\nall,,25\n');
  expect(res.text).toContain('age,16-39,36.11\n');
  expect(snapshot(db)).toEqual(before);
  // An organiser who does not work on the earlier panel learns nothing from it.
  const other = createUser(db, clock, { email: 'other-organiser@example.org', name: 'Other Organiser', role: 'organiser', admin: false, password: PASSWORD });
  addToTeam(db, panelId, other.id, clock.now());
  const stranger = await logIn(db, clock, request.agent(app), 'organiser', 'other-organiser@example.org');
  const theirs = await submit(stranger, `${admin}/selection`, `${admin}/selection/dropout/history`, {});
  expect(theirs.text).toContain('hold 0 answers from people drawn: too few');
});

test('the organiser saves a table, and commits to 4 alternates chosen for it: both are in the commitment’s text', async () => {
  expect((await submit(organiser, `${admin}/selection`, `${admin}/selection/dropout`, { dropout: TABLE })).status).toBe(303);
  expect((await organiser.get(`${admin}/selection`)).text).toContain(`${TABLE}</textarea>`);
  const fields = { algorithm: 'leximin', randomness: 'The main numbers of the Lotto draw on Saturday', confirm: 'yes' };
  const tooMany = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { ...fields, alternates: '11' });
  expect(tooMany.status).toBe(400);
  expect(tooMany.text).toContain('At most 10 alternates: as many as the panel has seats.');
  expect(findCommitment(db, panelId)).toBeUndefined();
  expect((await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { ...fields, alternates: '4' })).status).toBe(303);
  expect(commitment().alternates).toEqual({ count: 4, dropoutCsv: TABLE });
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  const text = unescape(/<pre class="wrap-anywhere" id="commitment-text">([^<]+)<\/pre>/.exec(page)?.[1] ?? '');
  expect(sha256(text)).toBe(commitment().hash);
  expect(JSON.parse(text)).toMatchObject({ alternates: 4, dropoutSha256: sha256(TABLE) });
  const dropout = await request(app).get(`/panels/${slug}/selection/dropout.csv`);
  expect(dropout.status).toBe(200);
  expect(dropout.text).toBe(TABLE);
  // Fixed now: the table cannot change.
  const before = snapshot(db);
  const late = await submit(organiser, `${admin}/selection`, `${admin}/selection/dropout`, { dropout: 'category,value,percent\nall,,30\n' });
  expect(late.status).toBe(409);
  expect(late.text).toContain('The commitment has fixed the dropout table');
  expect(snapshot(db)).toEqual(before);
});

test('the final draw ranks 4 alternates from the rest of the pool, simulated against a naive list, and shows them', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '3 11 19 27 35 48', confirm: 'yes' });
  expect(res.status).toBe(303);
  const drawId = Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]);
  await runner.settled(drawId);
  const outcome = finalDraw()?.outcome;
  const alternates = outcome?.alternates;
  expect(alternates?.list).toHaveLength(4);
  const { people } = drawInput(commitment().poolCsv, commitment().quotasCsv);
  const household = new Map(people.map((p) => [p.id, p.household]));
  const panelHouseholds = new Set(outcome?.selected.map((id) => household.get(id)).filter(Boolean));
  for (const id of alternates?.list ?? []) {
    expect(outcome?.selected).not.toContain(id);
    expect(panelHouseholds.has(household.get(id))).toBe(false);
  }
  expect(alternates?.keep).toBeGreaterThanOrEqual(alternates?.naiveKeep ?? 1);
  expect(alternates?.onList.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 3); // each chance is published to 6 places
  const page = (await organiser.get(`/admin/panels/${panelId}/draws/${drawId}`)).text;
  expect(page).toContain('id="alternates-chart"');
  expect(page).toContain('A naive list (people in a random order)');
  for (const id of alternates?.list ?? []) expect(page).toContain(`<li><code>${id}</code> waiting</li>`);
  const csv = (await organiser.get(`/admin/panels/${panelId}/draws/${drawId}/chances.csv`)).text.trim().split('\n');
  expect(csv[0]).toBe('id,chance,selected,alternate_chance,seated_from_list_chance');
});

test('two members drop out: their seats go to the first alternates who keep every quota, audited, and the panel meets its quotas', async () => {
  const [first, second] = listMembers(db, panelId);
  for (const m of [first, second]) expect((await submit(organiser, `${admin}/selection`, `${admin}/members/${m.id}/withdraw`, { confirm: 'yes' })).status).toBe(303);
  const page = (await organiser.get(`${admin}/selection`)).text;
  expect(page).toContain('Seat alternates in 2 of the 2 empty seats (4 waiting)');
  expect(page).not.toContain('Draw 2 replacements');
  // The list decides who fills a seat: a replacement draw is refused while an alternate can take one.
  const before = snapshot(db);
  const skip = await submit(organiser, `${admin}/selection`, `${admin}/replacements`, {});
  expect(skip.status).toBe(409);
  expect(skip.text).toContain('2 of the empty seats can go to the alternates ranked with the panel: seat them first.');
  expect(snapshot(db)).toEqual(before);
  const res = await submit(organiser, `${admin}/selection`, `${admin}/alternates/seat`, {});
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(`${admin}/selection?seated=2&left=0#step-members`);
  const members = listMembers(db, panelId);
  const list = finalDraw()?.outcome?.alternates?.list ?? [];
  const joined = members.filter((m) => list.includes(m.publicId));
  expect(joined).toHaveLength(2);
  expect(joined.every((m) => m.status === 'selected')).toBe(true);
  // In rank order: nobody ranked above an alternate seated was passed over unless they would have broken a quota.
  const seated = members.filter((m) => isSeated(m.status)).map((m) => m.publicId);
  expect(seated).toHaveLength(10);
  const { people, quotas } = drawInput(commitment().poolCsv, commitment().quotasCsv);
  for (const q of quotas) {
    const n = people.filter((p) => seated.includes(p.id) && p.features[q.category] === q.value).length;
    expect({ quota: `${q.category} ${q.value}`, within: n >= q.min && n <= q.max }).toEqual({ quota: `${q.category} ${q.value}`, within: true });
  }
  const audited = db.prepare("SELECT subject, detail FROM audit_log WHERE action = 'alternate.seat' ORDER BY id").all() as { subject: string; detail: string }[];
  expect(audited.map((a) => a.subject)).toEqual(joined.map((m) => m.publicId));
  expect(audited.map((a) => JSON.parse(a.detail).replaces).sort()).toEqual([first.publicId, second.publicId].sort());
  expect(await organiser.get(`${admin}/selection?seated=2&left=0`).then((r) => r.text)).toContain('2 alternates were seated');

  const unchanged = snapshot(db);
  const again = await submit(organiser, `${admin}/selection`, `${admin}/alternates/seat`, {});
  expect(again.status).toBe(409);
  expect(again.text).toContain('No seat is empty');
  expect(snapshot(db)).toEqual(unchanged);
});

test('the public sees the alternates by ticket, their chance against a naive list’s, and no group under 5', async () => {
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  const tickets = ticketsOf(commitment(), slug);
  const list = (finalDraw()?.outcome?.alternates?.list ?? []).map((id) => tickets.get(id));
  expect(page).toContain(`<ol class="columns alternates">${list.map((t) => `<li><code>${t}</code></li>`).join('')}</ol>`);
  expect(page).toMatch(/every quota holds after replacement from this list <strong id="alternates-keep">[\d.]+%<\/strong> of the time; from a naive list of people in a random order, <strong id="alternates-naive">[\d.]+%<\/strong>/);
  // Everyone else's chance of being an alternate, and of being seated from the list, in bands of 5 or more.
  expect(page).toContain('id="alternate-chance-bands"');
  expect(page).toContain('id="alternate-serving-bands"');
  expect(page).not.toMatch(PSEUDONYM);
  expect(personalDataIn(db, [page])).toEqual([]);
  const figures = await measurePublicRecord(app, { start: [`/panels/${slug}/selection`] });
  expect(figures.report.smallCounts).toEqual([]);
  expect(figures.report.tables.filter((t) => t.combinations.some((c) => c.k < MIN_GROUP)).map((t) => t.name)).toEqual([]);
  expect(figures.pseudonyms.linked).toEqual([]);
});

test('an auditor re-makes the alternates with the published command and files', async () => {
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  const command = /<pre class="wrap-anywhere command">npx citizens-panel (draw [^<]+)<\/pre>/.exec(page)?.[1] ?? '';
  expect(command).toContain('--alternates 4 --dropout dropout.csv');
  fs.writeFileSync(path.join(dir, 'pool.csv'), (await organiser.get(`${admin}/auditors/pool.csv`)).text);
  fs.writeFileSync(path.join(dir, 'quotas.csv'), (await request(app).get(`/panels/${slug}/selection/quotas.csv`)).text);
  fs.writeFileSync(path.join(dir, 'dropout.csv'), (await request(app).get(`/panels/${slug}/selection/dropout.csv`)).text);
  const args = command.split(' ').map((a) => (a.endsWith('.csv') ? path.join(dir, a) : a));
  const out: string[] = [];
  expect(await run([...args, '--json'], { out: (s) => out.push(s), err: () => {} })).toBe(0);
  const cli = JSON.parse(out.join('')) as { alternates: { list: string[]; keep: number; naiveKeep: number } };
  const shown = /<ol class="columns alternates">(.*?)<\/ol>/.exec(page)?.[1] ?? '';
  expect(cli.alternates.list).toEqual([...shown.matchAll(/<code>(T\d{4})<\/code>/g)].map((m) => m[1]));
  expect(cli.alternates.keep).toBe(finalDraw()?.outcome?.alternates?.keep);

  const err: string[] = [];
  const io = { out: () => {}, err: (s: string) => err.push(s) };
  expect(await run([...args.filter((a) => a !== '--alternates' && a !== '4')], io)).toBe(2);
  expect(err.join('')).toContain('--dropout goes with --alternates N');
  expect(await run([...args.map((a) => (a === '4' ? 'four' : a))], io)).toBe(2);
  expect(err.join('')).toContain('--alternates must be a whole number from 1 to 9999');
});
