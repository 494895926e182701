-- A sealed phone ballot's receipt, as an HMAC under the vote's own key (kept outside this file), so a receipt
-- check finds its ballot without opening every other (issue 16 review). Paper piles have none.
ALTER TABLE vote_sealed ADD COLUMN tag TEXT;
CREATE INDEX vote_sealed_tag ON vote_sealed(session_id, vote_id, tag);
