-- Votes in the live room. Rule 8: who has voted is stored apart from what was voted.

-- Who has voted in each vote. Keyed by member, so rows sit in member order, not the order of voting.
CREATE TABLE vote_voters (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  vote_id INTEGER NOT NULL,
  member TEXT NOT NULL,
  PRIMARY KEY (session_id, vote_id, member)
) WITHOUT ROWID;

-- What was voted. A ballot has no time. A secret one has no member either, and is keyed by the SHA-256 of
-- its receipt code (known only to the voter), so the table's order says nothing about who cast it or when.
-- An open ballot names its member. Paper ballots, entered by the tellers, have random keys.
CREATE TABLE vote_ballots (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  vote_id INTEGER NOT NULL,
  ballot_key TEXT NOT NULL,
  member TEXT,
  source TEXT NOT NULL CHECK (source IN ('phone', 'paper')),
  content TEXT NOT NULL,
  PRIMARY KEY (session_id, vote_id, ballot_key)
) WITHOUT ROWID;

-- Paper ballots are entered twice, by two people: the first count waits here for the second to match it.
CREATE TABLE vote_paper_counts (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  vote_id INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (session_id, vote_id)
) WITHOUT ROWID;
