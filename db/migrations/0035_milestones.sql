-- Issue 24: progress on each adopted recommendation that the public can follow. A milestone is a step the council
-- promises (a title and a date); its progress is a log of dated updates (status, an optional percentage, a short
-- text), each public as soon as it is posted and never changed afterwards: a correction is a later update.
CREATE TABLE milestones (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  session_id INTEGER NOT NULL,
  recommendation INTEGER NOT NULL,
  title TEXT NOT NULL,
  due TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX milestones_panel ON milestones(panel_id, session_id, recommendation);

CREATE TABLE milestone_updates (
  id INTEGER PRIMARY KEY,
  milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('planned', 'in-progress', 'done', 'dropped')),
  progress INTEGER CHECK (progress IS NULL OR (progress BETWEEN 0 AND 100)),
  text TEXT NOT NULL,
  posted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  posted_at INTEGER NOT NULL
);
CREATE INDEX milestone_updates_milestone ON milestone_updates(milestone_id, id);

CREATE TRIGGER milestone_updates_fixed BEFORE UPDATE ON milestone_updates
BEGIN
  SELECT RAISE(ABORT, 'A posted update is fixed: post a correction as a new update.');
END;

CREATE TRIGGER milestones_fixed BEFORE UPDATE ON milestones
BEGIN
  SELECT RAISE(ABORT, 'A milestone is fixed once public: post an update to it, or drop it and add another.');
END;
