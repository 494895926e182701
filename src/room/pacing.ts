import type { IncomingMessage } from 'node:http';
import { sha256 } from '../tokens';
import { loginToken } from './auth';
import type { Actor } from './machine';
import { Throttle } from './throttle';

/**
 * The room's limits (issue 16), per credential and per address, across all their sockets: a bucket per socket let
 * one join link on ten sockets post at 81 ideas a second, and one observer link on a hundred pull 85 MB of
 * snapshots in two seconds. docs/protocol.md (Pace) gives the same figures to client writers.
 */
export const LIMITS = {
  /** Every event of one credential: ample for a person tapping, and a flood of them is slowed, then refused. */
  events: { perSecond: 10, burst: 30, queue: 30 },
  /**
   * room:sync, a whole snapshot (the dearest thing the room sends: 846 KB for a large board): a client needs one
   * after a gap, rarely more, so a few at once and then one every 2 s; beyond that it is refused, not kept waiting.
   */
  syncs: { perSecond: 0.5, burst: 3, queue: 0 },
  /**
   * Handshakes, each answered with a snapshot too, so reconnecting over and over is no way round `syncs`. A burst
   * covers every device of a credential coming back after a server restart; beyond it a handshake waits its turn
   * (a slow join, not a refusal, for a phone on a flaky network) and only beyond 6 waiting is it refused.
   */
  joins: { perSecond: 1, burst: 6, queue: 6 },
  /**
   * Every event from one address, after its credential's bucket. A hall's phones may share one NAT address, so
   * the burst lets one event from each phone of a 1,000-seat hall through at once (a vote's ballots), and the
   * rate is 4 to 5 times what such a hall sends in steady use (bench:soak: 500 panellists send about 33 a
   * second). It stops one host with many credentials, not a hall; beyond the burst events wait, not refused.
   */
  address: { perSecond: 300, burst: 1000, queue: 1000 },
} as const;

/** Sockets one credential may hold at once: a phone, a laptop and a spare tab; a facilitator also runs the front screen. */
export const DEVICES = { panellist: 3, observer: 3, facilitator: 5 } as const;

/**
 * A credential beyond its devices lets go of its oldest socket, but only one that has been connected this long.
 * A phone that moved from Wi-Fi to 4G leaves a stale socket behind that still counts as connected for up to a
 * minute (until Socket.IO's ping times out): refusing the new handshake would lock its owner out just as they
 * came back, so the oldest goes instead. But the browser client reconnects when let go (src/client/room.ts), and
 * one live device too many would then throw the others out in turn for ever: a socket that joined less than this
 * long ago is never let go, and a handshake that finds every seat young is refused in words. So the chain stops,
 * and only someone joining on `devices` devices within seconds is ever refused.
 */
export const SETTLED_MS = 10_000;

export const TOO_MANY_DEVICES = 'This link is open on too many devices already: close it on one of them, then try again. (A device that lost its connection is let go within a minute.)';
export const JOINING_TOO_FAST = 'This link has joined the room too many times in the last few seconds: wait a few seconds, then open the room again.';

/** Whose buckets an event spends: the credential (a member, whichever link they used; a join link; a login) and the address. */
export interface PaceKeys {
  credential: string;
  address: string;
  devices: number;
}

interface Credential {
  /** Socket id -> when it joined; a Map keeps them in order, oldest first. */
  sockets: Map<string, number>;
  /** Handshakes waiting for their turn to join: each will take a seat. */
  pending: number;
  events: Throttle;
  syncs: Throttle;
  joins: Throttle;
}

interface Address {
  sockets: Set<string>;
  events: Throttle;
}

const throttle = (limit: { perSecond: number; burst: number; queue: number }) => new Throttle(limit.perSecond, limit.burst, limit.queue);

/**
 * The keys of a handshake. A panellist is one bucket in a session whichever way they came in (a join link or
 * their invitation), so a second credential is no second allowance; each session is a room of its own, with its
 * own limits, and only facilitators create sessions. Tokens are kept only as their hashes, as the database keeps
 * them. Behind a reverse proxy (TRUST_PROXY) the address is the one the proxy saw, as Express's `trust proxy = 1`
 * reads it; otherwise every phone would share the proxy's.
 */
export function paceKeys(sessionId: number, actor: Actor, auth: Record<string, unknown> | undefined, request: IncomingMessage, address: string, trustProxy: boolean): PaceKeys {
  const devices = DEVICES[actor.role];
  const forwarded = trustProxy ? String(request.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim().slice(0, 100) : undefined;
  const from = `address:${forwarded || address}`;
  if (actor.role === 'panellist') return { credential: `member:${sessionId}:${actor.member}`, address: from, devices };
  if (typeof auth?.pass === 'string') return { credential: `link:${sha256(auth.pass)}`, address: from, devices };
  return { credential: `login:${sha256(loginToken(auth, request) ?? '')}`, address: from, devices };
}

/**
 * One bucket per credential and per address, shared by their sockets; an event must pass both. A key's buckets
 * are forgotten once its last socket has left and they have filled up again: forgetting them at once would let
 * a flooder disconnect and come back with a fresh burst.
 */
export class Pacing {
  private readonly credentials = new Map<string, Credential>();
  private readonly addresses = new Map<string, Address>();
  private readonly seats = new Map<string, PaceKeys>();
  private readonly forgetting = new Set<string>();

  /**
   * A handshake: the refusal in words, or undefined, and then `admit` runs when the credential may join again (at
   * once within its burst, else in turn). By then the socket has its seat, and `admit` is told which of the
   * credential's sockets to let go (oldest first, all settled) to keep it within its devices.
   */
  join(id: string, keys: PaceKeys, admit: (letGo: string[]) => void): string | undefined {
    if (this.full(keys)) return TOO_MANY_DEVICES;
    const entry = this.credential(keys.credential);
    entry.pending += 1;
    const queued = entry.joins.run(() => {
      entry.pending -= 1;
      admit(this.seat(id, keys));
    });
    if (!queued) entry.pending -= 1;
    // After the token is spent, so the bucket is not forgotten (and refilled) before the socket takes its seat.
    this.forgetLater(keys.credential);
    return queued ? undefined : JOINING_TOO_FAST;
  }

  /** Whether every seat the credential may hold is young (joined within SETTLED_MS) or being joined. */
  private full(keys: PaceKeys, now = performance.now()): boolean {
    const entry = this.credentials.get(keys.credential);
    if (!entry) return false;
    const young = [...entry.sockets.values()].filter((at) => now - at < SETTLED_MS).length;
    return young + entry.pending >= keys.devices;
  }

  private seat(id: string, keys: PaceKeys, now = performance.now()): string[] {
    this.seats.set(id, keys);
    const { sockets } = this.credential(keys.credential);
    sockets.set(id, now);
    this.address(keys.address).sockets.add(id);
    return [...sockets.keys()].slice(0, Math.max(0, sockets.size - keys.devices));
  }

  /** A socket has gone: its waiting events go with it, and its keys are forgotten once idle. */
  leave(id: string): void {
    const keys = this.seats.get(id);
    if (!keys) return;
    this.seats.delete(id);
    const credential = this.credentials.get(keys.credential);
    credential?.sockets.delete(id);
    credential?.events.stop(id);
    const address = this.addresses.get(keys.address);
    address?.sockets.delete(id);
    address?.events.stop(id);
    this.forgetLater(keys.credential);
    this.forgetLater(keys.address);
  }

  /** Runs `fn` at the pace of the socket's credential and then of its address; `refuse` if either has too many waiting. */
  run(id: string, fn: () => void, refuse: () => void): void {
    const keys = this.seats.get(id);
    const credential = keys && this.credentials.get(keys.credential);
    const address = keys && this.addresses.get(keys.address);
    if (!credential || !address) return refuse();
    const queued = credential.events.run(() => {
      if (!address.events.run(fn, id)) refuse();
    }, id);
    if (!queued) refuse();
  }

  /** Spends one of the credential's room:sync snapshots; false if it has had its share for now. */
  sync(id: string): boolean {
    const keys = this.seats.get(id);
    return (keys && this.credentials.get(keys.credential)?.syncs.take()) ?? false;
  }

  /** How many keys have buckets: it returns to 0 once every socket has gone and the buckets have filled again. */
  get size(): number {
    return this.credentials.size + this.addresses.size;
  }

  private credential(key: string): Credential {
    const found = this.credentials.get(key);
    if (found) return found;
    const made = { sockets: new Map<string, number>(), pending: 0, events: throttle(LIMITS.events), syncs: throttle(LIMITS.syncs), joins: throttle(LIMITS.joins) };
    this.credentials.set(key, made);
    return made;
  }

  private address(key: string): Address {
    const found = this.addresses.get(key);
    if (found) return found;
    const made = { sockets: new Set<string>(), events: throttle(LIMITS.address) };
    this.addresses.set(key, made);
    return made;
  }

  /** Forgets a key without sockets once its buckets are full again (checked again then: a socket may have come). */
  private forgetLater(key: string): void {
    if (this.forgetting.has(key)) return;
    const entry = this.credentials.get(key) ?? this.addresses.get(key);
    if (!entry || entry.sockets.size || ('pending' in entry && entry.pending)) return;
    const throttles = 'syncs' in entry ? [entry.events, entry.syncs, entry.joins] : [entry.events];
    const wait = Math.max(...throttles.map((t) => t.idleMs()));
    if (wait === 0) {
      this.credentials.delete(key);
      this.addresses.delete(key);
      return;
    }
    this.forgetting.add(key);
    setTimeout(() => {
      this.forgetting.delete(key);
      this.forgetLater(key);
    }, wait).unref();
  }
}
