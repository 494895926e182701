-- Issue 22: a panel may draw only from people whose email address is confirmed (by the link in the message
-- "registration received"); people who gave no email address (by phone, on paper) stay in. Set before the
-- commitment, which then fixes the pool as it was.
ALTER TABLE panels ADD COLUMN confirmed_only INTEGER NOT NULL DEFAULT 0 CHECK (confirmed_only IN (0, 1));
