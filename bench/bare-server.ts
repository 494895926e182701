import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

/**
 * The floor for bench/room.ts: a bare Socket.IO server that acks each `cmd` and rebroadcasts to every
 * client a payload of the size the client asks for (the size the room's broadcast had). Run by fork.
 */

/** What a bench server child reports to its parent over IPC. */
export type ChildMessage =
  | { type: 'marked' }
  | { type: 'usage'; peakRss: number; cpuSeconds: number; rss: number; heapUsed: number; walBytes?: number };

/** What a server may add to the measured window: run at the mark, and figures of its own in the usage. */
export interface UsageHooks {
  mark?: () => void;
  usage?: () => { walBytes?: number };
}

/**
 * Answers the parent: `mark` starts the measured window, `usage` reports peak RSS (sampled every 50 ms), CPU
 * seconds since the mark, and the RSS and heap now (after a collection when gc is exposed), `stop` (or the parent going away) runs `close` and exits.
 */
export function serveUsage(close: () => Promise<void>, hooks: UsageHooks = {}): void {
  let peak = process.memoryUsage().rss;
  let since = process.cpuUsage();
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50).unref();
  const send = (m: ChildMessage) => process.send?.(m);
  const stop = () => void close().finally(() => process.exit(0));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mark') {
      hooks.mark?.();
      peak = process.memoryUsage().rss;
      since = process.cpuUsage();
      send({ type: 'marked' });
    } else if (m.type === 'usage') {
      const cpu = process.cpuUsage(since);
      const extra = hooks.usage?.() ?? {};
      // The heap after a full collection (the benchmarks start their servers with --expose-gc): what is really kept.
      (globalThis as { gc?: () => void }).gc?.();
      const now = process.memoryUsage();
      send({ type: 'usage', peakRss: Math.max(peak, now.rss), cpuSeconds: (cpu.user + cpu.system) / 1e6, rss: now.rss, heapUsed: now.heapUsed, ...extra });
    } else if (m.type === 'stop') stop();
  });
  process.on('disconnect', stop);
}

const PREFIX = '2["room:changed",';

/** A room:changed-like body whose socket.io packet is `size` bytes: short strings, as the room's state mostly is. */
export function filler(version: number, size: number) {
  const body = { version, serverTime: Date.now(), state: { items: [] as string[], tail: '' } };
  const base = PREFIX.length + JSON.stringify(body).length + 1;
  const n = Math.max(0, Math.floor((size - base) / 13)); // each "R-00000001", adds 13 bytes
  body.state.items = Array.from({ length: n }, (_, i) => `R-${String(i).padStart(8, '0')}`);
  body.state.tail = 'x'.repeat(Math.max(0, size - base - n * 13 + (n > 0 ? 1 : 0)));
  return body;
}

function main(): void {
  const server = http.createServer();
  const io = new Server(server, { serveClient: false });
  let version = 0;
  io.on('connection', (socket) => {
    socket.emit('room:state', { version });
    socket.on('cmd', (payload: { size?: unknown }, ack: unknown) => {
      if (typeof ack !== 'function') return;
      version++;
      ack({ ok: true, data: { version } });
      io.emit('room:changed', filler(version, Number(payload?.size) || 0));
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
  serveUsage(() => io.close());
}

if (require.main === module) main();
