import { changeOf, sharedChangeOf } from './change';
import type { Change } from './events';
import { changedPieces } from './pieces';
import type { RoomState } from './state';

interface Pending {
  /** The room as clients last received it. */
  sent: RoomState;
  latest: RoomState;
  timer: NodeJS.Immediate | undefined;
}

/**
 * Sends the room's changes to its clients as soon as the server has a moment: the commands that arrived together
 * go out as one change, from the version clients last received (`since`) to the latest. A lone command goes out
 * alone, at once; a thousand ballots in a second go out in as many changes as the server had moments, not a
 * thousand broadcasts to a thousand phones (docs/protocol.md, Snapshots and versions). The busier the server,
 * the more each change carries: it paces itself.
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
    const pending = this.sessions.get(sessionId) ?? { sent: before, latest: after, timer: undefined };
    pending.latest = after;
    this.sessions.set(sessionId, pending);
    pending.timer ??= setImmediate(() => this.flush(sessionId));
  }

  private flush(sessionId: number): void {
    const pending = this.sessions.get(sessionId);
    if (!pending) return;
    const { sent, latest } = pending;
    pending.timer = undefined;
    pending.sent = latest;
    if (latest.version === sent.version) return;
    try {
      const stamp = { since: sent.version, version: latest.version, serverTime: this.now() };
      // What changed, by identity: the rules copy only what they touch (pieces.ts).
      const changed = changedPieces(sent, latest);
      const airtime = changed.parts.includes('airtime') ? { airtime: this.airtime(sessionId, latest) } : {};
      this.send(sessionId, 'facilitators', { ...stamp, ...changeOf(sent, latest, changed), ...airtime });
      this.send(sessionId, 'others', { ...stamp, ...sharedChangeOf(sent, latest, changed) });
    } catch (err) {
      // Clients that miss a change fetch the room when the next one does not follow on (the gap rule).
      this.log(`room: the change to version ${latest.version} was not sent: ${(err as Error).message}`);
    }
  }
}
