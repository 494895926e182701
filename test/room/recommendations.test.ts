import { storedRoom } from '../helpers';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import { type Client, RoomHarness } from './harness';

const agenda = exampleAgenda();
const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');
const h = new RoomHarness();
let sessionId: number;
let facilitator: Client;
let panellists: Client[];
const everyone = () => h.clients;
const majority = { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 };
const cast = (c: Client, vote: number, choice: string) => h.do(c, 'vote:cast', { vote, ballot: { kind: 'threshold', choice } }, everyone());
const rec = (c: Client, id = 1) => h.state(c).recommendations[id - 1];
const storedState = () => storedRoom(h.app.db, sessionId);

beforeAll(async () => {
  const demo = seedDemo(h.app.ctx);
  const members = h.app.db.prepare('SELECT public_id FROM registrants LIMIT 4').pluck().all() as string[];
  sessionId = h.app.room.createSession(demo?.panelId ?? 0, agenda, members, null, h.clock.now());
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  const passes = [pass({ role: 'facilitator' }), ...members.map((member) => pass({ role: 'panellist', member }))];
  await h.listen();
  [facilitator, ...panellists] = await Promise.all(passes.map(async (p) => (await h.join(p)).socket));
  await h.do(facilitator, 'round:open', { round: IDEAS }, everyone());
  await h.do(panellists[0], 'idea:post', { text: 'Free late buses on festival nights' }, everyone());
  await h.do(facilitator, 'idea:theme', { idea: 1, theme: 'Getting there' }, everyone());
});
afterAll(() => h.close());

describe('drafting and amending', () => {
  test('the facilitator drafts from a theme; a source that does not exist is named and nothing changes', async () => {
    const before = h.state(facilitator).version;
    expect(await h.send(facilitator, 'rec:draft', { text: 'Run late buses.', from: { round: IDEAS, theme: 'Parks' } })).toMatchObject({ ok: false, error: 'not_found', message: expect.stringContaining('no theme “Parks”') });
    expect(await h.send(facilitator, 'rec:draft', { text: 'Run late buses.', from: { round: 0, table: 2 } })).toMatchObject({ ok: false, error: 'not_found', message: expect.stringContaining('Table 2 has not reported back') });
    expect(await h.send(panellists[0], 'rec:draft', { text: 'My own recommendation.' })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(storedState().version).toBe(before);
    await h.do(facilitator, 'rec:draft', { text: 'The council should run late buses on festival nights.', from: { round: IDEAS, theme: 'Getting there' } }, everyone());
    expect(rec(panellists[3])).toMatchObject({ id: 1, status: 'draft', from: { round: IDEAS, theme: 'Getting there' }, history: [{ amendment: null }], amendments: [] });
  });

  test('panellists propose amendments as whole new wording, with a reason; the same wording is refused', async () => {
    const [, bob, cat] = panellists;
    expect(await h.send(bob, 'rec:amend', { rec: 1, text: 'The council should run late buses on festival nights.' })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringContaining('wording already') });
    await h.do(bob, 'rec:amend', { rec: 1, text: 'The council should run free late buses on festival nights, from every ward.', reason: 'Foleshill and WEHM are furthest from the centre.' }, everyone());
    await h.do(cat, 'rec:amend', { rec: 1, text: 'The council should look into late buses.' }, everyone());
    expect(rec(facilitator).amendments.map((a) => [a.id, a.status, a.against])).toEqual([[1, 'proposed', 0], [2, 'proposed', 0]]);
    expect(rec(facilitator).amendments[0].by).toBe(h.state(facilitator).members[1]);
  });

  test('the final vote waits until every amendment is decided; decisions are threshold or consent votes', async () => {
    await h.do(facilitator, 'round:open', { round: VOTE_ROUND }, everyone());
    expect(await h.send(facilitator, 'vote:open', { subject: { rec: 1 }, settings: majority })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('Amendment 1 and 2 to recommendation 1 have not been decided') });
    expect(await h.send(facilitator, 'vote:open', { subject: { rec: 1, amendment: 1 }, settings: { method: 'scale', scale: 'likert5' } })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringContaining('must decide it') });
    expect(await h.send(facilitator, 'vote:open', { subject: { rec: 9 }, settings: majority })).toMatchObject({ ok: false, error: 'not_found' });
    expect(h.state(facilitator).votes).toHaveLength(0);
  });

  test('a carried amendment becomes the wording; the vote asks the wording in full', async () => {
    await h.do(facilitator, 'vote:open', { subject: { rec: 1, amendment: 1 }, settings: majority }, everyone());
    const vote = h.state(panellists[0]).votes[0];
    expect(vote).toMatchObject({ subject: { rec: 1, amendment: 1 }, question: expect.stringContaining('“The council should run free late buses on festival nights, from every ward.”') });
    expect(await h.send(panellists[2], 'rec:withdraw', { rec: 1, amendment: 1 })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await h.send(panellists[1], 'rec:withdraw', { rec: 1, amendment: 1 })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('being voted on') });
    for (const [i, choice] of ['agree', 'agree', 'disagree', 'agree'].entries()) await cast(panellists[i], 1, choice);
    await h.do(facilitator, 'vote:close', { vote: 1 }, everyone());
    expect(rec(panellists[0])).toMatchObject({ text: 'The council should run free late buses on festival nights, from every ward.', history: [{ amendment: null }, { amendment: 1 }] });
    expect(rec(panellists[0]).amendments[0]).toMatchObject({ status: 'carried', vote: 1 });
  });

  test('a proposer withdraws their amendment; then the recommendation goes to its final vote, and its wording is fixed while it is open', async () => {
    await h.do(panellists[2], 'rec:withdraw', { rec: 1, amendment: 2 }, everyone());
    await h.do(facilitator, 'vote:open', { subject: { rec: 1 }, settings: { method: 'threshold', threshold: { rule: 'two-thirds', base: 'all' }, quorum: 3 }, secret: false }, everyone());
    expect(h.state(panellists[0]).votes[1].question).toBe('Adopt recommendation 1: “The council should run free late buses on festival nights, from every ward.”?');
    expect(await h.send(panellists[0], 'rec:amend', { rec: 1, text: 'Something else entirely.' })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('final vote on recommendation 1 is open') });
    for (const [i, choice] of ['agree', 'agree', 'agree', 'disagree'].entries()) await cast(panellists[i], 2, choice);
    await h.do(facilitator, 'vote:close', { vote: 2 }, everyone());
    expect(rec(panellists[3])).toMatchObject({ status: 'adopted', vote: 2 });
    expect(h.state(panellists[3]).votes[1].result).toMatchObject({ outcome: 'passed', voted: 4, eligible: 4 });
    expect(await h.send(panellists[0], 'rec:amend', { rec: 1, text: 'Something else entirely.' })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('adopted: its wording is settled') });
  });
});

describe('minority statements', () => {
  test('a member who disagrees writes one; others sign it and can take their name off; the author cannot', async () => {
    const [ann, bob, , dan] = panellists;
    expect(await h.send(facilitator, 'rec:minority', { rec: 1, text: 'Buses alone will not do.' })).toMatchObject({ ok: false, error: 'forbidden' });
    await h.do(dan, 'rec:minority', { rec: 1, text: 'Free buses cost more than the whole events budget; we would rather fund the events.' }, everyone());
    expect(await h.send(dan, 'rec:minority', { rec: 1, text: 'A second statement.' })).toMatchObject({ ok: false, error: 'conflict' });
    await h.do(ann, 'rec:support', { rec: 1, report: 1, support: true }, everyone());
    await h.do(bob, 'rec:support', { rec: 1, report: 1, support: true }, everyone());
    await h.do(bob, 'rec:support', { rec: 1, report: 1, support: false }, everyone());
    expect(await h.send(dan, 'rec:support', { rec: 1, report: 1, support: false })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('You wrote that statement') });
    expect(rec(facilitator).minority).toEqual([{ id: 1, by: h.state(facilitator).members[3], text: expect.stringContaining('events budget'), supporters: [h.state(facilitator).members[3], h.state(facilitator).members[0]] }]);
  });

  test('a draft or rejected recommendation takes no minority statement; no quorum leaves a draft to be put again', async () => {
    await h.do(facilitator, 'rec:draft', { text: 'Every library should host a monthly culture night.' }, everyone());
    expect(await h.send(panellists[0], 'rec:minority', { rec: 2, text: 'Not every library.' })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('has not been adopted') });
    await h.do(facilitator, 'vote:open', { subject: { rec: 2 }, settings: { method: 'consent', quorum: 3 } }, everyone());
    await h.do(panellists[0], 'vote:cast', { vote: 3, ballot: { kind: 'consent', choice: 'consent' } }, everyone());
    await h.do(facilitator, 'vote:close', { vote: 3 }, everyone());
    expect(rec(facilitator, 2)).toMatchObject({ status: 'draft', vote: 3 });
    await h.do(facilitator, 'vote:open', { subject: { rec: 2 }, settings: { method: 'consent', quorum: 0 } }, everyone());
    await h.do(panellists[1], 'vote:cast', { vote: 4, ballot: { kind: 'consent', choice: 'object', reason: 'Some branches have no room.' } }, everyone());
    await h.do(facilitator, 'vote:close', { vote: 4 }, everyone());
    expect(rec(facilitator, 2)).toMatchObject({ status: 'rejected', vote: 4 });
    expect(h.state(facilitator).votes[3].result?.detail).toMatchObject({ objections: ['Some branches have no room.'] });
  });
});

describe('the record', () => {
  test('the agreed wording, its amendments, votes and minority statement are stored, and survive a restart', async () => {
    await h.restart();
    await Promise.all(h.clients.map((c) => new Promise<void>((resolve) => c.once('room:state', () => resolve()))));
    const stored = storedState();
    expect(stored.recommendations.map((r) => [r.id, r.status, r.text])).toEqual([
      [1, 'adopted', 'The council should run free late buses on festival nights, from every ward.'],
      [2, 'rejected', 'Every library should host a monthly culture night.'],
    ]);
    expect(stored.recommendations[0].amendments.map((a) => a.status)).toEqual(['carried', 'withdrawn']);
    expect(stored.votes.map((v) => v.result?.outcome)).toEqual(['passed', 'passed', 'no-quorum', 'failed']);
    const commands = h.app.db.prepare('SELECT command FROM room_commands WHERE session_id = ? AND command LIKE ?').pluck().all(sessionId, '%"rec:%') as string[];
    expect(commands.map((c) => JSON.parse(c).type)).toEqual(['rec:draft', 'rec:amend', 'rec:amend', 'rec:withdraw', 'rec:minority', 'rec:support', 'rec:support', 'rec:support', 'rec:draft']);
    expect(rec(panellists[0]).minority[0].supporters).toHaveLength(2);
  });
});
