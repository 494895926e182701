import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import { io as connect, type Socket } from 'socket.io-client';
import type { Reply } from '../src/room/events';
import { ask, labelledFigure, percentile, startChild, stopChild } from './child';
import type { SizeReady } from './room-size-server';

/**
 * bench:room's state-size sweep: the same commands in a room of about 10 KB, 100 KB and 1 MB (a long day's
 * board and votes). 20 panellists, one command at a time: hands up and down, ideas posted, old ideas supported.
 * Per command: the server's CPU, the bytes it wrote to the WAL, and emit -> ack. The goal (issue 18) is a flat
 * line: the 1 MB room within 1.2x of the 10 KB one.
 */
export const SIZES = [10_000, 100_000, 1_000_000];
const COMMANDS = 400;

interface Row {
  bytes: number;
  ideas: number;
  votes: number;
  cpuMs: number;
  walBytes: number;
  ackP50: number;
  ackP99: number;
}

export async function sizeSweep(dir: string, progress: (line: string) => void, sockets: Socket[]): Promise<Row[]> {
  progress(`sweep: growing rooms of ${SIZES.map((s) => `${s / 1000} KB`).join(', ')} through the rules`);
  const { child, ready } = await startChild<SizeReady>('room-size-server.js', [dir, ...SIZES.map(String)]);
  const rows: Row[] = [];
  try {
    for (const session of ready.sessions) {
      progress(`sweep: ${COMMANDS} commands in the ${(session.bytes / 1024).toFixed(0)} KiB room`);
      const clients = await Promise.all(session.panellists.map((p) => join(ready.port, p.token, sockets)));
      const rng = seedrandom(`sweep-${session.bytes}`);
      const acks: number[] = [];
      const supported = clients.map(() => new Set<number>());
      let k = 0;
      const send = async (c: number, event: string, payload: object = {}) => {
        const t0 = performance.now();
        const reply = (await clients[c].timeout(30_000).emitWithAck(event, { clientId: `sweep-${session.bytes}-${++k}`, ...payload })) as Reply<unknown>;
        acks.push(performance.now() - t0);
        if (!reply.ok) throw new Error(`the server refused ${event}: ${reply.message}`);
      };
      await ask(child, 'mark');
      for (let i = 0; i < COMMANDS / 4; i++) {
        const c = i % clients.length;
        await send(c, 'queue:raise');
        await send(c, 'queue:lower');
        await send(c, 'idea:post', { text: `Measured ${i}: a festival on every estate, not only in the city centre` });
        // An idea from the grown board, one this member has not posted or supported (the growth's supporters are 1-3 after the author).
        const idea = pickUnsupported(1 + Math.floor(rng() * session.ideas), c, session.ideas, supported[c]);
        supported[c].add(idea);
        await send(c, 'idea:support', { idea });
      }
      const usage = await ask(child, 'usage');
      for (const s of clients) s.disconnect();
      if (usage.type !== 'usage') throw new Error('the sweep server did not report its usage');
      rows.push({ bytes: session.bytes, ideas: session.ideas, votes: session.votes, cpuMs: (1000 * usage.cpuSeconds) / COMMANDS, walBytes: (usage.walBytes ?? 0) / COMMANDS, ackP50: percentile(acks, 50), ackP99: percentile(acks, 99) });
    }
  } finally {
    await stopChild(child);
  }
  return rows;
}

/**
 * Ideas are posted by member i % 200 and supported by the next three; the sweep's 20 panellists are members 0-19.
 * Client c may support idea `id` unless it wrote or supported it; if so, the next one, and so on.
 */
function pickUnsupported(id: number, c: number, ideas: number, done: Set<number>): number {
  for (let tries = 0; tries < ideas; tries++, id = (id % ideas) + 1) {
    const author = (id - 1) % 200;
    const involved = [author, author + 1, author + 2, author + 3].map((m) => m % 200);
    if (!involved.includes(c) && !done.has(id)) return id;
  }
  throw new Error(`panellist ${c} has no idea left to support: grow the room further`);
}

async function join(port: number, token: string, sockets: Socket[]): Promise<Socket> {
  const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass: token }, transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', () => resolve());
    socket.once('connect_error', (err) => reject(new Error(`a client could not join: ${err.message}`)));
  });
  return socket;
}

export function reportSweep(rows: Row[]): void {
  console.log('\nState-size sweep: 20 panellists, one command at a time (raise, lower, post, support an old idea)\n');
  console.log(`${'room'.padEnd(10)}${'ideas'.padStart(7)}${'votes'.padStart(7)}${'CPU/cmd (ms)'.padStart(14)}${'WAL/cmd (KiB)'.padStart(15)}${'ack p50'.padStart(9)}${'ack p99'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${`${(r.bytes / 1024).toFixed(0)} KiB`.padEnd(10)}${String(r.ideas).padStart(7)}${String(r.votes).padStart(7)}${r.cpuMs.toFixed(2).padStart(14)}${(r.walBytes / 1024).toFixed(1).padStart(15)}${r.ackP50.toFixed(1).padStart(9)}${r.ackP99.toFixed(1).padStart(9)}`);
    const label = `${(r.bytes / 1024).toFixed(0)} KiB room`;
    labelledFigure('room', label, 'server CPU per command (ms)', r.cpuMs, 2);
    labelledFigure('room', label, 'WAL per command (KiB)', r.walBytes / 1024, 1);
  }
  const [first, , last] = rows;
  if (first && last) console.log(`\n1 MB room against 10 KB: CPU ${(last.cpuMs / first.cpuMs).toFixed(2)}x, WAL ${(last.walBytes / first.walBytes).toFixed(2)}x (goal: within 1.2x)`);
}
