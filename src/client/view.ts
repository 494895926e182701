import type { Immutable } from 'immer';
import type { AirtimeReport } from '../room/airtime';
import type { CommandPayload, Presence, Reply } from '../room/events';
import type { Actor, Command } from '../room/machine';
import type { RoomState } from '../room/state';
import type { Ballot } from '../voting/types';
import type { BallotOutbox } from './ballots';

type Payload<K extends Command['type']> = Omit<CommandPayload<K>, 'clientId'>;

/** A command's fields as the page gives them: the server's own payload (events.ts), less the client id `send` adds; none at all for a pause. */
export type Fields<K extends Command['type']> = keyof Payload<K> extends never ? Record<string, never> : Immutable<Payload<K>>;

/** The fields after a command's name: optional when none is required (a pause, a raised hand), else required. */
export type FieldsArg<K extends Command['type']> = K extends unknown ? ({} extends Fields<K> ? [fields?: Fields<K>] : [fields: Fields<K>]) : never;

export type Send = <K extends Command['type']>(event: K, ...fields: FieldsArg<K>) => Promise<boolean>;

/** What every part of the page renders from: the latest snapshot, who you are, and how to act. Read-only: it is the server's. */
export interface View {
  state: Immutable<RoomState>;
  you: Immutable<Actor>;
  /** Your handle if you are a panellist ("Member 4": members never see pseudonyms), else ''. */
  me: string;
  /** What the room calls a member, as this view knows them (an id for facilitators, a handle for the rest). */
  name: (member: string) => string;
  send: Send;
  airtime?: Immutable<AirtimeReport>;
  presence?: Immutable<Presence>;
  /** Tells the person something: urgent (role=alert) by default, else politely. */
  alert: (text: string, urgent?: boolean) => void;
  /** Why the latest command sent was refused (or went unanswered), in words: for a form to show beside its button. */
  refusal: () => string;
  /** Asks whether the ballot with this receipt was counted; resolves with a sentence for the person. */
  check: (vote: number, receipt: string, unlock?: string) => Promise<string>;
  /** Casts a ballot now, or as soon as the connection is back (ballots.ts). */
  cast: (vote: number, ballot: Ballot) => Promise<void>;
  outbox: BallotOutbox;
  /** A revision of the session's summary, as HTML, or why not (`summary:read`). */
  readSummary: (revision: number) => Promise<Reply<{ html: string }>>;
}
