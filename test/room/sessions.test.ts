import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import type { Snapshot } from '../../src/room/events';
import { listMembers, setInvitation, setStatus } from '../../src/membership/members';
import { newToken, sha256 } from '../../src/tokens';
import { logIn, makeApp, seatMembers, snapshot, submit } from '../helpers';

const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
let url = '';
const invitations: Record<string, string> = {};

beforeAll(async () => {
  // Three members after the final draw: one confirmed, one declined, one who never answered.
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants LIMIT 3').pluck().all() as string[], t.clock.now());
  const [confirmed, declined, invited] = listMembers(t.db, panelId);
  for (const [name, member] of Object.entries({ confirmed, declined, invited })) {
    invitations[name] = newToken();
    setInvitation(t.db, member.id, sha256(invitations[name]), t.clock.now());
  }
  setStatus(t.db, confirmed.id, 'confirmed', t.clock.now());
  setStatus(t.db, declined.id, 'declined', t.clock.now());
  await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.io.close();
});

/** The first snapshot for these handshake credentials, or the refusal's message. */
function join(auth: Record<string, string>, headers: Record<string, string> = {}): Promise<Snapshot | string> {
  const socket = connect(url, { auth, transports: ['websocket'], extraHeaders: headers, reconnection: false });
  return new Promise((resolve) => {
    socket.once('room:state', (s) => {
      socket.disconnect();
      resolve(s);
    });
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

describe('creating a session from the web', () => {
  test('a facilitator creates one from the example agenda and sees every join link once', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const form = await agent.get('/admin/sessions');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Coventry Cultural Strategy Citizens&#x27; Panel: day one'); // the example, ready to use
    const agenda = /<textarea id="agenda"[^>]*>([\s\S]*?)<\/textarea>/.exec(form.text)?.[1].replace(/&quot;/g, '"').replace(/&#x27;/g, "'") ?? '';
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: String(panelId), agenda });
    expect(res.status).toBe(201);
    const id = Number(/href="\/room\/(\d+)"/.exec(res.text)?.[1]);
    expect(t.room.state(id)?.members).toHaveLength(2); // the confirmed and the invited member; not the one who declined
    expect(res.text.match(/#pass(=|&#x3D;)[\w-]+/g)).toHaveLength(3); // the observer and two panellists
    const list = await agent.get('/admin/sessions');
    expect(list.text).toContain(`href="/room/${id}"`);
  });

  test('a broken agenda is refused with the field named, and nothing is stored', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const before = snapshot(t.db);
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: String(panelId), agenda: '{"title":"Day","rounds":[{"type":"party","title":"x","minutes":5}]}' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('rounds.0.type: type must be one of');
    expect(res.text).toContain('&quot;party&quot;'); // what they typed is kept for them to fix
    const missing = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: '999', agenda: '{}' });
    expect(missing.text).toContain('That panel no longer exists');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('the public are sent to log in', async () => {
    const res = await t.agent().get('/admin/sessions');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fsessions');
  });
});

describe('joining without a join link', () => {
  const sessionId = () => t.room.list()[0].id;

  test('facilitators join with their login; others and other sites cannot use a login', async () => {
    const user = createUser(t.db, t.clock, { email: 'f2@example.org', name: 'F', role: 'facilitator', password: 'correct horse battery staple' }).id;
    const cookie = `cp_session=${logInAs(t.db, t.clock, user)}`;
    // Not on the panel's team yet: refused in words; once added, in.
    expect(await join({ session: String(sessionId()) }, { cookie, origin: url })).toMatch(/not on the team/);
    addToTeam(t.db, t.room.list()[0].panelId, user, t.clock.now());
    const joined = await join({ session: String(sessionId()) }, { cookie, origin: url });
    expect(typeof joined === 'object' && joined.you).toEqual({ role: 'facilitator', who: `user:${user}` });
    // Another site's page is refused before any login is looked at: the handshake itself fails.
    expect(await join({ session: String(sessionId()) }, { cookie, origin: 'https://evil.example' })).toEqual(expect.any(String));
    expect(await join({ session: String(sessionId()), invite: invitations.confirmed }, { origin: 'https://evil.example' })).toEqual(expect.any(String));
    expect(await join({ session: String(sessionId()) })).toMatch(/You are not logged in/);
    expect(await join({ session: '99999' }, { cookie })).toMatch(/This session does not exist/);
  });

  test('a confirmed member joins with their invitation link and their page lists the session', async () => {
    const joined = await join({ session: String(sessionId()), invite: invitations.confirmed });
    expect(typeof joined === 'object' && joined.you.role).toBe('panellist');
    const page = await t.agent().get(`/invite/${invitations.confirmed}`);
    expect(page.text).toContain(`href="/room/${sessionId()}#invite=${invitations.confirmed}"`);
    expect(await join({ session: String(sessionId()), invite: invitations.declined })).toMatch(/not for this session/);
    expect(await join({ session: String(sessionId()), invite: 'made-up' })).toMatch(/not for this session/);
  });
});
