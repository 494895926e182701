import { changeOf, sharedChangeOf } from './change';
import type { Change } from './events';
import { changedPieces } from './pieces';
import type { RoomState } from './state';

/**
 * Sends one session's changes to its clients as soon as the server has a moment: the commands that arrived
 * together go out as one change, from the version clients last received (`since`) to the latest. A lone command
 * goes out alone, at once; a thousand ballots in a second go out in as many changes as the server had moments,
 * not a thousand broadcasts to a thousand phones (docs/protocol.md, Snapshots and versions). The busier the
 * server, the more each change carries: it paces itself.
 */
export type Audience = 'facilitators' | 'others';

export class Broadcaster {
  /** The room as clients last received it. */
  private sent: RoomState | undefined;
  /** The latest room, while it waits to go out. */
  private latest: RoomState | undefined;
  private timer: NodeJS.Immediate | undefined;

  constructor(
    private readonly send: (audience: Audience, change: Change) => void,
    private readonly airtime: (state: RoomState) => Change['airtime'],
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** A command took the room from `before` to `after`. */
  changed(before: RoomState, after: RoomState): void {
    this.sent ??= before;
    this.latest = after;
    this.timer ??= setImmediate(() => this.flush());
  }

  /** Nothing more goes out. */
  dispose(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.latest = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const { sent, latest } = this;
    this.latest = undefined;
    if (!sent || !latest) return;
    this.sent = latest;
    if (latest.version === sent.version) return;
    try {
      const stamp = { since: sent.version, version: latest.version, serverTime: this.now() };
      // What changed, by identity: the rules copy only what they touch (pieces.ts).
      const changed = changedPieces(sent, latest);
      const airtime = changed.parts.includes('airtime') ? { airtime: this.airtime(latest) } : {};
      this.send('facilitators', { ...stamp, ...changeOf(sent, latest, changed), ...airtime });
      this.send('others', { ...stamp, ...sharedChangeOf(sent, latest, changed) });
    } catch (err) {
      // Clients that miss a change fetch the room when the next one does not follow on (the gap rule).
      this.log(`room: the change to version ${latest.version} was not sent: ${(err as Error).message}`);
    }
  }
}
