import crypto from 'node:crypto';
import type { Db } from '../db';
import { sha256 } from '../tokens';
import type { Ballot } from '../voting/types';

/** Where a session's ballots are kept, apart from the room's state (rule 8). */
export interface BallotBox {
  hasVoted(vote: number, member: string): boolean;
  /** The ballot stored under this receipt, if any. */
  byReceipt(vote: number, receipt: string): { ballot: Ballot; source: 'phone' | 'paper' } | undefined;
  /**
   * Stores a phone ballot. A secret one is keyed by its receipt's hash and names nobody; an open one names
   * its member, so a member's later ballot replaces their earlier one. Marks the member as having voted.
   */
  cast(vote: number, member: string, receipt: string, ballot: Ballot, secret: boolean): void;
  addPaper(vote: number, ballots: Ballot[]): void;
  ballots(vote: number): Ballot[];
  /** A first paper count waiting for its second. */
  pendingPaper(vote: number): { by: string; content: string } | undefined;
  setPendingPaper(vote: number, pending: { by: string; content: string } | null): void;
}

/** The ballot box of one session, on SQLite. Statements are prepared once per database. */
export class SqliteBallotBox implements BallotBox {
  constructor(
    private readonly q: ReturnType<typeof statements>,
    private readonly session: number,
  ) {}

  hasVoted(vote: number, member: string): boolean {
    return this.q.hasVoted.get(this.session, vote, member) !== undefined;
  }

  byReceipt(vote: number, receipt: string) {
    const row = this.q.byKey.get(this.session, vote, sha256(receipt)) as { content: string; source: 'phone' | 'paper' } | undefined;
    return row && { ballot: JSON.parse(row.content) as Ballot, source: row.source };
  }

  cast(vote: number, member: string, receipt: string, ballot: Ballot, secret: boolean): void {
    const key = sha256(receipt);
    if (!secret) this.q.deleteMember.run(this.session, vote, member);
    this.q.upsertBallot.run(this.session, vote, key, secret ? null : member, 'phone', JSON.stringify(ballot));
    this.q.addVoter.run(this.session, vote, member);
  }

  addPaper(vote: number, ballots: Ballot[]): void {
    for (const ballot of ballots) this.q.upsertBallot.run(this.session, vote, crypto.randomBytes(16).toString('hex'), null, 'paper', JSON.stringify(ballot));
  }

  ballots(vote: number): Ballot[] {
    return (this.q.ballots.all(this.session, vote) as string[]).map((c) => JSON.parse(c) as Ballot);
  }

  pendingPaper(vote: number) {
    return this.q.pending.get(this.session, vote) as { by: string; content: string } | undefined;
  }

  setPendingPaper(vote: number, pending: { by: string; content: string } | null): void {
    this.q.clearPending.run(this.session, vote);
    if (pending) this.q.setPending.run(this.session, vote, pending.by, pending.content);
  }
}

export function statements(db: Db) {
  return {
    hasVoted: db.prepare('SELECT 1 FROM vote_voters WHERE session_id = ? AND vote_id = ? AND member = ?'),
    addVoter: db.prepare('INSERT OR IGNORE INTO vote_voters (session_id, vote_id, member) VALUES (?, ?, ?)'),
    byKey: db.prepare('SELECT content, source FROM vote_ballots WHERE session_id = ? AND vote_id = ? AND ballot_key = ?'),
    deleteMember: db.prepare('DELETE FROM vote_ballots WHERE session_id = ? AND vote_id = ? AND member = ?'),
    upsertBallot: db.prepare(
      `INSERT INTO vote_ballots (session_id, vote_id, ballot_key, member, source, content) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, vote_id, ballot_key) DO UPDATE SET content = excluded.content`,
    ),
    ballots: db.prepare('SELECT content FROM vote_ballots WHERE session_id = ? AND vote_id = ?').pluck(),
    pending: db.prepare('SELECT entered_by AS by, content FROM vote_paper_counts WHERE session_id = ? AND vote_id = ?'),
    clearPending: db.prepare('DELETE FROM vote_paper_counts WHERE session_id = ? AND vote_id = ?'),
    setPending: db.prepare('INSERT INTO vote_paper_counts (session_id, vote_id, entered_by, content) VALUES (?, ?, ?, ?)'),
  };
}
