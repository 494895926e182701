import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { io as connect, type Socket } from 'socket.io-client';
import type { Change, Reply, Snapshot } from '../src/room/events';
import type { AttackerMessage, Counts } from './flood-attacker';
import { ask, inScratch, labelledFigure, percentile, runMain, startChild, stopChild } from './child';
import type { RoomReady } from './room-server';

/**
 * npm run bench:flood [-- --honest N (default 50)] [--seconds S (default 20)] [--sockets K (default 10)] [--observers M (default 20)]
 *
 * Issue 16: do others keep their latency while one floods? N honest panellists in an ideas round each send a command
 * every 2 s or so (1 in 4 posts an idea, the rest support one), for S seconds with nobody flooding, then S seconds
 * more while an attacker (a process of its own) has one member post ideas on K sockets as fast as the room answers,
 * and one observer link on M sockets ask for the whole room (room:sync) as fast as it answers. Every client is on
 * 127.0.0.1: one address, as a hall's phones behind one NAT are, the flooder's included. Figures: the honest
 * commands' emit -> ack and emit -> every honest client has it, before and during; what the attacker got.
 */
const USAGE = 'npm run bench:flood -- [--honest N (1-500, default 50)] [--seconds S (default 20)] [--sockets K (default 10)] [--observers M (default 20)]';
const EVERY_MS = 2000;
/** Ideas each honest member posts before the measurement: a board part-way through a session, not an empty one. */
const PREFILL = 10;
const TIMEOUT_MS = 15_000;
const IDEA = 'more free evening events in the parks and libraries, with late buses home afterwards, so that';

interface Options {
  honest: number;
  seconds: number;
  sockets: number;
  observers: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { honest: 50, seconds: 20, sockets: 10, observers: 20 };
  const max: Record<string, [keyof Options, number]> = { '--honest': ['honest', 500], '--seconds': ['seconds', 600], '--sockets': ['sockets', 200], '--observers': ['observers', 500] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, limit] = max[argv[i]] ?? [];
    const value = Number(argv[i + 1]);
    if (!key || !limit) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    if (!Number.isInteger(value) || value < 1 || value > limit) throw new Error(`${argv[i]} takes a whole number from 1 to ${limit}\n${USAGE}`);
    opts[key] = value;
  }
  return opts;
}

const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const sockets: Socket[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An honest client: when each version of the room reached it. */
interface Honest {
  socket: Socket;
  member: string;
  arrived: Map<number, number>;
  supported: Set<number>;
}

async function join(port: number, pass: string, member: string): Promise<Honest> {
  const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass }, transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  const client: Honest = { socket, member, arrived: new Map(), supported: new Set() };
  let last = 0;
  socket.on('room:changed', (change: Change) => {
    const now = performance.now();
    for (let v = last + 1; v <= change.version; v++) client.arrived.set(v, now);
    last = Math.max(last, change.version);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', (s: Snapshot) => {
      last = s.version;
      resolve();
    });
    socket.once('connect_error', (err) => reject(new Error(`an honest client could not join: ${err.message}`)));
  });
  return client;
}

type Phase = 'calm' | 'flood';

interface Sample {
  phase: Phase;
  t0: number;
  ack: number;
  version?: number;
  refused?: string;
}

/** The board as the facilitator's client holds it: id -> author. */
const board = new Map<number, string>();

async function emit(socket: Socket, event: string, payload: object): Promise<Reply<{ version: number }>> {
  return (await socket.timeout(TIMEOUT_MS).emitWithAck(event, { clientId: `${event}-${performance.now()}-${Math.random()}`, ...payload })) as Reply<{ version: number }>;
}

/** One honest command: post 1 in 4 (or when there is nothing left to support), else support someone else's idea. */
function command(client: Honest, rng: () => number): [string, object] {
  const others = [...board.entries()].filter(([id, author]) => author !== client.member && !client.supported.has(id));
  if (!others.length || rng() < 0.25) return ['idea:post', { text: `${client.member}: ${IDEA}`.slice(0, 280) }];
  const [id] = others[Math.floor(rng() * others.length)];
  client.supported.add(id);
  return ['idea:support', { idea: id }];
}

/** Every honest client sends a command every 2 s or so (jittered) until `stop()`; `phase()` tags each sample. */
function honestLoad(clients: Honest[], phase: () => Phase | undefined, samples: Sample[]): { stop: () => Promise<void> } {
  let running = true;
  const rng = seedrandom('bench:flood');
  const loops = clients.map(async (client) => {
    await sleep(rng() * EVERY_MS);
    while (running) {
      const tag = phase();
      const [event, payload] = command(client, rng);
      const t0 = performance.now();
      const reply = await emit(client.socket, event, payload).catch((err: Error) => ({ ok: false as const, error: 'internal' as const, message: `no ack: ${err.message}` }));
      const ack = performance.now() - t0;
      if (tag) samples.push({ phase: tag, t0, ack, ...(reply.ok ? { version: reply.data.version } : { refused: `${reply.error}: ${reply.message}` }) });
      await sleep(EVERY_MS * (0.8 + 0.4 * rng()) - ack);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

interface PhaseFigures {
  ack: number[];
  all: number[];
  acked: number;
  refused: string[];
  undelivered: number;
  serverCpu: number;
  seconds: number;
}

function figuresOf(phase: Phase, samples: Sample[], clients: Honest[], serverCpu: number, seconds: number): PhaseFigures {
  const mine = samples.filter((s) => s.phase === phase);
  const acked = mine.filter((s) => s.version !== undefined);
  const all: number[] = [];
  let undelivered = 0;
  for (const s of acked) {
    const times = clients.map((c) => c.arrived.get(s.version ?? 0));
    if (times.some((t) => t === undefined)) undelivered++;
    else all.push(Math.max(...(times as number[])) - s.t0);
  }
  return { ack: acked.map((s) => s.ack), all, acked: acked.length, refused: mine.flatMap((s) => (s.refused ? [s.refused] : [])), undelivered, serverCpu, seconds };
}

async function roomBytes(facilitator: Socket): Promise<number> {
  const reply = (await facilitator.timeout(TIMEOUT_MS).emitWithAck('room:sync', {})) as Reply<Snapshot>;
  if (!reply.ok) throw new Error(`the facilitator's room:sync was refused: ${reply.message}`);
  for (const idea of reply.data.state.ideas) board.set(idea.id, idea.author);
  return Buffer.byteLength(JSON.stringify(reply.data));
}

/** A measured window: the server's CPU over it, and its length. */
async function window(server: ChildProcess, body: () => Promise<void>): Promise<{ cpu: number; seconds: number }> {
  await ask(server, 'mark');
  const t = performance.now();
  await body();
  const usage = await ask(server, 'usage');
  if (usage.type !== 'usage') throw new Error('the room server did not report its usage');
  return { cpu: usage.cpuSeconds, seconds: (performance.now() - t) / 1000 };
}

interface Result {
  calm: PhaseFigures;
  flood: PhaseFigures;
  ready: Extract<AttackerMessage, { type: 'ready' }>;
  done: Extract<AttackerMessage, { type: 'done' }>;
  bytesBefore: number;
  bytesAfter: number;
  peakRss: number;
}

async function runFlood(opts: Options, dir: string): Promise<Result> {
  progress(`starting the room server (fresh database, demo, final draw of ${opts.honest + 1} members, session)`);
  const { child: server, ready } = await startChild<RoomReady>('room-server.js', [dir, String(opts.honest + 1)]);
  const [flooder, ...rest] = ready.panellists;
  const facilitator = await join(ready.port, ready.facilitator, 'facilitator');
  facilitator.socket.on('room:changed', (c: Change) => c.ideas?.forEach((i) => board.set(i.id, i.author)));
  const opened = await emit(facilitator.socket, 'round:open', { round: ready.rounds.ideas });
  if (!opened.ok) throw new Error(`the ideas round did not open: ${opened.message}`);
  const clients = await Promise.all(rest.slice(0, opts.honest).map((p) => join(ready.port, p.token, p.member)));
  progress(`${clients.length} honest panellists joined; each posts ${PREFILL} ideas first`);
  for (let i = 0; i < PREFILL; i++) await Promise.all(clients.map((c) => emit(c.socket, 'idea:post', { text: `${i}: ${c.member}: ${IDEA}`.slice(0, 280) })));
  const bytesBefore = await roomBytes(facilitator.socket);

  let phase: Phase | undefined;
  const samples: Sample[] = [];
  const load = honestLoad(clients, () => phase, samples);
  await sleep(EVERY_MS); // every client under way before anything is measured
  progress(`calm: ${opts.seconds} s of honest commands, nobody flooding`);
  const calm = await window(server, async () => {
    phase = 'calm';
    await sleep(opts.seconds * 1000);
    phase = undefined;
  });
  progress(`flood: the attacker opens ${opts.sockets} sockets on one member's link and ${opts.observers} on the observer link`);
  const { child: attacker, ready: attack } = await startChild<AttackerMessage>('flood-attacker.js', [String(ready.port), String(opts.seconds), flooder.token, String(opts.sockets), ready.observer, String(opts.observers)]);
  if (attack.type !== 'ready') throw new Error('the attacker did not say it was ready');
  const finished = new Promise<AttackerMessage>((resolve) => attacker.once('message', (m) => resolve(m as AttackerMessage)));
  progress(`flood: ${attack.flooders} of ${opts.sockets} flooder sockets and ${attack.observers} of ${opts.observers} observer sockets got in; ${opts.seconds} s of flooding`);
  let done: AttackerMessage | undefined;
  const flood = await window(server, async () => {
    phase = 'flood';
    done = await finished;
    phase = undefined;
  });
  await load.stop();
  await sleep(1000); // the last changes reach everyone
  const usage = await ask(server, 'usage');
  const bytesAfter = await roomBytes(facilitator.socket);
  if (!done || done.type !== 'done') throw new Error('the attacker did not report what it got');
  for (const s of sockets) s.disconnect();
  await stopChild(attacker);
  await stopChild(server);
  return {
    calm: figuresOf('calm', samples, clients, calm.cpu, calm.seconds),
    flood: figuresOf('flood', samples, clients, flood.cpu, flood.seconds),
    ready: attack,
    done,
    bytesBefore,
    bytesAfter,
    peakRss: usage.type === 'usage' ? usage.peakRss : NaN,
  };
}

const kib = (bytes: number) => bytes / 1024;
const perSecond = (c: Counts, seconds: number) => (c.ok + c.tooFast + c.other) / seconds;

function report(opts: Options, r: Result): void {
  const cpus = os.cpus();
  console.log(`\nbench:flood on ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`${opts.honest} honest panellists, each a command every ~${EVERY_MS / 1000} s (1 in 4 posts an idea, 3 in 4 support one), ${opts.seconds} s calm then ${opts.seconds} s under attack;`);
  console.log(`the room ${kib(r.bytesBefore).toFixed(0)} KiB at the start (${PREFILL} ideas per member), every client on 127.0.0.1 (one address, the attacker's too)`);
  console.log(`attack: one member on ${opts.sockets} sockets posting ideas as fast as answered (32 in flight per socket); one observer link on ${opts.observers} sockets calling room:sync (4 in flight each)\n`);
  const rows: [string, (p: PhaseFigures) => number, number][] = [
    ['honest emit -> ack, p50 (ms)', (p) => percentile(p.ack, 50), 1],
    ['honest emit -> ack, p95 (ms)', (p) => percentile(p.ack, 95), 1],
    ['honest emit -> ack, p99 (ms)', (p) => percentile(p.ack, 99), 1],
    [`honest -> all ${opts.honest} clients, p50 (ms)`, (p) => percentile(p.all, 50), 1],
    [`honest -> all ${opts.honest} clients, p95 (ms)`, (p) => percentile(p.all, 95), 1],
    [`honest -> all ${opts.honest} clients, p99 (ms)`, (p) => percentile(p.all, 99), 1],
    ['honest commands acked', (p) => p.acked, 0],
    ['honest commands refused', (p) => p.refused.length, 0],
    ['acked but not at every client', (p) => p.undelivered, 0],
    ['server CPU (% of a core)', (p) => (100 * p.serverCpu) / p.seconds, 0],
  ];
  console.log(`${'figure'.padEnd(38)}${'no flood'.padStart(10)}${'flood'.padStart(10)}`);
  for (const [label, pick, digits] of rows) {
    console.log(`${label.padEnd(38)}${pick(r.calm).toFixed(digits).padStart(10)}${pick(r.flood).toFixed(digits).padStart(10)}`);
    if (/p99/.test(label)) {
      labelledFigure('flood', 'no flood', label, pick(r.calm), digits);
      labelledFigure('flood', 'flood', label, pick(r.flood), digits);
    }
  }
  const { ideas, syncs, seconds } = r.done;
  const attack: [string, number, number][] = [
    [`flooder sockets let in (of ${opts.sockets})`, r.ready.flooders, 0],
    ['flooder events answered (/s)', perSecond(ideas, seconds), 0],
    ['flooder events past pacing (/s)', (ideas.ok + ideas.other) / seconds, 1],
    ['flooder ideas accepted (/s)', ideas.ok / seconds, 2],
    ['flooder ideas accepted', ideas.ok, 0],
    [`observer sockets let in (of ${opts.observers})`, r.ready.observers, 0],
    ['room:sync answered (/s)', perSecond(syncs, seconds), 0],
    ['room:sync served whole', syncs.ok, 0],
    ['room:sync refused too_fast', syncs.tooFast, 0],
    ['bytes of room:sync served (KiB)', kib(r.done.syncBytes), 0],
    ['bytes of room:state at join (KiB)', kib(r.done.joinBytes), 0],
    ['room at the end (KiB)', kib(r.bytesAfter), 0],
    ['server peak RSS (MiB)', r.peakRss / 2 ** 20, 0],
  ];
  console.log(`\n${'the attacker, over its'.padEnd(38)}${`${seconds.toFixed(1)} s`.padStart(10)}`);
  for (const [label, value, digits] of attack) {
    console.log(`${label.padEnd(38)}${value.toFixed(digits).padStart(10)}`);
    if (/accepted \(|sync served \(|sockets let in/.test(label)) labelledFigure('flood', 'attacker', label, value, digits);
  }
  const refusals = Object.entries(r.ready.refusals).map(([m, n]) => `  ${n} x "${m}"`);
  if (refusals.length) console.log(`\nhandshakes refused:\n${refusals.join('\n')}`);
  const honestRefusals = [...new Set([...r.calm.refused, ...r.flood.refused])];
  if (honestRefusals.length) console.log(`\nhonest commands refused with:\n${honestRefusals.map((m) => `  ${m}`).join('\n')}`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await inScratch('flood', sockets, async (dir) => {
    const result = await runFlood(opts, dir);
    progress('done');
    report(opts, result);
  });
}

runMain('flood', main);
