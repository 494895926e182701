import type { Db } from '../db';

/** The ballot box's statements, prepared once per database (rule 6). */
export function statements(db: Db) {
  return {
    votedBy: db.prepare('SELECT source FROM vote_voters WHERE session_id = ? AND vote_id = ? AND member = ?').pluck(),
    voters: db.prepare('SELECT COUNT(*) FROM vote_voters WHERE session_id = ? AND vote_id = ?').pluck(),
    addVoter: db.prepare('INSERT OR IGNORE INTO vote_voters (session_id, vote_id, member, source) VALUES (?, ?, ?, ?)'),
    memberBallot: db.prepare('SELECT content FROM vote_ballots WHERE session_id = ? AND vote_id = ? AND member = ?').pluck(),
    deleteMember: db.prepare('DELETE FROM vote_ballots WHERE session_id = ? AND vote_id = ? AND member = ?'),
    insertBallot: db.prepare('INSERT INTO vote_ballots (session_id, vote_id, ballot_key, member, source, content) VALUES (?, ?, ?, ?, ?, ?)'),
    ballots: db.prepare('SELECT content FROM vote_ballots WHERE session_id = ? AND vote_id = ?').pluck(),
    putSealed: db.prepare('INSERT INTO vote_sealed (session_id, vote_id, slot, sealed, tag) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, vote_id, slot) DO UPDATE SET sealed = excluded.sealed, tag = excluded.tag'),
    sealedByTag: db.prepare('SELECT slot, sealed FROM vote_sealed WHERE session_id = ? AND vote_id = ? AND tag = ?'),
    sealed: db.prepare('SELECT slot, sealed FROM vote_sealed WHERE session_id = ? AND vote_id = ?'),
    sealedSlot: db.prepare('SELECT sealed FROM vote_sealed WHERE session_id = ? AND vote_id = ? AND slot = ?').pluck(),
    dropSealed: db.prepare('DELETE FROM vote_sealed WHERE session_id = ? AND vote_id = ?'),
    insertSecret: db.prepare('INSERT INTO secret_ballots (session_id, vote_id, ballot_key, content, proof) VALUES (?, ?, ?, ?, ?)'),
    secret: db.prepare('SELECT content, proof FROM secret_ballots WHERE session_id = ? AND vote_id = ? AND ballot_key = ?'),
    pending: db.prepare('SELECT entered_by AS by, content FROM vote_paper_counts WHERE session_id = ? AND vote_id = ?'),
    clearPending: db.prepare('DELETE FROM vote_paper_counts WHERE session_id = ? AND vote_id = ?'),
    setPending: db.prepare('INSERT INTO vote_paper_counts (session_id, vote_id, entered_by, content) VALUES (?, ?, ?, ?)'),
  };
}
