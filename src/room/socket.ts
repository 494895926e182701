import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../context';
import { storageProblem } from '../db';
import type { Log } from '../logger';
import type { RoomMeter } from '../metrics';
import { sha256 } from '../tokens';
import { readable } from './readable';
import { SqliteBallotBox } from './ballot-box';
import { statements } from './ballot-sql';
import { sweepVoteKeys } from './vote-keys';
import { keyStore } from '../keys';
import { castReceipt, type CheckAnswer, checkReceipt, closedSecretVotes, unseen } from './receipts';
import { authenticate, loginToken, stillHolds } from './auth';
import type { Ack, ClientToServerEvents, CommandDone, ServerToClientEvents, Snapshot, SocketData } from './events';
import { type LiveSession, LiveSessions } from './live';
import { COMMAND_TYPES } from './events';
import type { ErrorCode } from './errors';
import { type Actor, apply, type Command, commandSchema, RoomError } from './machine';
import { actorKey, type RoomRepo } from './repo';
import { Revocations } from '../revocations';
import { withMemberId } from './state';
import { readSummary, type SummaryReader } from './summary-read';
import { JOINING_TOO_FAST, Pacing, paceKeys } from './pacing';

export type RoomServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const clientId = z.string().min(1).max(64);

const facilitators = (sessionId: number) => `session:${sessionId}:facilitators`;
const others = (sessionId: number) => `session:${sessionId}:others`;

const COMMANDS = new Set<string>(COMMAND_TYPES);
const EVENTS = new Set<string>([...COMMAND_TYPES, 'room:sync', 'vote:check', 'summary:read']);
const TOO_FAST = 'You are sending faster than the room can take: wait a few seconds, then try again.';
const SYNC_TOO_FAST = 'You asked for the whole room more than 3 times in a few seconds: wait 2 seconds, then ask again.';
const REVOKED = 'Your access to this room has ended (you logged out, left the panel, or your link was replaced). Open the room again from a current link.';

/**
 * The live room over Socket.IO. The handshake says who connects and to which session (auth.ts). Every event is
 * paced per credential and per address, across all their sockets (pacing.ts), and checked against the credential
 * it joined with; every command goes through one path (rule 4): validate, refuse a repeat, apply the rules, store,
 * acknowledge, broadcast. Each session's live room is one object (live.ts), made on its first join.
 */
export function attachRoom(
  server: Server,
  ctx: AppContext,
  repo: RoomRepo,
  revocations: Revocations,
  log: Log,
  summary: SummaryReader = async () => undefined,
  meter?: RoomMeter,
): { pacing: Pacing; sessions: LiveSessions } {
  const io = server as RoomServer;
  revocations.listen((group) => io.in(group).disconnectSockets(true));
  const ballots = statements(ctx.db);
  const keys = keyStore(ctx.db, ctx.config.KEYS_DIR);
  sweepVoteKeys(ctx.db, keys);
  const sessions = new LiveSessions({
    repo,
    box: (sessionId) => new SqliteBallotBox(ballots, keys, sessionId),
    now: () => ctx.clock.now(),
    changed: (sessionId, audience, change) => io.to(audience === 'facilitators' ? facilitators(sessionId) : others(sessionId)).emit('room:changed', change),
    presence: (sessionId, presence) => io.to(facilitators(sessionId)).emit('room:presence', presence),
    log,
  });

  const pacing = new Pacing();
  const keysOf = (socket: RoomSocket) => paceKeys(socket.data.sessionId, socket.data.actor, socket.handshake.auth, socket.request, socket.handshake.address, ctx.config.TRUST_PROXY);
  io.use((socket, next) => {
    let pass: ReturnType<typeof authenticate>;
    try {
      pass = authenticate(ctx, repo, socket.handshake.auth, socket.request);
    } catch (err) {
      return next(new Error(failure(err, 'joining').message));
    }
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

  io.on('connection', (socket: RoomSocket) => {
    // A fault here (a damaged file, a full disk) closes this one connection, never the server: the client retries.
    try {
      connected(socket);
    } catch (err) {
      log(`room: a connection to session ${socket.data.sessionId} was closed: ${failure(err, 'connecting').message}`, 'warn');
      socket.disconnect(true);
    }
  });
  return { pacing, sessions };

  function connected(socket: RoomSocket): void {
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
      const arrived = performance.now();
      const reply: Ack<A> = !meter || !COMMANDS.has(event) ? (ack as Ack<A>) : (answer) => {
        (ack as Ack<A>)(answer);
        meter.command(event, answer.ok ? 'applied' : answer.error === 'internal' || answer.error === 'unavailable' ? 'failed' : 'refused', (performance.now() - arrived) / 1000);
      };
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
    const live = sessions.join(sessionId, socket.id, actor);
    socket.on('disconnect', () => {
      pacing.leave(socket.id);
      sessions.leave(sessionId, socket.id);
    });
    // A member who confirmed after the session was set up (auth.ts let them in by their invitation) joins its list.
    const joining = live.state();
    if (actor.role === 'panellist' && joining && !joining.members.includes(actor.member)) {
      const refused = (message: string) => {
        log(`room: ${actor.member} could not join session ${sessionId}'s list: ${message}`);
        socket.disconnect(true); // in the room but not on its list, they could do nothing: they try again from their link
      };
      try {
        handle(live, { role: 'facilitator', who: 'system' }, 'members:add', { clientId: `join:${actor.member}`, member: actor.member }, (reply) => !reply.ok && refused(reply.message));
      } catch (err) {
        refused(failure(err, 'members:add').message);
      }
      if (socket.disconnected) return;
    }
    const state = live.state();
    if (state) socket.emit('room:state', { ...live.view(state, actor), ...behind(socket.handshake.auth?.seen, state.version) });
    if (actor.role === 'panellist') {
      try {
        repo.attend(sessionId, actor.member, ctx.clock.now());
      } catch (err) {
        // Attendance is worth keeping, not worth refusing someone the room for: a full disk refuses their commands anyway.
        log(`room: attendance not stored: ${(err as Error).message}`);
      }
    }
    socket.on('vote:check', (...args: unknown[]) => guarded<CheckAnswer>('vote:check', args, (ack, payload) => ack(checkReceipt(actor, live.state(), live.box, payload))));
    socket.on('summary:read', (...args: unknown[]) => guarded<{ html: string }>('summary:read', args, (ack, payload) => void readSummary(summary, log, live.id, live.state(), actor, payload, ack)));
    socket.on('room:sync', (...args: unknown[]) => guarded<Snapshot>('room:sync', args, (ack) => {
      const current = live.state();
      if (current) ack({ ok: true, data: live.view(current, actor) });
      else ack({ ok: false, error: 'not_found', message: 'This session no longer exists.' });
    }));
    for (const type of COMMAND_TYPES) {
      socket.on(type, (...args: unknown[]) => guarded<CommandDone>(type, args, (ack, payload) => handle(live, actor, type, payload, ack)));
    }
    // An event the room does not know still gets its answer, instead of leaving the client waiting.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && EVENTS.has(event)) return;
      guarded<never>(String(event).slice(0, 40), args, (ack) => ack({ ok: false, error: 'invalid', message: `The room has no event called ${JSON.stringify(String(event).slice(0, 40))}. See docs/protocol.md for the events it takes.` }));
    });
  }

  /**
   * A client that saw a later version than the one stored was working with a room that has since been put back to
   * an earlier copy (a restore): it is told so, and takes the room as it now is.
   */
  function behind(seen: unknown, version: number): { behind?: string } {
    if (typeof seen !== 'number' || !Number.isSafeInteger(seen) || seen <= version) return {};
    log(`room: a client had seen version ${seen}, ahead of the stored ${version}: the database was restored from an earlier copy`);
    return {
      behind:
        `This room was put back to an earlier copy (a backup) while you were away: you had seen version ${seen}, and it is now at version ${version}. ` +
        'What was done after that copy is not in it, even where you were told it was saved. Check the ideas, votes and recommendations, and send again what is missing.',
    };
  }

  /** A refusal for an error: the rules' own, a database that cannot store, or a fault (logged; the client may retry). */
  function failure(err: unknown, what: string): { ok: false; error: ErrorCode; message: string } {
    if (err instanceof RoomError) return { ok: false, error: err.code, message: err.message };
    const storage = storageProblem(err);
    if (storage) {
      log(`room: ${what} not stored: ${(err as Error).message}`, 'warn', { code: (err as { code?: string }).code });
      return { ok: false, error: 'unavailable', message: storage };
    }
    log(`room: ${what} failed: ${(err as Error).stack ?? String(err)}`, 'error');
    return { ok: false, error: 'internal', message: 'Something went wrong on the server; nothing was applied. Try again.' };
  }

  /** A command: its faults are answered by `guarded`, which runs it. */
  function handle(live: LiveSession, actor: Actor, type: Command['type'], payload: unknown, ack: Ack<CommandDone>): void {
    const sessionId = live.id;
    const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const id = readable(clientId, fields.clientId);
    const command = readable(commandSchema, { ...fields, clientId: undefined, type });
    if (!id || !command) return ack({ ok: false, error: 'invalid', message: `This ${type} could not be read: send each field with the type docs/protocol.md gives it.` });
    if (!id.success) return ack({ ok: false, error: 'invalid', message: 'Every command needs a clientId (a string of 1 to 64 characters).' });
    if (!command.success) return ack({ ok: false, error: 'invalid', message: command.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ') });
    const key = actorKey(actor);
    const box = live.box;
    const now = ctx.clock.now();
    const env = { answers: live.answers(), box, summaryRevision: () => repo.summaryRevision(sessionId) };
    // One write transaction, taken before the room is read: the command is applied to the version it was stored
    // at, whatever another writer did (repo.record checks that version too); ballots written by the rules roll
    // back with a refused command; nothing is acknowledged unstored.
    const store = ctx.db.transaction(() => {
      const earlier = repo.appliedVersion(sessionId, key, id.data);
      if (earlier !== undefined) return { earlier };
      const state = live.state();
      if (!state) throw new RoomError('not_found', 'This session no longer exists.');
      const named = actor.role === 'panellist' ? withMemberId(state, command.data) : command.data;
      // Who is not connected is the server's to say: a round-robin skips them (turns.ts), and the log keeps who was.
      const cmd = named.type === 'turn:start' || named.type === 'turn:next' ? { ...named, absent: live.absent(state.members) } : named;
      const after = apply(state, actor, cmd, now, env);
      const quiet = unseen(cmd, state, after);
      if (quiet) repo.recordUnseen(sessionId, key, id.data, cmd, state.version, now);
      else repo.record(sessionId, after, key, id.data, cmd, now);
      return { state, cmd, next: after, seen: !quiet };
    }).immediate;
    let stored: ReturnType<typeof store>;
    try {
      stored = store();
    } catch (err) {
      live.rolledBack();
      throw err;
    }
    if (stored.earlier !== undefined) return ack({ ok: true, data: { version: stored.earlier, ...castReceipt(actor, command.data, box) } });
    const { state, cmd, next, seen } = stored as Required<typeof stored>;
    // Stored: from here on the command is acknowledged whatever else fails, or the client would think it lost.
    try {
      for (const vote of closedSecretVotes(state, next)) box.afterClose(ctx.db, vote);
    } catch (err) {
      log(`room: a closed vote's key or checkpoint could not be dealt with (the sweep at the next start retries): ${(err as Error).message}`);
    }
    ack({ ok: true, data: { version: seen ? next.version : state.version, ...castReceipt(actor, cmd, box) } });
    if (seen) live.changed(state, next);
  }

}
