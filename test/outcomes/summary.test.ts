import request from 'supertest';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import { logIn, personalDataIn, seatMembers, submit } from '../helpers';
import { type Client, RoomHarness } from '../room/harness';

/**
 * A session run through the real room, then summarised, approved by the panel, published and corrected, as a
 * facilitator and an organiser would; and what the public then reads and downloads.
 */
const agenda = exampleAgenda();
const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');
const MIN = 60_000;
const h = new RoomHarness();
let sessionId: number;
let slug: string;
let facilitator: Client;
let panellists: Client[];
let t0: number;
const web = () => request.agent(h.app.app);
const everyone = () => h.clients;
const agree = (c: Client, vote: number) => h.do(c, 'vote:cast', { vote, ballot: { kind: 'threshold', choice: 'agree' } }, everyone());
const majority = { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 };

beforeAll(async () => {
  const demo = seedDemo(h.app.ctx);
  if (!demo) throw new Error('no demo');
  slug = h.app.db.prepare('SELECT slug FROM panels WHERE id = ?').pluck().get(demo.panelId) as string;
  const members = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 4').pluck().all() as string[];
  seatMembers(h.app.db, demo.panelId, members, h.clock.now());
  sessionId = h.app.room.createSession(demo.panelId, agenda, members, null, h.clock.now());
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  await h.listen();
  facilitator = (await h.join(pass({ role: 'facilitator' }))).socket;
  // Three of the four members come.
  panellists = await Promise.all(members.slice(0, 3).map(async (member) => (await h.join(pass({ role: 'panellist', member }))).socket));

  t0 = h.clock.now();
  await h.do(facilitator, 'round:open', { round: 0 }, everyone());
  h.clock.advance(12 * MIN);
  await h.do(facilitator, 'round:open', { round: 1 }, everyone()); // closes the welcome after 12 minutes
  h.clock.advance(5 * MIN);
  await h.do(facilitator, 'round:pause', {}, everyone());
  h.clock.advance(10 * MIN); // a 10-minute break does not count as running time
  await h.do(facilitator, 'round:resume', {}, everyone());
  await h.do(facilitator, 'round:extend', { minutes: 5 }, everyone());
  await h.do(panellists[0], 'queue:raise', {}, everyone());
  await h.do(facilitator, 'floor:give', {}, everyone());
  h.clock.advance(3 * MIN);
  await h.do(facilitator, 'round:close', {}, everyone());
  await h.do(facilitator, 'round:open', { round: IDEAS }, everyone());
  await h.do(panellists[0], 'idea:post', { text: 'Free late buses home from city-centre events' }, everyone());
  await h.do(panellists[1], 'idea:post', { text: 'Something rude' }, everyone());
  await h.do(panellists[2], 'idea:support', { idea: 1 }, everyone());
  await h.do(facilitator, 'idea:theme', { idea: 1, theme: 'Getting there' }, everyone());
  await h.do(facilitator, 'idea:hide', { idea: 2, reason: 'breaks the ground rules' }, everyone());
  await h.do(facilitator, 'round:open', { round: VOTE_ROUND }, everyone());
  await h.do(facilitator, 'rec:draft', { text: 'Run late buses home from city-centre events.', from: { round: IDEAS, theme: 'Getting there' } }, everyone());
  await h.do(facilitator, 'vote:open', { subject: { rec: 1 }, settings: majority }, everyone());
  for (const p of panellists) await agree(p, 1);
  await h.do(facilitator, 'vote:close', { vote: 1 }, everyone());
  await h.do(panellists[2], 'rec:minority', { rec: 1, text: 'Buses are not enough on their own; the events should come to the neighbourhoods too.' }, everyone());
});
afterAll(() => h.close());

describe('the record', () => {
  test('is built from what the room stored: the agenda as it ran, attendance, ideas, votes, recommendations, airtime', () => {
    const record = h.app.summaries.build(sessionId);
    expect(record.agenda[0]).toMatchObject({ openedAt: t0, closedAt: t0 + 12 * MIN, minutes: 12 });
    expect(record.agenda[1]).toMatchObject({ openedAt: t0 + 12 * MIN, closedAt: t0 + 30 * MIN, minutes: 8, extendedMinutes: 5 });
    expect(record.agenda[2]).toMatchObject({ openedAt: null, minutes: null });
    expect(record.attendance).toMatchObject({ members: 4, attended: 3 });
    // Four members make no group of 5: the record carries no figure by group at all (small-groups.ts).
    expect(record.attendance.groups).toEqual([]);
    expect(record.airtime.groups).toEqual([]);
    expect(record.boards).toEqual([{ round: IDEAS, title: agenda.rounds[IDEAS].title, themes: [{ theme: 'Getting there', ideas: [{ text: 'Free late buses home from city-centre events', support: 2 }] }], hidden: 1 }]);
    expect(record.votes).toHaveLength(1);
    expect(record.votes[0]).toMatchObject({ eligible: 4, voted: 3, outcome: 'passed', rule: expect.any(String) });
    expect(record.recommendations[0]).toMatchObject({ status: 'adopted', vote: { agree: 3, disagree: 0, support: 100 }, minority: [{ supporters: 1 }] });
    expect(record.airtime).toMatchObject({ minutes: 3, spoke: 1 });
    expect(JSON.stringify(record)).not.toContain(h.state(panellists[0]).members[0]); // no pseudonyms either
  });
});

describe('write, approve, publish, correct', () => {
  let facilitatorWeb: ReturnType<typeof web>;
  let organiserWeb: ReturnType<typeof web>;
  const page = () => `/admin/sessions/${sessionId}/summary`;

  beforeAll(async () => {
    facilitatorWeb = await logIn(h.app.db, h.clock, web(), 'facilitator');
    organiserWeb = await logIn(h.app.db, h.clock, web(), 'organiser');
  });

  test('a bad corrections line is named and nothing is saved', async () => {
    const res = await submit(facilitatorWeb, page(), page(), { narrative: 'A good day.', corrections: 'no colon here' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Line 1 of the corrections');
    expect(h.app.summaries.draft(sessionId)).toBeUndefined();
  });

  test('an unapproved summary cannot be published', async () => {
    const narrative = 'The panel met in **Foleshill**.\n\n<script>alert(1)</script> [click](javascript:alert(1))';
    const saved = await submit(facilitatorWeb, page(), page(), { narrative, corrections: '' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Saved as revision 1');
    expect(await submit(organiserWeb, page(), `${page()}/publish`, { confirm: 'yes' })).toMatchObject({ status: 409, text: expect.stringContaining('has not approved revision 1') });
    expect(await submit(facilitatorWeb, page(), `${page()}/publish`, { confirm: 'yes' })).toMatchObject({ status: 403 });
    expect(h.app.summaries.versions(sessionId)).toEqual([]);
  });

  test('the panel approves the latest revision by a vote in the room; the organiser publishes it, and it is fixed', async () => {
    await h.do(facilitator, 'vote:open', { summary: 'latest', settings: majority }, everyone());
    expect(h.state(panellists[0]).votes[1]).toMatchObject({ approves: 1, question: expect.stringContaining('revision 1') });
    for (const p of panellists) await agree(p, 2);
    await h.do(facilitator, 'vote:close', { vote: 2 }, everyone());
    const res = await submit(organiserWeb, page(), `${page()}/publish`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/outcomes/${slug}/sessions/${sessionId}/v/1`);
    // Each member with an email address is told, with the public page's address.
    const told = () => h.app.db.prepare("SELECT to_address AS \"to\", text_body AS text FROM messages WHERE kind = 'outcome'").all() as { to: string; text: string }[];
    const withEmail = h.app.db.prepare("SELECT COUNT(*) FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.status = 'confirmed' AND r.email IS NOT NULL").pluck().get();
    expect(told()).toHaveLength(withEmail as number);
    expect(told().length).toBeGreaterThan(0);
    for (const m of told()) expect(m.text).toContain(`/outcomes/${slug}/sessions/${sessionId}\n`);
    expect(() => h.app.db.prepare("UPDATE summary_versions SET content = '{}'").run()).toThrow(/fixed/);
    // The approval vote is the summary's approval, not one of the session's votes.
    expect(h.app.summaries.versions(sessionId)[0]).toMatchObject({ approval: { vote: 2 }, content: { record: { votes: [{ id: 1 }] } } });
  });

  test('a correction is a new version with a note; the first stays as it was', async () => {
    await submit(facilitatorWeb, page(), page(), { narrative: 'The panel met in **Foleshill**.', corrections: 'Vote 1: one member arrived late and voted on paper.' });
    expect(await submit(organiserWeb, page(), `${page()}/publish`, { note: 'typo', confirm: 'yes' })).toMatchObject({ status: 409, text: expect.stringContaining('Say what this correction changes') });
    expect((await submit(organiserWeb, page(), `${page()}/publish`, { note: 'Adds a correction about vote 1, and removes a stray script tag.', confirm: 'yes' })).status).toBe(303);
    const latest = await web().get(`/outcomes/${slug}/sessions/${sessionId}`);
    expect(latest.text).toContain('Correction: Adds a correction about vote 1');
    expect(latest.text).toMatch(/changed: the narrative, the corrections/);
    const first = await web().get(`/outcomes/${slug}/sessions/${sessionId}/v/1`);
    expect(first.text).toContain('This is not the latest version');
    expect(first.text).not.toContain('arrived late');
    expect(first.headers['cache-control']).toContain('immutable');
    // A correction is not news: the members are not written to again.
    expect(h.app.db.prepare("SELECT COUNT(*) FROM messages WHERE kind = 'outcome'").pluck().get()).toBe(h.app.db.prepare("SELECT COUNT(*) FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.status = 'confirmed' AND r.email IS NOT NULL").pluck().get());
  });
});

describe('members read the summary they are asked to approve, in the room', () => {
  type Read = { ok: true; data: { html: string } } | { ok: false; error: string; message: string };
  const read = (socket: Client, payload: unknown) => new Promise<Read>((resolve) => (socket.emit as (e: string, p: unknown, a: (r: Read) => void) => void)('summary:read', payload, resolve));
  const member = () => h.app.room.state(sessionId)?.members[0] ?? '';
  const as = async (actor: Parameters<typeof h.app.room.issuePass>[1]) => (await h.join(h.app.room.issuePass(sessionId, actor, h.clock.now()))).socket;

  test('a member opens the very revision the vote names, even after the facilitator saved another', async () => {
    // Revision 1 was put to vote 2; revision 2 (the correction) has been saved since.
    expect(h.app.summaries.draft(sessionId)?.revision).toBe(2);
    const res = await read(panellists[0], { revision: 1 });
    if (!res.ok) throw new Error(res.message);
    expect(res.data.html).toContain('revision 1');
    expect(res.data.html).toContain('<strong>Foleshill</strong>');
    expect(res.data.html).not.toContain('arrived late'); // revision 2's correction is not in revision 1
    expect(res.data.html).not.toContain('<script>');
    expect(res.data.html).not.toContain('<html'); // a fragment for the room's dialog
  });

  test('a revision not put to a vote is not for members or the hall screen; a facilitator may read any', async () => {
    expect(await read(panellists[0], { revision: 2 })).toMatchObject({ ok: false, error: 'not_found', message: expect.stringContaining('has not been put to a vote') });
    expect(await read(await as({ role: 'observer' }), { revision: 2 })).toMatchObject({ ok: false, error: 'not_found' });
    const facilitated = await read(facilitator, { revision: 2 });
    expect(facilitated.ok && facilitated.data.html).toContain('arrived late');
    expect(await read(facilitator, { revision: 99 })).toMatchObject({ ok: false, error: 'not_found', message: expect.stringContaining('no revision 99') });
  });

  test('a malformed request is refused in words', async () => {
    const socket = await as({ role: 'panellist', member: member() });
    for (const payload of [{}, { revision: 'one' }, { revision: 0 }, null]) expect(await read(socket, payload)).toMatchObject({ ok: false, error: 'invalid' });
  });
});

describe('the public pages', () => {
  const pages = () => ['/outcomes', `/outcomes/${slug}`, `/outcomes/${slug}/sessions/${sessionId}`, `/outcomes/${slug}/sessions/${sessionId}/v/1`];

  test('show the recommendation in the members’ words, its support and the minority statement, sanitising the narrative', async () => {
    const res = await web().get(`/outcomes/${slug}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Run late buses home from city-centre events.');
    expect(res.text).toContain('<strong>3 agreed</strong>, 0 disagreed, 0 abstained (100% support)');
    expect(res.text).toContain('supported by 1 member');
    expect(res.text).toContain('the events should come to the neighbourhoods too');
    const v1 = (await web().get(`/outcomes/${slug}/sessions/${sessionId}/v/1`)).text;
    expect(v1).toContain('<strong>Foleshill</strong>');
    expect(v1).not.toContain('<script>alert');
    expect(v1).toContain('&lt;script&gt;');
    expect(v1).not.toMatch(/href="javascript:/);
    expect((await web().get('/outcomes')).text).toContain(`href="/outcomes/${slug}"`);
  });

  test('are cacheable: no cookie, Cache-Control, and a 304 for an unchanged page', async () => {
    for (const url of pages()) {
      const res = await web().get(url);
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['cache-control']).toMatch(/^public/);
      const again = await web().get(url).set('If-None-Match', res.headers.etag);
      expect(again.status).toBe(304);
    }
  });

  test('downloads: the JSON document and a CSV per table of figures', async () => {
    const base = `/outcomes/${slug}/sessions/${sessionId}/v/2`;
    const json = await web().get(`${base}/summary.json`);
    expect(json.body).toMatchObject({ version: 2, record: { schema: 'citizens-panel/session-record/1' }, approval: null, changes: { parts: ['the narrative', 'the corrections'] } });
    const votes = await web().get(`${base}/votes.csv`);
    expect(votes.headers['content-type']).toContain('text/csv');
    expect(votes.text.split('\n')[0]).toMatch(/^vote,question,method/);
    expect(votes.text).toContain('Adopt recommendation 1');
    expect((await web().get(`${base}/constructor.csv`)).status).toBe(404);
  });

  test('give no personal data, and unpublished sessions are not found', async () => {
    const texts: string[] = [];
    for (const url of pages()) texts.push((await web().get(url)).text);
    const base = `/outcomes/${slug}/sessions/${sessionId}/v/2`;
    for (const file of ['summary.json', 'agenda.csv', 'attendance.csv', 'airtime.csv', 'votes.csv', 'recommendations.csv']) texts.push((await web().get(`${base}/${file}`)).text);
    expect(personalDataIn(h.app.db, texts)).toEqual([]);
    const someone = h.app.db.prepare('SELECT name FROM registrants WHERE name IS NOT NULL LIMIT 1').pluck().get() as string;
    expect(personalDataIn(h.app.db, [`<p>${someone}</p>`])).toEqual([someone]); // the scan does find a name
    expect((await web().get(`/outcomes/${slug}/sessions/${sessionId + 1}`)).status).toBe(404);
    expect((await web().get('/outcomes/no-such-panel')).status).toBe(404);
  });
});
