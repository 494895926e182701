import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import type { Reply, Snapshot } from '../src/room/events';

/**
 * The attacker for bench/flood.ts, run by fork (a process of its own, so its busy loops do not slow the honest
 * clients' clocks): `flood-attacker.js PORT SECONDS FLOODER_PASS SOCKETS OBSERVER_PASS SOCKETS`. It opens its
 * sockets, reports which got in, then for SECONDS has one member post ideas as fast as the room answers (32 in
 * flight per socket) and one observer link ask for the whole room (4 in flight per socket), and reports what it got.
 */
export type AttackerMessage =
  | { type: 'ready'; flooders: number; observers: number; refusals: Record<string, number> }
  | { type: 'done'; seconds: number; ideas: Counts; syncs: Counts; syncBytes: number; joinBytes: number };

export interface Counts {
  ok: number;
  tooFast: number;
  /** Refused by the rules (for ideas: the round's share is used up), or anything else: past the pacing all the same. */
  other: number;
}

const IDEAS_IN_FLIGHT = 32;
const SYNCS_IN_FLIGHT = 4;
const TIMEOUT_MS = 15_000;
const TEXT = 'an idea posted by a flooder, as long as the board allows, to make the room as large as it can '.repeat(3).slice(0, 280);

interface Opened {
  sockets: Socket[];
  refusals: string[];
  joinBytes: number;
}

async function open(port: number, pass: string, count: number): Promise<Opened> {
  const out: Opened = { sockets: [], refusals: [], joinBytes: 0 };
  await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass }, transports: ['websocket'], forceNew: true, reconnection: false });
      try {
        const first = await new Promise<Snapshot>((resolve, reject) => {
          socket.once('room:state', resolve);
          socket.once('connect_error', reject);
        });
        out.joinBytes += Buffer.byteLength(JSON.stringify(first));
        out.sockets.push(socket);
      } catch (err) {
        out.refusals.push((err as Error).message);
        socket.close();
      }
    }),
  );
  return out;
}

/** `window` loops per socket, each sending the next event as soon as the last is answered, until the deadline. */
async function hammer<T>(sockets: Socket[], window: number, until: number, send: (s: Socket) => Promise<Reply<T>>, counts: Counts): Promise<void> {
  const loop = async (socket: Socket) => {
    while (performance.now() < until && socket.connected) {
      const reply = await send(socket).catch(() => undefined);
      if (!reply) counts.other++;
      else if (reply.ok) counts.ok++;
      else if (reply.error === 'too_fast') counts.tooFast++;
      else counts.other++;
    }
  };
  await Promise.all(sockets.flatMap((s) => Array.from({ length: window }, () => loop(s))));
}

async function main(): Promise<void> {
  const [port, seconds, flooderPass, flooderSockets, observerPass, observerSockets] = process.argv.slice(2);
  const flooders = await open(Number(port), flooderPass, Number(flooderSockets));
  const observers = await open(Number(port), observerPass, Number(observerSockets));
  const refusals: Record<string, number> = {};
  for (const m of [...flooders.refusals, ...observers.refusals]) refusals[m] = (refusals[m] ?? 0) + 1;
  const ready: AttackerMessage = { type: 'ready', flooders: flooders.sockets.length, observers: observers.sockets.length, refusals };
  process.send?.(ready);

  const start = performance.now();
  const until = start + Number(seconds) * 1000;
  const ideas: Counts = { ok: 0, tooFast: 0, other: 0 };
  const syncs: Counts = { ok: 0, tooFast: 0, other: 0 };
  let syncBytes = 0;
  let n = 0;
  await Promise.all([
    hammer(flooders.sockets, IDEAS_IN_FLIGHT, until, (s) => s.timeout(TIMEOUT_MS).emitWithAck('idea:post', { clientId: `flood-${++n}`, text: `${n} ${TEXT}`.slice(0, 280) }) as Promise<Reply<unknown>>, ideas),
    hammer(observers.sockets, SYNCS_IN_FLIGHT, until, async (s) => {
      const reply = (await s.timeout(TIMEOUT_MS).emitWithAck('room:sync', {})) as Reply<Snapshot>;
      if (reply.ok) syncBytes += Buffer.byteLength(JSON.stringify(reply.data));
      return reply;
    }, syncs),
  ]);
  const done: AttackerMessage = { type: 'done', seconds: (performance.now() - start) / 1000, ideas, syncs, syncBytes, joinBytes: observers.joinBytes };
  process.send?.(done);
  for (const s of [...flooders.sockets, ...observers.sockets]) s.close();
}

if (require.main === module) {
  main().then(
    () => setTimeout(() => process.exit(0), 100),
    (err: unknown) => {
      console.error(`flood attacker: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
