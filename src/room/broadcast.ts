import { diff } from './change';
import type { Change } from './events';
import { type RoomState, sharedView } from './state';

/** How long, at most, a change waits to go out with the ones after it, while commands keep coming. */
export const BROADCAST_WINDOW_MS = 50;

interface Pending {
  /** The room as clients last received it. */
  sent: RoomState;
  latest: RoomState;
  timer: NodeJS.Timeout | undefined;
  lastFlush: number;
}

/**
 * Sends the room's changes to its clients. A change after a quiet spell goes out at once; while commands keep
 * coming (a thousand ballots in a second), the changes of each BROADCAST_WINDOW_MS go out as one, from the
 * version clients last received (`since`) to the latest. So a burst costs a broadcast per window, not one per
 * command to every phone (docs/protocol.md, Snapshots and versions).
 */
export class Broadcaster {
  private readonly sessions = new Map<number, Pending>();

  constructor(
    private readonly send: (sessionId: number, audience: 'facilitators' | 'others', change: Change) => void,
    private readonly airtime: (sessionId: number, state: RoomState) => Change['airtime'],
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** A command took the room from `before` to `after`. */
  changed(sessionId: number, before: RoomState, after: RoomState): void {
    const pending = this.sessions.get(sessionId) ?? { sent: before, latest: after, timer: undefined, lastFlush: 0 };
    pending.latest = after;
    this.sessions.set(sessionId, pending);
    if (pending.timer) return;
    const wait = Math.max(0, pending.lastFlush + BROADCAST_WINDOW_MS - performance.now());
    pending.timer = setTimeout(() => this.flush(sessionId), wait);
  }

  private flush(sessionId: number): void {
    const pending = this.sessions.get(sessionId);
    if (!pending) return;
    const { sent, latest } = pending;
    pending.timer = undefined;
    pending.lastFlush = performance.now();
    pending.sent = latest;
    if (latest.version === sent.version) return;
    try {
      const stamp = { since: sent.version, version: latest.version, serverTime: this.now() };
      const airtime = JSON.stringify(sent.airtime) === JSON.stringify(latest.airtime) ? {} : { airtime: this.airtime(sessionId, latest) };
      this.send(sessionId, 'facilitators', { ...stamp, ...diff(sent, latest), ...airtime });
      this.send(sessionId, 'others', { ...stamp, ...diff(sharedView(sent), sharedView(latest)) });
    } catch (err) {
      // Clients that miss a change fetch the room when the next one does not follow on (the gap rule).
      this.log(`room: the change to version ${latest.version} was not sent: ${(err as Error).message}`);
    }
  }
}
