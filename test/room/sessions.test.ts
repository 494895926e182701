import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import type { Snapshot } from '../../src/room/events';
import { listMembers, setInvitation, setStatus } from '../../src/membership/members';
import { insertPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { newToken, sha256 } from '../../src/tokens';
import { logIn, makeApp, seatMembers, snapshot, submit } from '../helpers';

const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
let url = '';
const invitations: Record<string, string> = {};

beforeAll(async () => {
  // Three members after the final draw: one confirmed, one declined, one who never answered.
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants LIMIT 3').pluck().all() as string[], t.clock.now(), 'selected');
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

/** The builder form's fields as a browser would send them (text boxes, chosen options, ticked boxes), from a page's HTML. */
function builderFields(html: string): Record<string, string> {
  const form = /<form method="post" action="\/admin\/sessions" id="builder"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    if (!name || name === '_csrf' || (attr(tag, 'type') === 'checkbox' && !/\schecked\b/.test(tag))) continue;
    fields[name] = decode(attr(tag, 'value') ?? '');
  }
  for (const [, name, options] of form.matchAll(/<select\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected>/.exec(options) ?? /<option value="([^"]*)"/.exec(options);
    fields[name] = decode(chosen?.[1] ?? '');
  }
  for (const [, name, text] of form.matchAll(/<textarea\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[name] = decode(text);
  return fields;
}

/** The rows' fields only: what the builder holds, without the panel and the import box. */
const rowsOf = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).filter(([name]) => name === 'title' || name.startsWith('rounds.')));

describe('creating a session from the web', () => {
  test('a facilitator creates one from the builder as the page draws it, and sees every join link once', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const form = await agent.get('/admin/sessions');
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Coventry Cultural Strategy Citizens&#x27; Panel: day one"'); // the example, ready to use
    expect(form.text).toMatch(/Coventry Cultural Strategy Citizens&#x27; Panel \(1 confirmed member\)/); // only those who said yes are members
    const fields = builderFields(form.text);
    expect(fields['rounds.8.type']).toBe('vote');
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { ...fields, panelId: String(panelId), action: 'create' });
    expect(res.status).toBe(201);
    const id = Number(/href="\/room\/(\d+)"/.exec(res.text)?.[1]);
    const state = t.room.state(id);
    expect(state?.members).toHaveLength(1); // the confirmed member: not the one who declined, nor the one yet to answer
    expect(state?.rounds.map(({ type, title, minutes, speaker, speakerSeconds, turnSeconds, tableSize }) => JSON.parse(JSON.stringify({ type, title, minutes, speaker, speakerSeconds, turnSeconds, tableSize })))).toEqual(exampleAgenda().rounds);
    expect(res.text.match(/#pass(=|&#x3D;)[\w-]+/g)).toHaveLength(2); // the observer and the one member
    const list = await agent.get('/admin/sessions');
    expect(list.text).toContain(`href="/room/${id}"`);
  });

  test('without JavaScript: add, move and delete rounds, keeping everything typed', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const before = snapshot(t.db);
    const typed = { ...builderFields((await agent.get('/admin/sessions')).text), panelId: String(panelId), title: 'Our own day', 'rounds.0.title': 'Hello & welcome', 'rounds.1.minutes': 'twenty' };
    const added = await submit(agent, '/admin/sessions', '/admin/sessions', { ...typed, action: 'add' });
    expect(added.status).toBe(200);
    const afterAdd = builderFields(added.text);
    expect(afterAdd).toMatchObject({ title: 'Our own day', 'rounds.0.title': 'Hello & welcome', 'rounds.1.minutes': 'twenty', 'rounds.9.type': 'discussion', 'rounds.9.title': '' });
    expect(afterAdd.panelId).toBe(String(panelId));
    expect(added.text).not.toContain('There is a problem'); // an edit checks nothing yet

    const moved = builderFields((await submit(agent, '/admin/sessions', '/admin/sessions', { ...afterAdd, action: 'up:1' })).text);
    expect([moved['rounds.0.minutes'], moved['rounds.1.title']]).toEqual(['twenty', 'Hello & welcome']);
    const down = builderFields((await submit(agent, '/admin/sessions', '/admin/sessions', { ...moved, action: 'down:0' })).text);
    expect(rowsOf(down)).toEqual(rowsOf(afterAdd));
    const deleted = builderFields((await submit(agent, '/admin/sessions', '/admin/sessions', { ...down, action: 'delete:0' })).text);
    expect(deleted['rounds.0.minutes']).toBe('twenty');
    expect(deleted['rounds.9.type']).toBeUndefined();
    expect(snapshot(t.db)).toEqual(before);
  });

  test('errors name the round and the field, sit beside it, keep what was typed, and store nothing', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const before = snapshot(t.db);
    const sessions = t.room.list().length;
    const fields = { ...builderFields((await agent.get('/admin/sessions')).text), panelId: String(panelId), 'rounds.2.minutes': '0', 'rounds.4.title': ' ', 'rounds.4.speakerSeconds': '5' };
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { ...fields, action: 'create' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#rounds.2.minutes">Round 3: minutes must be at least 1</a>'); // in the summary, linked to the box
    expect(res.text).toContain('id="rounds.2.minutes-error"><span class="visually-hidden">Error:</span> Round 3: minutes must be at least 1');
    expect(res.text).toContain('Round 5: title is required');
    expect(res.text).toContain('Round 5: the per-speaker limit must be at least 10 seconds');
    expect(rowsOf(builderFields(res.text))).toEqual(rowsOf(fields));
    const exported = await submit(agent, '/admin/sessions', '/admin/sessions', { ...fields, action: 'export' });
    expect(exported.status).toBe(400); // no file of an agenda that cannot be used
    expect(t.room.list()).toHaveLength(sessions);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a template fills the builder; its vote round carries its settings into the room', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const page = builderFields((await agent.get('/admin/sessions')).text);
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, action: 'template:evening' });
    expect(res.status).toBe(200);
    const evening = builderFields(res.text);
    expect(evening.title).toBe("Citizens' panel: an evening session");
    expect(evening['rounds.4.vote.method']).toBe('approval');
    const made = await submit(agent, '/admin/sessions', '/admin/sessions', { ...evening, panelId: String(panelId), action: 'create' });
    expect(made.status).toBe(201);
    const state = t.room.state(Number(/href="\/room\/(\d+)"/.exec(made.text)?.[1]));
    expect(state?.rounds.reduce((sum, r) => sum + r.minutes, 0)).toBe(115);
    expect(state?.rounds[4]).toMatchObject({ type: 'vote', vote: { question: 'Which of these ideas should the panel take forward?', method: 'approval' } });
    const unknown = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, action: 'template:nope' });
    expect(unknown.status).toBe(400);
    expect(rowsOf(builderFields(unknown.text))).toEqual(rowsOf(page));
  });

  test('download the agenda as JSON, then import it: the builder comes back the same', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const page = builderFields((await agent.get('/admin/sessions')).text);
    const evening = builderFields((await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, action: 'template:evening' })).text);
    const file = await submit(agent, '/admin/sessions', '/admin/sessions', { ...evening, 'rounds.4.vote.options': 'Buses after ten\n\nA library that opens late', 'rounds.4.vote.secret': 'yes', action: 'export' });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/json/);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="?agenda-citizens-panel-an-evening-session.json"?$/);
    const agenda = JSON.parse(file.text);
    expect(agenda.rounds[4].vote).toEqual({ question: 'Which of these ideas should the panel take forward?', method: 'approval', options: ['Buses after ten', 'A library that opens late'], secret: true });
    expect(agenda.rounds[0]).toEqual({ type: 'briefing', title: 'Welcome: what tonight is for, and how we will work together', minutes: 10, speaker: 'Lead facilitator' });

    // Into a builder holding the example day: the file replaces it, and the box is emptied.
    const imported = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, agenda: file.text, action: 'import' });
    expect(imported.status).toBe(200);
    const back = builderFields(imported.text);
    expect(rowsOf(back)).toEqual({ ...rowsOf(evening), 'rounds.4.vote.options': 'Buses after ten\nA library that opens late', 'rounds.4.vote.secret': 'yes' });
    expect(back.agenda).toBe('');
    const again = await submit(agent, '/admin/sessions', '/admin/sessions', { ...back, action: 'export' });
    expect(JSON.parse(again.text)).toEqual(agenda);
  });

  test('an import that is not valid JSON is refused in plain words and changes nothing', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const page = { ...builderFields((await agent.get('/admin/sessions')).text), title: 'Typed before the import' };
    const broken = '{\n  "title": "Day",\n  "rounds": [\n    { "type": "briefing" "title": "Welcome", "minutes": 10 }\n  ]\n}';
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, agenda: broken, action: 'import' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('The agenda file is not valid JSON: expected &#x27;,&#x27; or &#x27;}&#x27; after property value; check for a missing comma or quote near line 4.');
    expect(res.text).toContain('<details class="import" open>'); // the box is open, with the text to fix
    const after = builderFields(res.text);
    expect(rowsOf(after)).toEqual(rowsOf(page));
    expect(after.agenda).toBe(broken);

    const invalid = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, agenda: '{"title":"Day","rounds":[{"type":"party","title":"x","minutes":0}]}', action: 'import' });
    expect(invalid.text).toContain('The agenda file cannot be used: Round 1: type must be one of');
    expect(invalid.text).toContain('Round 1: minutes must be at least 1');
    expect(rowsOf(builderFields(invalid.text))).toEqual(rowsOf(page));

    // Pasted but never imported: creating would silently ignore it, so it is refused.
    const forgot = await submit(agent, '/admin/sessions', '/admin/sessions', { ...page, panelId: String(panelId), agenda: '{"title":"Other"}', action: 'create' });
    expect(forgot.status).toBe(400);
    expect(forgot.text).toContain('There is an agenda in the import box that was not imported');
  });

  test('the agenda as JSON in one field still works (older callers), and its errors are named', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const before = snapshot(t.db);
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: String(panelId), agenda: '{"title":"Day","rounds":[{"type":"party","title":"x","minutes":5}]}' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Round 1: type must be one of');
    expect(res.text).toContain('&quot;party&quot;'); // what they typed is kept for them to fix
    const missing = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: '999', agenda: '{}' });
    expect(missing.text).toContain('That panel no longer exists');
    expect(snapshot(t.db)).toEqual(before);
    const made = await submit(agent, '/admin/sessions', '/admin/sessions', { panelId: String(panelId), agenda: JSON.stringify(exampleAgenda()) });
    expect(made.status).toBe(201);
  });

  test('a panel nobody has been drawn for yet is refused beside the panel', async () => {
    const agent = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const now = t.clock.now();
    const draft = insertPanel(t.db, { slug: 'empty-panel', title: 'Empty Panel', question: 'Q?', panelSize: 10, closesAt: now + 30 * 86400_000, quotaTolerance: 1 }, now);
    const page = await agent.get('/admin/sessions');
    expect(page.text).toContain('Empty Panel (no confirmed members yet)');
    expect(page.text).toContain(`<option value="${panelId}" selected>`); // the newest panel is empty: the one with members is chosen
    const before = snapshot(t.db);
    const res = await submit(agent, '/admin/sessions', '/admin/sessions', { ...builderFields(page.text), panelId: String(draft), action: 'create' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="panelId-error"><span class="visually-hidden">Error:</span> That panel has no confirmed members yet: run the draw, invite the people drawn, and create the session once some have said yes.');
    expect(res.text).toMatch(/<option value="\d+" selected>Empty Panel/); // still the panel chosen
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
    expect(page.text).toContain(`href="/room/${sessionId()}?lang=en#invite=${invitations.confirmed}"`);
    expect(await join({ session: String(sessionId()), invite: invitations.declined })).toMatch(/not for this session/);
    expect(await join({ session: String(sessionId()), invite: 'made-up' })).toMatch(/not for this session/);
  });

  test('someone who confirms after the session was set up joins it by their invitation link, at the end of its list', async () => {
    const before = t.room.state(sessionId())?.members ?? [];
    expect(await join({ session: String(sessionId()), invite: invitations.invited })).toMatch(/Confirm your place on the panel first/);
    const invited = listMembers(t.db, panelId).find((m) => m.status === 'invited');
    if (!invited) throw new Error('no invited member');
    setStatus(t.db, invited.id, 'confirmed', t.clock.now());
    const joined = await join({ session: String(sessionId()), invite: invitations.invited });
    expect(typeof joined === 'object' && joined.state.members).toEqual([...before.map((_, i) => `Member ${i + 1}`), `Member ${before.length + 1}`]);
    expect(t.room.state(sessionId())?.members).toEqual([...before, invited.publicId]);
    // Joining again adds nobody.
    await join({ session: String(sessionId()), invite: invitations.invited });
    expect(t.room.state(sessionId())?.members).toHaveLength(before.length + 1);
  });

  test('a session that has finished is not opened to someone who confirmed after it', async () => {
    const agenda = exampleAgenda();
    const done = t.room.createSession(panelId, { ...agenda, rounds: agenda.rounds.slice(0, 1) }, [], null, t.clock.now());
    const state = t.room.state(done);
    if (!state) throw new Error('no session');
    t.room.record(done, { ...state, version: state.version + 1, rounds: state.rounds.map((r) => ({ ...r, status: 'closed' as const })) }, 'test', 'close', { type: 'round:close' }, t.clock.now());
    expect(await join({ session: String(done), invite: invitations.confirmed })).toMatch(/had finished before you confirmed/);
    expect(t.room.state(done)?.members).toEqual([]);
  });
});
