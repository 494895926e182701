import { io as connect, type Socket } from 'socket.io-client';
import { applyChange } from '../../src/room/change';
import type { ClientToServerEvents, CommandDone, Reply, ServerToClientEvents } from '../../src/room/events';
import type { RoomState } from '../../src/room/state';

type Raw = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A room client as the real one behaves (src/client/room.ts): it keeps the room by the snapshot and each change
 * in order (fetching the whole room on a gap), reconnects by itself, and resends a command whose acknowledgement
 * did not come, with the same client id, until one does.
 */
export class RoomClient {
  readonly socket: Raw;
  state: RoomState | undefined;
  /** What the server said on joining about a room put back to an earlier copy (Snapshot.behind). */
  readonly told: string[] = [];
  private readonly ready: Promise<void>;

  constructor(url: string, readonly pass: string) {
    // Like the browser, it tells the server the version it last saw on every (re)connection (docs/protocol.md).
    this.socket = connect(url, { auth: (cb) => cb({ pass, ...(this.state ? { seen: this.state.version } : {}) }), transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('room:state', () => resolve());
      this.socket.once('connect_error', (err) => (this.socket.active ? undefined : reject(err)));
    });
    this.socket.on('room:state', (s) => {
      this.state = s.state;
      if (s.behind) this.told.push(s.behind);
    });
    this.socket.on('room:changed', (change) => {
      if (this.state && change.since === this.state.version) this.state = applyChange(this.state, change);
      else if (!this.state || change.version > this.state.version) this.sync();
    });
  }

  joined(): Promise<void> {
    return this.ready;
  }

  private sync(): void {
    this.socket.emit('room:sync', {}, (reply) => {
      if (reply.ok && (!this.state || reply.data.state.version >= this.state.version)) this.state = reply.data.state;
    });
  }

  /** Sends until acknowledged (one reply, ok or refused); each try waits up to `ms` for its acknowledgement. */
  async send(event: string, payload: Record<string, unknown>, clientId: string, ms = 1500): Promise<Reply<CommandDone>> {
    for (;;) {
      if (!this.socket.connected) await new Promise((resolve) => this.socket.once('connect', () => resolve(undefined)));
      try {
        const timed = this.socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<Reply<CommandDone>> };
        return await timed.emitWithAck(event, { ...payload, clientId });
      } catch {
        // no acknowledgement in time: the server may have died with it; send it again
      }
    }
  }

  /** Resolves once this client holds `version` or later. */
  async holds(version: number, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!this.state || this.state.version < version) {
      if (Date.now() > until) throw new Error(`a client still holds version ${this.state?.version} of ${version} after ${ms / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}
