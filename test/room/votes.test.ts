import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import type { Change, Snapshot } from '../../src/room/events';
import { type Client, RoomHarness } from './harness';

const agenda = exampleAgenda();
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');
const h = new RoomHarness();
let members: string[];
let sessionId: number;
let facilitator: Client;
let teller: Client;
let panellists: Client[];
/** Every message any client received, to prove what was and was not sent before a close. */
const heard: string[] = [];
const receipt = (n: number) => `receipt-${n}-abcdefghijklmnopqrstu`;

beforeAll(async () => {
  const demo = seedDemo(h.app.ctx);
  members = h.app.db.prepare('SELECT public_id FROM registrants LIMIT 4').pluck().all() as string[];
  sessionId = h.app.room.createSession(demo?.panelId ?? 0, agenda, members, null, h.clock.now());
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  const [facilitatorPass, tellerPass] = [pass({ role: 'facilitator' }), pass({ role: 'facilitator' })];
  const panellistPasses = members.map((member) => pass({ role: 'panellist', member }));
  await h.listen();
  facilitator = (await h.join(facilitatorPass)).socket;
  teller = (await h.join(tellerPass)).socket;
  panellists = await Promise.all(panellistPasses.map(async (p) => (await h.join(p)).socket));
  for (const c of h.clients) {
    c.on('room:changed', (change: Change) => heard.push(JSON.stringify(change)));
    c.on('room:state', (s: Snapshot) => heard.push(JSON.stringify(s)));
  }
  await h.do(facilitator, 'round:open', { round: VOTE_ROUND }, h.clients);
});
afterAll(() => h.close());

const everyone = () => h.clients;
const lastVote = (c: Client) => h.state(c).votes[h.state(c).votes.length - 1];

describe('a secret ballot', () => {
  test('ballots are cast, changed and retried; nobody sees a result before the close, the facilitator included', async () => {
    await h.do(facilitator, 'vote:open', { question: 'Put free late buses forward as a draft recommendation?', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 3 }, secret: true }, everyone());
    const [ann, bob, cat, dan] = panellists;
    const cast = (c: Client, n: number, choice: string, clientId?: string) => h.send(c, 'vote:cast', { vote: 1, ballot: { kind: 'threshold', choice }, receipt: receipt(n) }, clientId);
    expect((await cast(ann, 1, 'agree')).ok).toBe(true);
    expect((await cast(bob, 2, 'agree')).ok).toBe(true);
    expect((await cast(bob, 2, 'disagree')).ok).toBe(true); // Bob changes his mind: the last ballot counts
    const first = await cast(cat, 3, 'agree', 'cat-1');
    expect(await cast(cat, 3, 'agree', 'cat-1')).toEqual(first); // a retry after a lost ack counts once
    // Changing a secret ballot needs the receipt it was cast with.
    expect(await cast(ann, 9, 'disagree')).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('use the device you voted on') });
    const counted = await h.do(dan, 'vote:cast', { vote: 1, ballot: { kind: 'threshold', choice: 'abstain' }, receipt: receipt(4) }, everyone());
    expect(lastVote(facilitator)).toMatchObject({ voted: 4, result: null });
    expect(heard.some((m) => /"result":\{/.test(m) || /"disagree"/.test(m))).toBe(false);
    expect(counted).toBeGreaterThan(0);
  });

  test('nothing in the database ties a panellist to a choice', () => {
    const db = h.app.db;
    const ballots = db.prepare('SELECT * FROM vote_ballots WHERE session_id = ?').all(sessionId) as Record<string, unknown>[];
    expect(ballots).toHaveLength(4);
    expect(Object.keys(ballots[0]).sort()).toEqual(['ballot_key', 'content', 'member', 'session_id', 'source', 'vote_id']); // no time
    expect(ballots.every((b) => b.member === null)).toBe(true);
    // Stored in the order of their keys (hashes of receipts), not the order of voting.
    expect(ballots.map((b) => b.ballot_key)).toEqual([...ballots.map((b) => b.ballot_key as string)].sort());
    const voters = db.prepare('SELECT member FROM vote_voters WHERE session_id = ?').pluck().all(sessionId);
    expect(voters).toEqual([...members].sort());
    // Scan every table: no row holds both a member's id and a choice.
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
        const text = JSON.stringify(row);
        if (members.some((m) => text.includes(m))) expect(text).not.toMatch(/agree|disagree|abstain/);
      }
    }
  });

  test('a ballot after the close is refused and stored nowhere; the result has its rule and denominators', async () => {
    await h.do(facilitator, 'vote:close', { vote: 1 }, everyone());
    expect(await h.send(panellists[0], 'vote:cast', { vote: 1, ballot: { kind: 'threshold', choice: 'disagree' }, receipt: receipt(1) })).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('closed') });
    const result = lastVote(panellists[1]).result;
    expect(result).toMatchObject({ eligible: 4, voted: 4, abstained: 1, spoiled: 0, quorum: { required: 3, met: true }, outcome: 'passed' });
    expect(result?.rule).toMatch(/abstentions/i);
  });

  test('a panellist checks their own ballot by receipt; a wrong receipt finds nothing', async () => {
    const check = (c: Client, r: string) => new Promise((resolve) => c.emit('vote:check', { vote: 1, receipt: r }, resolve));
    expect(await check(panellists[1], receipt(2))).toEqual({ ok: true, data: { counted: true, ballot: { kind: 'threshold', choice: 'disagree' } } });
    expect(await check(panellists[1], receipt(7))).toEqual({ ok: true, data: { counted: false } });
  });
});

describe('paper ballots and open votes', () => {
  test('paper counts need two different people to enter the same count; a first teller may correct theirs', async () => {
    await h.do(facilitator, 'vote:open', { question: 'Which idea goes first?', settings: { method: 'approval', quorum: 0 }, options: ['Late buses', 'Library events', 'Park festivals'], live: true }, everyone());
    const pile = { vote: 2, ballots: [{ kind: 'approval', dots: [1, 0, 1] }, { kind: 'approval', dots: [0, 1, 0] }], spoiled: 1 };
    await h.do(facilitator, 'vote:paper', { ...pile, spoiled: 0 }, everyone()); // a first count, with a slip
    expect(lastVote(panellists[0])).toMatchObject({ voted: 0, paper: { pending: true } }); // waiting, not counted
    expect(await h.send(teller, 'vote:paper', pile)).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('differs') });
    await h.do(facilitator, 'vote:paper', pile, everyone()); // the first teller corrects their count
    await h.do(teller, 'vote:paper', pile, everyone()); // and the second confirms it
    expect(lastVote(panellists[0])).toMatchObject({ voted: 3, paper: { accepted: 2, spoiled: 1, pending: false } });
    // A live open vote shows its count as it goes.
    await h.do(panellists[0], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [1, 1, 0] }, receipt: receipt(11) }, everyone());
    expect(lastVote(panellists[2]).result).toMatchObject({ voted: 4, spoiled: 1, outcome: 'chosen' });
  });

  test('a restart in the middle of a vote loses no acknowledged ballot and doubles none', async () => {
    await h.do(panellists[1], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [0, 0, 1] }, receipt: receipt(12) }, everyone());
    await h.restart();
    const back = await Promise.all(h.clients.map((c) => new Promise<void>((resolve) => c.once('room:state', () => resolve()))));
    expect(back).toHaveLength(h.clients.length);
    await h.do(panellists[1], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [0, 1, 0] }, receipt: receipt(12) }, everyone());
    await h.do(facilitator, 'vote:close', { vote: 2 }, everyone());
    expect(lastVote(panellists[3]).result).toMatchObject({ voted: 5, eligible: 4 });
  });

  test('refusals: panellists cannot open, close or enter paper; bad ballots are named; observers cannot vote', async () => {
    const [ann] = panellists;
    expect(await h.send(ann, 'vote:open', { question: 'Mine?', settings: { method: 'consent' } })).toMatchObject({ ok: false, error: 'forbidden' });
    await h.do(facilitator, 'vote:open', { question: 'Adopt the draft as it stands?', settings: { method: 'consent' } }, everyone());
    expect(await h.send(ann, 'vote:cast', { vote: 3, ballot: { kind: 'consent', choice: 'object' }, receipt: receipt(21) })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringMatching(/reason/i) });
    expect(await h.send(ann, 'vote:cast', { vote: 3, ballot: { kind: 'threshold', choice: 'agree' }, receipt: receipt(21) })).toMatchObject({ ok: false, error: 'invalid' });
    expect(await h.send(ann, 'vote:cast', { vote: 3, ballot: { kind: 'consent', choice: 'consent' }, receipt: 'short' })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringContaining('receipt') });
    expect(await h.send(ann, 'vote:paper', { vote: 3, ballots: [] })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(h.app.db.prepare('SELECT COUNT(*) FROM vote_ballots WHERE vote_id = 3').pluck().get()).toBe(0);
  });
});
