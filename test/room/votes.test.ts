import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import type { Change, Reply, Snapshot } from '../../src/room/events';
import { PASSWORD } from '../helpers';
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

/** A teller: a signed-in account of the team, joined by its login cookie as the console does. */
async function tellerLogin(email: string): Promise<Client> {
  const user = createUser(h.app.db, h.clock, { email, name: email, role: 'facilitator', password: PASSWORD });
  addToTeam(h.app.db, h.app.room.find(sessionId)?.panelId ?? 0, user.id, h.clock.now());
  const socket = await h.joinByLogin(sessionId, user.id, true); // reconnects after the restart test's restart
  if (typeof socket === 'string') throw new Error(socket);
  return socket;
}

beforeAll(async () => {
  const demo = seedDemo(h.app.ctx);
  members = h.app.db.prepare('SELECT public_id FROM registrants LIMIT 6').pluck().all() as string[];
  sessionId = h.app.room.createSession(demo?.panelId ?? 0, agenda, members, null, h.clock.now());
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  const panellistPasses = members.map((member) => pass({ role: 'panellist', member }));
  await h.listen();
  facilitator = await tellerLogin('facilitator@example.org');
  teller = await tellerLogin('teller@example.org');
  panellists = await Promise.all(panellistPasses.map(async (p) => (await h.join(p)).socket));
  for (const c of h.clients) {
    c.on('room:changed', (change: Change) => heard.push(JSON.stringify(change)));
    c.on('room:state', (s: Snapshot) => heard.push(JSON.stringify(s)));
  }
  await h.do(facilitator, 'round:open', { round: VOTE_ROUND }, panellists);
});
afterAll(() => h.close());

/** The clients whose rooms the harness follows: the tellers join by login, outside it. */
const everyone = () => panellists;
const lastVote = (c: Client) => h.state(c).votes[h.state(c).votes.length - 1];

type Done = Reply<{ version: number; receipt?: string; unlock?: string }>;
const cast = (c: Client, vote: number, ballot: Record<string, unknown>, clientId?: string) => h.send(c, 'vote:cast', { vote, ballot }, clientId) as Promise<Done>;
const threshold = (choice: string) => ({ kind: 'threshold', choice });
const check = (c: Client, payload: Record<string, unknown>) => new Promise((resolve) => c.emit('vote:check', payload as never, resolve));
const held: { receipt?: string; unlock?: string }[] = [];

describe('a secret ballot', () => {
  test('ballots are cast, changed and retried; nobody sees a result before the close, the facilitator included', async () => {
    await h.do(facilitator, 'vote:open', { question: 'Put free late buses forward as a draft recommendation?', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 3 }, secret: true }, everyone());
    const [ann, bob, cat, dan, eve] = panellists;
    const first = await cast(ann, 1, threshold('agree'));
    expect(first).toMatchObject({ ok: true, data: { receipt: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/), unlock: expect.any(String) } });
    expect((await cast(bob, 1, threshold('agree'))).ok).toBe(true);
    const changed = await cast(bob, 1, threshold('disagree')); // Bob changes his mind: the last ballot counts, under the same receipt
    const retried = await cast(cat, 1, threshold('agree'), 'cat-1');
    // A retry after a lost ack counts once, with the same receipt (but not the unlock again: see docs/voting.md).
    expect(await cast(cat, 1, threshold('agree'), 'cat-1')).toEqual({ ok: true, data: { version: retried.ok && retried.data.version, receipt: retried.ok && retried.data.receipt } });
    expect((await cast(dan, 1, threshold('abstain'))).ok).toBe(true);
    const last = await cast(eve, 1, threshold('agree'));
    for (const reply of [first, changed, retried, last]) held.push(reply.ok ? reply.data : {});
    await h.changeTo(eve, (last.ok && last.data.version) || 0);
    expect(lastVote(eve)).toMatchObject({ voted: 5, result: null }); // five ballots: the counter shows them
    expect(heard.some((m) => /"result":\{/.test(m) || /"disagree"/.test(m))).toBe(false);
  });

  test('while the vote is open, the database holds only sealed ballots of one size', () => {
    const db = h.app.db;
    const sealed = db.prepare('SELECT slot, sealed FROM vote_sealed WHERE session_id = ? AND vote_id = 1').all(sessionId) as { slot: string; sealed: Buffer }[];
    expect(sealed).toHaveLength(5);
    expect(new Set(sealed.map((r) => r.sealed.length)).size).toBe(1); // "agree" and "disagree" look the same
    expect(sealed.some((r) => members.some((m) => r.slot.includes(m)))).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM vote_ballots WHERE session_id = ? AND vote_id = 1').pluck().get(sessionId)).toBe(0);
    expect(db.prepare('SELECT member FROM vote_voters WHERE session_id = ? AND vote_id = 1').pluck().all(sessionId)).toEqual([...members.slice(0, 5)].sort());
  });

  test('a ballot after the close is refused and stored nowhere; the result has its rule and denominators', async () => {
    await h.do(facilitator, 'vote:close', { vote: 1 }, everyone());
    expect(await cast(panellists[0], 1, threshold('disagree'))).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('closed') });
    const result = lastVote(panellists[1]).result;
    expect(result).toMatchObject({ eligible: 6, voted: 5, abstained: 1, spoiled: 0, quorum: { required: 3, met: true }, outcome: 'passed' });
    expect(result?.rule).toMatch(/abstentions/i);
  });

  test('after the close the ballots are opened, stored with nothing that names a voter, and the seals erased', () => {
    const db = h.app.db;
    expect(db.prepare('SELECT COUNT(*) FROM vote_sealed WHERE session_id = ?').pluck().get(sessionId)).toBe(0);
    const ballots = db.prepare('SELECT * FROM secret_ballots WHERE session_id = ? AND vote_id = 1').all(sessionId) as Record<string, unknown>[];
    expect(ballots).toHaveLength(5);
    expect(Object.keys(ballots[0]).sort()).toEqual(['ballot_key', 'content', 'proof', 'session_id', 'vote_id']); // no member, no time, no source
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
        const text = JSON.stringify(row);
        if (members.some((m) => text.includes(m))) expect(text).not.toMatch(/"choice":/);
      }
    }
  });

  test("a panellist checks their ballot by receipt; without the device's unlock only that it was counted", async () => {
    const [, bobs] = held;
    expect(await check(panellists[1], { vote: 1, receipt: bobs.receipt, unlock: bobs.unlock })).toEqual({ ok: true, data: { counted: true, ballot: threshold('disagree') } });
    expect(await check(panellists[3], { vote: 1, receipt: bobs.receipt })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(panellists[1], { vote: 1, receipt: '7K3M-Q9TX-2BHD' })).toEqual({ ok: true, data: { counted: false } });
  });
});

describe('paper ballots and open votes', () => {
  const pile = { vote: 2, members: [] as string[], ballots: [{ kind: 'approval', dots: [1, 0, 1] }, { kind: 'approval', dots: [0, 1, 0] }], spoiled: 1 };

  test('paper counts need two different people to enter the same count; a first teller may correct theirs', async () => {
    pile.members = members.slice(3, 6);
    await h.do(facilitator, 'vote:open', { question: 'Which idea goes first?', settings: { method: 'approval', quorum: 0 }, options: ['Late buses', 'Library events', 'Park festivals'], live: true }, everyone());
    await h.do(facilitator, 'vote:paper', { ...pile, ballots: pile.ballots.slice(0, 1), spoiled: 2 }, everyone()); // a first count, with a slip
    expect(lastVote(panellists[0])).toMatchObject({ voted: 0, paper: { pending: true } }); // waiting, not counted
    expect(await h.send(teller, 'vote:paper', pile)).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining('differs') });
    await h.do(facilitator, 'vote:paper', pile, everyone()); // the first teller corrects their count
    await h.do(teller, 'vote:paper', pile, everyone()); // and the second confirms it
    expect(lastVote(panellists[0])).toMatchObject({ voted: 3, paper: { accepted: 2, spoiled: 1, pending: false } });
    // A live open vote shows its count as it goes.
    await h.do(panellists[0], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [1, 1, 0] } }, everyone());
    expect(lastVote(panellists[2]).result).toMatchObject({ voted: 4, spoiled: 1, outcome: 'chosen' });
    // An open vote has no receipts.
    expect(await check(panellists[0], { vote: 2, receipt: '7K3M-Q9TX-2BHD' })).toMatchObject({ ok: false, error: 'invalid' });
  });

  test('a restart in the middle of a vote loses no acknowledged ballot and doubles none', async () => {
    await h.do(panellists[1], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [0, 0, 1] } }, everyone());
    await h.restart();
    const back = await Promise.all(panellists.map((c) => new Promise<void>((resolve) => c.once('room:state', () => resolve()))));
    expect(back).toHaveLength(panellists.length);
    await h.do(panellists[1], 'vote:cast', { vote: 2, ballot: { kind: 'approval', dots: [0, 1, 0] } }, everyone());
    const reply = await h.send(facilitator, 'vote:close', { vote: 2 });
    if (!reply.ok) throw new Error(reply.message);
    await h.changeTo(panellists[3], reply.data.version);
    expect(lastVote(panellists[3]).result).toMatchObject({ voted: 5, eligible: 6 });
  });

  test('refusals: panellists cannot open, close or enter paper; bad ballots are named; observers cannot vote', async () => {
    const [ann] = panellists;
    expect(await h.send(ann, 'vote:open', { question: 'Mine?', settings: { method: 'consent' } })).toMatchObject({ ok: false, error: 'forbidden' });
    await h.do(facilitator, 'vote:open', { question: 'Adopt the draft as it stands?', settings: { method: 'consent' } }, everyone());
    expect(await cast(ann, 3, { kind: 'consent', choice: 'object' })).toMatchObject({ ok: false, error: 'invalid', message: expect.stringMatching(/reason/i) });
    expect(await cast(ann, 3, { kind: 'threshold', choice: 'agree' })).toMatchObject({ ok: false, error: 'invalid' });
    expect(await h.send(ann, 'vote:paper', { vote: 3, members: [], ballots: [] })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(h.app.db.prepare('SELECT COUNT(*) FROM vote_ballots WHERE vote_id = 3').pluck().get()).toBe(0);
  });

  test('a vote opened without a quorum needs more than half the members; no quorum is 0, said outright', async () => {
    // Vote 3 (above) was opened with no quorum: 4 of the 6 members must vote for its result to stand.
    expect(lastVote(panellists[0]).settings.quorum).toBe(4);
    await h.do(panellists[0], 'vote:cast', { vote: 3, ballot: { kind: 'consent', choice: 'consent' } }, everyone());
    await h.do(facilitator, 'vote:close', { vote: 3 }, everyone());
    expect(lastVote(panellists[0]).result).toMatchObject({ voted: 1, quorum: { required: 4, met: false }, outcome: 'no-quorum' });
    await h.do(facilitator, 'vote:open', { question: 'Adopt the draft as it stands?', settings: { method: 'consent', quorum: 0 } }, everyone());
    expect(lastVote(panellists[0]).settings.quorum).toBe(0);
    await h.do(facilitator, 'vote:close', { vote: 4 }, everyone());
  });
});
