import { t } from './words';
import type { Immutable } from 'immer';
import type { CommandDone, Reply } from '../room/events';
import type { RoomState } from '../room/state';
import type { Ballot } from '../voting/types';

/**
 * A phone's ballots (issue 16): nothing is shown as cast until the server has acknowledged it. A ballot cast
 * while the connection is down waits here, in this tab only, with its client id, and is sent once when the
 * room is back (the same id, so a resend after a lost acknowledgement counts once); if its vote has closed
 * meanwhile it is dropped, and the person is told. Receipts are kept for this tab only (sessionStorage), not
 * on the phone for the next person to find.
 */
export interface Pending {
  vote: number;
  ballot: Ballot;
  clientId: string;
}

export interface Held {
  receipt: string;
  unlock: string;
}

type Emit = (payload: Pending) => Promise<Reply<CommandDone> | undefined>;

export class BallotOutbox {
  private sending = false;

  constructor(
    private readonly session: string,
    private readonly emit: Emit,
    private readonly tell: (text: string, urgent: boolean) => void,
    private readonly changed: () => void,
  ) {}

  pending(): Pending | undefined {
    const text = sessionStorage.getItem(this.key('pending'));
    return text ? (JSON.parse(text) as Pending) : undefined;
  }

  receipt(vote: number): Held | undefined {
    const text = sessionStorage.getItem(this.key(`receipt:${vote}`));
    return text ? (JSON.parse(text) as Held) : undefined;
  }

  /** Casts now if connected; otherwise keeps the ballot until `flush` can send it. */
  async cast(vote: number, ballot: Ballot, clientId: string, connected: boolean): Promise<void> {
    sessionStorage.setItem(this.key('pending'), JSON.stringify({ vote, ballot, clientId }));
    this.changed();
    if (!connected) return this.tell(t('notSent'), true);
    await this.flush(undefined);
  }

  /**
   * Sends the waiting ballot, once, if its vote is still open; called on every (re)connect and after a cast. A
   * ballot cast while another was on its way waits its turn and goes next; a refusal for a passing reason (too
   * fast, the server unable to store) keeps it waiting.
   */
  async flush(state: Immutable<RoomState> | undefined): Promise<void> {
    const waiting = this.pending();
    if (!waiting || this.sending) return;
    const vote = state?.votes.find((v) => v.id === waiting.vote);
    if (state && vote?.status !== 'open') {
      this.drop(waiting.clientId);
      return this.tell(t('neverSent', { vote: waiting.vote }), true);
    }
    this.sending = true;
    let again = false;
    try {
      const reply = await this.emit(waiting);
      if (!reply || (!reply.ok && (reply.error === 'too_fast' || reply.error === 'unavailable'))) {
        return this.tell(reply && !reply.ok ? t('notSentBecause', { reason: reply.message }) : t('notSentNoAnswer'), true);
      }
      again = !this.drop(waiting.clientId);
      if (!reply.ok) return this.tell(reply.message, true);
      const held = this.receipt(waiting.vote);
      const receipt = reply.data.receipt ?? held?.receipt;
      if (receipt && !reply.data.unlock && !again && !waiting.clientId.endsWith('.again')) {
        // The first acknowledgement was lost with a server restart, and the server never gives an unlock twice:
        // the same ballot is cast once more, which keeps the receipt and brings a fresh unlock for this tab.
        sessionStorage.setItem(this.key('pending'), JSON.stringify({ ...waiting, clientId: `${waiting.clientId}.again` }));
        again = true;
      }
      if (receipt) sessionStorage.setItem(this.key(`receipt:${waiting.vote}`), JSON.stringify({ receipt, unlock: reply.data.unlock ?? '' }));
      this.tell(receipt ? t('recordedReceipt', { receipt }) : t('recorded'), false);
    } finally {
      this.sending = false;
      this.changed();
    }
    if (again) await this.flush(state);
  }

  /** Drops the waiting ballot if it is still the one sent; false if a newer one took its place (it goes next). */
  private drop(clientId: string): boolean {
    if (this.pending()?.clientId !== clientId) return false;
    sessionStorage.removeItem(this.key('pending'));
    return true;
  }

  private key(what: string): string {
    return `ballot:${this.session}:${what}`;
  }
}
