import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { listAudit } from '../../src/audit';
import { type Commitment, findCommitment, findDraw, listDraws } from '../../src/selection/repo';
import { decliners } from '../../src/demo/selection';
import { listMembers } from '../../src/membership/members';
import { ticketsOf } from '../../src/selection/tickets';
import { sha256 } from '../../src/tokens';
import { drawInput } from '../../src/selection/runner';
import { type Agent, csrfToken, logIn, makeApp, snapshot, submit } from '../helpers';

jest.setTimeout(120_000);

const SLUG = 'coventry-cultural-strategy';

/** One demo app for the whole journey: each test takes the next step, as an organiser would. */
const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
const admin = `/admin/panels/${panelId}`;
let organiser: Agent;
let finalSelected: string[] = [];
let links: string[] = [];

beforeAll(async () => {
  organiser = t.agent();
  await submit(organiser, '/login', '/login', { email: t.demo?.organiser.email ?? '', password: t.demo?.organiser.password ?? '' });
});

const drawIdOf = (location: string) => Number(/\/draws\/(\d+)$/.exec(location)?.[1]);

test('a trial draw runs in the background and reports chances and counts against the quotas', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/draws`, { algorithm: 'leximin', seed: 'try-1' });
  expect(res.status).toBe(303);
  const id = drawIdOf(res.headers.location);
  const second = await submit(organiser, `${admin}/selection`, `${admin}/draws`, { algorithm: 'legacy' });
  expect(second.status).toBe(409);
  expect(second.text).toContain(`Draw ${id} is still running for this panel`);

  // The page's live feed: progress while the draw runs, then "done", then the stream ends.
  const events = await organiser.get(`${admin}/draws/${id}/events`).buffer(true).parse((r, done) => {
    let body = '';
    r.on('data', (chunk: Buffer) => (body += chunk.toString()));
    r.on('end', () => done(null, body));
  });
  expect(events.headers['content-type']).toMatch(/^text\/event-stream/);
  expect(events.body).toMatch(/event: progress\ndata: \{"phase":"(types|bounds|lottery|leximin)"/);
  expect(events.body).toMatch(/event: done\n/);
  await t.runner.settled(id);
  const after = await organiser.get(`${admin}/draws/${id}/events`);
  expect(after.text).toBe('event: done\ndata: {}\n\n');
  const page = await organiser.get(`${admin}/draws/${id}`);
  expect(page.text).toContain('Lowest chance of selection <strong>2.00%</strong>');
  expect(page.text).toContain('id="quota-chart"');
  expect(page.text).toContain('id="chance-chart"');
  expect(page.text.match(/<tr >/g)?.length ?? 0).toBeGreaterThanOrEqual(33); // every value within its quota
  expect(listMembers(t.db, panelId)).toHaveLength(0); // a trial changes nothing

  const csv = (await organiser.get(`${admin}/draws/${id}/chances.csv`)).text.trim().split('\n');
  expect(csv[0]).toBe('id,chance,selected');
  expect(csv).toHaveLength(1501);
  const chances = csv.slice(1).map((line) => Number(line.split(',')[1]));
  expect(chances.reduce((a, b) => a + b, 0)).toBeCloseTo(40, 3); // the chances add up to the panel size
  expect(Math.min(...chances)).toBeCloseTo(findDraw(t.db, panelId, id)?.outcome?.minProbability ?? -1, 5);
  expect(csv.filter((line) => line.endsWith(',yes'))).toHaveLength(40);
});

test('a trial draw by Nash welfare runs the same way: a valid panel, everyone above 0, its method and duality gap on the page', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/draws`, { algorithm: 'nash', seed: 'try-nash' });
  expect(res.status).toBe(303);
  const id = drawIdOf(res.headers.location);
  await t.runner.settled(id);
  const draw = findDraw(t.db, panelId, id);
  expect([draw?.algorithm, draw?.status]).toEqual(['nash', 'done']);
  const page = (await organiser.get(`${admin}/draws/${id}`)).text;
  expect(page).toContain('<dt>Method</dt><dd>nash</dd>');
  expect(page).toContain('NASH (Nash welfare) gives everyone as equal a chance as it can');
  expect(page).toMatch(/Nash welfare proved by the relaxed bound: within \d\.\de-\d+ of the optimum in mean log-chance \(duality gap/);
  expect(page.match(/<tr >/g)?.length ?? 0).toBeGreaterThanOrEqual(33); // every value within its quota
  const csv = (await organiser.get(`${admin}/draws/${id}/chances.csv`)).text.trim().split('\n').slice(1);
  const chances = csv.map((line) => Number(line.split(',')[1]));
  expect(chances.reduce((a, b) => a + b, 0)).toBeCloseTo(40, 3);
  expect(Math.min(...chances)).toBeGreaterThan(0); // no one who can be drawn is left at 0
  expect(csv.filter((line) => line.endsWith(',yes'))).toHaveLength(40);
  expect(listMembers(t.db, panelId)).toHaveLength(0); // a trial changes nothing
});

test('a diversimax trial evens out the crossings of categories, and its page sets what it costs against LEXIMIN', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/draws`, { algorithm: 'diversimax', seed: 'try-diverse' });
  expect(res.status).toBe(303);
  const id = drawIdOf(res.headers.location);
  await t.runner.settled(id);
  const draw = findDraw(t.db, panelId, id);
  expect([draw?.algorithm, draw?.status]).toEqual(['diversimax', 'done']);
  const page = (await organiser.get(`${admin}/draws/${id}`)).text;
  expect(page).toContain('DIVERSIMAX picks one panel whose crossings of categories');
  // What it costs: people with no chance at all, where LEXIMIN leaves none.
  const against = /<table id="against-leximin">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  expect(against).toContain('<tr><th scope="row">Lowest chance</th><td>0.00%</td><td>2.00%</td></tr>');
  expect(against).toMatch(/People with no chance at all<\/th><td>[1-9]\d*<\/td><td>0<\/td>/);
  expect(page.match(/<tr >/g)?.length ?? 0).toBeGreaterThanOrEqual(33); // every value within its quota
  // The intersection picture: each cell of each pair, for diversimax and (in outline) for LEXIMIN, and both errors.
  const dots = page.match(/<circle [^>]*class="bar-pool"/g)?.length ?? 0;
  expect(dots).toBeGreaterThan(50);
  expect(page.match(/<circle [^>]*class="dot-outline"/g)?.length).toBe(dots);
  expect(page).toMatch(/id="crossings-mse">\d+\.\d\d<\/strong>/);
  expect(page).toMatch(/id="crossings-leximin-mse">\d+\.\d\d<\/strong>/);
  // A LEXIMIN trial's page has the picture too, without a comparison.
  const fair = listDraws(t.db, panelId).find((d) => d.algorithm === 'leximin' && d.status === 'done');
  const fairPage = (await organiser.get(`${admin}/draws/${fair?.id}`)).text;
  expect(fairPage).toContain('id="crossings-chart"');
  expect(fairPage).not.toContain('id="against-leximin"');
  expect(fairPage).not.toContain('class="dot-outline"');
});

test('a commitment needs registration closed first; closing it closes the form, once', async () => {
  const before = snapshot(t.db);
  const early = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { algorithm: 'leximin', randomness: 'The Lotto draw on Saturday 5 December 2026', confirm: 'yes' });
  expect(early.status).toBe(409);
  expect(early.text).toContain('Close registration first');
  expect(snapshot(t.db)).toEqual(before);
  expect((await submit(organiser, admin, `${admin}/registration/close`, {})).status).toBe(303);
  expect((await submit(organiser, admin, `${admin}/registration/close`, {})).status).toBe(409); // once
  const form = await t.agent().get(`/register/${SLUG}`);
  expect(form.status).toBe(410);
  expect(listAudit(t.db, panelId, 50).map((e) => e.action)).toContain('panel.close');
});

test('a bad commitment is refused with a clear message and changes nothing', async () => {
  const before = snapshot(t.db);
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { algorithm: 'leximin', randomness: 'soon', confirm: 'yes' });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Say which public numbers, where and when');
  expect(snapshot(t.db)).toEqual(before);
});

test('only an organiser can run, commit or publish a draw', async () => {
  const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
  const before = snapshot(t.db);
  for (const action of ['draws', 'commitment', 'commitment/numbers', 'invitations', 'replacements']) {
    const res = await submit(facilitator, '/admin', `${admin}/${action}`, { algorithm: 'leximin', randomness: 'the Lotto on Saturday', numbers: '1 2 3' });
    expect(res.status).toBe(403);
  }
  const anonymous = await t.agent().get(`${admin}/selection`);
  expect(anonymous.status).toBe(302);
  expect(anonymous.headers.location).toMatch(/^\/login/);
  expect(snapshot(t.db)).toEqual(before);
});

test('the commitment is published with fingerprints and no row-level pool; the auditors get the pool with tickets', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, {
    algorithm: 'leximin',
    randomness: 'The main numbers of the UK National Lottery Lotto draw on Saturday 5 December 2026',
    confirm: 'yes',
  });
  expect(res.status).toBe(303);
  const page = await t.agent().get(`/panels/${SLUG}/selection`);
  expect(page.status).toBe(200);
  const commitment = findCommitment(t.db, panelId);
  expect(page.text).toContain(commitment?.hash);
  expect(page.text).toContain('Not drawn yet. The commitment names the public numbers that will make the seed');
  expect(page.text).toContain('Only the auditors can check');
  // The public gets no row of anyone's answers, under any address the site ever used.
  expect((await t.agent().get(`/panels/${SLUG}/selection/pool.csv`)).status).toBe(404);
  expect((await t.agent().get(`/panels/${SLUG}/selection/draws/1/pool.csv`)).status).toBe(404);
  expect((await t.agent().get(`${admin}/auditors/pool.csv`)).status).toBe(302);

  const pool = (await organiser.get(`${admin}/auditors/pool.csv`)).text;
  const lines = pool.trim().split('\n');
  expect(lines[0]).toBe('id,age,gender,ward,ethnicity,disability,household');
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(lines.slice(1).map((_, i) => `T${String(i + 1).padStart(4, '0')}`));
  // The file the auditors get is the one the commitment fingerprinted, and it holds no pseudonym the room uses.
  expect(page.text).toContain(`<code class="wrap-anywhere" id="pool-sha256">${sha256(pool)}</code>`);
  expect(pool).not.toMatch(/R-[0-9A-Z]{8}/);
  const someone = t.db.prepare('SELECT name, email, phone, address, postcode FROM registrants LIMIT 1').get() as Record<string, string>;
  for (const text of [page.text, pool]) for (const field of Object.values(someone)) expect(text).not.toContain(field);
  expect(pool).toMatch(/,H1\n/); // housemates share a code

  const again = await submit(organiser, `${admin}/selection`, `${admin}/commitment`, { algorithm: 'maximin', randomness: 'another lottery entirely', confirm: 'yes' });
  expect(again.status).toBe(409);
});

test('after the commitment the pool is fixed: an import is refused in words and changes nothing', async () => {
  const before = snapshot(t.db);
  const token = await csrfToken(organiser, `${admin}/pool`);
  const res = await organiser.post(`${admin}/pool/import`).field('_csrf', token).field('consentConfirmed', 'yes').attach('file', Buffer.from('name,email\nLate Comer,late@example.org\n'), 'pool.csv');
  expect(res.status).toBe(409);
  expect(res.text).toContain('The pool is fixed');
  expect(snapshot(t.db)).toEqual(before);
});

test('entering the public numbers runs the final draw; anyone re-running the published command gets the same panel', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/commitment/numbers`, { numbers: '7, 19, 23  31 40 52', confirm: 'yes' });
  expect(res.status).toBe(303);
  const id = drawIdOf(res.headers.location);
  await t.runner.settled(id);
  const members = listMembers(t.db, panelId);
  expect(members).toHaveLength(40);
  finalSelected = members.map((m) => m.publicId).sort();

  const page = await t.agent().get(`/panels/${SLUG}/selection`);
  expect(page.text).toContain('<strong id="numbers">7 19 23 31 40 52</strong>');
  const command = /<pre class="wrap-anywhere command">npx citizens-panel (draw [^<]+)<\/pre>/.exec(page.text)?.[1] ?? '';
  expect(command).toContain('--seed ');

  // An auditor: given the pool with tickets, and the public quotas, runs the published command.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-verify-'));
  try {
    fs.writeFileSync(path.join(dir, 'pool.csv'), (await organiser.get(`${admin}/auditors/pool.csv`)).text);
    fs.writeFileSync(path.join(dir, 'quotas.csv'), (await t.agent().get(`/panels/${SLUG}/selection/quotas.csv`)).text);
    const args = command.split(' ').map((a) => (a.endsWith('.csv') ? path.join(dir, a) : a));
    const out: string[] = [];
    expect(await run([...args, '--json'], { out: (s) => out.push(s), err: () => {} })).toBe(0);
    const cli = JSON.parse(out.join('')) as { selected: string[] };
    // The tickets it draws are the ones the public page lists, and they are the members drawn.
    const shown = [...page.text.matchAll(/<li><code>(T\d{4})<\/code><\/li>/g)].map((m) => m[1]);
    expect(shown).toHaveLength(40);
    expect([...cli.selected].sort()).toEqual(shown);
    const tickets = ticketsOf(findCommitment(t.db, panelId) as Commitment, SLUG);
    expect(finalSelected.map((id) => tickets.get(id)).sort()).toEqual(shown);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const id of finalSelected) expect(page.text).not.toContain(id);
});

test('a member of the public checks, from the published page and quotas alone, the fingerprint, the quotas and the seed', async () => {
  const page = (await t.agent().get(`/panels/${SLUG}/selection`)).text;
  const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');
  const text = unescape(/<pre class="wrap-anywhere" id="commitment-text">([^<]+)<\/pre>/.exec(page)?.[1] ?? '');
  const fingerprint = /id="fingerprint">([0-9a-f]{64})</.exec(page)?.[1];
  expect(sha256(text)).toBe(fingerprint);
  const committed = JSON.parse(text) as { poolSha256: string; quotasSha256: string; panelSize: number };
  const quotas = (await t.agent().get(`/panels/${SLUG}/selection/quotas.csv`)).text;
  expect(sha256(quotas)).toBe(committed.quotasSha256);
  expect(page).toContain(`id="pool-sha256">${committed.poolSha256}<`);
  const numbers = /<strong id="numbers">([^<]+)<\/strong>/.exec(page)?.[1];
  expect(/id="seed">([0-9a-f]{64})</.exec(page)?.[1]).toBe(sha256(`${fingerprint} ${numbers}`));
  expect([...page.matchAll(/<li><code>(T\d{4})<\/code><\/li>/g)]).toHaveLength(committed.panelSize);
  expect(page).toMatch(/The lowest chance anyone had was <strong id="lowest-chance">\d+\.\d\d%<\/strong>/);
});

test('the organiser names an auditor and publishes their statement; a bad form changes nothing', async () => {
  const before = snapshot(t.db);
  const bad = await submit(organiser, `${admin}/selection`, `${admin}/auditors`, { name: '', organisation: 'Involve' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('The auditor’s name is required.');
  expect(snapshot(t.db)).toEqual(before);
  expect((await submit(organiser, `${admin}/selection`, `${admin}/auditors`, { name: 'Ada Auditor', organisation: 'Involve' })).status).toBe(303);
  const form = /action="(\/admin\/panels\/\d+\/auditors\/\d+\/statement)"/.exec((await organiser.get(`${admin}/selection`)).text)?.[1] ?? '';
  const statement = 'We re-ran the draw on the pool we were given (its SHA-256 matches the commitment) and got the same 40 tickets.';
  expect((await submit(organiser, `${admin}/selection`, form, { statement })).status).toBe(303);
  const page = (await t.agent().get(`/panels/${SLUG}/selection`)).text;
  expect(page).toContain('<strong>Ada Auditor</strong>, Involve');
  expect(page).toContain(statement);
});

test('invitation links are shown once; each lets its person confirm or decline once', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/invitations`, {});
  expect(res.status).toBe(200);
  links = [...res.text.matchAll(/\/invite\/([\w-]{43})/g)].map((m) => m[1]);
  expect(links).toHaveLength(40);
  expect(t.db.prepare('SELECT COUNT(*) AS n FROM members WHERE token_hash IS NOT NULL').get()).toEqual({ n: 40 });
  expect(JSON.stringify(t.db.prepare('SELECT token_hash FROM members').all())).not.toContain(links[0]);

  // The one who declines is someone whose seat the pool left can surely refill (as the demo chooses: with a
  // random pool order, about one draw in twenty has members nobody left in the pool could replace).
  const drawn = listMembers(t.db, panelId);
  const [refillable] = decliners(findCommitment(t.db, panelId) as Commitment, drawn, [1]);
  const at = drawn.findIndex((m) => m.id === refillable);
  links = [links[at], ...links.filter((_, i) => i !== at)];
  const [declining, ...confirming] = links;
  for (const [i, token] of confirming.entries()) {
    const answer = await submit(t.agent(), `/invite/${token}`, `/invite/${token}`, { answer: 'confirm', roomName: `Person ${i + 1}` });
    expect(answer.text).toContain('Your place on');
  }
  // A no is asked twice: the first tap only asks whether they are sure, and changes nothing.
  const asked = await submit(t.agent(), `/invite/${declining}`, `/invite/${declining}`, { answer: 'decline' });
  expect(asked.text).toContain('You cannot undo this');
  expect(listMembers(t.db, panelId).find((m) => m.id === refillable)?.status).toBe('invited');
  const no = await submit(t.agent(), `/invite/${declining}`, `/invite/${declining}`, { answer: 'decline', sure: 'yes' });
  expect(no.text).toContain('You have declined your place');
  const statuses = listMembers(t.db, panelId).map((m) => m.status);
  expect(statuses.filter((s) => s === 'confirmed')).toHaveLength(39);
  expect(statuses.filter((s) => s === 'declined')).toHaveLength(1);
});

test('a used or unknown invitation link gets a clear page, and changes nothing', async () => {
  const before = snapshot(t.db);
  const used = await t.agent().get(`/invite/${links[0]}`);
  expect(used.status).toBe(410);
  expect(used.text).toContain('This invitation has been used: your answer (declined');
  // A confirmed member's link becomes their page for the live sessions, with no form to answer again.
  const member = await t.agent().get(`/invite/${links[1]}`);
  expect(member.status).toBe(200);
  expect(member.text).toContain('Your place is confirmed');
  expect(member.text).not.toContain('name="answer"');
  const unknown = await t.agent().get(`/invite/${'x'.repeat(43)}`);
  expect(unknown.status).toBe(404);
  expect(unknown.text).toContain('This invitation link is not valid');
  const replay = await submit(t.agent(), `/invite/${links[0]}`, `/invite/${links[0]}`, { answer: 'confirm' }).catch(() => undefined);
  expect(replay).toBeUndefined(); // the page that would carry the form is refused, so there is no form to send
  const again = await submit(t.agent(), '/login', `/invite/${links[1]}`, { answer: 'decline' }); // a token from any page
  expect(again.status).toBe(410);
  expect(snapshot(t.db)).toEqual(before);
});

test('a replacement fills the empty seat and the panel still meets every quota', async () => {
  const res = await submit(organiser, `${admin}/selection`, `${admin}/replacements`, {});
  expect(res.status).toBe(303);
  await t.runner.settled(drawIdOf(res.headers.location));
  const members = listMembers(t.db, panelId);
  const seated = members.filter((m) => ['selected', 'invited', 'confirmed'].includes(m.status));
  expect(seated).toHaveLength(40);
  expect(members.find((m) => m.status === 'declined')?.replacedByDraw).not.toBeNull();

  const commitment = findCommitment(t.db, panelId);
  const { people, quotas } = drawInput(commitment?.poolCsv ?? '', commitment?.quotasCsv ?? '');
  const panel = people.filter((p) => seated.some((m) => m.publicId === p.id));
  for (const q of quotas) {
    const n = panel.filter((p) => p.features[q.category] === q.value).length;
    expect(n).toBeGreaterThanOrEqual(q.min);
    expect(n).toBeLessThanOrEqual(q.max);
  }
  const households = panel.map((p) => p.household).filter(Boolean);
  expect(new Set(households).size).toBe(households.length);

  // The new member confirms: the panel is complete.
  const invite = await submit(organiser, `${admin}/selection`, `${admin}/invitations`, {});
  const token = /\/invite\/([\w-]{43})/.exec(invite.text)?.[1] ?? '';
  await submit(t.agent(), `/invite/${token}`, `/invite/${token}`, { answer: 'confirm', roomName: 'Newcomer' });
  const hub = await organiser.get(`${admin}/selection`);
  expect(hub.text).toContain('40 of 40 confirmed: <strong>the panel is complete</strong>');
  const publicPage = await t.agent().get(`/panels/${SLUG}/selection`);
  expect(publicPage.text).toContain('Replacement draw');
});

test('every step is in the audit log, without personal data', () => {
  const actions = listAudit(t.db, panelId, 500).map((a) => a.action);
  for (const action of ['draw.trial.start', 'draw.trial.done', 'commitment.publish', 'commitment.numbers', 'draw.final.done', 'invitations.create', 'member.confirm', 'member.decline', 'draw.replacement.done']) {
    expect(actions).toContain(action);
  }
  const log = JSON.stringify(listAudit(t.db, panelId, 500));
  const people = t.db.prepare('SELECT r.name, r.email FROM members m JOIN registrants r ON r.id = m.registrant_id').all() as { name: string; email: string | null }[];
  expect(people).toHaveLength(41);
  for (const p of people) {
    expect(log).not.toContain(p.name);
    if (p.email) expect(log).not.toContain(p.email);
  }
});

describe('a final draw cut short by a server restart', () => {
  const s = makeApp({ demo: true });
  const base = `/admin/panels/${s.demo?.panelId}`;

  test('numbers that are not numbers are refused and change nothing; after a restart the same draw runs again', async () => {
    const agent = s.agent();
    await submit(agent, '/login', '/login', { email: s.demo?.organiser.email ?? '', password: s.demo?.organiser.password ?? '' });
    await submit(agent, base, `${base}/registration/close`, {});
    await submit(agent, `${base}/selection`, `${base}/commitment`, { algorithm: 'leximin', randomness: 'The Lotto draw on Saturday 5 December 2026', confirm: 'yes' });
    const before = snapshot(s.db);
    const bad = await submit(agent, `${base}/selection`, `${base}/commitment/numbers`, { numbers: "7 19 and 23'", confirm: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Type only the numbers as published');
    expect(snapshot(s.db)).toEqual(before);

    const started = await submit(agent, `${base}/selection`, `${base}/commitment/numbers`, { numbers: '7 19 23 31 40 52', confirm: 'yes' });
    const first = drawIdOf(started.headers.location);
    await s.runner.settled(first);
    // What a restart mid-draw leaves behind: the draw failed and nobody was added.
    s.db.prepare("UPDATE draws SET status = 'failed', result = NULL, error = 'the server stopped during the draw; run it again' WHERE id = ?").run(first);
    s.db.prepare('DELETE FROM members').run();
    const hub = await agent.get(`${base}/selection`);
    expect(hub.text).toContain('Run the final draw again (same seed)');

    const again = await submit(agent, `${base}/selection`, `${base}/commitment/rerun`, {});
    expect(again.status).toBe(303);
    const second = drawIdOf(again.headers.location);
    await s.runner.settled(second);
    expect(listMembers(s.db, s.demo?.panelId ?? 0)).toHaveLength(40);
    expect(findCommitment(s.db, s.demo?.panelId ?? 0)?.drawId).toBe(second);
    const refused = await submit(agent, `${base}/selection`, `${base}/commitment/rerun`, {});
    expect(refused.status).toBe(409);
  });
});

describe('a commitment no draw could satisfy', () => {
  const s = makeApp({ demo: true });
  const base = `/admin/panels/${s.demo?.panelId}`;

  test('is refused with the reason and the smallest change, and nothing is published', async () => {
    const agent = s.agent();
    await submit(agent, '/login', '/login', { email: s.demo?.organiser.email ?? '', password: s.demo?.organiser.password ?? '' });
    await submit(agent, base, `${base}/registration/close`, {});
    s.db.prepare("UPDATE category_values SET quota_min = 150, quota_max = 150 WHERE value = '16-24'").run();
    const before = snapshot(s.db);
    const res = await submit(agent, `${base}/selection`, `${base}/commitment`, { algorithm: 'leximin', randomness: 'The Lotto draw on Saturday 5 December 2026', confirm: 'yes' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Nothing was published: No panel can meet every quota with this pool.');
    expect(res.text).toContain('age 16-24: min 150 -&gt; ');
    expect(snapshot(s.db)).toEqual(before);
    expect((await s.agent().get(`/panels/${SLUG}/selection`)).status).toBe(404);
  });
});
