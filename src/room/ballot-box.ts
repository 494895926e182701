import crypto from 'node:crypto';
import type { Db } from '../db';
import { type KeyStore, keyStore } from '../keys';
import { sha256 } from '../tokens';
import type { Pile } from '../voting/count';
import { RunningPile } from '../voting/running';
import type { Ballot } from '../voting/types';
import { RoomError } from './errors';
import { hmac, newReceipt, seal, shuffled, unseal } from '../seal';
import { RECEIPT_KEY, voteKeyName } from './vote-keys';
import { statements } from './ballot-sql';

export type Source = 'phone' | 'paper';

/** Where a session's ballots are kept, apart from the room's state (rule 8, docs/voting.md). */
export interface BallotBox {
  /** How this member has voted in this vote, if they have. */
  votedBy(vote: number, member: string): Source | undefined;
  /** How many members have voted, on phones and on paper. */
  voters(vote: number): number;
  /** A member's phone ballot, replacing their earlier one: an open vote's under their name, a secret vote's sealed. */
  cast(vote: number, member: string, ballot: Ballot, secret: boolean): void;
  /** An accepted paper count: its members marked as having voted on paper, its ballots kept (sealed if secret). */
  addPaper(vote: number, members: string[], ballots: Ballot[], secret: boolean): void;
  /** An open vote's ballots as stored. */
  ballots(vote: number): Ballot[];
  /** An open vote's ballots as they stand, as a pile (kept as ballots arrive, not read again). */
  pile(vote: number): Pile;
  /** A secret vote is about to take ballots: its key is made now, so a key lost later is noticed, not remade. */
  prepare(vote: number): void;
  /** A secret vote's ballots at its close: opened, shuffled and stored with nothing that links them; once. */
  open(vote: number): Ballot[];
  /** A secret vote closed with too few ballots: its sealed ballots are destroyed unopened, and nothing is kept. */
  discard(vote: number): void;
  /** A first paper count waiting for its second (`content` is what the second must match). */
  pendingPaper(vote: number): { by: string; content: string } | undefined;
  /** Sets or clears it; a secret vote's is sealed, since a pile of one would show its voter's choice. */
  setPendingPaper(vote: number, pending: { by: string; content: string } | null, secret: boolean): void;
}

/** What a voter's device holds for a secret ballot: the receipt to show, and the secret that lets it see the ballot. */
export interface Receipt {
  receipt: string;
  unlock: string;
}

interface SealedPhone extends Receipt {
  ballot: Ballot;
}

const randomKey = () => crypto.randomBytes(32).toString('hex');
const proofOf = (unlock: string, content: string) => sha256(`${unlock}\n${content}`);

/**
 * The ballot box of one session, on SQLite, with the keys kept outside it. While a secret vote is open each
 * ballot is sealed under the vote's key; at the close the ballots are opened, shuffled, stored under keys that
 * name nobody, the sealed rows erased and the vote's key destroyed (`afterClose`).
 */
export class SqliteBallotBox implements BallotBox {
  constructor(
    private readonly q: ReturnType<typeof statements>,
    private readonly keys: KeyStore,
    private readonly session: number,
  ) {}

  /** Receipts issued by this box and not yet given (`receiptOf`): a command's, for its acknowledgement. */
  private readonly issued = new Map<string, Receipt>();
  /** Open votes' ballots as they stand, once read (`pile`): a vote shown live recounts its pile, not every ballot. */
  private readonly running = new Map<number, RunningPile>();

  votedBy(vote: number, member: string): Source | undefined {
    return this.q.votedBy.get(this.session, vote, member) as Source | undefined;
  }

  voters(vote: number): number {
    return this.q.voters.get(this.session, vote) as number;
  }

  cast(vote: number, member: string, ballot: Ballot, secret: boolean): void {
    if (secret) {
      const slot = this.phoneSlot(vote, member);
      // A changed ballot keeps its receipt (the voter has written it down) but gets a new unlock: whoever saw an
      // earlier ballot's unlock (a coercer at the voter's side) cannot see the change.
      const receipt = { receipt: this.sealedPhone(vote, slot)?.receipt ?? newReceipt(), unlock: randomKey() };
      this.q.putSealed.run(this.session, vote, slot, this.sealRow(vote, slot, { ...receipt, ballot }), this.sealedTag(vote, receipt.receipt));
      this.issued.set(`${vote}:${member}`, receipt);
    } else {
      // A vote shown live keeps its pile: the member's earlier ballot comes out of it as the new one goes in.
      const running = this.running.get(vote);
      const earlier = running && (this.q.memberBallot.get(this.session, vote, member) as string | undefined);
      this.q.deleteMember.run(this.session, vote, member);
      this.q.insertBallot.run(this.session, vote, randomKey(), member, 'phone', JSON.stringify(ballot));
      if (earlier) running.remove(JSON.parse(earlier) as Ballot);
      running?.add(ballot);
    }
    this.q.addVoter.run(this.session, vote, member, 'phone');
  }

  addPaper(vote: number, members: string[], ballots: Ballot[], secret: boolean): void {
    for (const member of members) this.q.addVoter.run(this.session, vote, member, 'paper');
    if (secret) {
      const slot = randomKey();
      this.q.putSealed.run(this.session, vote, slot, this.sealRow(vote, slot, { paper: ballots }), null);
      return;
    }
    for (const ballot of ballots) {
      this.q.insertBallot.run(this.session, vote, randomKey(), null, 'paper', JSON.stringify(ballot));
      this.running.get(vote)?.add(ballot);
    }
  }

  ballots(vote: number): Ballot[] {
    return (this.q.ballots.all(this.session, vote) as string[]).map((c) => JSON.parse(c) as Ballot);
  }

  pile(vote: number): Pile {
    let running = this.running.get(vote);
    if (!running) this.running.set(vote, (running = new RunningPile(this.ballots(vote))));
    return running.pile();
  }

  /**
   * Forgets the piles kept (`pile`), to be read again from the ballots stored, and receipts not given: after a
   * command that was rolled back, whose ballots they may hold.
   */
  forget(): void {
    this.running.clear();
    this.issued.clear();
  }

  prepare(vote: number): void {
    this.keys.key(voteKeyName(this.session, vote));
  }

  discard(vote: number): void {
    this.q.dropSealed.run(this.session, vote);
  }

  open(vote: number): Ballot[] {
    const rows = this.q.sealed.all(this.session, vote) as { slot: string; sealed: Buffer }[];
    const key = this.voteKey(vote);
    const opened: { content: string; ballotKey: string; proof: string }[] = [];
    for (const row of rows) {
      const value = unseal<SealedPhone | { paper: Ballot[] }>(key, this.where(vote, row.slot), row.sealed);
      if ('paper' in value) for (const b of value.paper) opened.push({ content: JSON.stringify(b), ballotKey: randomKey(), proof: randomKey() });
      else opened.push({ content: JSON.stringify(value.ballot), ballotKey: this.tag(vote, value.receipt), proof: proofOf(value.unlock, JSON.stringify(value.ballot)) });
    }
    // Shuffled, and the table orders rows by their random keys anyway: neither order follows the voting.
    for (const b of shuffled(opened)) this.q.insertSecret.run(this.session, vote, b.ballotKey, b.content, b.proof);
    this.q.dropSealed.run(this.session, vote);
    // Votes stored before ballots were sealed kept theirs in vote_ballots: they count too.
    return [...opened.map((b) => JSON.parse(b.content) as Ballot), ...this.ballots(vote)];
  }

  pendingPaper(vote: number) {
    const row = this.q.pending.get(this.session, vote) as { by: string; content: string } | undefined;
    if (!row?.content.startsWith('sealed:')) return row;
    return { by: row.by, content: unseal<string>(this.voteKey(vote), this.where(vote, 'pending'), Buffer.from(row.content.slice(7), 'base64')) };
  }

  setPendingPaper(vote: number, pending: { by: string; content: string } | null, secret: boolean): void {
    this.q.clearPending.run(this.session, vote);
    if (!pending) return;
    const content = secret ? `sealed:${seal(this.voteKey(vote), this.where(vote, 'pending'), pending.content).toString('base64')}` : pending.content;
    this.q.setPending.run(this.session, vote, pending.by, content);
  }

  /**
   * What the acknowledgement of this member's cast carries: the receipt and unlock this box just issued, once;
   * for a resent command (its first acknowledgement lost), the receipt alone, from the sealed ballot: the unlock
   * is never given twice, so a client id read from a copy of the database cannot fetch it.
   */
  receiptOf(vote: number, member: string): Partial<Receipt> {
    const issued = this.issued.get(`${vote}:${member}`);
    this.issued.delete(`${vote}:${member}`);
    if (issued) return issued;
    if (!this.keys.has(voteKeyName(this.session, vote))) return {};
    const found = this.sealedPhone(vote, this.phoneSlot(vote, member));
    return found ? { receipt: found.receipt } : {};
  }

  /**
   * Whether the ballot behind a receipt is in the box (while the vote is open) or was counted (after its close);
   * the ballot itself only with the `unlock` secret of the device that cast it.
   */
  check(vote: number, status: 'open' | 'closed', receipt: string, unlock?: string): { counted: boolean; ballot?: Ballot } {
    if (status === 'open') {
      const row = this.q.sealedByTag.get(this.session, vote, this.sealedTag(vote, receipt)) as { slot: string; sealed: Buffer } | undefined;
      if (!row) return { counted: false };
      const value = unseal<SealedPhone>(this.voteKey(vote), this.where(vote, row.slot), row.sealed);
      return { counted: true, ...(unlock === value.unlock ? { ballot: value.ballot } : {}) };
    }
    const row = this.q.secret.get(this.session, vote, this.tag(vote, receipt)) as { content: string; proof: string } | undefined;
    if (!row) return { counted: false };
    return { counted: true, ...(unlock && proofOf(unlock, row.content) === row.proof ? { ballot: JSON.parse(row.content) as Ballot } : {}) };
  }

  /**
   * After the close is stored: the WAL is checkpointed into the file and emptied first (so the close is on disk
   * even after a power cut, and no earlier page of it survives), then the vote's key is destroyed.
   */
  afterClose(db: Db, vote: number): void {
    if (!db.memory) db.pragma('wal_checkpoint(TRUNCATE)');
    this.keys.drop(voteKeyName(this.session, vote));
  }

  /** The vote's key, made at its opening (`prepare`); missing later means it was lost, and nothing sealed can be trusted to it. */
  private voteKey(vote: number): Buffer {
    const name = voteKeyName(this.session, vote);
    if (!this.keys.has(name)) {
      throw new RoomError('unavailable', `The key of vote ${vote} is missing from the key folder, so its sealed ballots cannot be read or added to. Put the key folder back as it was when the vote opened (docs/voting.md), then try again.`);
    }
    return this.keys.key(name);
  }

  private phoneSlot(vote: number, member: string): string {
    return hmac(this.voteKey(vote), `phone:${member}`);
  }

  /** Where a receipt's sealed ballot is, found without opening the others: an HMAC under the vote's key. */
  private sealedTag(vote: number, receipt: string): string {
    return hmac(this.voteKey(vote), `receipt:${receipt}`);
  }

  private where(vote: number, slot: string): string {
    return `${this.session}:${vote}:${slot}`;
  }

  private tag(vote: number, receipt: string): string {
    return hmac(this.keys.key(RECEIPT_KEY), `${this.session}:${vote}:${receipt}`);
  }

  private sealRow(vote: number, slot: string, value: SealedPhone | { paper: Ballot[] }): Buffer {
    return seal(this.voteKey(vote), this.where(vote, slot), value);
  }

  private sealedPhone(vote: number, slot: string): SealedPhone | undefined {
    const row = this.q.sealedSlot.get(this.session, vote, slot) as Buffer | undefined;
    return row && unseal<SealedPhone>(this.voteKey(vote), this.where(vote, slot), row);
  }
}

/** A session's ballot box on this database, with the keys kept beside it (or in KEYS_DIR): for the demo and scripts. */
export function ballotBoxOf(db: Db, sessionId: number, keysDir?: string): SqliteBallotBox {
  return new SqliteBallotBox(statements(db), keyStore(db, keysDir), sessionId);
}
