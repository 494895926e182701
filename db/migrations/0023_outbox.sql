-- Messages to residents, members and the panel's team (issue 22): an outbox. A message is written in the same
-- transaction as the event that causes it, then sent by the background sender (src/messages/sender.ts), which
-- retries with backoff. Its personal link, if it has one, is not stored as text: `secret` holds it sealed under
-- the `outbox` key in the key folder, so a copy of the database gives no one a working link.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER REFERENCES panels(id) ON DELETE CASCADE,
  registrant_id INTEGER REFERENCES registrants(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  -- What it is for: registration-received, invitation, reminder, session-details and so on.
  kind TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
  to_address TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'en',
  subject TEXT NOT NULL,
  -- The bodies, with `[[link]]` where the sealed link goes at the moment of sending.
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  secret BLOB,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  -- When a sender took it, so a message left 'sending' by a process that died can be taken again.
  claimed_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  -- The same Message-ID on every attempt: a receiver can tell a retry after a crash from a new message.
  message_id TEXT NOT NULL UNIQUE
);
CREATE INDEX messages_due ON messages(state, next_attempt_at);
CREATE INDEX messages_panel ON messages(panel_id, created_at);
CREATE INDEX messages_registrant ON messages(registrant_id);

-- A registration's email address is confirmed by a link in the message that acknowledges it: until then it is
-- marked unconfirmed. Only the link's SHA-256 is kept. The registration's language, for every message after it.
ALTER TABLE registrants ADD COLUMN email_confirmed_at INTEGER;
ALTER TABLE registrants ADD COLUMN confirm_hash TEXT;
-- NULL once erased; English until languages arrive.
ALTER TABLE registrants ADD COLUMN language TEXT DEFAULT 'en';
CREATE UNIQUE INDEX registrants_confirm ON registrants(confirm_hash) WHERE confirm_hash IS NOT NULL;
