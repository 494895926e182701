import fs from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { sharedView } from '../../src/room/state';
import { type ServerProcess, startServerProcess, tempDbFile } from '../e2e/server-process';
import { seatMembers, storedRoom } from '../helpers';
import { RoomClient } from './room-client';

/**
 * The server process is killed with SIGKILL in the middle of a vote by 200 panellists, at a random moment, and
 * started again on the same database. Every ballot must then be counted exactly once, and every client must have
 * reconnected by itself and hold the same room as the server. FAULT_SEED makes the moments repeatable.
 */
const PANELLISTS = 200;
const SEED = process.env.FAULT_SEED ?? String(Date.now());
const random = seedrandom(SEED);
const VOTE_ROUND = exampleAgenda().rounds.findIndex((r) => r.type === 'vote');
let server: ServerProcess;
let facilitator: RoomClient;
let panellists: RoomClient[];
let sessionId: number;

beforeAll(async () => {
  console.log(`FAULT_SEED=${SEED} (set it to repeat these kill moments)`);
  const dbFile = tempDbFile();
  const db = openDb(dbFile);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('the demo was not seeded');
  seatMembers(db, demo.panelId, db.prepare('SELECT public_id FROM registrants LIMIT ?').pluck().all(PANELLISTS) as string[], Date.now());
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
  sessionId = made.sessionId;
  closeDb(db);
  server = await startServerProcess({ dbFile });
  facilitator = new RoomClient(server.url, made.facilitator);
  panellists = made.panellists.map((p) => new RoomClient(server.url, p.token));
  await Promise.all([facilitator, ...panellists].map((c) => c.joined()));
  await facilitator.send('round:open', { round: VOTE_ROUND }, 'open-vote-round');
}, 60_000);
afterAll(async () => {
  for (const c of [facilitator, ...(panellists ?? [])]) c?.close();
  await server?.stop();
  if (server) fs.rmSync(path.dirname(server.dbFile), { recursive: true, force: true });
});

/** The room and the vote's stored rows, read with a connection of our own. */
function stored(vote: number) {
  const db = openDb(server.dbFile);
  try {
    const state = storedRoom(db, sessionId);
    const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table} WHERE session_id = ? AND vote_id = ?`).pluck().get(sessionId, vote) as number;
    const distinctVoters = db.prepare('SELECT COUNT(DISTINCT member) FROM vote_voters WHERE session_id = ? AND vote_id = ?').pluck().get(sessionId, vote) as number;
    return { state, ballots: count('vote_sealed'), voters: count('vote_voters'), distinctVoters };
  } finally {
    closeDb(db);
  }
}

const choiceOf = (i: number) => (i % 4 === 0 ? 'disagree' : i % 7 === 0 ? 'abstain' : 'agree');

describe.each([1, 2])('vote %i', (vote) => {
  test(`${PANELLISTS} panellists vote while the server is killed and restarted: every ballot counted once, every client in step`, async () => {
    await facilitator.send('vote:open', { question: `Adopt recommendation ${vote}?`, settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 }, secret: true }, `open-vote-${vote}`);
    await Promise.all(panellists.map((c) => c.holds(stored(vote).state.version)));

    let acknowledgedBeforeKill = -1;
    const acked: number[] = [];
    const receipts: { receipt?: string; unlock?: string }[] = [];
    const votes = panellists.map((c, i) =>
      c.send('vote:cast', { vote, ballot: { kind: 'threshold', choice: choiceOf(i) } }, `cast-${vote}`).then((reply) => {
        if (!reply.ok) throw new Error(`panellist ${i}'s ballot was refused: ${reply.message}`);
        receipts[i] = reply.data;
        acked.push(i);
      }),
    );
    // Some moment while the ballots are arriving: from before the first to after most have been acknowledged.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 1200)));
    acknowledgedBeforeKill = acked.length;
    await server.kill9();
    await server.restart();
    await Promise.all(votes);
    console.log(`vote ${vote}: killed after ${acknowledgedBeforeKill} of ${PANELLISTS} ballots were acknowledged; all ${PANELLISTS} acknowledged after the restart`);

    // A panellist whose first acknowledgement died with the server got the receipt alone (an unlock is never given
    // twice); the phone casts the same ballot once more, which keeps the receipt and brings a fresh unlock.
    const lost = panellists.map((_, i) => i).filter((i) => !receipts[i].unlock);
    await Promise.all(lost.map(async (i) => {
      const again = await panellists[i].send('vote:cast', { vote, ballot: { kind: 'threshold', choice: choiceOf(i) } }, `cast-${vote}.again`);
      if (!again.ok) throw new Error(`panellist ${i}'s second cast was refused: ${again.message}`);
      expect(again.data.receipt).toBe(receipts[i].receipt);
      receipts[i] = again.data;
    }));
    console.log(`vote ${vote}: ${lost.length} acknowledgements were lost with the server and cast again for an unlock`);

    // Every acknowledged ballot is stored once (sealed until the close): one voter row and one ballot each, none twice.
    const open = stored(vote);
    expect({ ballots: open.ballots, voters: open.voters, distinctVoters: open.distinctVoters }).toEqual({ ballots: PANELLISTS, voters: PANELLISTS, distinctVoters: PANELLISTS });
    // Each panellist was given a receipt by the server, even when the first acknowledgement died with it, and
    // finds their own ballot, as cast, by it (after the close too, once the ballots are opened and shuffled).
    const check = () => Promise.all(panellists.map((c, i) => new Promise((resolve) => c.socket.emit('vote:check', { vote, receipt: receipts[i].receipt ?? '', unlock: receipts[i].unlock }, resolve))));
    (await check()).forEach((answer, i) => expect(answer).toEqual({ ok: true, data: { counted: true, ballot: { kind: 'threshold', choice: choiceOf(i) } } }));

    await facilitator.send('vote:close', { vote }, `close-vote-${vote}`);
    const closed = stored(vote).state;
    const expected = { agree: 0, disagree: 0, abstain: 0 };
    panellists.forEach((_, i) => expected[choiceOf(i)]++);
    expect(closed.votes[vote - 1].result).toMatchObject({ voted: PANELLISTS, abstained: expected.abstain, detail: { agree: expected.agree, disagree: expected.disagree, abstain: expected.abstain } });
    (await check()).forEach((answer, i) => expect(answer).toEqual({ ok: true, data: { counted: true, ballot: { kind: 'threshold', choice: choiceOf(i) } } }));

    // Every client reconnected by itself and holds exactly the server's room.
    await Promise.all([facilitator, ...panellists].map((c) => c.holds(closed.version)));
    expect(facilitator.state).toEqual(closed);
    for (const c of panellists) expect(c.state).toEqual(sharedView(closed));
  }, 120_000);
});
