import { openDb } from '../../src/db';
import { keyStore } from '../../src/keys';
import { insertPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { SqliteBallotBox } from '../../src/room/ballot-box';
import { statements } from '../../src/room/ballot-sql';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { RoomRepo } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';
import { tally } from '../../src/voting/tally';
import type { Ballot } from '../../src/voting/types';

/**
 * Issue 18: a live vote's result is kept from a running pile of its ballots, not by reading and counting every
 * ballot again on each cast. Whatever members do (cast, change their mind, vote on paper), the result shown must
 * be the count of the ballots stored; and a command rolled back must not leave its ballot in the pile.
 */
const agenda = exampleAgenda();
const members = Array.from({ length: 12 }, (_, i) => `R-${String(i).padStart(4, '0')}`);
const facilitator = (who = 'user:1'): Actor => ({ role: 'facilitator', who });
const as = (i: number): Actor => ({ role: 'panellist', member: members[i] });
const rank = (...ranking: number[]): Ballot => ({ kind: 'ranked', ranking });

function liveVote() {
  const db = openDb(':memory:');
  const panelId = insertPanel(db, { slug: 'p', title: 'Panel', question: 'q', panelSize: 12, closesAt: 0, quotaTolerance: 0 }, 0);
  const repo = new RoomRepo(db);
  const sessionId = repo.createSession(panelId, agenda, members, null, 0);
  const box = new SqliteBallotBox(statements(db), keyStore(db), sessionId);
  let state = repo.state(sessionId) as RoomState;
  let n = 0;
  const run = (actor: Actor, command: Command) => {
    state = db.transaction(() => {
      const next = apply(state, actor, command, ++n * 1000, { box });
      repo.record(sessionId, next, actor.role === 'panellist' ? actor.member : 'facilitator', `c${n}`, command, n * 1000);
      return next;
    })();
    return state;
  };
  run(facilitator(), { type: 'round:open', round: agenda.rounds.findIndex((r) => r.type === 'vote') });
  run(facilitator(), { type: 'vote:open', question: 'Which first?', options: ['Festival', 'Library nights', 'Murals'], settings: { method: 'ranked', count: 'irv', quorum: 0 }, secret: false, live: true });
  const recount = () => tally(state.votes[0].settings, { ballots: box.ballots(1), spoiled: state.votes[0].paper.spoiled, eligible: members.length });
  return { db, box, run, recount, get state() {
    return state;
  } };
}

test('members cast, change their ballots and vote on paper: the live result is always the count of the ballots stored', () => {
  const room = liveVote();
  const rankings = [rank(0, 1), rank(1, 2, 0), rank(2), rank(0), rank(1, 0), rank()];
  for (let i = 0; i < 40; i++) {
    room.run(as((i * 7) % 10), { type: 'vote:cast', vote: 1, ballot: rankings[(i * 5) % rankings.length] });
    expect(room.state.votes[0].result).toEqual(room.recount());
  }
  const paper = { type: 'vote:paper' as const, vote: 1, members: [members[10], members[11]], ballots: [rank(2, 1)], spoiled: 1 };
  room.run(facilitator('user:1'), paper);
  room.run(facilitator('user:2'), paper);
  expect(room.state.votes[0].paper).toEqual({ accepted: 1, spoiled: 1, pending: false });
  expect(room.state.votes[0].result).toEqual(room.recount());
  expect(room.state.votes[0].result?.voted).toBe(12);
  room.db.close();
});

test('a cast rolled back after its ballot reached the pile: once forgotten, the pile is read again and the result stays true', () => {
  const room = liveVote();
  room.run(as(0), { type: 'vote:cast', vote: 1, ballot: rank(0) });
  // The ballot is stored and piled, then the transaction fails (as when the disk is full at the commit).
  expect(() =>
    room.db.transaction(() => {
      room.box.cast(1, members[1], rank(2), false);
      throw new Error('disk full');
    })(),
  ).toThrow('disk full');
  expect(room.box.ballots(1)).toEqual([rank(0)]);
  room.box.forget();
  room.run(as(2), { type: 'vote:cast', vote: 1, ballot: rank(1) });
  expect(room.state.votes[0].result).toEqual(room.recount());
  expect(room.state.votes[0].result?.voted).toBe(2);
  room.db.close();
});
