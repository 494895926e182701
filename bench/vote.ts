import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { io as connect, type Socket } from 'socket.io-client';
import type { Reply } from '../src/room/events';
import { ask, children, figure, labelledFigure, percentile, runMain, startChild, stopChild } from './child';
import type { RoomReady } from './room-server';

/**
 * npm run bench:vote [-- --clients N (default 1000)]
 *
 * N panellists on loopback all vote within one second (each at a random moment of it), then the facilitator
 * closes the vote. Figures: ballot -> acknowledgement, close -> the result at every client, the server's CPU and
 * peak memory. Run twice: with the app's SQLite setting (synchronous=NORMAL) and with FULL, whose extra cost is
 * what the README's durability note quotes. Then once more with an open ranked vote shown live, whose result
 * goes to every phone after each ballot: what keeping the tally as ballots arrive costs (issue 18). The clients
 * run here; the server is a child process.
 */
const USAGE = 'npm run bench:vote -- [--clients N (1-1000, default 1000)]';
const SPREAD_MS = 1000;
const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

interface Burst {
  ack: number[];
  results: number[];
  cpuSeconds: number;
  peakRss: number;
  burstSeconds: number;
  counted: number;
}

function clientsArg(argv: string[]): number {
  if (!argv.length) return 1000;
  const n = Number(argv[1]);
  if (argv[0] !== '--clients' || argv.length !== 2 || !Number.isInteger(n) || n < 1 || n > 1000) throw new Error(USAGE);
  return n;
}

/** A client that notes when each version of the room reaches it. */
async function join(port: number, token: string, arrivals: Map<number, number>): Promise<Socket> {
  const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass: token }, transports: ['websocket'], forceNew: true, reconnection: false });
  socket.on('room:changed', (change: { since: number; version: number }) => {
    for (let v = change.since + 1; v <= change.version; v++) arrivals.set(v, performance.now());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', () => resolve());
    socket.once('connect_error', (err) => reject(new Error(`a client could not join: ${err.message}`)));
  });
  return socket;
}

async function command(socket: Socket, event: string, payload: object): Promise<number> {
  const reply = (await socket.timeout(30_000).emitWithAck(event, { clientId: `${event}-${performance.now()}`, ...payload })) as Reply<{ version: number }>;
  if (!reply.ok) throw new Error(`the server refused ${event}: ${reply.message}`);
  return reply.data.version;
}

/** Waits until every client's arrivals hold `version`. */
async function reached(arrivals: Map<number, number>[], version: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (arrivals.some((a) => !a.has(version))) {
    if (Date.now() > until) throw new Error(`version ${version} had not reached every client after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A secret agree/disagree vote, or an open ranked one among four options whose result is shown as ballots arrive. */
type Kind = 'secret' | 'live';
const OPTIONS = ['A festival', 'Library nights', 'Murals', 'Free museum days'];

async function burst(n: number, synchronous: 'NORMAL' | 'FULL', dir: string, kind: Kind = 'secret'): Promise<Burst> {
  progress(`${synchronous}: starting the server (demo, ${n} members, a session)`);
  const { child, ready } = await startChild<RoomReady>('room-server.js', [dir, String(n), synchronous]);
  const tokens = [ready.facilitator, ...ready.panellists.map((p) => p.token)];
  const arrivals = tokens.map(() => new Map<number, number>());
  const sockets: Socket[] = [];
  for (let i = 0; i < tokens.length; i += 50) sockets.push(...(await Promise.all(tokens.slice(i, i + 50).map((t, j) => join(ready.port, t, arrivals[i + j])))));
  progress(`${synchronous}: ${n} panellists and the facilitator joined`);
  const [facilitator, ...panellists] = sockets;
  await command(facilitator, 'round:open', { round: ready.rounds.vote });
  const settings = kind === 'secret' ? { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 } : { method: 'ranked', count: 'irv', quorum: 0 };
  const opened = await command(facilitator, 'vote:open', { question: 'Adopt the recommendation?', settings, secret: kind === 'secret', live: kind === 'live', ...(kind === 'live' ? { options: OPTIONS } : {}) });
  await reached(arrivals, opened);

  await ask(child, 'mark');
  progress(`${synchronous}: ${n} ballots within ${SPREAD_MS / 1000} s`);
  const rng = seedrandom(`bench:vote:${n}`);
  const t0 = performance.now();
  const ack = await Promise.all(
    panellists.map(
      (socket, i) =>
        new Promise<number>((resolve, reject) => {
          setTimeout(() => {
            const sent = performance.now();
            const ballot = kind === 'secret' ? { kind: 'threshold', choice: i % 3 ? 'agree' : 'disagree' } : { kind: 'ranked', ranking: ranking(rng, i) };
            command(socket, 'vote:cast', { vote: 1, ballot, receipt: `bench-vote-receipt-${i}-abcdefgh` }).then(() => resolve(performance.now() - sent), reject);
          }, rng() * SPREAD_MS);
        }),
    ),
  );
  const burstSeconds = (performance.now() - t0) / 1000;

  const closing = performance.now();
  const closed = await command(facilitator, 'vote:close', { vote: 1 });
  await reached(arrivals, closed);
  const results = arrivals.map((a) => (a.get(closed) as number) - closing);
  const usage = await ask(child, 'usage');
  const final = await new Promise<Reply<{ state: { votes: { result: { voted: number } | null }[] } }>>((resolve) => facilitator.emit('room:sync', {}, resolve));
  for (const s of sockets) s.disconnect();
  await stopChild(child);
  if (usage.type !== 'usage') throw new Error('the server did not report its usage');
  return { ack, results, cpuSeconds: usage.cpuSeconds, peakRss: usage.peakRss, burstSeconds, counted: final.ok ? (final.data.state.votes[0].result?.voted ?? 0) : 0 };
}

/** A ranking of some of the four options, most preferred first. */
function ranking(rng: () => number, i: number): number[] {
  const order = [0, 1, 2, 3].sort(() => rng() - 0.5);
  return order.slice(0, 1 + (i % 4));
}

/** What one fsync of a small write costs on the disk under `dir`: what synchronous=FULL adds to every commit. */
function fsyncMs(dir: string): number {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const t = performance.now();
  for (let i = 0; i < 200; i++) {
    fs.writeSync(fd, block);
    fs.fsyncSync(fd);
  }
  const ms = (performance.now() - t) / 200;
  fs.closeSync(fd);
  fs.rmSync(file);
  return ms;
}

async function main(): Promise<void> {
  const n = clientsArg(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-vote-'));
  const fsync = fsyncMs(dir);
  try {
    const runs = { NORMAL: await burst(n, 'NORMAL', dir), FULL: await burst(n, 'FULL', dir) };
    // A database of its own: the server seeds the demo only into a fresh one.
    const live = await burst(n, 'NORMAL', fs.mkdtempSync(path.join(dir, 'live-')), 'live');
    for (const [mode, r] of Object.entries({ ...runs, live })) if (r.counted !== n) throw new Error(`${mode}: the result counted ${r.counted} ballots, not ${n}`);
    const cpus = os.cpus();
    console.log(`\nbench:vote on ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}`);
    console.log(`${n} panellists on loopback, each casting a secret ballot at a random moment within ${SPREAD_MS / 1000} s; then the close`);
    console.log(`one fsync of a 4 KiB write on this disk: ${fsync.toFixed(2)} ms (synchronous=FULL waits for one at every commit)\n`);
    figure('vote', 'fsync of a 4 KiB write on this disk', fsync, 'ms', 2);
    const rows: [string, (r: Burst) => number, number][] = [
      ['ballot -> ack, p50 (ms)', (r) => percentile(r.ack, 50), 1],
      ['ballot -> ack, p99 (ms)', (r) => percentile(r.ack, 99), 1],
      ['ballot -> ack, max (ms)', (r) => Math.max(...r.ack), 1],
      ['all ballots acknowledged after (s)', (r) => r.burstSeconds, 2],
      ['close -> result at a client, p50 (ms)', (r) => percentile(r.results, 50), 1],
      ['close -> result at a client, p99 (ms)', (r) => percentile(r.results, 99), 1],
      ['close -> result at every client (ms)', (r) => Math.max(...r.results), 1],
      ['server CPU, ballots and close (s)', (r) => r.cpuSeconds, 2],
      ['server CPU per ballot (ms)', (r) => (1000 * r.cpuSeconds) / n, 2],
      ['server peak RSS (MiB)', (r) => r.peakRss / 2 ** 20, 0],
    ];
    console.log(`${'figure'.padEnd(40)}${'NORMAL'.padStart(10)}${'FULL'.padStart(10)}${'FULL/NORMAL'.padStart(13)}`);
    for (const [label, pick, digits] of rows) {
      const [a, b] = [pick(runs.NORMAL), pick(runs.FULL)];
      if (!/p50|max|after/.test(label)) {
        labelledFigure('vote', `${n} ballots in 1 s`, label, a, digits);
        labelledFigure('vote', `${n} ballots in 1 s, synchronous=FULL`, label, b, digits);
      }
      console.log(`${label.padEnd(40)}${a.toFixed(digits).padStart(10)}${b.toFixed(digits).padStart(10)}${(b / a).toFixed(2).padStart(13)}`);
    }
    console.log(`\nthe same ${n} panellists ranking four options in an open vote shown live (its result to every phone as ballots arrive):`);
    for (const [label, pick, digits] of rows) {
      if (!/p50|max|after/.test(label)) labelledFigure('vote', `${n} ranked ballots in 1 s, shown live`, label, pick(live), digits);
      console.log(`${label.padEnd(40)}${pick(live).toFixed(digits).padStart(10)}`);
    }
  } finally {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain('vote', main);
