import { openDb } from '../../src/db';
import { keyStore } from '../../src/keys';
import { insertPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { SqliteBallotBox } from '../../src/room/ballot-box';
import { statements } from '../../src/room/ballot-sql';
import type { Change, Presence } from '../../src/room/events';
import { AWAY_MS, LiveSessions } from '../../src/room/live';
import { apply } from '../../src/room/machine';
import { RoomRepo } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';

/** Issue 18, step 2: one object per live session, made on the first join and let go when its room is idle. */
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function server(idleMs: number, clock = { now: 0 }) {
  const db = openDb(':memory:');
  const panelId = insertPanel(db, { slug: 'p', title: 'Panel', question: 'q', panelSize: 4, closesAt: 0, quotaTolerance: 0 }, 0);
  const repo = new RoomRepo(db);
  const sessionId = repo.createSession(panelId, exampleAgenda(), ['R-0001', 'R-0002'], null, 0);
  const heard = { presence: [] as Presence[], changes: [] as Change[] };
  const ballots = statements(db);
  const sessions = new LiveSessions(
    {
      repo,
      box: (id) => new SqliteBallotBox(ballots, keyStore(db), id),
      now: () => clock.now,
      changed: (_id, audience, change) => audience === 'others' && heard.changes.push(change),
      presence: (_id, presence) => heard.presence.push(presence),
      log: () => {},
    },
    idleMs,
  );
  return { db, repo, sessionId, sessions, heard };
}

test('the first join makes the live session, later joins share it; it is let go only once nobody has been in it for the idle time', async () => {
  const { sessionId, sessions } = server(80);
  const first = sessions.join(sessionId, 'a', { role: 'panellist', member: 'R-0001' });
  expect(sessions.join(sessionId, 'b', { role: 'facilitator' })).toBe(first);
  sessions.leave(sessionId, 'a');
  sessions.leave(sessionId, 'b');
  await wait(30);
  // Back within the idle time (the hall's wifi dropped for a moment): the same room, its caches kept.
  expect(sessions.join(sessionId, 'c', { role: 'observer' })).toBe(first);
  sessions.leave(sessionId, 'c');
  expect(sessions.size).toBe(1);
  await wait(150);
  expect(sessions.size).toBe(0);
  expect(sessions.join(sessionId, 'd', { role: 'observer' })).not.toBe(first);
  sessions.dispose();
});

test('a hall of phones joining at once is one presence list for the facilitators, naming each member once', async () => {
  const { sessionId, sessions, heard } = server(1000);
  for (let i = 0; i < 50; i++) sessions.join(sessionId, `s${i}`, i % 2 ? { role: 'panellist', member: 'R-0001' } : { role: 'panellist', member: 'R-0002' });
  sessions.join(sessionId, 'f', { role: 'facilitator' });
  await wait(400);
  expect(heard.presence).toEqual([{ panellists: ['R-0001', 'R-0002'], facilitators: 1, observers: 0 }]);
  sessions.dispose();
});

test('commands applied together go out as one change; a disposed session sends nothing it still held', async () => {
  const { repo, sessionId, sessions, heard } = server(1000);
  const live = sessions.join(sessionId, 'a', { role: 'facilitator' });
  let state = live.state() as RoomState;
  const step = (round: number) => {
    const next = apply(state, { role: 'facilitator' }, { type: 'round:open', round }, 1);
    repo.record(sessionId, next, 'facilitator', `c${round}`, { type: 'round:open', round }, 1);
    live.changed(state, next);
    state = next;
  };
  step(0);
  step(1);
  await wait(20);
  expect(heard.changes.map((c) => [c.since, c.version])).toEqual([[0, 2]]);
  step(2);
  sessions.dispose();
  await wait(20);
  expect(heard.changes.length).toBe(1);
});

test('a member whose phone dropped a moment ago still counts as here for turns; one long gone, or never come, does not', () => {
  const clock = { now: 1_000_000 };
  const { sessionId, sessions } = server(60_000, clock);
  const live = sessions.join(sessionId, 'a', { role: 'panellist', member: 'R-0001' });
  expect(live.absent(['R-0001', 'R-0002'])).toEqual(['R-0002']); // never came
  sessions.leave(sessionId, 'a');
  clock.now += AWAY_MS - 1;
  expect(live.absent(['R-0001', 'R-0002'])).toEqual(['R-0002']); // the wifi dropped: their turn waits for them
  clock.now += 1;
  expect(live.absent(['R-0001', 'R-0002'])).toEqual(['R-0001', 'R-0002']);
  sessions.join(sessionId, 'a2', { role: 'panellist', member: 'R-0001' });
  expect(live.absent(['R-0001', 'R-0002'])).toEqual(['R-0002']); // back
  live.dispose();
});
