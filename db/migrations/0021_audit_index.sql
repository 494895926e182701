-- The audit trail for auditors (issue 20): the installation's page reads the newest entries first, across panels,
-- and filters by the person who acted. audit_panel (panel_id, at) serves a panel's page; these serve the rest. The
-- second also serves ON DELETE SET NULL when an account is deleted, which otherwise scans the whole log.
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_user ON audit_log(user_id, at);
