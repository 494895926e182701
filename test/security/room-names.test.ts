import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import { listMembers, setRoomName, setStatus } from '../../src/membership/members';
import { Membership } from '../../src/membership/lifecycle';
import { handleOf } from '../../src/room/state';
import { roomNamesOf } from '../../src/room/names';
import { RoomHarness } from '../room/harness';
import request from 'supertest';
import { sha256 } from '../../src/tokens';
import { seatMembers, submit } from '../helpers';

/**
 * Names in the room, never in public (issue 19): what a member asked the room to call them reaches the room's
 * facilitators and its members, and nobody else: not the observer screen in the hall, not the stored room, the
 * command log or the public pages. Members never see each other's pseudonyms. Erasure takes the name too.
 */
const agenda = exampleAgenda();
const DISCUSSION = agenda.rounds.findIndex((r) => r.type === 'discussion');
const h = new RoomHarness();
let sessionId: number;
let panelId: number;
let members: string[];
const NAMES = ['Asha', 'Bartek', 'Sam', 'sam'];

beforeAll(async () => {
  panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
  members = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 5').pluck().all() as string[];
  seatMembers(h.app.db, panelId, members, h.clock.now());
  for (const [i, m] of listMembers(h.app.db, panelId).entries()) {
    setStatus(h.app.db, m.id, 'confirmed', h.clock.now());
    if (NAMES[i]) setRoomName(h.app.db, m.id, NAMES[i]); // the fifth gave no name
  }
  sessionId = h.app.room.createSession(panelId, agenda, members, null, h.clock.now());
  await h.listen();
});
afterAll(() => h.close());

const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());

test('the facilitator sees each member by the name they gave, with a number where two gave the same', async () => {
  const { first } = await h.join(pass({ role: 'facilitator' }));
  expect(first.names).toEqual({ [members[0]]: 'Asha', [members[1]]: 'Bartek', [members[2]]: 'Sam (Member 3)', [members[3]]: 'sam (Member 4)', [members[4]]: 'Member 5' });
});

test('a member sees the others by name and number, never by pseudonym', async () => {
  const { first } = await h.join(pass({ role: 'panellist', member: members[1] }));
  expect(first.names).toEqual({ 'Member 1': 'Asha', 'Member 2': 'Bartek', 'Member 3': 'Sam (Member 3)', 'Member 4': 'sam (Member 4)', 'Member 5': 'Member 5' });
  const seen = JSON.stringify(first);
  for (const m of members) expect(seen).not.toContain(m);
});

test('the observer screen in the hall gets no names and no pseudonyms, even with someone on the floor', async () => {
  const { socket: facilitator } = await h.join(pass({ role: 'facilitator' }));
  const { socket: speaker } = await h.join(pass({ role: 'panellist', member: members[0] }));
  await h.do(facilitator, 'round:open', { round: DISCUSSION });
  await h.do(speaker, 'queue:raise');
  await h.do(facilitator, 'floor:give', { member: members[0] });
  const { socket: screen, first } = await h.join(pass({ role: 'observer' }));
  expect(first.names).toBeUndefined();
  expect(first.state.floor?.member).toBe('Member 1');
  const seen = JSON.stringify(first);
  for (const word of [...NAMES, ...members]) expect(seen).not.toContain(`"${word}`);
  // A later change to the screen carries handles too.
  const changed = new Promise<string>((resolve) => screen.once('room:changed', (c) => resolve(JSON.stringify(c))));
  await h.do(facilitator, 'floor:take');
  const change = await changed;
  for (const word of [...NAMES, ...members]) expect(change).not.toContain(`"${word}`);
});

test('names are never stored with the room: not in its state, its command log, its passes or its votes', () => {
  const tables = h.app.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'room%' OR name LIKE 'vote%' OR name LIKE 'summary%')").pluck().all() as string[];
  expect(tables).toEqual(expect.arrayContaining(['room_sessions', 'room_pieces', 'room_commands']));
  for (const table of tables) {
    const rows = JSON.stringify(h.app.db.prepare(`SELECT * FROM ${table}`).all());
    for (const name of ['Asha', 'Bartek']) expect(`${table}: ${rows}`).not.toContain(name);
  }
});

test('erasing a member takes the name the room knew them by', () => {
  const [asha] = listMembers(h.app.db, panelId);
  const membership = new Membership(h.app.ctx);
  const leaving = membership.erasing(panelId, asha.registrantId, null);
  leaving.within();
  expect(listMembers(h.app.db, panelId)[0].roomName).toBeNull();
});

test('the invitation asks what the room should call you, and refuses a name that would pass for someone else', async () => {
  expect(roomNamesOf(['a', 'b'], new Map([['a', 'Jo']]))).toEqual({ a: 'Jo', b: 'Member 2' });
  expect(handleOf({ members }, members[1])).toBe('Member 2');
  const agent = request.agent(h.app.app);
  const [, , , , fifth] = listMembers(h.app.db, panelId);
  setStatus(h.app.db, fifth.id, 'invited', h.clock.now());
  const token = 'names-test-token-names-test-token-names-tes';
  h.app.db.prepare('UPDATE members SET token_hash = ?, invited_at = ? WHERE id = ?').run(sha256(token), h.clock.now(), fifth.id);
  const page = await agent.get(`/invite/${token}`);
  expect(page.text).toContain('What should the room call you?');
  expect(page.text).not.toContain(fifth.publicId); // members never see pseudonyms
  for (const bad of ['', 'Member 2', 'x'.repeat(41), '<b>Jo</b>']) {
    const res = await submit(agent, `/invite/${token}`, `/invite/${token}`, { answer: 'confirm', roomName: bad });
    expect(res.status).toBe(400);
    expect(listMembers(h.app.db, panelId)[4]).toMatchObject({ status: 'invited', roomName: null });
  }
  const yes = await submit(agent, `/invite/${token}`, `/invite/${token}`, { answer: 'confirm', roomName: '  Dee ' });
  expect(yes.status).toBe(200);
  expect(listMembers(h.app.db, panelId)[4]).toMatchObject({ status: 'confirmed', roomName: 'Dee' });
  // Once confirmed, the member page changes it.
  const renamed = await submit(agent, `/invite/${token}`, `/invite/${token}/name`, { roomName: 'Deirdre' });
  expect(renamed.text).toContain('the room will call you Deirdre');
  expect(listMembers(h.app.db, panelId)[4].roomName).toBe('Deirdre');
});
