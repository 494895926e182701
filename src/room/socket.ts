import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../context';
import { storageProblem } from '../db';
import type { Ballot } from '../voting/types';
import { type AirtimeReport, airtimeReport } from './airtime';
import { SqliteBallotBox, statements } from './ballot-box';
import { Broadcaster } from './broadcast';
import { receipt } from './vote-schema';
import { authenticate, loginToken, stillHolds } from './auth';
import type { Ack, ClientToServerEvents, ServerToClientEvents, Snapshot, SocketData } from './events';
import { COMMAND_TYPES } from './events';
import type { ErrorCode } from './errors';
import { type Actor, apply, type Command, commandSchema, RoomError } from './machine';
import { actorKey, type RoomRepo } from './repo';
import { Revocations } from './revocations';
import { type RoomState, sharedView } from './state';
import { Throttle } from './throttle';

export type RoomServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const clientId = z.string().min(1).max(64);
const checkSchema = z.object({ vote: z.number().int().min(1), receipt });

const facilitators = (sessionId: number) => `session:${sessionId}:facilitators`;
const others = (sessionId: number) => `session:${sessionId}:others`;

/**
 * zod's safeParse, or undefined for input zod itself trips over (an object posing as a string, with a `length`
 * that is not a number): such a payload is refused as unreadable, not answered as a fault.
 */
function readable<T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> | undefined {
  try {
    return schema.safeParse(value);
  } catch {
    return undefined;
  }
}

/** How often, at most, facilitators hear who is connected. */
const PRESENCE_MS = 250;
const EVENTS = new Set<string>([...COMMAND_TYPES, 'room:sync', 'vote:check']);
const TOO_FAST = 'You are sending faster than the room can take: wait a few seconds, then try again.';
const REVOKED = 'Your access to this room has ended (you logged out, left the panel, or your link was replaced). Open the room again from a current link.';

/**
 * The live room over Socket.IO. The handshake says who connects and to which session (auth.ts). Every event is
 * paced per client (throttle.ts) and checked against the credential it joined with; every command goes through
 * one path (rule 4): validate, refuse a repeat, apply the rules, store, acknowledge, broadcast.
 */
export function attachRoom(server: Server, ctx: AppContext, repo: RoomRepo, revocations: Revocations, log: (line: string) => void): void {
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
      : { version: state.version, serverTime: ctx.clock.now(), you: actor, state: sharedView(state) };

  const ballots = statements(ctx.db);
  const broadcaster = new Broadcaster(
    (sessionId, audience, change) => io.to(audience === 'facilitators' ? facilitators(sessionId) : others(sessionId)).emit('room:changed', change),
    airtimeOf,
    () => ctx.clock.now(),
    log,
  );

  io.use((socket, next) => {
    const pass = authenticate(ctx, repo, socket.handshake.auth, socket.request);
    if (typeof pass === 'string') return next(new Error(pass));
    socket.data = pass;
    next();
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
    const throttle = new Throttle();
    /** Every event: at the client's pace, and only while the credential it joined with still holds. */
    const guarded = <A>(event: string, args: unknown[], fn: (ack: Ack<A>, payload: unknown) => void) => {
      // The acknowledgement is the last argument, the payload the first before it (rule 2: no ack, no answer).
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const reply = ack as Ack<A>;
      const payload = args.length > 1 ? args[0] : undefined;
      const queued = throttle.run(() => {
        if (!socket.connected) return;
        try {
          if (!stillHolds(ctx, repo, socket.handshake.auth, socket.request)) {
            reply({ ok: false, error: 'forbidden', message: REVOKED });
            socket.disconnect(true);
            return;
          }
          fn(reply, payload);
        } catch (err) {
          reply(failure(err, event));
        }
      });
      if (!queued) reply({ ok: false, error: 'too_fast', message: TOO_FAST });
    };
    if (!connected.has(sessionId)) connected.set(sessionId, new Map());
    connected.get(sessionId)?.set(socket.id, actor);
    socket.on('disconnect', () => {
      throttle.stop();
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
    socket.on('vote:check', (...args: unknown[]) => guarded<{ counted: boolean; ballot?: Ballot }>('vote:check', args, (ack, payload) => {
      const query = readable(checkSchema, payload);
      if (!query?.success) return ack({ ok: false, error: 'invalid', message: 'Give the vote number and your receipt code.' });
      const found = new SqliteBallotBox(ballots, sessionId).byReceipt(query.data.vote, query.data.receipt);
      ack({ ok: true, data: found ? { counted: true, ballot: found.ballot } : { counted: false } });
    }));
    socket.on('room:sync', (...args: unknown[]) => guarded<Snapshot>('room:sync', args, (ack) => {
      const current = repo.state(sessionId);
      if (current) ack({ ok: true, data: view(sessionId, current, actor) });
      else ack({ ok: false, error: 'not_found', message: 'This session no longer exists.' });
    }));
    for (const type of COMMAND_TYPES) {
      socket.on(type, (...args: unknown[]) => guarded<{ version: number }>(type, args, (ack, payload) => handle(socket, type, payload, ack)));
    }
    // An event the room does not know still gets its answer, instead of leaving the client waiting.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && EVENTS.has(event)) return;
      guarded<never>(String(event).slice(0, 40), args, (ack) => ack({ ok: false, error: 'invalid', message: `The room has no event called ${JSON.stringify(String(event).slice(0, 40))}. See docs/protocol.md for the events it takes.` }));
    });
  });

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
  function handle(socket: RoomSocket, type: Command['type'], payload: unknown, ack: Ack<{ version: number }>): void {
    const { sessionId, actor } = socket.data;
    const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const id = readable(clientId, fields.clientId);
    const command = readable(commandSchema, { ...fields, clientId: undefined, type });
    if (!id || !command) return ack({ ok: false, error: 'invalid', message: `This ${type} could not be read: send each field with the type docs/protocol.md gives it.` });
    if (!id.success) return ack({ ok: false, error: 'invalid', message: 'Every command needs a clientId (a string of 1 to 64 characters).' });
    if (!command.success) return ack({ ok: false, error: 'invalid', message: command.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ') });
    const key = actorKey(actor);
    const earlier = repo.appliedVersion(sessionId, key, id.data);
    if (earlier !== undefined) return ack({ ok: true, data: { version: earlier } });
    const state = repo.state(sessionId);
    if (!state) return ack({ ok: false, error: 'not_found', message: 'This session no longer exists.' });
    const now = ctx.clock.now();
    const env = { answers: answersOf(sessionId), box: new SqliteBallotBox(ballots, sessionId), summaryRevision: () => repo.summaryRevision(sessionId) };
    // One transaction: ballots written by the rules roll back with a refused command, and nothing is acknowledged unstored.
    const next = ctx.db.transaction(() => {
      const after = apply(state, actor, command.data, now, env);
      repo.record(sessionId, after, key, id.data, command.data, now);
      return after;
    })();
    ack({ ok: true, data: { version: next.version } });
    broadcaster.changed(sessionId, state, next);
  }

}
