import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { testConfig } from '../src/config';
import { closeDb, openDb } from '../src/db';
import { keyStore } from '../src/keys';
import { seedDemo } from '../src/demo/seed';
import { findPanel } from '../src/panels/repo';
import type { Agenda } from '../src/room/agenda';
import { SqliteBallotBox } from '../src/room/ballot-box';
import { statements } from '../src/room/ballot-sql';
import { createSession } from '../src/room/create';
import { type Actor, apply, type Command } from '../src/room/machine';
import { actorKey, RoomRepo } from '../src/room/repo';
import type { RoomState } from '../src/room/state';
import { insertDraw } from '../src/selection/repo';
import { addMembers } from '../src/membership/members';
import { serveUsage } from './bare-server';

/**
 * The server for bench:room's state-size sweep, run by fork: `room-size-server.js DIR BYTES...`. One session per
 * size, each grown through the room's own rules to about BYTES of state: an ideas board of supported ideas and
 * closed votes, as a long day leaves them. Then the measured round (ideas) is opened, and it listens. `mark`
 * empties the WAL and `usage` reports the bytes written to it since, with checkpoints held off meanwhile.
 */
export interface SizeReady {
  type: 'ready';
  port: number;
  sessions: { bytes: number; ideas: number; votes: number; panellists: { member: string; token: string }[] }[];
}

const MEMBERS = 200;
const IDEA = 'More free events in the parks of Foleshill and Hillfields, with buses that run late enough to get home after them';
const AGENDA: Agenda = {
  title: 'A long day',
  rounds: [
    { type: 'ideas', title: 'The board so far', minutes: 480 },
    { type: 'vote', title: 'Earlier votes', minutes: 480 },
    { type: 'ideas', title: 'Measured', minutes: 480 },
  ],
};
/** About one closed vote for every 30 KB of room. */
const BYTES_PER_VOTE = 30_000;

function main(): void {
  const [dir, ...sizes] = process.argv.slice(2);
  const file = path.join(dir, 'room-size.db');
  const db = openDb(file);
  const ctx = { db, clock: systemClock, config: testConfig({ DATABASE: file }) };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('the demo was not seeded into the fresh database');
  const ids = db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? ORDER BY id LIMIT ?').pluck().all(demo.panelId, MEMBERS) as string[];
  const drawId = insertDraw(db, { panelId: demo.panelId, kind: 'final', algorithm: 'leximin', seed: 'bench', panelSize: MEMBERS, poolCsv: '', quotasCsv: '' }, null, Date.now());
  addMembers(db, demo.panelId, drawId, ids, 'confirmed');
  const panel = findPanel(db, demo.panelId);
  if (!panel) throw new Error('the demo panel vanished');
  const repo = new RoomRepo(db);
  const ballots = statements(db);
  const keys = keyStore(db, ctx.config.KEYS_DIR);

  const sessions = sizes.map((size) => {
    const bytes = Number(size);
    const made = createSession(db, systemClock, repo, panel, AGENDA, null);
    const box = new SqliteBallotBox(ballots, keys, made.sessionId);
    let state = repo.state(made.sessionId) as RoomState;
    let n = 0;
    const run = (actor: Actor, command: Command) => {
      const now = Date.now();
      state = db.transaction(() => {
        const next = apply(state, actor, command, now, { box });
        repo.record(made.sessionId, next, actorKey(actor), `grow-${++n}`, command, now);
        return next;
      })();
    };
    const facilitator: Actor = { role: 'facilitator', who: 'user:1' };
    const member = (i: number): Actor => ({ role: 'panellist', member: ids[i % MEMBERS] });
    const votes = Math.floor(bytes / BYTES_PER_VOTE);
    run(facilitator, { type: 'round:open', round: 0 });
    for (let i = 0; JSON.stringify(state).length < bytes - votes * 1500; i++) {
      run(member(i), { type: 'idea:post', text: `${i + 1}: ${IDEA}` });
      const id = state.ideas[state.ideas.length - 1].id;
      for (let s = 1; s <= 3; s++) run(member(i + s), { type: 'idea:support', idea: id });
    }
    run(facilitator, { type: 'round:open', round: 1 });
    for (let v = 0; v < votes; v++) {
      run(facilitator, { type: 'vote:open', question: `Earlier question ${v + 1}: should the strategy fund this?`, settings: { method: 'threshold', threshold: { rule: 'majority', base: 'all' }, quorum: 0 }, secret: false, live: false });
      const vote = state.votes[state.votes.length - 1].id;
      for (let i = 0; i < 20; i++) run(member(i), { type: 'vote:cast', vote, ballot: { kind: 'threshold', choice: i % 3 ? 'agree' : 'disagree' } });
      run(facilitator, { type: 'vote:close', vote });
    }
    run(facilitator, { type: 'round:open', round: 2 });
    console.error(`room-size server: a room of ${(JSON.stringify(state).length / 1024).toFixed(0)} KiB (${state.ideas.length} ideas, ${state.votes.length} closed votes) after ${n} commands`);
    return { bytes: JSON.stringify(state).length, ideas: state.ideas.length, votes: state.votes.length, panellists: ids.slice(0, 20).map((m) => made.panellists.find((p) => p.member === m) ?? { member: m, token: '' }) };
  });

  const { server, io } = createApp({ ...ctx, log: (line) => console.error(line) });
  server.listen(0, '127.0.0.1', () => {
    const ready: SizeReady = { type: 'ready', port: (server.address() as AddressInfo).port, sessions };
    process.send?.(ready);
  });
  serveUsage(
    async () => {
      await io.close();
      closeDb(db);
    },
    {
      mark: () => {
        db.pragma('wal_autocheckpoint = 0');
        db.pragma('wal_checkpoint(TRUNCATE)');
      },
      usage: () => ({ walBytes: fs.statSync(`${file}-wal`).size }),
    },
  );
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`room-size server: ${(err as Error).message}`);
    process.exit(1);
  }
}
