import type { AirtimeReport } from './airtime';
import type { Ballot } from '../voting/types';
import type { StateChange } from './change';
import type { ErrorCode } from './errors';
import { type Actor, type Command, commandSchema, SERVER_ONLY } from './machine';
import type { RoomState } from './state';

/** Every command's reply (rule 2). */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorCode; message: string };
export type Ack<T> = (reply: Reply<T>) => void;

/** A command's fields without its type (the event name says it), plus the sender's id for it. */
export type CommandPayload<K extends Command['type']> = Omit<Extract<Command, { type: K }>, 'type'> & { clientId: string };

/** The room as one client may see it: panellists and observers get no per-person airtime. */
export interface Snapshot {
  version: number;
  /** The server's clock when sent, so clients count down to deadlines correctly. */
  serverTime: number;
  you: Actor;
  state: RoomState;
  /** Facilitators only: airtime across the panel's groups, and who has not spoken yet. */
  airtime?: AirtimeReport;
  /** Facilitators and panellists: what the room calls each member, by the id this client knows them by (room/names.ts). */
  names?: Record<string, string>;
  /**
   * Said when the client joined having seen a later version than the server holds (the database was restored from
   * a backup): what happened, in words. The snapshot is the room as it now is.
   */
  behind?: string;
}

/** A `room:changed`: the change from the state at `since` to the state at `version`; `airtime` only when it changed. */
export type Change = StateChange & {
  since: number;
  version: number;
  serverTime: number;
  airtime?: AirtimeReport;
};

/**
 * A command's acknowledgement: the room's version after it. A secret ballot's also carries its receipt (to show
 * the voter) and its unlock (kept on the device, never shown), issued by the server (docs/voting.md).
 */
export type CommandDone = { version: number; receipt?: string; unlock?: string };

export type ClientToServerEvents = {
  [K in Command['type']]: (payload: CommandPayload<K>, ack: Ack<CommandDone>) => void;
} & {
  'room:sync': (payload: Record<string, never>, ack: Ack<Snapshot>) => void;
  /** Was the ballot behind this receipt counted? Panellists only; the ballot itself only with the device's unlock. */
  'vote:check': (payload: { vote: number; receipt: string; unlock?: string }, ack: Ack<{ counted: boolean; ballot?: Ballot }>) => void;
  /** A revision of the session's summary, as HTML: the one a vote asks members to approve (facilitators: every saved revision). */
  'summary:read': (payload: { revision: number; lang?: string }, ack: Ack<{ html: string }>) => void;
};

export interface ServerToClientEvents {
  /** The whole room, on every (re)connect and on request. */
  'room:state': (snapshot: Snapshot) => void;
  /** What a command changed; `version` is one more than the last (see StateChange, and the gap rule). */
  'room:changed': (change: Change) => void;
  /** To facilitators only: who is connected now (pseudonyms and roles), on every join and leave. */
  'room:presence': (presence: Presence) => void;
}

export interface Presence {
  panellists: string[];
  facilitators: number;
  observers: number;
}

export interface SocketData {
  sessionId: number;
  actor: Actor;
}

/** Every command's event name, from the schema: the commands clients send (the server's own, SERVER_ONLY, are not events of the room). */
export const COMMAND_TYPES: Command['type'][] = commandSchema.options.map((o) => o.shape.type.value).filter((t) => !SERVER_ONLY.has(t));
