import type { AirtimeReport } from '../room/airtime';
import type { Presence } from '../room/events';
import type { Actor } from '../room/machine';
import type { RoomState } from '../room/state';
import type { Ballot } from '../voting/types';
import type { BallotOutbox } from './ballots';

export type Send = (event: string, payload?: Record<string, unknown>) => Promise<boolean>;

/** What every part of the page renders from: the latest snapshot, who you are, and how to act. */
export interface View {
  state: RoomState;
  you: Actor;
  /** Your pseudonym if you are a panellist, else ''. */
  me: string;
  send: Send;
  airtime?: AirtimeReport;
  presence?: Presence;
  /** Tells the person something: urgent (role=alert) by default, else politely. */
  alert: (text: string, urgent?: boolean) => void;
  /** Asks whether the ballot with this receipt was counted; resolves with a sentence for the person. */
  check: (vote: number, receipt: string, unlock?: string) => Promise<string>;
  /** Casts a ballot now, or as soon as the connection is back (ballots.ts). */
  cast: (vote: number, ballot: Ballot) => Promise<void>;
  outbox: BallotOutbox;
}
