-- Accounts, sessions, panels with their categories and quotas, the registration pool, and the audit log.
-- Times are integer milliseconds since the epoch (UTC).

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('organiser', 'facilitator')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE panels (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  question TEXT NOT NULL,
  panel_size INTEGER NOT NULL CHECK (panel_size > 0),
  closes_at INTEGER NOT NULL,
  quota_tolerance INTEGER NOT NULL DEFAULT 2 CHECK (quota_tolerance >= 0),
  created_at INTEGER NOT NULL
);

CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  question TEXT NOT NULL,
  position INTEGER NOT NULL,
  UNIQUE (panel_id, key)
);

-- A value's population share (percent) and its quota live with the value.
CREATE TABLE category_values (
  id INTEGER PRIMARY KEY,
  category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  value TEXT NOT NULL,
  label TEXT NOT NULL,
  share REAL CHECK (share IS NULL OR (share >= 0 AND share <= 100)),
  quota_min INTEGER CHECK (quota_min IS NULL OR quota_min >= 0),
  quota_max INTEGER CHECK (quota_max IS NULL OR quota_max >= 0),
  position INTEGER NOT NULL,
  UNIQUE (category_id, value),
  CHECK (quota_min IS NULL OR quota_max IS NULL OR quota_min <= quota_max)
);

-- Personal fields are NULL once a registrant is erased; public_id is the pseudonym used everywhere public.
CREATE TABLE registrants (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  public_id TEXT NOT NULL UNIQUE,
  name TEXT,
  email TEXT,
  phone TEXT,
  address TEXT,
  postcode TEXT,
  email_key TEXT,
  phone_key TEXT,
  source TEXT NOT NULL CHECK (source IN ('form', 'import')),
  consent_at INTEGER,
  created_at INTEGER NOT NULL,
  erased_at INTEGER
);
CREATE UNIQUE INDEX registrants_email ON registrants(panel_id, email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX registrants_phone ON registrants(panel_id, phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX registrants_panel ON registrants(panel_id);

CREATE TABLE registrant_values (
  registrant_id INTEGER NOT NULL REFERENCES registrants(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  value_id INTEGER NOT NULL REFERENCES category_values(id) ON DELETE CASCADE,
  PRIMARY KEY (registrant_id, category_id)
);
CREATE INDEX registrant_values_value ON registrant_values(value_id);

-- What was done, by whom, to what: never personal data.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  panel_id INTEGER REFERENCES panels(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  subject TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_panel ON audit_log(panel_id, at);
