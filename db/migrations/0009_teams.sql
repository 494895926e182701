-- Each panel its own team (issue 17). An administrator creates panels and accounts and may act on every panel;
-- an organiser or a facilitator acts only on the panels whose team they are on.

ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));

CREATE TABLE panel_team (
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (panel_id, user_id)
) WITHOUT ROWID;
CREATE INDEX panel_team_user ON panel_team(user_id);

-- Today's accounts keep working on today's panels: before teams, every account could act on every panel, and
-- organisers created panels and accounts. So every account joins every existing panel's team, and organisers
-- become administrators. An administrator can narrow this afterwards on the Team pages.
UPDATE users SET admin = 1 WHERE role = 'organiser';
INSERT INTO panel_team (panel_id, user_id, added_at)
  SELECT p.id, u.id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM panels p CROSS JOIN users u;
