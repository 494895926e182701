import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { io as connect, type Socket } from 'socket.io-client';
import type { Reply, Snapshot } from '../src/room/events';
import { ask, children, figure, percentile, runMain, startChild, stopChild } from './child';
import type { RoomReady } from './room-server';

/**
 * npm run bench:soak [-- --minutes M (default 10)] [--clients N (default 500)]
 *
 * N panellists in a realistic mix for M minutes: the facilitator cycles a discussion (hands up and down), an ideas
 * round (ideas posted and supported) and a vote (everyone votes within 30 s, then it closes); each panellist acts
 * every 15 s or so. Every 30 s the server reports its heap after a full collection and its RSS, beside the room's
 * size, so memory that grows without the room growing shows as a leak. The clients run here, the server in a child.
 */
const USAGE = 'npm run bench:soak -- [--minutes M (1-120, default 10)] [--clients N (1-1000, default 500)]';
const SAMPLE_MS = 30_000;
const ACT_MEAN_MS = 15_000;
const CYCLE = [
  { kind: 'discussion', ms: 60_000 },
  { kind: 'ideas', ms: 90_000 },
  { kind: 'vote', ms: 30_000 },
] as const;
const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);

function options(argv: string[]): { minutes: number; clients: number } {
  const opts = { minutes: 10, clients: 500 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--minutes' && Number.isInteger(value) && value >= 1 && value <= 120) opts.minutes = value;
    else if (argv[i] === '--clients' && Number.isInteger(value) && value >= 1 && value <= 1000) opts.clients = value;
    else throw new Error(USAGE);
  }
  return opts;
}

interface Sample {
  minute: number;
  heapMiB: number;
  rssMiB: number;
  roomKiB: number;
  commands: number;
  p50: number;
  p99: number;
  refused: number;
}

async function main(): Promise<void> {
  const { minutes, clients: n } = options(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-soak-'));
  const rng = seedrandom('bench:soak');
  try {
    progress(`starting the server (demo, ${n} members, a session)`);
    const { child, ready } = await startChild<RoomReady>('room-server.js', [dir, String(n)]);
    const join = (token: string) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(`http://127.0.0.1:${ready.port}`, { auth: { pass: token }, transports: ['websocket'], forceNew: true });
        socket.once('room:state', () => resolve(socket));
        socket.once('connect_error', (err) => reject(new Error(`a client could not join: ${err.message}`)));
      });
    const facilitator = await join(ready.facilitator);
    const panellists: Socket[] = [];
    for (let i = 0; i < n; i += 50) panellists.push(...(await Promise.all(ready.panellists.slice(i, i + 50).map((p) => join(p.token)))));
    progress(`${n} panellists joined; soaking for ${minutes} minutes`);

    let ids = 0;
    let latencies: number[] = [];
    let refused = 0;
    const send = async (socket: Socket, event: string, payload: object = {}): Promise<Reply<{ version: number }>> => {
      const t = performance.now();
      const reply = (await socket.timeout(30_000).emitWithAck(event, { clientId: `soak-${++ids}`, ...payload })) as Reply<{ version: number }>;
      latencies.push(performance.now() - t);
      if (!reply.ok) refused++;
      return reply;
    };

    // The facilitator's cycle: which round is on, and the vote in hand.
    let phase: (typeof CYCLE)[number]['kind'] = 'discussion';
    let vote = 0;
    let ideas = 0;
    const voted = new Set<number>();
    const end = performance.now() + minutes * 60_000;
    const facilitate = async () => {
      for (let c = 0; performance.now() < end; c = (c + 1) % CYCLE.length) {
        phase = CYCLE[c].kind;
        handUp.clear();
        await send(facilitator, 'round:open', { round: ready.rounds[phase] });
        if (phase === 'vote') {
          voted.clear();
          const r = await send(facilitator, 'vote:open', { question: `Soak vote ${vote + 1}?`, settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 }, secret: true });
          if (r.ok) vote++;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(CYCLE[c].ms, Math.max(0, end - performance.now()))));
      }
    };
    const handUp = new Set<number>();
    const act = async (socket: Socket, i: number) => {
      while (performance.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(-Math.log(1 - rng()) * ACT_MEAN_MS, end - performance.now())));
        if (performance.now() >= end) return;
        if (phase === 'discussion') {
          // A hand goes up, and later down again (unless the round moved on and lowered it).
          const up = handUp.has(i);
          if (up) handUp.delete(i);
          else handUp.add(i);
          await send(socket, up ? 'queue:lower' : 'queue:raise');
        }
        else if (phase === 'ideas') {
          if (ideas < 10 || rng() < 0.2) {
            const r = await send(socket, 'idea:post', { text: `Idea ${ideas + 1}: more free evening events in the parks, with late buses home` });
            if (r.ok) ideas++;
          } else await send(socket, 'idea:support', { idea: 1 + Math.floor(rng() * ideas) });
        } else if (vote && !voted.has(i)) {
          voted.add(i);
          await send(socket, 'vote:cast', { vote, ballot: { kind: 'threshold', choice: rng() < 0.6 ? 'agree' : 'disagree' }, receipt: `soak-${vote}-member-${i}-receipt` });
        }
      }
    };

    const samples: Sample[] = [];
    let commandsBefore = 0;
    const sample = async () => {
      const usage = await ask(child, 'usage');
      const room = await new Promise<Reply<Snapshot>>((resolve) => facilitator.emit('room:sync', {}, resolve));
      if (usage.type !== 'usage') return;
      samples.push({
        minute: (performance.now() - soakStart) / 60_000,
        heapMiB: usage.heapUsed / 2 ** 20,
        rssMiB: usage.rss / 2 ** 20,
        roomKiB: room.ok ? Buffer.byteLength(JSON.stringify(room.data.state)) / 1024 : NaN,
        commands: ids - commandsBefore,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        refused,
      });
      const s = samples[samples.length - 1];
      progress(`minute ${s.minute.toFixed(1)}: heap ${s.heapMiB.toFixed(1)} MiB, RSS ${s.rssMiB.toFixed(0)} MiB, room ${s.roomKiB.toFixed(0)} KiB, ${s.commands} commands, ack p99 ${s.p99.toFixed(0)} ms`);
      commandsBefore = ids;
      latencies = [];
      refused = 0;
    };
    const soakStart = performance.now();
    await sample();
    const sampler = setInterval(() => void sample(), SAMPLE_MS);
    await Promise.all([facilitate(), ...panellists.map(act)]);
    clearInterval(sampler);
    await sample();
    for (const s of [facilitator, ...panellists]) s.disconnect();
    await stopChild(child);

    const cpus = os.cpus();
    console.log(`\nbench:soak on ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}`);
    console.log(`${n} panellists for ${minutes} minutes: discussion, ideas and a vote in turn; each panellist acts every ${ACT_MEAN_MS / 1000} s on average\n`);
    console.log('minute  heap MiB  RSS MiB  room KiB  commands  ack p50 ms  ack p99 ms  refused');
    for (const s of samples) {
      console.log(`${s.minute.toFixed(1).padStart(6)}${s.heapMiB.toFixed(1).padStart(10)}${s.rssMiB.toFixed(0).padStart(9)}${s.roomKiB.toFixed(0).padStart(10)}${String(s.commands).padStart(10)}${s.p50.toFixed(1).padStart(12)}${s.p99.toFixed(1).padStart(12)}${String(s.refused).padStart(9)}`);
    }
    const half = samples.slice(Math.floor(samples.length / 2));
    const slope = (pick: (s: Sample) => number) => (pick(half[half.length - 1]) - pick(half[0])) / Math.max(1e-9, half[half.length - 1].minute - half[0].minute);
    // Acknowledgements in the first and the last minute: as fast at the end of a long day as at its start (issue 18)?
    const minute = (from: number, to: number) => samples.filter((s) => s.minute > from && s.minute <= to + 1e-9 && s.commands > 0);
    const first = minute(0, 1);
    const last = minute(minutes - 1, minutes);
    const p99Of = (list: Sample[]) => Math.max(...list.map((s) => s.p99));
    if (first.length && last.length) {
      const [a, b] = [p99Of(first), p99Of(last)];
      console.log(`\nack p99, first minute ${a.toFixed(1)} ms (room ${first[0].roomKiB.toFixed(0)} KiB), last minute ${b.toFixed(1)} ms (room ${last[last.length - 1].roomKiB.toFixed(0)} KiB): ${(b / a).toFixed(2)}x`);
      figure('soak', 'ack p99, last minute / first minute', b / a, 'x', 2);
    }
    console.log(`\nsecond half: heap ${slope((s) => s.heapMiB) >= 0 ? '+' : ''}${slope((s) => s.heapMiB).toFixed(2)} MiB a minute while the room grew ${slope((s) => s.roomKiB).toFixed(1)} KiB a minute`);
  } finally {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain('soak', main);
