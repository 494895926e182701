-- Named auditors (issue 17): the public record carries no row-level pool, so the organiser gives the
-- pseudonymised draw inputs (tickets, answers, household codes) to named auditors, records whom, and publishes
-- what each auditor states after re-running the draw.
CREATE TABLE auditors (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  organisation TEXT NOT NULL,
  given_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  given_at INTEGER NOT NULL,
  statement TEXT,
  stated_at INTEGER
);
CREATE INDEX auditors_panel ON auditors(panel_id);
