import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { createApp } from '../../src/app';
import { createSession as logInAs } from '../../src/auth/sessions';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { applyChange } from '../../src/room/change';
import type { ClientToServerEvents, Reply, ServerToClientEvents, Snapshot } from '../../src/room/events';
import type { RoomState } from '../../src/room/state';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The real app on a database file, listening on loopback, with real Socket.IO clients that keep the room
 * the way the protocol says (the snapshot, then each change in order). `restart()` stops the app and
 * starts a new one on the same file and port.
 */
export class RoomHarness {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-room-'));
  readonly file = path.join(this.dir, 'room.db');
  readonly clock = new ManualClock();
  readonly clients: Client[] = [];
  private readonly states = new Map<Client, RoomState>();
  private ids = 0;
  port = 0;
  app = this.start();

  private start() {
    const db = openDb(this.file);
    const ctx = { db, clock: this.clock, config: testConfig() };
    return { db, ctx, ...createApp({ ...ctx, log: (l: string) => process.env.ROOM_LOG && console.error(l) }) };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.app.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.app.server.address() as AddressInfo).port;
  }

  async restart(): Promise<void> {
    await this.stopApp();
    this.app = this.start();
    await this.listen();
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    await this.stopApp();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopApp(): Promise<void> {
    await this.app.io.close();
    closeDb(this.app.db);
  }

  /** A client on this pass, resolved with its first snapshot; rejected with the refusal. */
  async join(pass: string): Promise<{ socket: Client; first: Snapshot }> {
    const socket: Client = connect(`http://127.0.0.1:${this.port}`, { auth: { pass }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 200 });
    const first = await new Promise<Snapshot>((resolve, reject) => {
      socket.once('room:state', resolve);
      socket.once('connect_error', (err) => {
        socket.disconnect();
        reject(err);
      });
    });
    this.clients.push(socket);
    this.states.set(socket, first.state);
    socket.on('room:state', (s) => this.states.set(socket, s.state));
    socket.on('room:changed', (c) => {
      const held = this.states.get(socket) as RoomState;
      if (c.since === held.version) this.states.set(socket, applyChange(held, c));
      // The gap rule (docs/protocol.md): a change from another version means fetching the whole room.
      else if (c.version > held.version) socket.emit('room:sync', {}, (r) => r.ok && r.data.version > (this.states.get(socket) as RoomState).version && this.states.set(socket, r.data.state));
    });
    return { socket, first };
  }

  /**
   * A client joined by a login's cookie, as the facilitator's console opens the room: its socket, or the refusal
   * in words. The harness does not keep its room (use `join` for that).
   */
  joinByLogin(session: number, userId: number, reconnect = false): Promise<Client | string> {
    const cookie = `cp_session=${logInAs(this.app.db, this.clock, userId)}`;
    const retries = reconnect ? { reconnectionDelay: 100, reconnectionDelayMax: 200 } : { reconnection: false };
    const socket: Client = connect(`http://127.0.0.1:${this.port}`, { auth: { session: String(session) }, transports: ['websocket'], extraHeaders: { cookie }, forceNew: true, ...retries });
    return new Promise((resolve) => {
      socket.once('room:state', () => {
        this.clients.push(socket);
        resolve(socket);
      });
      socket.once('connect_error', (err) => {
        socket.disconnect();
        resolve(err.message);
      });
    });
  }

  /** The room as this client holds it now. */
  state(socket: Client): RoomState {
    return this.states.get(socket) as RoomState;
  }

  /** Sends a command with a fresh client id (or the one given, to retry) and resolves with the reply. */
  send(socket: Client, event: string, payload: Record<string, unknown> = {}, clientId = `c${++this.ids}`): Promise<Reply<{ version: number }>> {
    return new Promise((resolve) => (socket.emit as (e: string, p: unknown, a: (r: Reply<{ version: number }>) => void) => void)(event, { clientId, ...payload }, resolve));
  }

  /** Sends a command that must succeed, and waits until `others` hold its version. */
  async do(socket: Client, event: string, payload: Record<string, unknown> = {}, others: Client[] = []): Promise<number> {
    const reply = await this.send(socket, event, payload);
    if (!reply.ok) throw new Error(`${event} was refused: ${reply.message}`);
    await Promise.all(others.map((o) => this.changeTo(o, reply.data.version)));
    return reply.data.version;
  }

  /** Resolves with the room once this client holds `version` or later. */
  async changeTo(socket: Client, version: number): Promise<RoomState> {
    for (let waited = 0; this.state(socket).version < version; waited += 5) {
      if (waited > 10_000) throw new Error(`a client still holds version ${this.state(socket).version}, not ${version}, after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.state(socket);
  }
}
