-- Registration closed by hand (issue 17): the commitment fixes the pool, so it needs registration closed first,
-- and the public page shows when it closed. Registration also ends at closes_at, the advertised closing date.
ALTER TABLE panels ADD COLUMN closed_at INTEGER;
