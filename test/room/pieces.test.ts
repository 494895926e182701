import fc from 'fast-check';
import { openDb } from '../../src/db';
import { keyStore } from '../../src/keys';
import { insertPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { SqliteBallotBox } from '../../src/room/ballot-box';
import { statements } from '../../src/room/ballot-sql';
import { applyChange, changeOf, sharedChangeOf } from '../../src/room/change';
import { type Actor, apply, type Command, RoomError } from '../../src/room/machine';
import { RoomRepo } from '../../src/room/repo';
import { type RoomState, sharedView } from '../../src/room/state';
import { tally } from '../../src/voting/tally';

/**
 * Issue 18: the room is stored, sent and compared in pieces. For random command sequences, the pieces stored in
 * SQLite (read back by a fresh repo), the snapshot, and the sum of the changes broadcast (several commands at
 * once, as the broadcaster sends them when they arrive together) must always describe the same room.
 */
const agenda = exampleAgenda();
const round = (type: string) => agenda.rounds.findIndex((r) => r.type === type);
const members = Array.from({ length: 8 }, (_, i) => `R-${String(i).padStart(4, '0')}`);
const facilitator: Actor = { role: 'facilitator', who: 'user:1' };
const as = (i: number): Actor => ({ role: 'panellist', member: members[i] });

/**
 * A command chosen against the room as it stands (existing ideas, the vote in hand, the tables), so that most
 * of a random sequence is accepted; `a` picks the kind, `b` and `c` its details.
 */
function commandFor(state: RoomState, a: number, b: number, c: number): [Actor, Command] {
  const m = as(b % members.length);
  const someIdea = (n: number) => (state.ideas.length ? (n % state.ideas.length) + 1 : 1);
  const vote = state.votes.length || 1;
  const kinds: (() => [Actor, Command])[] = [
    () => [facilitator, { type: 'round:open', round: [round('discussion'), round('ideas'), round('tables'), round('vote'), round('round-robin')][b % 5] }],
    () => [facilitator, { type: 'round:close' }],
    () => [m, { type: 'queue:raise' }],
    () => [m, { type: 'queue:lower' }],
    () => [facilitator, { type: 'floor:give' }],
    () => [facilitator, { type: 'floor:take' }],
    () => [m, { type: 'idea:post', text: ['Late buses', 'Free museum days', 'Murals in Hillfields'][c % 3] }],
    () => [as(c % members.length), { type: 'idea:support', idea: someIdea(b) }],
    () => [facilitator, { type: 'idea:theme', idea: someIdea(b), theme: ['Transport', 'Places', ''][c % 3] }],
    () => [facilitator, { type: 'idea:merge', idea: someIdea(b), into: someIdea(c) }],
    () => [facilitator, { type: 'idea:hide', idea: someIdea(b), reason: 'off the subject' }],
    () => [facilitator, { type: 'vote:open', question: 'Fund the festival?', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'all' }, quorum: 0 }, secret: false, live: c % 2 === 0 }],
    () => [m, { type: 'vote:cast', vote, ballot: { kind: 'threshold', choice: (['agree', 'disagree', 'abstain'] as const)[c % 3] } }],
    () => [facilitator, { type: 'vote:close', vote }],
    () => [facilitator, { type: 'tables:propose', size: 3 + (c % 3) }],
    () => [facilitator, { type: 'tables:move', member: m.role === 'panellist' ? m.member : '', table: (c % Math.max(1, state.tables.length)) + 1 }],
    () => [facilitator, { type: 'turn:start' }],
    () => [facilitator, { type: 'turn:next' }],
    () => [facilitator, { type: 'rec:draft', text: 'Every library hosts a culture night.' }],
    () => [facilitator, { type: 'idea:pick', idea: someIdea(b) }],
  ];
  return kinds[a % kinds.length]();
}

function fresh() {
  const db = openDb(':memory:');
  const panelId = insertPanel(db, { slug: 'p', title: 'Panel', question: 'q', panelSize: 8, closesAt: 0, quotaTolerance: 0 }, 0);
  const repo = new RoomRepo(db);
  const sessionId = repo.createSession(panelId, agenda, members, null, 0);
  const box = new SqliteBallotBox(statements(db), keyStore(db), sessionId);
  return { db, repo, sessionId, box };
}

test('the stored pieces, the snapshot and the changes sent always describe the same room', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.boolean()), { minLength: 1, maxLength: 80 }), (random) => {
      // From an ideas round with a few ideas on the board, so that most random commands have something to act on.
      const steps: [number, number, number, boolean][] = [[0, 1, 0, false], [6, 0, 0, false], [6, 1, 1, true], [6, 2, 2, false], ...random];
      const { db, repo, sessionId, box } = fresh();
      let state = repo.state(sessionId) as RoomState;
      // What the facilitator's screen and a phone hold, built only from the changes they were sent.
      let screen = state;
      let phone = sharedView(state);
      let sent = state;
      steps.forEach(([a, b, c, flush], i) => {
        const [actor, command] = commandFor(state, a, b, c);
        const now = 60_000 * (i + 1);
        try {
          state = db.transaction(() => {
            const next = apply(state, actor, command, now, { box });
            repo.record(sessionId, next, actor.role === 'panellist' ? actor.member : 'facilitator', `c${i}`, command, now);
            return next;
          })();
        } catch (err) {
          if (!(err instanceof RoomError)) throw err;
          box.forget(); // as the server does after a rolled-back command (live.ts)
        }
        if (flush || i === steps.length - 1) {
          screen = applyChange(screen, changeOf(sent, state));
          phone = applyChange(phone, sharedChangeOf(sent, state));
          sent = state;
        }
      });
      const stored = new RoomRepo(db).state(sessionId);
      expect(stored).toEqual(state);
      expect(screen).toEqual(state);
      expect(phone).toEqual(sharedView(state));
      // An open live vote's result, kept from its running pile, is the count of the ballots stored.
      for (const vote of state.votes.filter((v) => v.live && v.status === 'open' && v.voted > 0)) {
        expect(vote.result).toEqual(tally(vote.settings, { ballots: box.ballots(vote.id), spoiled: vote.paper.spoiled, eligible: members.length }));
      }
      db.close();
    }),
    { numRuns: 150 },
  );
});

test('a command writes only the pieces it changed: one supported idea is one row, however long the board', () => {
  const { db, repo, sessionId } = fresh();
  let state = repo.state(sessionId) as RoomState;
  const run = (actor: Actor, command: Command, i: number) => {
    state = apply(state, actor, command, i);
    repo.record(sessionId, state, 'x', `c${i}`, command, i);
  };
  run(facilitator, { type: 'round:open', round: round('ideas') }, 0);
  for (let i = 1; i <= 200; i++) run(as(i % 8), { type: 'idea:post', text: `Idea ${i}` }, i);
  const written: string[] = [];
  const stmt = db.prepare("SELECT piece FROM room_pieces WHERE session_id = ? AND value = ? AND piece LIKE 'ideas.%'").pluck();
  run(as(0), { type: 'idea:support', idea: 2 }, 1000);
  written.push(...(stmt.all(sessionId, JSON.stringify(state.ideas[1])) as string[]));
  expect(written).toEqual(['ideas.1']);
  expect(state.ideas[0]).toBe((repo.state(sessionId) as RoomState).ideas[0]); // untouched ideas are the same objects
  // And the change sent is that idea alone.
  const before = state;
  run(as(3), { type: 'idea:support', idea: 150 }, 1001);
  const change = sharedChangeOf(before, state);
  expect(change.ideas?.map((i) => i.id)).toEqual([150]);
  expect(Object.keys(change.set)).toEqual(['version']);
  db.close();
});

test('a stored room is frozen: nothing can change it behind the store', () => {
  const { repo, sessionId } = fresh();
  const state = repo.state(sessionId) as RoomState;
  expect(() => (state.queue as string[]).push('R-0001')).toThrow(TypeError);
  expect(() => {
    (state.rounds[0] as { title: string }).title = 'changed';
  }).toThrow(TypeError);
  expect(repo.state(sessionId)?.rounds[0].title).toBe(agenda.rounds[0].title);
});

test('a room written by another writer at the same version is refused in words, and the first one stands', () => {
  const { db, repo, sessionId } = fresh();
  const other = new RoomRepo(db);
  const state = repo.state(sessionId) as RoomState;
  const opened = apply(state, facilitator, { type: 'round:open', round: round('ideas') }, 1);
  repo.record(sessionId, opened, 'facilitator', 'a', { type: 'round:open', round: round('ideas') }, 1);
  const stale = apply(state, facilitator, { type: 'round:open', round: round('discussion') }, 2);
  expect(() => other.record(sessionId, stale, 'facilitator', 'b', { type: 'round:open', round: round('discussion') }, 2)).toThrow(/The room changed while this was being stored/);
  expect(new RoomRepo(db).state(sessionId)?.current).toBe(round('ideas'));
  db.close();
});

test('a list that gets shorter loses its last pieces: tables proposed again in fewer, larger groups', () => {
  const { db, repo, sessionId } = fresh();
  let state = repo.state(sessionId) as RoomState;
  const run = (command: Command, i: number) => {
    state = apply(state, facilitator, command, i);
    repo.record(sessionId, state, 'facilitator', `c${i}`, command, i);
  };
  run({ type: 'round:open', round: round('tables') }, 1);
  run({ type: 'tables:propose', size: 3 }, 2);
  expect(state.tables.length).toBe(3);
  run({ type: 'tables:propose', size: 8 }, 3);
  expect(state.tables.length).toBe(1);
  expect(new RoomRepo(db).state(sessionId)?.tables).toEqual(state.tables);
  expect(db.prepare("SELECT COUNT(*) FROM room_pieces WHERE session_id = ? AND piece LIKE 'tables.%'").pluck().get(sessionId)).toBe(1);
  db.close();
});
