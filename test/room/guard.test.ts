import { io as connect } from 'socket.io-client';
import request from 'supertest';
import { ROOM_MESSAGE_LIMIT } from '../../src/app';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import type { Reply } from '../../src/room/events';
import { listMembers, setInvitation, setStatus } from '../../src/membership/members';
import { newToken, sha256 } from '../../src/tokens';
import { logIn, PASSWORD, seatMembers } from '../helpers';
import { type Client, RoomHarness } from './harness';

/**
 * The room's guard (issue 8): every event is paced per credential (issue 16: test/security/flood.test.ts has the
 * attacks across many sockets) and checked against the credential it joined with; a logout or a withdrawal
 * closes the sockets at once; oversized messages are dropped.
 */
const agenda = exampleAgenda();
const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
const h = new RoomHarness();
let sessionId: number;
let panelId: number;
let members: string[];
let facilitator: Client;

beforeAll(async () => {
  panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
  members = h.app.db.prepare('SELECT public_id FROM registrants LIMIT 4').pluck().all() as string[];
  seatMembers(h.app.db, panelId, members, h.clock.now());
  sessionId = h.app.room.createSession(panelId, agenda, members, null, h.clock.now());
  await h.listen();
  facilitator = (await h.join(h.app.room.issuePass(sessionId, { role: 'facilitator' }, h.clock.now()))).socket;
  await h.do(facilitator, 'round:open', { round: IDEAS });
});
afterAll(() => h.close());

const url = () => `http://127.0.0.1:${h.port}`;
const closed = (socket: Client) => new Promise<string>((resolve) => socket.once('disconnect', resolve));
const stored = () => h.app.db.prepare('SELECT version FROM room_sessions WHERE id = ?').pluck().get(sessionId) as number;

/** A socket joined with a handshake's own auth and headers, resolved once it has the room. */
async function joinWith(auth: Record<string, string>, headers: Record<string, string> = {}): Promise<Client> {
  const socket: Client = connect(url(), { auth, transports: ['websocket'], extraHeaders: headers, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', () => resolve());
    socket.once('connect_error', reject);
  });
  h.clients.push(socket);
  return socket;
}

test('logging out closes that login’s room sockets at once, and the login no longer opens the room', async () => {
  const user = createUser(h.app.db, h.clock, { email: 'logout@example.org', name: 'F', role: 'facilitator', password: PASSWORD });
  addToTeam(h.app.db, panelId, user.id, h.clock.now());
  const token = logInAs(h.app.db, h.clock, user.id);
  const cookie = `cp_session=${token}; cp_csrf=test-csrf-token`;
  const socket = await joinWith({ session: String(sessionId) }, { cookie });
  const other = await joinWith({ session: String(sessionId) }, { cookie: `cp_session=${logInAs(h.app.db, h.clock, user.id)}` });
  const gone = closed(socket);
  const res = await request(h.app.app).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: 'test-csrf-token' });
  expect(res.status).toBe(303);
  expect(await gone).toBe('io server disconnect');
  expect(other.connected).toBe(true); // the same person's other login is untouched
  await expect(joinWith({ session: String(sessionId) }, { cookie })).rejects.toThrow(/not logged in/);
});

test('a member withdrawn by the organiser is disconnected, and their next handshake is refused', async () => {
  const [member] = listMembers(h.app.db, panelId);
  const invite = newToken();
  setInvitation(h.app.db, member.id, sha256(invite), h.clock.now());
  const socket = await joinWith({ session: String(sessionId), invite });
  const gone = closed(socket);
  const agent = request.agent(h.app.app);
  addToTeam(h.app.db, panelId, createUser(h.app.db, h.clock, { email: 'organiser@example.org', name: 'O', role: 'organiser', password: PASSWORD }).id, h.clock.now());
  const page = await agent.get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  await agent.post('/login').type('form').send({ _csrf: csrf, email: 'organiser@example.org', password: PASSWORD });
  const res = await agent.post(`/admin/panels/${panelId}/members/${member.id}/withdraw`).type('form').send({ _csrf: csrf, confirm: 'yes' });
  expect(res.status).toBe(303);
  expect(await gone).toBe('io server disconnect');
  await expect(joinWith({ session: String(sessionId), invite })).rejects.toThrow(/not for this session/);
});

test('an event on a link that has since been revoked is refused, and the socket closed', async () => {
  const pass = h.app.room.issuePass(sessionId, { role: 'panellist', member: members[1] }, h.clock.now());
  const { socket } = await h.join(pass);
  // Revoked behind the room's back (no notice to the sockets): the check on the next event still catches it.
  h.app.db.prepare('DELETE FROM room_passes WHERE token_hash = ?').run(sha256(pass));
  const before = stored();
  const gone = closed(socket);
  expect(await h.send(socket, 'idea:post', { text: 'Sneaked in after the link was revoked' })).toMatchObject({ ok: false, error: 'forbidden', message: expect.stringContaining('access to this room has ended') });
  await gone;
  expect(stored()).toBe(before);
});

test('a member whose status changed without notice is refused on their next event', async () => {
  const [, member] = listMembers(h.app.db, panelId);
  const invite = newToken();
  setInvitation(h.app.db, member.id, sha256(invite), h.clock.now());
  const socket = await joinWith({ session: String(sessionId), invite });
  setStatus(h.app.db, member.id, 'declined', h.clock.now());
  const reply = await new Promise<Reply<unknown>>((resolve) => socket.emit('room:sync', {}, resolve));
  expect(reply).toMatchObject({ ok: false, error: 'forbidden' });
});

test('a flooding member is slowed and then refused; another member in the room is answered meanwhile', async () => {
  const flooder = (await h.join(h.app.room.issuePass(sessionId, { role: 'panellist', member: members[2] }, h.clock.now()))).socket;
  const calm = (await h.join(h.app.room.issuePass(sessionId, { role: 'panellist', member: members[3] }, h.clock.now()))).socket;
  const order: string[] = [];
  // An event that costs the room nothing but its pace (no such idea): room:sync has a tighter share of its own.
  const flood = Array.from({ length: 150 }, () => h.send(flooder, 'idea:support', { idea: 999_999 }).then((r) => (order.push(r.ok || r.error !== 'too_fast' ? 'flood-passed' : 'flood-too_fast'), r)));
  const answer = await h.send(calm, 'idea:post', { text: 'A quiet idea while someone floods the room' });
  order.push('calm');
  expect(answer.ok).toBe(true);
  const replies = await Promise.all(flood);
  const refused = replies.filter((r) => !r.ok && r.error === 'too_fast');
  // The bucket lets a burst through at once, queues the next ones at the member's pace, and refuses the rest.
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((r) => !r.ok && /wait a few seconds/.test(r.message))).toBe(true);
  const passed = replies.filter((r) => r.ok || r.error !== 'too_fast');
  expect(passed.every((r) => !r.ok && r.error === 'not_found')).toBe(true);
  expect(passed.length).toBeGreaterThan(30); // the burst of 30, and the queue served at 10 a second
  expect(passed.length).toBeLessThanOrEqual(65); // and no more: a few may slip into the queue as it drains
  expect(order.indexOf('calm')).toBeLessThan(order.lastIndexOf('flood-passed')); // the calm member did not wait behind the queue
});

test('a message over the room’s size limit closes that socket and changes nothing', async () => {
  const { socket } = await h.join(h.app.room.issuePass(sessionId, { role: 'facilitator' }, h.clock.now()));
  const before = stored();
  const gone = closed(socket);
  (socket.emit as (event: string, payload: unknown) => void)('idea:post', { clientId: 'big', text: 'x'.repeat(ROOM_MESSAGE_LIMIT + 1) });
  expect(await gone).toBe('transport close');
  expect(stored()).toBe(before);
  expect(facilitator.connected).toBe(true);
});

test('replacing a session’s join links lets go of everyone on an old link at once; invitations and logins are untouched', async () => {
  const old = h.app.room.issuePass(sessionId, { role: 'observer' }, h.clock.now());
  const { socket: onOldLink } = await h.join(old);
  const [, , member] = listMembers(h.app.db, panelId);
  const invite = newToken();
  setInvitation(h.app.db, member.id, sha256(invite), h.clock.now());
  const byInvitation = await joinWith({ session: String(sessionId), invite });
  const gone = closed(onOldLink);
  const agent = await logIn(h.app.db, h.clock, request.agent(h.app.app), 'facilitator');
  const page = await agent.get('/admin/sessions');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const res = await agent.post(`/admin/sessions/${sessionId}/links`).type('form').send({ _csrf: csrf });
  expect(res.status).toBe(200);
  expect(res.text).toContain('Every earlier join link of this session has stopped working');
  expect(await gone).toBe('io server disconnect');
  expect(byInvitation.connected).toBe(true);
  await expect(h.join(old)).rejects.toThrow(/may have expired or been replaced/);
  const fresh = /#pass(?:=|&#x3D;)([\w-]+)/.exec(res.text)?.[1] ?? '';
  await expect(h.join(fresh)).resolves.toMatchObject({ first: { you: { role: 'observer' } } });
});

test('join links expire after 60 days and invitation links after 180; both refuse in words', async () => {
  const pass = h.app.room.issuePass(sessionId, { role: 'observer' }, h.clock.now());
  const [, , , member] = listMembers(h.app.db, panelId);
  const invite = newToken();
  setInvitation(h.app.db, member.id, sha256(invite), h.clock.now());
  h.clock.advance(61 * 86_400_000);
  await expect(h.join(pass)).rejects.toThrow(/may have expired or been replaced/);
  await expect(joinWith({ session: String(sessionId), invite })).resolves.toBeDefined();
  h.clock.advance(120 * 86_400_000);
  await expect(joinWith({ session: String(sessionId), invite })).rejects.toThrow(/invitation link has expired/);
  const page = await request(h.app.app).get(`/invite/${invite}`);
  expect(page.status).toBe(410);
  expect(page.text).toContain('This invitation link has expired (links work for 180 days)');
});
