import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { run } from '../../src/cli/run';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { listMembers } from '../../src/membership/members';
import { listCategories } from '../../src/panels/repo';
import { insertRegistrant } from '../../src/registration/repo';
import { commitmentText } from '../../src/selection/commitment';
import { type Commitment, findCommitment, findDiceList } from '../../src/selection/repo';
import { ticketsOf } from '../../src/selection/tickets';
import { sha256 } from '../../src/tokens';
import { MIN_GROUP } from '../../src/disclosure';
import { type Agent, logIn, personalDataIn, smallPanel, snapshot, submit } from '../helpers';
import { measurePublicRecord } from '../security/public-record';

jest.setTimeout(180_000);

/**
 * Issue 23, a final pick anyone can watch: a commitment that chooses dice fixes a numbered list of 1,000 panels and
 * publishes its fingerprint with everyone's chance in it; the organiser types the number rolled; the members are that
 * entry of the list; the public checks the entry from the page and the digests, and an auditor re-makes the list with
 * the CLI. On a real SQLite file, through the app's own routes.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-dice-'));
const db = openDb(path.join(dir, 'panel.db'));
const clock = new ManualClock();
const ctx = { db, clock, config: testConfig() };
const { app, runner } = createApp({ ...ctx, log: () => {} });
const { panelId, slug } = smallPanel(db, clock);
const admin = `/admin/panels/${panelId}`;
const PSEUDONYM = /\bR-[0-9A-Z]{8}\b/;
let organiser: Agent;

/** 60 residents over the small panel's two categories, four pairs of them at one address. */
function register() {
  const [gender, age] = listCategories(db, panelId);
  for (let i = 0; i < 60; i++) {
    const shared = i >= 52 && i % 2 === 1;
    insertRegistrant(
      db,
      panelId,
      {
        name: `Resident Number${i}`,
        email: `resident${i}@example.org`,
        address: `${shared ? i - 1 : i} Spon Street`,
        postcode: 'CV1 3BA',
        valueIds: [gender.values[i % 2].id, age.values[(i * 7) % 3].id],
        source: 'form',
        consentAt: clock.now(),
      },
      clock.now(),
    );
  }
}

const commitment = () => findCommitment(db, panelId) as Commitment;
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

test('a commitment without dice is written as it always was: an earlier commitment keeps its fingerprint', () => {
  const fields = { panel: 'p', algorithm: 'leximin', engineVersion: 'e', panelSize: 10, poolSha256: 'a', quotasSha256: 'b', randomness: 'r' };
  expect(commitmentText(fields)).toBe('{"panel":"p","algorithm":"leximin","engineVersion":"e","panelSize":10,"poolSha256":"a","quotasSha256":"b","randomness":"r"}');
  expect(commitmentText({ ...fields, dice: null })).toBe(commitmentText(fields));
});

test('dice with a method that has no lottery of panels is refused beside the form, and nothing is published', async () => {
  const before = snapshot(db);
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { algorithm: 'legacy', finalPick: 'dice', listSize: '1000', randomness: 'Three dice rolled at the Council House', confirm: 'yes' });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Nothing was published: a list for dice rounds a leximin, maximin or nash lottery; legacy has none');
  const odd = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { algorithm: 'leximin', finalPick: 'dice', listSize: '999', randomness: 'Three dice rolled at the Council House', confirm: 'yes' });
  expect(odd.status).toBe(400);
  expect(odd.text).toContain('Choose how many panels the list has: 100, 1000, 10000.');
  expect(snapshot(db)).toEqual(before);
});

test('the commitment with dice publishes the list’s fingerprint and everyone’s chance in it, and nothing that identifies anyone', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, {
    algorithm: 'leximin',
    finalPick: 'dice',
    listSize: '1000',
    randomness: 'Three ten-sided dice rolled at the Council House, Coventry, on Saturday 5 December 2026 at 11am',
    confirm: 'yes',
  });
  expect(res.status).toBe(303);
  const c = commitment();
  expect(c.dice?.listSize).toBe(1000);
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  // The commitment's text carries the pick, the list's size, method and fingerprint; its SHA-256 is the fingerprint.
  const text = unescape(/<pre class="wrap-anywhere" id="commitment-text">([^<]+)<\/pre>/.exec(page)?.[1] ?? '');
  expect(sha256(text)).toBe(c.hash);
  const committed = JSON.parse(text) as { finalPick: string; listSize: number; listMethod: string; listSha256: string };
  expect(committed).toMatchObject({ finalPick: 'dice', listSize: 1000, listMethod: 'citizens-panel uniform-rounding 1', listSha256: c.dice?.listSha256 });
  expect(page).toContain(`id="list-sha256">${committed.listSha256}<`);
  expect(page).toContain('panel number N of a list of 1,000 panels, numbered 000 to 999');
  expect(page).toContain('Not rolled yet.');
  // Everyone's chance in the list, in bands of 5 or more, the lowest, and how far the list is from the lottery.
  expect(page).toContain('id="list-chance-bands"');
  expect(page).toMatch(/the largest change in anyone’s chance is <strong id="list-change">\d\.\d\d<\/strong> percentage points/);
  const shown = [...page.matchAll(/<text x="\d+(?:\.\d+)?" dx="62" y="\d+" dy="8" class="axis-label">(\d+)<\/text>/g)].map((m) => Number(m[1]));
  expect(shown.length).toBeGreaterThan(0);
  for (const n of shown) expect(n).toBeGreaterThanOrEqual(5);
  expect(shown.reduce((a, b) => a + b, 0)).toBe(60);
  expect(page).not.toMatch(PSEUDONYM);
  expect(personalDataIn(db, [page])).toEqual([]);

  // The digests: one line per panel, no tickets; their SHA-256 is the list's fingerprint.
  const digests = await request(app).get(`/panels/${slug}/selection/panels.sha256.txt`).buffer(true);
  expect(digests.status).toBe(200);
  expect(digests.headers['content-type']).toMatch(/^text\/plain/);
  const lines = digests.text.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1000);
  expect(lines[0]).toMatch(/^000 [0-9a-f]{64}$/);
  expect(lines[999]).toMatch(/^999 [0-9a-f]{64}$/);
  expect(sha256(digests.text)).toBe(committed.listSha256);
  expect(digests.text).not.toMatch(/T\d{4}|R-/);
});

test('the sheet for the live draw gives the range, what each die means and the fingerprint; only for the panel’s organisers', async () => {
  const sheet = await organiser.get(`${admin}/selection/dice`);
  expect(sheet.status).toBe(200);
  expect(sheet.text).toContain('<p class="dice-range" id="dice-range"><span>000</span>');
  expect(sheet.text).toContain('<span>999</span>');
  for (const place of ['hundreds', 'tens', 'units']) expect(sheet.text).toContain(`<strong>${place}</strong> digit`);
  expect(sheet.text).toContain('die 1 showing 4, die 2 showing 1, die 3 showing 7 make panel number <strong>417</strong>');
  expect(sheet.text).toContain(commitment().dice?.listSha256);
  expect(sheet.text).toContain(`/admin/panels/${panelId}/selection#step-numbers`);
  expect(sheet.text).not.toMatch(PSEUDONYM);
  const anonymous = await request(app).get(`${admin}/selection/dice`);
  expect(anonymous.status).toBe(302);
  const facilitator = await logIn(db, clock, request.agent(app), 'facilitator');
  expect((await facilitator.get(`${admin}/selection/dice`)).status).toBe(403);
});

test('a number not on the list, or not a number, is refused with a clear message and changes nothing', async () => {
  const before = snapshot(db);
  const cases: [string, string][] = [
    ['1000', '1000 is not on the list: its panels are numbered 000 to 999, one digit for each of the 3 dice.'],
    ['abc', 'Type the number the dice show, 3 digits from 000 to 999, such as 417: digits only, with no sign or spaces.'],
    ['-1', 'Type the number the dice show, 3 digits from 000 to 999, such as 417: digits only, with no sign or spaces.'],
    ['4 1 7', 'Type the number the dice show, 3 digits from 000 to 999, such as 417: digits only, with no sign or spaces.'],
    ['', 'Type the number the dice show, such as 417.'],
  ];
  for (const [typed, message] of cases) {
    const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: typed, confirm: 'yes' });
    expect({ typed, status: res.status }).toEqual({ typed, status: 400 });
    expect(unescape(res.text)).toContain(message);
  }
  const unticked = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '417' });
  expect(unticked.status).toBe(400);
  expect(snapshot(db)).toEqual(before);
});

test('the organiser enters 417: the members are entry 417 of the list, and a second entry is refused', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '417', confirm: 'yes' });
  expect(res.status).toBe(303);
  const drawId = Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]);
  await runner.settled(drawId);
  const c = commitment();
  expect(c.numbers).toBe('417');
  expect(c.seed).toBe(sha256(`${c.hash} 417`));
  const list = findDiceList(db, panelId)?.listText.split('\n') ?? [];
  const line = list[417];
  expect(line.startsWith('417 T')).toBe(true);
  const tickets = ticketsOf(c, slug);
  const members = listMembers(db, panelId).map((m) => tickets.get(m.publicId)).sort();
  expect(members).toHaveLength(10);
  expect(members.join(' ')).toBe(line.slice(4));
  const draw = await organiser.get(`/admin/panels/${panelId}/draws/${drawId}`);
  expect(draw.text).toContain('panel 417 of a list of 1000, picked by dice');

  const before = snapshot(db);
  const again = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '123', confirm: 'yes' });
  expect(again.status).toBe(409);
  expect(again.text).toContain('The numbers were already entered (417); the final draw cannot be run again.');
  expect(snapshot(db)).toEqual(before);
  expect((await organiser.get(`${admin}/selection/dice`)).text).toContain('The number rolled was <strong>417</strong>');
});

test('a member of the public checks entry 417 from the page and the digests alone', async () => {
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  expect(page).toContain('The dice showed <strong id="numbers">417</strong>: the panel is number 417 of the list.');
  const shown = [...page.matchAll(/<li><code>(T\d{4})<\/code><\/li>/g)].map((m) => m[1]);
  expect(shown).toHaveLength(10);
  const line = `417 ${shown.join(' ')}`;
  expect(page).toContain(`printf '%s' '${line}' | sha256sum`);
  const digests = (await request(app).get(`/panels/${slug}/selection/panels.sha256.txt`)).text;
  expect(digests.split('\n')[417]).toBe(`417 ${sha256(line)}`);
  expect(page).toContain(`id="entry-sha256">${sha256(line)}<`);
  expect(sha256(digests)).toBe(commitment().dice?.listSha256);
  expect(page).not.toMatch(PSEUDONYM);
  expect(personalDataIn(db, [page, digests])).toEqual([]);
});

test('measured as an attacker would read it, the public record of a pick by dice has no group under 5 and no row of anyone', async () => {
  const figures = await measurePublicRecord(app, { start: [`/panels/${slug}/selection`] });
  const served = figures.fetched.filter((f) => f.status === 200).map((f) => f.url);
  expect(served).toEqual(expect.arrayContaining([`/panels/${slug}/selection`, `/panels/${slug}/selection/panels.sha256.txt`]));
  expect(figures.fetched.find((f) => f.url === `/panels/${slug}/selection`)?.carries.join()).toMatch(/counts per group/);
  expect(figures.report.smallCounts).toEqual([]);
  expect(figures.report.tables.filter((t) => t.combinations.some((c) => c.k < MIN_GROUP)).map((t) => t.name)).toEqual([]);
  expect(figures.fetched.filter((f) => f.pseudonyms).map((f) => f.url)).toEqual([]);
  expect(figures.pseudonyms.linked).toEqual([]);
});

test('an auditor re-makes the list with the published command: its fingerprint matches and its entry 417 is the panel', async () => {
  const page = (await request(app).get(`/panels/${slug}/selection`)).text;
  const command = /<pre class="wrap-anywhere command">npx citizens-panel (draw [^<]+)<\/pre>/.exec(page)?.[1] ?? '';
  expect(command).toContain('--uniform 1000 --entry 417 --list-sha256 ');
  fs.writeFileSync(path.join(dir, 'pool.csv'), (await organiser.get(`${admin}/auditors/pool.csv`)).text);
  fs.writeFileSync(path.join(dir, 'quotas.csv'), (await request(app).get(`/panels/${slug}/selection/quotas.csv`)).text);
  const args = command.split(' ').map((a) => (a.endsWith('.csv') ? path.join(dir, a) : a));
  const out: string[] = [];
  const err: string[] = [];
  expect(await run([...args, '--json'], { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(0);
  const cli = JSON.parse(out.join('')) as { listSha256: string; matches: boolean; entry: string; selected: string[]; maxChange: number };
  expect(cli.matches).toBe(true);
  expect(cli.listSha256).toBe(commitment().dice?.listSha256);
  expect(cli.entry).toBe('417');
  expect(cli.selected).toEqual([...page.matchAll(/<li><code>(T\d{4})<\/code><\/li>/g)].map((m) => m[1]));
  expect(cli.maxChange).toBeCloseTo(findDiceList(db, panelId)?.maxChange ?? -1, 12);
  // The auditors' own copy of the list is the one the CLI writes, and each ticket's chance comes with it.
  const listOut = path.join(dir, 'list.txt');
  const words: string[] = [];
  expect(await run([...args, '--list-out', listOut], { out: (s) => words.push(s), err: () => {} })).toBe(0);
  expect(words.join('')).toContain(`List fingerprint: ${cli.listSha256}  matches --list-sha256`);
  expect(words.join('')).toMatch(/Panel 417: T\d{4}( T\d{4}){9}\n/);
  const auditors = await organiser.get(`${admin}/auditors/panels.txt`);
  expect(auditors.text).toBe(fs.readFileSync(listOut, 'utf8'));
  const chances = (await organiser.get(`${admin}/auditors/chances.csv`)).text.trim().split('\n');
  expect(chances[0]).toBe('ticket,chance,leximin_chance');
  expect(chances).toHaveLength(61);
  expect((await request(app).get(`${admin}/auditors/panels.txt`)).status).toBe(302);

  // A pool that is not the one committed to makes another list: the check says so and exits 4.
  const pool = fs.readFileSync(path.join(dir, 'pool.csv'), 'utf8').split('\n');
  fs.writeFileSync(path.join(dir, 'pool.csv'), [pool[0], ...pool.slice(2)].join('\n'));
  const wrong: string[] = [];
  expect(await run(args, { out: () => {}, err: (s) => wrong.push(s) })).toBe(4);
  expect(wrong.join('')).toContain('the list made is not the one committed to');
});

test('the CLI refuses an entry not on the list, and list options without --uniform', async () => {
  const err: string[] = [];
  const io = { out: () => {}, err: (s: string) => err.push(s) };
  const base = ['draw', '--pool', path.join(dir, 'pool.csv'), '--quotas', path.join(dir, 'quotas.csv'), '--panel-size', '10'];
  expect(await run([...base, '--uniform', '1000', '--entry', '1000'], io)).toBe(2);
  expect(err.join('')).toContain('--entry must be a number from 000 to 999: the number rolled');
  expect(await run([...base, '--entry', '417'], io)).toBe(2);
  expect(err.join('')).toContain('--entry, --list-sha256 and --list-out go with --uniform M');
  expect(await run([...base, '--uniform', '999'], io)).toBe(2);
  const help: string[] = [];
  expect(await run(['draw', '--help'], { out: (s) => help.push(s), err: () => {} })).toBe(0);
  expect(help.join('')).toContain('[--uniform M [--entry N] [--list-sha256 HASH] [--list-out LIST.txt]]');
});

test('a replacement after a pick by dice is drawn as any replacement, with its seed from the number rolled', async () => {
  const [first] = listMembers(db, panelId);
  const token = await submit(organiser, `${admin}/selection`, `${admin}/members/${first.id}/withdraw`, { confirm: 'yes' });
  expect(token.status).toBe(303);
  const res = await submit(organiser, `${admin}/selection`, `${admin}/replacements`, {});
  expect(res.status).toBe(303);
  const drawId = Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]);
  await runner.settled(drawId);
  const seated = listMembers(db, panelId).filter((m) => !m.replacedByDraw && m.status !== 'withdrawn');
  expect(seated).toHaveLength(10);
});
