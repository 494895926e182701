import { seedDemo } from '../../src/demo/seed';
import { exampleAgenda } from '../../src/room/agenda';
import type { Change } from '../../src/room/events';
import { sharedView } from '../../src/room/state';
import { type Client, RoomHarness } from './harness';

/**
 * A burst of commands reaches the phones as a few changes, not one per command (src/room/broadcast.ts), and every
 * client still ends with exactly the server's room; a lone command still goes out alone, at once.
 */
const agenda = exampleAgenda();
const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
const h = new RoomHarness();
let sessionId: number;
let facilitator: Client;
let panellists: Client[];
const heard = new Map<Client, Change[]>();

beforeAll(async () => {
  const panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
  const members = h.app.db.prepare('SELECT public_id FROM registrants LIMIT 30').pluck().all() as string[];
  sessionId = h.app.room.createSession(panelId, agenda, members, null, h.clock.now());
  await h.listen();
  const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
  facilitator = (await h.join(pass({ role: 'facilitator' }))).socket;
  panellists = await Promise.all(members.map(async (member) => (await h.join(pass({ role: 'panellist', member }))).socket));
  for (const c of [facilitator, ...panellists]) {
    heard.set(c, []);
    c.on('room:changed', (change) => heard.get(c)?.push(change));
  }
});
afterAll(() => h.close());

test('30 ideas posted at once reach each phone in a few changes that chain from version to version', async () => {
  const version = await h.do(facilitator, 'round:open', { round: IDEAS }, panellists);
  for (const c of heard.keys()) heard.set(c, []);
  const replies = await Promise.all(panellists.map((c, i) => h.send(c, 'idea:post', { text: `Idea number ${i + 1}` })));
  expect(replies.every((r) => r.ok)).toBe(true);
  const last = version + panellists.length;
  await Promise.all([facilitator, ...panellists].map((c) => h.changeTo(c, last)));
  const stored = h.app.room.state(sessionId);
  for (const c of panellists) {
    const changes = heard.get(c) ?? [];
    expect(changes.length).toBeLessThan(10);
    // Each change starts where the one before ended: nobody needed to fetch the whole room.
    expect(changes.map((ch) => ch.since)).toEqual([version, ...changes.slice(0, -1).map((ch) => ch.version)]);
    expect(h.state(c)).toEqual(sharedView(stored ?? h.state(c)));
  }
  expect(h.state(facilitator)).toEqual(stored);
});

test('a lone command after a quiet spell goes out alone, one version on', async () => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const c of heard.keys()) heard.set(c, []);
  const version = await h.do(panellists[0], 'idea:support', { idea: 2 }, [facilitator, ...panellists]);
  for (const c of panellists) expect(heard.get(c)).toEqual([expect.objectContaining({ since: version - 1, version })]);
});
