import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { io as connect, type Socket } from 'socket.io-client';
import { applyChange } from '../src/room/change';
import type { Change, Reply, Snapshot } from '../src/room/events';
import type { RoomState } from '../src/room/state';
import { ask, inScratch, labelledFigure, percentile, runMain, startChild, stopChild } from './child';
import type { RoomReady } from './room-server';
import { reportSweep, sizeSweep } from './room-size';

/**
 * npm run bench:room [-- --clients N] [--commands K | --seconds S] [--concurrency C]
 *
 * N panellists and a facilitator join the live room on loopback; panellists raise and lower hands in a
 * discussion round, then post and support ideas in the ideas round. For each command: emit -> ack, and
 * emit -> the room:changed of its version has reached every client. Then the same against a bare
 * Socket.IO server that acks and rebroadcasts a payload of the room's broadcast size: the floor.
 * Each server runs in a child process, so its peak RSS and CPU are its own; the clients run here.
 */
const USAGE = 'npm run bench:room -- [--clients N (1-1000, default 200)] [--commands K (default 1000) | --seconds S] [--concurrency C (default 1)] [--sweep only | --sweep none]';
const TIMEOUT_MS = 30_000;
const CHANGED = '2["room:changed",';

interface Options {
  clients: number;
  commands?: number;
  seconds?: number;
  concurrency: number;
  /** The state-size sweep (room-size.ts): after the clients' run (default), alone, or not at all. */
  sweep: 'also' | 'only' | 'none';
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { clients: 200, concurrency: 1, sweep: 'also' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--sweep') {
      const how = argv[++i];
      if (how !== 'only' && how !== 'none') throw new Error(`--sweep takes only or none\n${USAGE}`);
      opts.sweep = how;
      continue;
    }
    const value = Number(argv[++i]);
    const whole = (max: number) => {
      if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${flag} takes a whole number from 1 to ${max}\n${USAGE}`);
      return value;
    };
    if (flag === '--clients') opts.clients = whole(1000);
    else if (flag === '--commands') opts.commands = whole(1_000_000);
    else if (flag === '--seconds') opts.seconds = whole(3600);
    else if (flag === '--concurrency') opts.concurrency = whole(100);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (opts.commands && opts.seconds) throw new Error(`give --commands or --seconds, not both\n${USAGE}`);
  if (!opts.seconds) opts.commands ??= 1000;
  if (opts.concurrency > opts.clients) throw new Error('--concurrency cannot be more than --clients: each panellist has one command in flight at most');
  return opts;
}

const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const sockets: Socket[] = [];

/** When each version has reached every client. */
class Tracker {
  private readonly count = new Map<number, number>();
  private readonly reached = new Map<number, number>();
  private readonly waiting = new Map<number, { resolve: (at: number) => void; reject: (err: Error) => void }>();
  failure: Error | undefined;
  done = false;
  constructor(private readonly total: number) {}

  seen(version: number): void {
    const count = (this.count.get(version) ?? 0) + 1;
    if (count < this.total) return void this.count.set(version, count);
    this.count.delete(version);
    const waiter = this.waiting.get(version);
    this.waiting.delete(version);
    if (waiter) waiter.resolve(performance.now());
    else this.reached.set(version, performance.now());
  }

  whenAll(version: number): Promise<number> {
    const at = this.reached.get(version);
    this.reached.delete(version);
    if (at !== undefined) return Promise.resolve(at);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`version ${version} had not reached all ${this.total} clients after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      this.waiting.set(version, { resolve: (t) => settle(() => resolve(t)), reject: (e) => settle(() => reject(e)) });
    });
  }

  fail(err: Error): void {
    if (this.done || this.failure) return;
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** A client on the pass `token`, resolved once its first snapshot has arrived. */
async function join(port: number, token: string, tracker: Tracker): Promise<Socket> {
  const socket = connect(`http://127.0.0.1:${port}`, {
    auth: { pass: token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  sockets.push(socket);
  let last = 0;
  socket.on('room:changed', (change: { version: number }) => {
    for (let v = last + 1; v <= change.version; v++) tracker.seen(v);
    last = Math.max(last, change.version);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', (snapshot: { version: number }) => {
      last = snapshot.version;
      resolve();
    });
    socket.once('connect_error', (err) => reject(new Error(`a client could not join: ${err.message}`)));
  });
  socket.on('disconnect', (reason) => tracker.fail(new Error(`a client was disconnected (${reason})`)));
  return socket;
}

/** Joins in batches of 50, as a hall's phones would trickle in. */
async function joinAll(port: number, tokens: string[], tracker: Tracker): Promise<Socket[]> {
  const joined: Socket[] = [];
  for (let i = 0; i < tokens.length; i += 50) {
    joined.push(...(await Promise.all(tokens.slice(i, i + 50).map((token) => join(port, token, tracker)))));
  }
  return joined;
}

/** Bytes of each room:changed packet this client receives. */
function recordSizes(socket: Socket, into: number[]): void {
  socket.io.engine.on('packet', (p) => {
    if (typeof p.data === 'string' && p.data.startsWith(CHANGED)) into.push(Buffer.byteLength(p.data));
  });
}

interface Samples {
  ack: number[];
  all: number[];
}

let commandIds = 0;

/** Emits a command; records emit -> ack and emit -> its version at every client. */
async function timed(socket: Socket, event: string, payload: object, tracker: Tracker, samples: Samples): Promise<void> {
  const t0 = performance.now();
  const reply = (await socket
    .timeout(TIMEOUT_MS)
    .emitWithAck(event, { clientId: `bench-${++commandIds}`, ...payload })
    .catch((err: Error) => {
      throw tracker.failure ?? new Error(`no ack for ${event}: ${err.message}`);
    })) as Reply<{ version: number }>;
  const t1 = performance.now();
  if (!reply.ok) throw new Error(`the server refused ${event}: ${reply.error}: ${reply.message}`);
  const t2 = await tracker.whenAll(reply.data.version);
  samples.ack.push(t1 - t0);
  samples.all.push(t2 - t0);
}

/** A budget of commands, or of time, shared by the workers of a closed loop. */
class Budget {
  private issued = 0;
  private readonly until: number;
  constructor(
    private readonly commands: number | undefined,
    seconds: number | undefined,
  ) {
    this.until = seconds === undefined ? Infinity : performance.now() + seconds * 1000;
  }
  claim(): boolean {
    if (performance.now() >= this.until || (this.commands !== undefined && this.issued >= this.commands)) return false;
    this.issued++;
    return true;
  }
}

/**
 * A closed loop: `concurrency` workers, each taking an idle panellist (clients 1..n), running one step
 * for them and starting the next once its effect has reached every client. Returns the wall seconds.
 */
async function closedLoop(n: number, concurrency: number, budget: Budget, step: (client: number) => Promise<void>): Promise<number> {
  const idle = Array.from({ length: n }, (_, i) => i + 1);
  const start = performance.now();
  const worker = async () => {
    while (budget.claim()) {
      const client = idle.shift() ?? 1;
      await step(client);
      idle.push(client);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - start) / 1000;
}

interface Run {
  samples: Samples;
  seconds: number;
  joinSeconds: number;
  serverRss: number;
  serverCpu: number;
  clientCpu: number;
  sizes: number[];
  facilitatorSizes: number[];
}

/** Joins every client, runs `phases` in the measured window, and collects the figures. */
async function run(name: string, child: ChildProcess, port: number, tokens: string[], phases: (clients: Socket[], tracker: Tracker, samples: Samples) => Promise<number>): Promise<Run> {
  const tracker = new Tracker(tokens.length);
  const t = performance.now();
  const clients = await joinAll(port, tokens, tracker);
  const joinSeconds = (performance.now() - t) / 1000;
  progress(`${name}: ${clients.length} clients joined in ${joinSeconds.toFixed(1)} s`);
  child.on('exit', (code, signal) => tracker.fail(new Error(`the ${name} server stopped (${signal ?? `exit code ${code}`})`)));
  const sizes: number[] = [];
  const facilitatorSizes: number[] = [];
  recordSizes(clients[1], sizes);
  recordSizes(clients[0], facilitatorSizes);
  const samples: Samples = { ack: [], all: [] };
  await ask(child, 'mark');
  const cpu = process.cpuUsage();
  const seconds = await phases(clients, tracker, samples);
  const usage = await ask(child, 'usage');
  const client = process.cpuUsage(cpu);
  tracker.done = true;
  for (const s of clients) s.disconnect();
  await stopChild(child);
  if (usage.type !== 'usage') throw new Error(`the ${name} server did not report its usage`);
  return { samples, seconds, joinSeconds, serverRss: usage.peakRss, serverCpu: usage.cpuSeconds, clientCpu: (client.user + client.system) / 1e6, sizes, facilitatorSizes };
}

const IDEA = 'more free evening events in the parks and libraries, with late buses home afterwards';

async function runRoom(opts: Options, dir: string): Promise<Run> {
  const n = opts.clients;
  progress(`room: starting the server (fresh database, demo, final draw of ${n} members, session)`);
  const { child, ready } = await startChild<RoomReady>('room-server.js', [dir, String(n)]);
  const members = ['facilitator', ...ready.panellists.map((p) => p.member)];
  const tokens = [ready.facilitator, ...ready.panellists.map((p) => p.token)];
  // Half the budget for each round: the first takes the odd command; seconds split evenly.
  const half = (first: boolean) => new Budget(opts.commands === undefined ? undefined : (first ? Math.ceil : Math.floor)(opts.commands / 2), opts.seconds && opts.seconds / 2);
  const rng = seedrandom('bench:room');

  return run('room', child, ready.port, tokens, async (clients, tracker, samples) => {
    const [facilitator] = clients;
    // The facilitator's client keeps the room the way every client does: the snapshot, then each change.
    let room: RoomState | undefined;
    facilitator.emit('room:sync', {}, (reply: Reply<Snapshot>) => reply.ok && (room = reply.data.state));
    facilitator.on('room:changed', (change: Change) => room && (room = applyChange(room, change)));
    const ideas = () => room?.ideas ?? [];
    const send = (client: number, event: string, payload: object = {}) => timed(clients[client], event, payload, tracker, samples);
    const open = (round: number) => timed(facilitator, 'round:open', { round }, tracker, { ack: [], all: [] });

    await open(ready.rounds.discussion);
    progress(`room: hands up and down in the discussion round (closed loop, ${opts.concurrency} in flight)`);
    const hands = half(true);
    let seconds = await closedLoop(n, opts.concurrency, hands, async (c) => {
      await send(c, 'queue:raise');
      if (hands.claim()) await send(c, 'queue:lower');
    });

    await open(ready.rounds.ideas);
    progress(`room: ideas posted (1 in 4) and supported (3 in 4) in the ideas round`);
    let posted = 0;
    seconds += await closedLoop(n, opts.concurrency, half(false), async (c) => {
      const others = ideas().filter((i) => i.author !== members[c] && !i.supporters.includes(members[c]));
      if (others.length < 10 || rng() < 0.25) await send(c, 'idea:post', { text: `${++posted}: ${IDEA}` });
      else await send(c, 'idea:support', { idea: others[Math.floor(rng() * others.length)].id });
    });
    return seconds;
  });
}

/** Replays the room's run: as many commands, each asking for the size the room's broadcast had. */
async function runBare(opts: Options, roomSizes: number[], commands: number): Promise<Run> {
  progress('bare: starting the bare Socket.IO server');
  const { child, ready } = await startChild<{ port: number }>('bare-server.js', []);
  const tokens = Array.from({ length: opts.clients + 1 }, () => 'bare');
  return run('bare', child, ready.port, tokens, async (clients, tracker, samples) => {
    progress(`bare: ack and rebroadcast the room's payload sizes, in order (closed loop, ${opts.concurrency} in flight)`);
    let k = 0;
    return closedLoop(opts.clients, opts.concurrency, new Budget(commands, undefined), (c) =>
      timed(clients[c], 'cmd', { size: roomSizes[k++ % roomSizes.length] }, tracker, samples),
    );
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const sizeLine = (xs: number[]) => `${kb(mean(xs))} mean (${kb(Math.min(...xs))} to ${kb(Math.max(...xs))})`;

function report(opts: Options, room: Run, bare: Run): void {
  const cpus = os.cpus();
  const rows: [string, (r: Run) => number, number][] = [
    ['all clients have it, p50 (ms)', (r) => percentile(r.samples.all, 50), 1],
    ['all clients have it, p95 (ms)', (r) => percentile(r.samples.all, 95), 1],
    ['all clients have it, p99 (ms)', (r) => percentile(r.samples.all, 99), 1],
    ['emit -> ack, p50 (ms)', (r) => percentile(r.samples.ack, 50), 1],
    ['emit -> ack, p95 (ms)', (r) => percentile(r.samples.ack, 95), 1],
    ['emit -> ack, p99 (ms)', (r) => percentile(r.samples.ack, 99), 1],
    ['commands measured', (r) => r.samples.all.length, 0],
    ['commands per second', (r) => r.samples.all.length / r.seconds, 1],
    ['server peak RSS (MiB)', (r) => r.serverRss / 2 ** 20, 0],
    ['server CPU (s)', (r) => r.serverCpu, 2],
    ['server CPU per command (ms)', (r) => (1000 * r.serverCpu) / r.samples.all.length, 2],
    ['clients CPU per command (ms)', (r) => (1000 * r.clientCpu) / r.samples.all.length, 2],
    ['join time, all clients (s)', (r) => r.joinSeconds, 1],
  ];
  const pacing = `closed loop, ${opts.concurrency} command${opts.concurrency > 1 ? 's' : ''} in flight (the next starts when one has reached every client)`;
  console.log(`\nbench:room on ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}`);
  console.log(`N = ${opts.clients} panellists + 1 facilitator; ${opts.commands ? `${opts.commands} commands a server` : `the room run for ${opts.seconds} s, the bare one for as many commands`}; ${pacing}`);
  console.log(`payload: room:changed to panellists ${sizeLine(room.sizes)}; to the facilitator ${sizeLine(room.facilitatorSizes)}; bare ${sizeLine(bare.sizes)}\n`);
  console.log(`${'figure'.padEnd(32)}${'room'.padStart(10)}${'bare'.padStart(10)}${'room/bare'.padStart(11)}`);
  for (const [label, pick, digits] of rows) {
    const r = pick(room);
    const b = pick(bare);
    if (/p99|per second|RSS|per command/.test(label)) labelledFigure('room', `${opts.clients} panellists`, label, r, digits);
    console.log(`${label.padEnd(32)}${r.toFixed(digits).padStart(10)}${b.toFixed(digits).padStart(10)}${(r / b).toFixed(2).padStart(11)}`);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await inScratch('room', sockets, async (dir) => {
    if (opts.sweep !== 'only') {
      const room = await runRoom(opts, dir);
      const bare = await runBare(opts, room.sizes, room.samples.all.length);
      report(opts, room, bare);
    }
    if (opts.sweep !== 'none') reportSweep(await sizeSweep(dir, progress, sockets));
    progress('done');
  });
}

runMain('room', main);
