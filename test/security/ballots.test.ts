import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { seedDemo } from '../../src/demo/seed';
import { keyStore } from '../../src/keys';
import { exampleAgenda } from '../../src/room/agenda';
import type { Change, Reply } from '../../src/room/events';
import type { Vote } from '../../src/room/state';
import { PASSWORD, seatMembers } from '../helpers';
import { type Client, RoomHarness } from '../room/harness';

/**
 * Issue 16, as the attackers did it: each test makes the named move through real sockets on a real database,
 * then asserts the tally and the stored rows, not only the refusal. The later tests go one step further.
 */
const agenda = exampleAgenda();
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');
const h = new RoomHarness();
let sessionId: number;
let members: string[];
let facilitator: Client;
let organiser: Client;
let observer: Client;
let linkTellers: Client[];
let phones: Client[];
let votes = 0;
let panelId: number;

/** A socket joined by a signed-in account's cookie, as the console opens the room. */
async function joinByLogin(role: 'facilitator' | 'organiser', email: string, session = sessionId): Promise<Client> {
  const user = createUser(h.app.db, h.clock, { email, name: email, role, password: PASSWORD });
  addToTeam(h.app.db, panelId, user.id, h.clock.now());
  const socket = await h.joinByLogin(session, user.id);
  if (typeof socket === 'string') throw new Error(socket);
  return socket;
}

beforeAll(async () => {
  panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
  members = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 8').pluck().all() as string[];
  seatMembers(h.app.db, panelId, members, h.clock.now());
  sessionId = h.app.room.createSession(panelId, agenda, members, null, h.clock.now());
  await h.listen();
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  facilitator = await joinByLogin('facilitator', 'f@example.org');
  organiser = await joinByLogin('organiser', 'o@example.org');
  observer = (await h.join(pass({ role: 'observer' }))).socket;
  linkTellers = [(await h.join(pass({ role: 'facilitator' }))).socket, (await h.join(pass({ role: 'facilitator' }))).socket];
  phones = await Promise.all(members.map(async (member) => (await h.join(pass({ role: 'panellist', member }))).socket));
  await h.send(facilitator, 'round:open', { round: VOTE_ROUND });
});
afterAll(() => h.close());
// A test that fails part-way leaves no vote open for the next.
afterEach(async () => {
  for (const v of h.app.room.state(sessionId)?.votes ?? []) if (v.status === 'open') await h.send(facilitator, 'vote:close', { vote: v.id });
});

const threshold = { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 };
const choice = (c: string) => ({ kind: 'threshold', choice: c });
const stored = (table: string, vote: number) => h.app.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE session_id = ? AND vote_id = ?`).pluck().get(sessionId, vote) as number;
const ballotRows = (vote: number) => stored('vote_ballots', vote) + stored('secret_ballots', vote);
const voteOf = (id: number): Vote => (h.app.room.state(sessionId)?.votes ?? []).find((v) => v.id === id) as Vote;
const check = (c: Client, payload: Record<string, unknown>) => new Promise<Reply<{ counted: boolean; ballot?: unknown }>>((resolve) => c.emit('vote:check', payload as never, resolve));

async function openVote(secret: boolean, extra: Record<string, unknown> = {}): Promise<number> {
  const reply = await h.send(facilitator, 'vote:open', { question: 'Put free late buses forward?', settings: threshold, secret, ...extra });
  if (!reply.ok) throw new Error(reply.message);
  return ++votes;
}

/** Casts as a phone would; resolves with the reply and the receipt the voter now holds (the server's, if it issued one). */
async function cast(c: Client, vote: number, ballot: unknown, receipt = `device-made-receipt-${Math.random().toString(36).slice(2)}-xx`) {
  const reply = (await h.send(c, 'vote:cast', { vote, ballot, receipt })) as Reply<{ version: number; receipt?: string; unlock?: string }>;
  return { reply, receipt: (reply.ok && reply.data.receipt) || receipt, unlock: reply.ok ? reply.data.unlock : undefined };
}

async function close(vote: number): Promise<Vote> {
  const reply = await h.send(facilitator, 'vote:close', { vote });
  if (!reply.ok) throw new Error(reply.message);
  return voteOf(vote);
}

const detail = (v: Vote) => v.result?.detail as { agree: number; disagree: number; abstain: number } | undefined;

describe('the moves issue 16 names', () => {
  test("a member replaying another member's receipt changes only their own ballot", async () => {
    const vote = await openVote(true);
    const [ann, bob, ...rest] = phones;
    await cast(ann, vote, choice('agree'));
    const bobs = await cast(bob, vote, choice('disagree'));
    for (const c of rest.slice(0, 3)) await cast(c, vote, choice('abstain'));
    await cast(ann, vote, choice('agree'), bobs.receipt);
    const result = detail(await close(vote));
    expect(result).toMatchObject({ agree: 1, disagree: 1, abstain: 3 }); // Bob's disagree still stands
    expect(ballotRows(vote)).toBe(5);
    expect(stored('vote_voters', vote)).toBe(5);
  });

  test('a receipt the client chose is not the receipt; an observer cannot check any receipt', async () => {
    const vote = await openVote(true);
    const chosen = 'COERCER-CHOSEN-RECEIPT-0001';
    const ann = await cast(phones[0], vote, choice('disagree'), chosen);
    expect(ann.reply.ok).toBe(true);
    expect(ann.receipt).not.toBe(chosen);
    for (const receipt of [chosen, ann.receipt]) {
      expect(await check(observer, { vote, receipt })).toMatchObject({ ok: false, error: 'forbidden' });
      expect(await check(facilitator, { vote, receipt })).toMatchObject({ ok: false, error: 'forbidden' });
    }
    for (const c of phones.slice(1, 5)) await cast(c, vote, choice('agree'));
    await close(vote);
    expect(await check(observer, { vote, receipt: ann.receipt })).toMatchObject({ ok: false, error: 'forbidden' });
  });

  test('two tellers cannot push the count past the hall, however often they enter it', async () => {
    const vote = await openVote(false);
    const pile = { vote, ballots: Array.from({ length: 1500 }, () => choice('agree')), spoiled: 0 };
    const replies = [];
    for (let round = 0; round < 2; round++) for (const teller of [facilitator, organiser]) replies.push(await h.send(teller, 'vote:paper', pile));
    expect(replies.every((r) => !r.ok)).toBe(true);
    expect(voteOf(vote)).toMatchObject({ voted: 0, paper: { accepted: 0, spoiled: 0 } });
    expect(ballotRows(vote)).toBe(0);
    const closed = await close(vote);
    expect(closed.result?.voted).toBe(0);
    expect(closed.result?.voted).toBeLessThanOrEqual(closed.result?.eligible ?? 0);
  });

  test('a member votes by phone or on paper, never both', async () => {
    const vote = await openVote(false);
    const [ann, , , , , fay] = phones;
    expect((await cast(ann, vote, choice('agree'))).reply.ok).toBe(true);
    // The tellers name Ann among the paper voters: refused, naming her, and nothing is added.
    const withAnn = { vote, members: [members[0], members[6]], ballots: [choice('disagree'), choice('disagree')], spoiled: 0 };
    await h.send(facilitator, 'vote:paper', withAnn);
    const second = await h.send(organiser, 'vote:paper', withAnn);
    expect(second).toMatchObject({ ok: false, message: expect.stringContaining(members[0]) });
    // Fay votes on paper; her phone is then refused.
    const fays = { vote, members: [members[5]], ballots: [choice('disagree')], spoiled: 0 };
    expect((await h.send(facilitator, 'vote:paper', fays)).ok).toBe(true);
    expect((await h.send(organiser, 'vote:paper', fays)).ok).toBe(true);
    expect((await cast(fay, vote, choice('agree'))).reply).toMatchObject({ ok: false, error: 'conflict', message: expect.stringMatching(/paper/) });
    const closed = await close(vote);
    expect(detail(closed)).toMatchObject({ agree: 1, disagree: 1 });
    expect(closed.result?.voted).toBe(2);
    expect(stored('vote_voters', vote)).toBe(2);
  });

  test('a lone secret ballot is not revealed, and the live count does not move with each ballot', async () => {
    const vote = await openVote(true);
    const version = h.app.room.state(sessionId)?.version ?? 0;
    await Promise.all([observer, ...phones].map((c) => h.changeTo(c, version)));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the vote's opening has reached the logins too
    const heard: string[] = [];
    const listen = (change: Change) => heard.push(JSON.stringify(change));
    for (const c of [facilitator, observer, ...phones]) c.on('room:changed', listen);
    expect((await cast(phones[1], vote, choice('disagree'))).reply.ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(voteOf(vote).voted).toBe(0); // the counter moves in fives while a secret vote is open
    expect(h.app.room.state(sessionId)?.version).toBe(version); // and the room did not change at all
    expect(heard).toEqual([]);
    const closed = await close(vote);
    for (const c of [facilitator, observer, ...phones]) c.off('room:changed', listen);
    expect(closed.result).toBeNull();
    expect((closed as { withheld?: boolean }).withheld).toBe(true);
    expect(closed.voted).toBe(1);
    // Not opened, and not kept: a ballot stored beside the list of who voted would be that voter's.
    expect([ballotRows(vote), stored('vote_sealed', vote)]).toEqual([0, 0]);
    const told = heard.flatMap((m) => Object.values((JSON.parse(m) as Change).lists?.votes?.at ?? {}).filter((v) => v.id === vote));
    expect(told.length).toBeGreaterThan(0); // the close went out
    expect(told.every((v) => v.result === null)).toBe(true);
  });
});

describe('one step further', () => {
  test("with someone else's receipt a member learns only that it was counted; the voter's device sees its ballot", async () => {
    const vote = await openVote(true);
    const ann = await cast(phones[0], vote, choice('disagree'));
    for (const c of phones.slice(1, 5)) await cast(c, vote, choice('agree'));
    expect(await check(phones[1], { vote, receipt: ann.receipt })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(phones[0], { vote, receipt: ann.receipt, unlock: ann.unlock })).toEqual({ ok: true, data: { counted: true, ballot: choice('disagree') } });
    await close(vote);
    expect(await check(phones[1], { vote, receipt: ann.receipt })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(phones[1], { vote, receipt: ann.receipt, unlock: 'a-guess' })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(phones[0], { vote, receipt: ann.receipt.toLowerCase().replace(/-/g, ' '), unlock: ann.unlock })).toEqual({ ok: true, data: { counted: true, ballot: choice('disagree') } });
    expect(await check(phones[0], { vote, receipt: 'ZZZZ-ZZZZ-ZZZZ' })).toEqual({ ok: true, data: { counted: false } });
  });

  test('a changed ballot and a retried one keep the same server receipt', async () => {
    const vote = await openVote(true);
    const first = await cast(phones[2], vote, choice('agree'));
    const changed = await cast(phones[2], vote, choice('disagree'));
    expect(changed.receipt).toBe(first.receipt);
    const retried = (await h.send(phones[2], 'vote:cast', { vote, ballot: choice('abstain') }, 'same-id')) as Reply<{ version: number; receipt?: string; unlock?: string }>;
    const again = (await h.send(phones[2], 'vote:cast', { vote, ballot: choice('abstain') }, 'same-id')) as Reply<{ version: number; receipt?: string; unlock?: string }>;
    expect(retried.ok && retried.data.receipt).toBe(first.receipt);
    // The resend (its first acknowledgement lost) gets the receipt, never the unlock a second time: a client id
    // read from a copy of the database cannot fetch it.
    expect(again).toEqual({ ok: true, data: { version: retried.ok && retried.data.version, receipt: first.receipt } });
    // Each cast has its own unlock: the one seen with an earlier ballot (by a coercer at the voter's side) shows nothing.
    const latest = retried.ok ? retried.data.unlock : undefined;
    expect(new Set([first.unlock, changed.unlock, latest]).size).toBe(3);
    expect(await check(phones[0], { vote, receipt: first.receipt, unlock: first.unlock })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(phones[0], { vote, receipt: first.receipt, unlock: latest })).toEqual({ ok: true, data: { counted: true, ballot: choice('abstain') } });
    for (const c of [phones[3], phones[4], phones[5], phones[6]]) await cast(c, vote, choice('agree'));
    await close(vote);
    expect(await check(phones[0], { vote, receipt: first.receipt, unlock: changed.unlock })).toEqual({ ok: true, data: { counted: true } });
    expect(await check(phones[0], { vote, receipt: first.receipt, unlock: latest })).toEqual({ ok: true, data: { counted: true, ballot: choice('abstain') } });
  });

  test('paper counts must name one member per ballot, each on the session list once', async () => {
    const vote = await openVote(false);
    const bad = [
      { members: [members[6], members[7]], ballots: [choice('agree')], spoiled: 0 }, // two members, one ballot
      { members: [members[6], members[6]], ballots: [choice('agree'), choice('agree')], spoiled: 0 }, // one member twice
      { members: ['R-NOTAMEMBER'], ballots: [choice('agree')], spoiled: 0 }, // not on the session's list
      { ballots: [choice('agree')], spoiled: 0 }, // no members at all, as today's clients send
    ];
    for (const pile of bad) expect(await h.send(facilitator, 'vote:paper', { vote, ...pile })).toMatchObject({ ok: false, error: 'invalid' });
    expect(voteOf(vote).paper).toEqual({ accepted: 0, spoiled: 0, pending: false });
    // A spoiled paper ballot is still a member who voted.
    const pile = { vote, members: [members[6], members[7]], ballots: [choice('agree')], spoiled: 1 };
    await h.send(facilitator, 'vote:paper', pile);
    expect((await h.send(organiser, 'vote:paper', pile)).ok).toBe(true);
    expect(voteOf(vote)).toMatchObject({ voted: 2, paper: { accepted: 1, spoiled: 1 } });
    await close(vote);
  });

  test('one person cannot be both tellers: join links name no person, and a login confirming itself still waits', async () => {
    const vote = await openVote(false);
    const pile = { vote, members: [members[7]], ballots: [choice('agree')], spoiled: 0 };
    for (const link of linkTellers) expect(await h.send(link, 'vote:paper', pile)).toMatchObject({ ok: false, error: 'forbidden', message: expect.stringMatching(/sign/i) });
    await h.send(facilitator, 'vote:paper', pile);
    await h.send(facilitator, 'vote:paper', pile);
    expect(voteOf(vote).paper).toEqual({ accepted: 0, spoiled: 0, pending: true });
    expect(stored('vote_voters', vote)).toBe(0);
    await close(vote);
  });

  test("a secret vote's paper count is sealed too: a pile of one does not show its voter's choice in the files", async () => {
    const vote = await openVote(true);
    for (const c of phones.slice(0, 4)) await cast(c, vote, choice('agree'));
    const pile = { vote, members: [members[7]], ballots: [choice('disagree')], spoiled: 0 };
    expect((await h.send(facilitator, 'vote:paper', pile)).ok).toBe(true);
    const waiting = h.app.db.prepare('SELECT content FROM vote_paper_counts WHERE session_id = ? AND vote_id = ?').pluck().get(sessionId, vote) as string;
    expect(waiting).not.toContain('disagree');
    expect((await h.send(organiser, 'vote:paper', pile)).ok).toBe(true);
    const sealed = h.app.db.prepare('SELECT sealed FROM vote_sealed WHERE session_id = ? AND vote_id = ?').pluck().all(sessionId, vote) as Buffer[];
    expect(sealed.every((b) => !b.toString('latin1').includes('disagree'))).toBe(true);
    expect(voteOf(vote)).toMatchObject({ voted: 5, paper: { accepted: 1, spoiled: 0, pending: false } });
    expect(detail(await close(vote))).toMatchObject({ agree: 4, disagree: 1 });
  });

  test('a secret vote whose key has gone is not closed, and says why; its ballots stay sealed', async () => {
    const vote = await openVote(true);
    for (const c of phones.slice(0, 5)) await cast(c, vote, choice('agree'));
    keyStore(h.app.db).drop(`vote-${sessionId}-${vote}`);
    expect(await h.send(facilitator, 'vote:close', { vote })).toMatchObject({ ok: false, error: 'unavailable', message: expect.stringContaining('key folder') });
    expect(voteOf(vote).status).toBe('open');
    expect(stored('vote_sealed', vote)).toBe(5);
    h.app.db.prepare('DELETE FROM vote_sealed WHERE session_id = ? AND vote_id = ?').run(sessionId, vote);
    keyStore(h.app.db).key(`vote-${sessionId}-${vote}`); // an empty box and a key again, so afterEach can close it
  });

  test('a lost vote key is noticed, not silently remade: ballots are refused in words, none is doubled', async () => {
    const vote = await openVote(true);
    await cast(phones[0], vote, choice('agree'));
    keyStore(h.app.db).drop(`vote-${sessionId}-${vote}`);
    expect((await cast(phones[0], vote, choice('disagree'))).reply).toMatchObject({ ok: false, error: 'unavailable', message: expect.stringContaining('key folder') });
    expect((await cast(phones[1], vote, choice('agree'))).reply).toMatchObject({ ok: false, error: 'unavailable' });
    expect(stored('vote_sealed', vote)).toBe(1);
    h.app.db.prepare('DELETE FROM vote_sealed WHERE session_id = ? AND vote_id = ?').run(sessionId, vote);
    keyStore(h.app.db).key(`vote-${sessionId}-${vote}`); // an empty box and a key again, so afterEach can close it
  });

  test("a hall's worth of secret paper ballots is counted: 150 members, 148 on paper, 2 on phones", async () => {
    const hall = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 150 OFFSET 8').pluck().all() as string[];
    seatMembers(h.app.db, panelId, hall, h.clock.now());
    const big = h.app.room.createSession(panelId, agenda, [...members.slice(0, 2), ...hall.slice(0, 148)], null, h.clock.now());
    const host = await joinByLogin('facilitator', 'f-big@example.org', big);
    const second = await joinByLogin('organiser', 'o-big@example.org', big);
    const ok = async (c: Client, event: string, payload: Record<string, unknown>) => {
      const reply = await h.send(c, event, payload);
      if (!reply.ok) throw new Error(`${event}: ${reply.message}`);
    };
    await ok(host, 'round:open', { round: VOTE_ROUND });
    await ok(host, 'vote:open', { question: 'Adopt the draft?', settings: threshold, secret: true });
    const phoneOf = async (m: string) => (await h.join(h.app.room.issuePass(big, { role: 'panellist', member: m }, h.clock.now()))).socket;
    for (const m of members.slice(0, 2)) await ok(await phoneOf(m), 'vote:cast', { vote: 1, ballot: choice('agree') });
    const pile = { vote: 1, members: hall.slice(0, 148), ballots: [...Array.from({ length: 100 }, () => choice('agree')), ...Array.from({ length: 47 }, () => choice('disagree'))], spoiled: 1 };
    await ok(host, 'vote:paper', pile);
    await ok(second, 'vote:paper', pile);
    await ok(host, 'vote:close', { vote: 1 });
    const closed = h.app.room.state(big)?.votes[0];
    expect(closed?.result?.detail).toMatchObject({ agree: 102, disagree: 47 });
    expect(closed?.result?.voted).toBe(150);
  });

  test("a first paper count that waits does not block the phones of the members it names; the second count then names who voted since", async () => {
    const vote = await openVote(false);
    const pile = { vote, members: [members[6], members[7]], ballots: [choice('agree'), choice('agree')], spoiled: 0 };
    expect((await h.send(facilitator, 'vote:paper', pile)).ok).toBe(true); // waits for its second teller
    expect((await cast(phones[6], vote, choice('disagree'))).reply.ok).toBe(true);
    expect(await h.send(organiser, 'vote:paper', pile)).toMatchObject({ ok: false, error: 'conflict', message: expect.stringContaining(`${members[6]} has voted already`) });
    expect(voteOf(vote)).toMatchObject({ voted: 1, paper: { accepted: 0, pending: true } });
    await close(vote);
  });

  test('guessing receipts finds nothing', async () => {
    const vote = await openVote(true);
    for (const c of phones.slice(0, 5)) await cast(c, vote, choice('agree'));
    await close(vote);
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => check(phones[7], { vote, receipt: `${String(i).padStart(4, '0')}-0000-0000` })));
    expect(guesses.every((g) => g.ok && !g.data.counted)).toBe(true);
  });
});
