-- Accounts a council's IT would accept (issue 17): each person sees and ends their own signed-in sessions (so a
-- session remembers the browser it was made in), and an administrator can reset a password, which must then be
-- changed at the next sign-in.
ALTER TABLE sessions ADD COLUMN agent TEXT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
