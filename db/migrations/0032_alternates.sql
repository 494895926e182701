-- Issue 23: alternates robust to dropout. A panel keeps the dropout table its organiser set (category,value,percent;
-- NULL: 10% for everyone). A commitment may fix, with the pool and the quotas, how many alternates the final draw
-- ranks and the dropout table they are chosen for; both are in its text, so the list can be re-made by anyone.
ALTER TABLE panels ADD COLUMN dropout_csv TEXT;
ALTER TABLE commitments ADD COLUMN alternates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commitments ADD COLUMN dropout_csv TEXT;
