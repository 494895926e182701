import { io as connect } from 'socket.io-client';
import request from 'supertest';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { seedDemo } from '../../src/demo/seed';
import { findPanel, insertPanel, openPanel, type Panel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { listMembers, setInvitation } from '../../src/membership/members';
import { newToken, sha256 } from '../../src/tokens';
import { PASSWORD, seatMembers, snapshot } from '../helpers';
import { type Client, RoomHarness } from '../room/harness';

/**
 * Issue 17, "any facilitator can take over any panel", as the attacker did it: a second facilitator account,
 * on another panel's team, tries each move against the demo panel's live session. Each test asserts what is
 * stored afterwards, not only the refusal. Then one step further.
 */
const h = new RoomHarness();
const CSRF = 'test-csrf-token';
let demo: Panel;
let sessionId: number;
let intruder: number;
let host: Client;
let phone: Client;

const cookie = (userId: number) => `cp_csrf=${CSRF}; cp_session=${logInAs(h.app.db, h.clock, userId)}`;
const post = (userId: number, path: string, body: Record<string, string> = {}) => request(h.app.app).post(path).set('Cookie', cookie(userId)).type('form').send({ _csrf: CSRF, ...body });
const get = (userId: number, path: string) => request(h.app.app).get(path).set('Cookie', cookie(userId)).redirects(0);
const count = (table: string) => h.app.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

/** A socket by login cookie, or the refusal's words. */
const joinByLogin = (userId: number, session: number) => h.joinByLogin(session, userId);

const closed = (socket: Client) => new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()));

beforeAll(async () => {
  demo = findPanel(h.app.db, seedDemo(h.app.ctx)?.panelId ?? 0) as Panel;
  const members = h.app.db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? LIMIT 6').pluck().all(demo.id) as string[];
  seatMembers(h.app.db, demo.id, members, h.clock.now());
  const made = createSession(h.app.db, h.clock, h.app.room, demo, exampleAgenda(), null);
  sessionId = made.sessionId;
  // The intruder: a facilitator on the team of another panel, Earlsdon's, and nothing else.
  const earlsdon = insertPanel(h.app.db, { slug: 'earlsdon', title: 'Earlsdon panel', question: 'What next?', panelSize: 10, closesAt: h.clock.now() + 86400_000, quotaTolerance: 1 }, h.clock.now());
  openPanel(h.app.db, earlsdon, h.clock.now());
  intruder = createUser(h.app.db, h.clock, { email: 'intruder@example.org', name: 'Ivy', role: 'facilitator', password: PASSWORD }).id;
  addToTeam(h.app.db, earlsdon, intruder, h.clock.now());
  await h.listen();
  host = (await h.join(made.facilitator)).socket;
  phone = (await h.join(made.panellists[0].token)).socket;
});
afterAll(() => h.close());

describe('the moves issue 17 names', () => {
  test("creating a session for another panel is refused, and no session or join link is made", async () => {
    const before = { sessions: count('room_sessions'), passes: count('room_passes') };
    const res = await post(intruder, '/admin/sessions', { panelId: String(demo.id), agenda: JSON.stringify(exampleAgenda()) });
    expect(res.status).toBe(403);
    expect(res.text).toContain('not on that panel’s team');
    expect(res.text).not.toMatch(/#pass=/);
    expect({ sessions: count('room_sessions'), passes: count('room_passes') }).toEqual(before);
  });

  test("replacing another panel's join links is refused; nobody in its room is dropped", async () => {
    const before = snapshot(h.app.db);
    const res = await post(intruder, `/admin/sessions/${sessionId}/links`);
    expect(res.status).toBe(403);
    expect(snapshot(h.app.db)).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(host.connected && phone.connected).toBe(true);
  });

  test("entering another panel's room with its session id and a login is refused at the handshake", async () => {
    expect(await joinByLogin(intruder, sessionId)).toMatch(/not on the team of this session’s panel/);
  });

  test("another panel's session summary can be neither read nor saved", async () => {
    expect((await get(intruder, `/admin/sessions/${sessionId}/summary`)).status).toBe(403);
    const before = count('summary_drafts');
    expect((await post(intruder, `/admin/sessions/${sessionId}/summary`, { narrative: 'Rewritten by someone else.' })).status).toBe(403);
    expect(count('summary_drafts')).toBe(before);
  });

  test("replacing a member's invitation link lets go of the room socket that joined with the old one", async () => {
    const [member] = listMembers(h.app.db, demo.id);
    const token = newToken();
    setInvitation(h.app.db, member.id, sha256(token), h.clock.now());
    const socket: Client = connect(`http://127.0.0.1:${h.port}`, { auth: { invite: token, session: String(sessionId) }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('room:state', () => resolve());
      socket.once('connect_error', reject);
    });
    h.clients.push(socket);
    const gone = closed(socket);
    const organiser = h.app.db.prepare("SELECT id FROM users WHERE email LIKE 'organiser%'").pluck().get() as number;
    const res = await post(organiser, `/admin/panels/${demo.id}/members/${member.id}/invitation`);
    expect(res.status).toBe(200);
    await gone;
    expect(socket.connected).toBe(false);
  });
});

describe('one step further', () => {
  test("another panel's pages, pool and lists are closed to them, and their own lists name nothing of it", async () => {
    for (const path of [`/admin/panels/${demo.id}`, `/admin/panels/${demo.id}/pool.csv`, `/admin/panels/${demo.id}/selection`, `/admin/panels/${demo.id}/team`]) {
      expect([path, (await get(intruder, path)).status]).toEqual([path, 403]);
    }
    for (const path of ['/admin', '/admin/sessions']) {
      const page = await get(intruder, path);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(demo.title);
    }
  });

  test("they cannot put themselves on the team, make an account, or create a panel", async () => {
    const before = snapshot(h.app.db);
    expect((await post(intruder, `/admin/panels/${demo.id}/team`, { email: 'intruder@example.org' })).status).toBe(403);
    expect((await post(intruder, '/admin/people', { email: 'second@example.org', name: 'S', role: 'organiser', admin: 'on' })).status).toBe(403);
    expect((await post(intruder, '/admin/panels', { title: 'Mine', question: 'Q?', panelSize: '10', closesAt: '2030-01-01', quotaTolerance: '1' })).status).toBe(403);
    expect(snapshot(h.app.db)).toEqual(before);
  });

  test('someone taken off a team loses the room at once, and the login no longer opens it', async () => {
    const admin = h.app.db.prepare('SELECT id FROM users WHERE admin = 1').pluck().get() as number;
    const helper = createUser(h.app.db, h.clock, { email: 'helper@example.org', name: 'Hal', role: 'facilitator', password: PASSWORD }).id;
    expect((await post(admin, `/admin/panels/${demo.id}/team`, { email: 'helper@example.org' })).status).toBe(303);
    const socket = await joinByLogin(helper, sessionId);
    if (typeof socket === 'string') throw new Error(socket);
    const gone = closed(socket);
    expect((await post(admin, `/admin/panels/${demo.id}/team/${helper}/remove`)).status).toBe(303);
    await gone;
    expect(await joinByLogin(helper, sessionId)).toMatch(/not on the team/);
    expect((await get(helper, `/admin/sessions/${sessionId}/summary`)).status).toBe(403);
  });
});
