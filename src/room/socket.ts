import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../context';
import { storageProblem } from '../db';
import { sha256 } from '../tokens';
import { readable } from './readable';
import { type AirtimeReport, airtimeReport } from './airtime';
import { SqliteBallotBox } from './ballot-box';
import { statements } from './ballot-sql';
import { sweepVoteKeys } from './vote-keys';
import { keyStore } from '../keys';
import { castReceipt, type CheckAnswer, checkReceipt, closedSecretVotes, unseen } from './receipts';
import { Broadcaster } from './broadcast';
import { authenticate, loginToken, stillHolds } from './auth';
import type { Ack, ClientToServerEvents, CommandDone, ServerToClientEvents, Snapshot, SocketData } from './events';
import { COMMAND_TYPES } from './events';
import type { ErrorCode } from './errors';
import { type Actor, apply, type Command, commandSchema, RoomError } from './machine';
import { actorKey, type RoomRepo } from './repo';
import { Revocations } from './revocations';
import { type RoomState, sharedActor, sharedView, withMemberId } from './state';
import { JOINING_TOO_FAST, Pacing, paceKeys } from './pacing';

export type RoomServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const clientId = z.string().min(1).max(64);

const facilitators = (sessionId: number) => `session:${sessionId}:facilitators`;
const others = (sessionId: number) => `session:${sessionId}:others`;


/** How often, at most, facilitators hear who is connected. */
const PRESENCE_MS = 250;
const EVENTS = new Set<string>([...COMMAND_TYPES, 'room:sync', 'vote:check']);
const TOO_FAST = 'You are sending faster than the room can take: wait a few seconds, then try again.';
const SYNC_TOO_FAST = 'You asked for the whole room more than 3 times in a few seconds: wait 2 seconds, then ask again.';
const REVOKED = 'Your access to this room has ended (you logged out, left the panel, or your link was replaced). Open the room again from a current link.';

/**
 * The live room over Socket.IO. The handshake says who connects and to which session (auth.ts). Every event is
 * paced per credential and per address, across all their sockets (pacing.ts), and checked against the credential
 * it joined with; every command goes through one path (rule 4): validate, refuse a repeat, apply the rules, store,
 * acknowledge, broadcast.
 */
export function attachRoom(server: Server, ctx: AppContext, repo: RoomRepo, revocations: Revocations, log: (line: string) => void): Pacing {
  const io = server as RoomServer;
  revocations.listen((group) => io.in(group).disconnectSockets(true));
  // Answers do not change during a session: read them once per session.
  const answers = new Map<number, Map<string, Record<string, string>>>();
  const answersOf = (sessionId: number) => {
    if (!answers.has(sessionId)) answers.set(sessionId, repo.answers(sessionId));
    return answers.get(sessionId) ?? new Map<string, Record<string, string>>();
  };
  // The facilitator's airtime report, worked out again only when airtime has changed.
  const reports = new Map<number, { key: string; report: AirtimeReport }>();
  const airtimeOf = (sessionId: number, state: RoomState): AirtimeReport => {
    const key = JSON.stringify(state.airtime);
    const cached = reports.get(sessionId);
    if (cached?.key === key) return cached.report;
    const report = airtimeReport(state.members, state.airtime, answersOf(sessionId));
    reports.set(sessionId, { key, report });
    return report;
  };
  const view = (sessionId: number, state: RoomState, actor: Actor): Snapshot =>
    actor.role === 'facilitator'
      ? { version: state.version, serverTime: ctx.clock.now(), you: actor, state, airtime: airtimeOf(sessionId, state) }
      : { version: state.version, serverTime: ctx.clock.now(), you: sharedActor(state, actor), state: sharedView(state) };

  const ballots = statements(ctx.db);
  const keys = keyStore(ctx.db, ctx.config.KEYS_DIR);
  sweepVoteKeys(ctx.db, keys);
  const boxOf = (sessionId: number) => new SqliteBallotBox(ballots, keys, sessionId);
  const broadcaster = new Broadcaster(
    (sessionId, audience, change) => io.to(audience === 'facilitators' ? facilitators(sessionId) : others(sessionId)).emit('room:changed', change),
    airtimeOf,
    () => ctx.clock.now(),
    log,
  );

  const pacing = new Pacing();
  const keysOf = (socket: RoomSocket) => paceKeys(socket.data.sessionId, socket.data.actor, socket.handshake.auth, socket.request, socket.handshake.address, ctx.config.TRUST_PROXY);
  io.use((socket, next) => {
    const pass = authenticate(ctx, repo, socket.handshake.auth, socket.request);
    if (typeof pass === 'string') return next(new Error(pass));
    socket.data = pass;
    // Every handshake is answered with a whole snapshot, so it is paced too; and a credential has only a few sockets.
    const refused = pacing.join(socket.id, keysOf(socket), (letGo) => {
      // A connection that closes before it has joined never hears 'disconnect': its seat is given back here, or at
      // once if it went while waiting its turn (then nobody is let go for it).
      if (socket.conn.readyState !== 'open') {
        pacing.leave(socket.id);
        return next(new Error(JOINING_TOO_FAST));
      }
      socket.conn.once('close', () => pacing.leave(socket.id));
      for (const id of letGo) io.sockets.sockets.get(id)?.disconnect(true);
      next();
    });
    if (refused) next(new Error(refused));
  });

  // Who is connected, per session: socket id -> actor. In memory: presence is live, not part of the record.
  const connected = new Map<number, Map<string, Actor>>();
  // Sent at most every PRESENCE_MS per session: a hall of phones joining at once is one list, not a thousand.
  const presenceDue = new Set<number>();
  const presence = (sessionId: number) => {
    if (presenceDue.has(sessionId)) return;
    presenceDue.add(sessionId);
    setTimeout(() => {
      presenceDue.delete(sessionId);
      const actors = [...(connected.get(sessionId)?.values() ?? [])];
      const count = (role: Actor['role']) => actors.filter((a) => a.role === role).length;
      const panellists = [...new Set(actors.flatMap((a) => (a.role === 'panellist' ? [a.member] : [])))].sort();
      io.to(facilitators(sessionId)).emit('room:presence', { panellists, facilitators: count('facilitator'), observers: count('observer') });
    }, PRESENCE_MS);
  };

  io.on('connection', (socket: RoomSocket) => {
    const { sessionId, actor } = socket.data;
    void socket.join(actor.role === 'facilitator' ? facilitators(sessionId) : others(sessionId));
    // Named groups that a revocation closes at once (revocations.ts).
    const token = loginToken(socket.handshake.auth, socket.request);
    if (token) void socket.join(Revocations.loginGroup(token));
    const panelId = repo.find(sessionId)?.panelId;
    if (actor.role === 'panellist' && panelId !== undefined) void socket.join(Revocations.memberGroup(panelId, actor.member));
    if (typeof socket.handshake.auth?.pass === 'string') void socket.join(Revocations.linksGroup(sessionId));
    if (typeof socket.handshake.auth?.invite === 'string') void socket.join(Revocations.invitationGroup(sha256(socket.handshake.auth.invite)));
    const userId = actor.role === 'facilitator' && actor.who?.startsWith('user:') ? Number(actor.who.slice(5)) : undefined;
    if (userId !== undefined && panelId !== undefined) void socket.join(Revocations.teamGroup(panelId, userId));
    /** Every event: at its credential's and its address's pace, and only while the credential it joined with still holds. */
    const guarded = <A>(event: string, args: unknown[], fn: (ack: Ack<A>, payload: unknown) => void) => {
      // The acknowledgement is the last argument, the payload the first before it (rule 2: no ack, no answer).
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const reply = ack as Ack<A>;
      const payload = args.length > 1 ? args[0] : undefined;
      const tooFast = (message: string) => reply({ ok: false, error: 'too_fast', message });
      pacing.run(socket.id, () => {
        if (!socket.connected) return;
        try {
          if (!stillHolds(ctx, repo, socket.handshake.auth, socket.request)) {
            reply({ ok: false, error: 'forbidden', message: REVOKED });
            socket.disconnect(true);
            return;
          }
          // A snapshot costs what a thousand commands do: room:sync has a share of its own as well.
          if (event === 'room:sync' && !pacing.sync(socket.id)) return tooFast(SYNC_TOO_FAST);
          fn(reply, payload);
        } catch (err) {
          reply(failure(err, event));
        }
      }, () => tooFast(TOO_FAST));
    };
    if (!connected.has(sessionId)) connected.set(sessionId, new Map());
    connected.get(sessionId)?.set(socket.id, actor);
    socket.on('disconnect', () => {
      pacing.leave(socket.id);
      connected.get(sessionId)?.delete(socket.id);
      presence(sessionId);
    });
    const state = repo.state(sessionId);
    if (state) socket.emit('room:state', view(sessionId, state, actor));
    if (actor.role === 'panellist') {
      try {
        repo.attend(sessionId, actor.member, ctx.clock.now());
      } catch (err) {
        // Attendance is worth keeping, not worth refusing someone the room for: a full disk refuses their commands anyway.
        log(`room: attendance not stored: ${(err as Error).message}`);
      }
    }
    presence(sessionId);
    socket.on('vote:check', (...args: unknown[]) => guarded<CheckAnswer>('vote:check', args, (ack, payload) => ack(checkReceipt(actor, repo.state(sessionId), boxOf(sessionId), payload))));
    socket.on('room:sync', (...args: unknown[]) => guarded<Snapshot>('room:sync', args, (ack) => {
      const current = repo.state(sessionId);
      if (current) ack({ ok: true, data: view(sessionId, current, actor) });
      else ack({ ok: false, error: 'not_found', message: 'This session no longer exists.' });
    }));
    for (const type of COMMAND_TYPES) {
      socket.on(type, (...args: unknown[]) => guarded<CommandDone>(type, args, (ack, payload) => handle(socket, type, payload, ack)));
    }
    // An event the room does not know still gets its answer, instead of leaving the client waiting.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && EVENTS.has(event)) return;
      guarded<never>(String(event).slice(0, 40), args, (ack) => ack({ ok: false, error: 'invalid', message: `The room has no event called ${JSON.stringify(String(event).slice(0, 40))}. See docs/protocol.md for the events it takes.` }));
    });
  });
  return pacing;

  /** A refusal for an error: the rules' own, a database that cannot store, or a fault (logged; the client may retry). */
  function failure(err: unknown, what: string): { ok: false; error: ErrorCode; message: string } {
    if (err instanceof RoomError) return { ok: false, error: err.code, message: err.message };
    const storage = storageProblem(err);
    if (storage) {
      log(`room: ${what} not stored: ${(err as Error).message}`);
      return { ok: false, error: 'unavailable', message: storage };
    }
    log(`room: ${what} failed: ${(err as Error).stack ?? String(err)}`);
    return { ok: false, error: 'internal', message: 'Something went wrong on the server; nothing was applied. Try again.' };
  }

  /** A command: its faults are answered by `guarded`, which runs it. */
  function handle(socket: RoomSocket, type: Command['type'], payload: unknown, ack: Ack<CommandDone>): void {
    const { sessionId, actor } = socket.data;
    const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const id = readable(clientId, fields.clientId);
    const command = readable(commandSchema, { ...fields, clientId: undefined, type });
    if (!id || !command) return ack({ ok: false, error: 'invalid', message: `This ${type} could not be read: send each field with the type docs/protocol.md gives it.` });
    if (!id.success) return ack({ ok: false, error: 'invalid', message: 'Every command needs a clientId (a string of 1 to 64 characters).' });
    if (!command.success) return ack({ ok: false, error: 'invalid', message: command.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ') });
    const key = actorKey(actor);
    const box = boxOf(sessionId);
    const earlier = repo.appliedVersion(sessionId, key, id.data);
    if (earlier !== undefined) return ack({ ok: true, data: { version: earlier, ...castReceipt(actor, command.data, box) } });
    const state = repo.state(sessionId);
    if (!state) return ack({ ok: false, error: 'not_found', message: 'This session no longer exists.' });
    const now = ctx.clock.now();
    const env = { answers: answersOf(sessionId), box, summaryRevision: () => repo.summaryRevision(sessionId) };
    const cmd = actor.role === 'panellist' ? withMemberId(state, command.data) : command.data;
    // One transaction: ballots written by the rules roll back with a refused command, and nothing is acknowledged unstored.
    const { next, seen } = ctx.db.transaction(() => {
      const after = apply(state, actor, cmd, now, env);
      const quiet = unseen(cmd, state, after);
      if (quiet) repo.recordUnseen(sessionId, key, id.data, cmd, state.version, now);
      else repo.record(sessionId, after, key, id.data, cmd, now);
      return { next: after, seen: !quiet };
    })();
    // Stored: from here on the command is acknowledged whatever else fails, or the client would think it lost.
    try {
      for (const vote of closedSecretVotes(state, next)) box.afterClose(ctx.db, vote);
    } catch (err) {
      log(`room: a closed vote's key or checkpoint could not be dealt with (the sweep at the next start retries): ${(err as Error).message}`);
    }
    ack({ ok: true, data: { version: seen ? next.version : state.version, ...castReceipt(actor, cmd, box) } });
    if (seen) broadcaster.changed(sessionId, state, next);
  }

}
