-- Stage one of the lottery (issue 21): an address register, letters to households drawn from it in waves, and a
-- code on each letter that ties a registration to its household.

-- The panel's address register, as imported: one row per household (property), by its unique reference (UPRN).
-- The addresses are personal data about places; they are never published. `register` numbers each import: a new
-- one is written beside the old in batches and takes its place in one step (mailouts.register), so a failed
-- import leaves the old one whole.
CREATE TABLE households (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  register INTEGER NOT NULL,
  uprn TEXT NOT NULL,
  line1 TEXT NOT NULL,
  line2 TEXT NOT NULL DEFAULT '',
  town TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL,
  ward TEXT NOT NULL,
  lsoa TEXT NOT NULL DEFAULT '',
  decile INTEGER CHECK (decile IS NULL OR decile BETWEEN 1 AND 10),
  UNIQUE (panel_id, register, uprn)
);
CREATE INDEX households_stratum ON households(panel_id, register, ward, decile);

-- A panel's mail-out: the register's fingerprint, and the settings of the plan and of registration with codes.
CREATE TABLE mailouts (
  panel_id INTEGER PRIMARY KEY REFERENCES panels(id) ON DELETE CASCADE,
  register INTEGER,
  register_sha256 TEXT,
  register_rows INTEGER NOT NULL DEFAULT 0,
  register_imported_at INTEGER,
  -- JSON: the plan's settings (letters, response rates, oversampling), as the organiser last saved them.
  plan TEXT NOT NULL DEFAULT '{}',
  -- JSON: what the letter says beyond the panel's details: who sends it, and how to get help in other languages.
  letter TEXT NOT NULL DEFAULT '{}',
  -- How many people of one invited household may register.
  household_limit INTEGER NOT NULL DEFAULT 2 CHECK (household_limit BETWEEN 1 AND 10),
  -- Whether a registration without a code is accepted (and marked open) or refused.
  open_registration INTEGER NOT NULL DEFAULT 1 CHECK (open_registration IN (0, 1))
);

-- A wave of letters: a fresh sample (committed, then drawn with public numbers) or a reminder to the households
-- of earlier waves that have not registered.
CREATE TABLE mailout_waves (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number >= 1),
  kind TEXT NOT NULL CHECK (kind IN ('fresh', 'reminder')),
  -- JSON: letters per stratum (ward and decile), fixed when committed.
  plan TEXT NOT NULL,
  commitment TEXT,
  commitment_hash TEXT,
  created_at INTEGER NOT NULL,
  numbers TEXT,
  seed TEXT,
  drawn_at INTEGER,
  letters INTEGER NOT NULL DEFAULT 0,
  UNIQUE (panel_id, number)
);

-- The households a wave writes to.
CREATE TABLE letters (
  wave_id INTEGER NOT NULL REFERENCES mailout_waves(id) ON DELETE CASCADE,
  household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (wave_id, household_id)
);
CREATE INDEX letters_household ON letters(household_id);

-- Each invited household's code, only as an HMAC under a key kept outside the database (src/keys.ts): a copy of
-- the files gives no code, and the letters are printed again from the key.
CREATE TABLE household_codes (
  household_id INTEGER PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE,
  lookup TEXT NOT NULL UNIQUE
);

-- A registration knows its household (null: registered without a code, "open"), its wave, how it came in, and
-- whether the address given differs from the invited one (for the organiser's review, not a refusal).
ALTER TABLE registrants ADD COLUMN household_id INTEGER REFERENCES households(id) ON DELETE SET NULL;
ALTER TABLE registrants ADD COLUMN wave INTEGER;
-- channel: how a registration through the form came in (online, or by phone or on paper, entered by staff); null
-- for an imported pool.
ALTER TABLE registrants ADD COLUMN channel TEXT CHECK (channel IS NULL OR channel IN ('online', 'phone', 'paper'));
UPDATE registrants SET channel = 'online' WHERE source = 'form';
ALTER TABLE registrants ADD COLUMN address_flag TEXT;
CREATE INDEX registrants_household ON registrants(household_id) WHERE household_id IS NOT NULL;
