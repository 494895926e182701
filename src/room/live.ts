import { type AirtimeReport, airtimeReport } from './airtime';
import type { SqliteBallotBox } from './ballot-box';
import { type Audience, Broadcaster } from './broadcast';
import type { Change, Presence, Snapshot } from './events';
import type { Actor } from './machine';
import type { RoomRepo } from './repo';
import { byHandle, roomNamesOf } from './names';
import { type RoomState, sharedActor, sharedView } from './state';

/** How long the names members gave are kept before they are read again (a member may change theirs on the day). */
const NAMES_MS = 10_000;
/** How long a member whose phone dropped still counts as here: a hall's wifi drops for a moment, and the phone comes back. */
export const AWAY_MS = 20_000;
/** How often, at most, facilitators hear who is connected. */
const PRESENCE_MS = 250;
/** How long a room with nobody in it is kept, so a hall whose wifi drops for a moment finds it as it was. */
export const IDLE_MS = 60_000;

/** What a live session needs from the server around it. */
export interface LiveDeps {
  repo: RoomRepo;
  box: (sessionId: number) => SqliteBallotBox;
  now: () => number;
  changed: (sessionId: number, audience: Audience, change: Change) => void;
  presence: (sessionId: number, presence: Presence) => void;
  log: (line: string) => void;
}

/**
 * One session's live room: its ballot box (with open votes' running piles), the panel's answers and the
 * facilitator's airtime report, who is connected, and what clients have been sent. Made on the first join,
 * disposed when nobody has been in it for IDLE_MS (`LiveSessions`).
 */
export class LiveSession {
  readonly box: SqliteBallotBox;
  /** Who is connected: socket id -> actor. In memory: presence is live, not part of the record. */
  private readonly sockets = new Map<string, Actor>();
  /** When each member's last phone left, while none is back. */
  private readonly leftAt = new Map<string, number>();
  private readonly broadcaster: Broadcaster;
  private answersRead?: Map<string, Record<string, string>>;
  private namesRead?: { at: number; members: RoomState['members']; byId: Record<string, string>; byHandle: Record<string, string> };
  private report?: { members: RoomState['members']; airtime: RoomState['airtime']; report: AirtimeReport };
  private presenceTimer?: NodeJS.Timeout;

  constructor(
    readonly id: number,
    private readonly deps: LiveDeps,
  ) {
    this.box = deps.box(id);
    this.broadcaster = new Broadcaster((audience, change) => deps.changed(id, audience, change), (state) => this.airtime(state), deps.now, deps.log);
  }

  /** The room as stored (the repo keeps the latest). */
  state(): RoomState | undefined {
    return this.deps.repo.state(this.id);
  }

  /** The panel's answers, member -> category -> value: they do not change during a session, so read once. */
  answers(): Map<string, Record<string, string>> {
    this.answersRead ??= this.deps.repo.answers(this.id);
    return this.answersRead;
  }

  /** The facilitator's airtime report, worked out again only when airtime or the members changed. */
  airtime(state: RoomState): AirtimeReport {
    const kept = this.report;
    if (kept?.airtime === state.airtime && kept.members === state.members) return kept.report;
    const report = airtimeReport(state.members, state.airtime, this.answers());
    this.report = { members: state.members, airtime: state.airtime, report };
    return report;
  }

  /** What the room calls its members, by id and by handle (names.ts), read again every NAMES_MS. */
  names(state: RoomState): { byId: Record<string, string>; byHandle: Record<string, string> } {
    const now = this.deps.now();
    const kept = this.namesRead;
    if (kept && kept.members === state.members && now - kept.at < NAMES_MS) return kept;
    const byId = roomNamesOf(state.members, this.deps.repo.givenNames(this.id));
    this.namesRead = { at: now, members: state.members, byId, byHandle: byHandle(state.members, byId) };
    return this.namesRead;
  }

  /**
   * The room as this actor may see it: panellists and observers get no per-person airtime and no pseudonyms;
   * facilitators and panellists get the names members gave, observers (the screen in the hall) none.
   */
  view(state: RoomState, actor: Actor): Snapshot {
    const stamp = { version: state.version, serverTime: this.deps.now() };
    if (actor.role === 'facilitator') return { ...stamp, you: actor, state, airtime: this.airtime(state), names: this.names(state).byId };
    const shared = { ...stamp, you: sharedActor(state, actor), state: sharedView(state) };
    return actor.role === 'panellist' ? { ...shared, names: this.names(state).byHandle } : shared;
  }

  /** A command took the room from `before` to `after`: its change goes out (broadcast.ts). */
  changed(before: RoomState, after: RoomState): void {
    this.broadcaster.changed(before, after);
  }

  /** A command was rolled back: the box's running piles may hold its ballots, so they are read again. */
  rolledBack(): void {
    this.box.forget();
  }

  join(socketId: string, actor: Actor): void {
    this.sockets.set(socketId, actor);
    if (actor.role === 'panellist') this.leftAt.delete(actor.member);
    this.presence();
  }

  /** The session's members with no phone connected, nor one that left less than AWAY_MS ago: round-robins skip them (socket.ts). */
  absent(members: readonly string[]): string[] {
    const here = this.here();
    const now = this.deps.now();
    return members.filter((m) => !here.has(m) && now - (this.leftAt.get(m) ?? -Infinity) >= AWAY_MS);
  }

  /** How many sockets are connected, per role. */
  connectedByRole(): [Actor['role'], number][] {
    const counts = new Map<Actor['role'], number>();
    for (const actor of this.sockets.values()) counts.set(actor.role, (counts.get(actor.role) ?? 0) + 1);
    return [...counts];
  }

  private here(): Set<string> {
    return new Set([...this.sockets.values()].flatMap((a) => (a.role === 'panellist' ? [a.member] : [])));
  }

  /** Whether anyone is left. */
  leave(socketId: string): boolean {
    const actor = this.sockets.get(socketId);
    this.sockets.delete(socketId);
    if (actor?.role === 'panellist' && !this.here().has(actor.member)) this.leftAt.set(actor.member, this.deps.now());
    this.presence();
    return this.sockets.size > 0;
  }

  /** Who is connected, to the facilitators: at most every PRESENCE_MS, so a hall of phones joining is one list, not a thousand. */
  private presence(): void {
    this.presenceTimer ??= setTimeout(() => {
      this.presenceTimer = undefined;
      const actors = [...this.sockets.values()];
      const count = (role: Actor['role']) => actors.filter((a) => a.role === role).length;
      const panellists = [...new Set(actors.flatMap((a) => (a.role === 'panellist' ? [a.member] : [])))].sort();
      this.deps.presence(this.id, { panellists, facilitators: count('facilitator'), observers: count('observer') });
    }, PRESENCE_MS);
  }

  /** Lets go of everything it holds: timers, the change not yet sent, and the repo's copy of the room. */
  dispose(): void {
    clearTimeout(this.presenceTimer);
    this.broadcaster.dispose();
    this.deps.repo.forget(this.id);
  }
}

/** The live sessions of this server: one object per session while anyone is in its room, and IDLE_MS after. */
export class LiveSessions {
  private readonly live = new Map<number, LiveSession>();
  private readonly idle = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly deps: LiveDeps,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** The session's live room, made if it is not live yet. */
  of(sessionId: number): LiveSession {
    let session = this.live.get(sessionId);
    if (!session) this.live.set(sessionId, (session = new LiveSession(sessionId, this.deps)));
    return session;
  }

  /** How many sessions are live now (for tests and metrics). */
  get size(): number {
    return this.live.size;
  }

  join(sessionId: number, socketId: string, actor: Actor): LiveSession {
    clearTimeout(this.idle.get(sessionId));
    this.idle.delete(sessionId);
    const session = this.of(sessionId);
    session.join(socketId, actor);
    return session;
  }

  leave(sessionId: number, socketId: string): void {
    const session = this.live.get(sessionId);
    if (!session || session.leave(socketId)) return;
    clearTimeout(this.idle.get(sessionId));
    const timer = setTimeout(() => {
      this.idle.delete(sessionId);
      this.live.delete(sessionId);
      session.dispose();
    }, this.idleMs);
    timer.unref();
    this.idle.set(sessionId, timer);
  }

  /** How many sockets each live session has now, by role (for metrics). */
  connected(): { sessionId: number; role: Actor['role']; count: number }[] {
    return [...this.live.values()].flatMap((session) => session.connectedByRole().map(([role, count]) => ({ sessionId: session.id, role, count })));
  }

  /** Every session let go (the server is closing). */
  dispose(): void {
    for (const timer of this.idle.values()) clearTimeout(timer);
    for (const session of this.live.values()) session.dispose();
    this.idle.clear();
    this.live.clear();
  }
}
