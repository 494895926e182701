-- Secret ballots that nobody can link to their voters, not even with a copy of this file and its WAL
-- (issue 16, docs/voting.md).

-- How each member voted: on a phone or on paper (a member named by the tellers cannot also vote by phone).
ALTER TABLE vote_voters ADD COLUMN source TEXT NOT NULL DEFAULT 'phone' CHECK (source IN ('phone', 'paper'));

-- While a secret vote is open, its ballots are sealed under the vote's own key, which is kept outside this
-- file and destroyed at the close. A phone ballot's slot is an HMAC of its member under that key (so the
-- member's later ballot replaces it); a paper pile's slot is random. Every sealed value has the same length.
-- The rows are erased at the close (secure_delete, then a checkpoint that empties the WAL).
CREATE TABLE vote_sealed (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  vote_id INTEGER NOT NULL,
  slot TEXT NOT NULL,
  sealed BLOB NOT NULL,
  PRIMARY KEY (session_id, vote_id, slot)
) WITHOUT ROWID;

-- A closed secret vote's ballots, opened at the close and kept in the order of their random keys. Nothing
-- here says who cast a ballot, when, or whether on a phone or on paper: a phone ballot's key is an HMAC of
-- its receipt (under a key kept outside this file) and its proof a hash with a secret only the voter's device
-- holds; a paper ballot's key and proof are random and look the same.
CREATE TABLE secret_ballots (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  vote_id INTEGER NOT NULL,
  ballot_key TEXT NOT NULL,
  content TEXT NOT NULL,
  proof TEXT NOT NULL,
  PRIMARY KEY (session_id, vote_id, ballot_key)
) WITHOUT ROWID;
