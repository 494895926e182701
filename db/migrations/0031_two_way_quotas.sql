-- Issue 23: two-way quotas, on the intersection of two categories' values ("16-29" and "Woman"): at least
-- quota_min and at most quota_max of the panel hold both. value_a belongs to the earlier category (by position).
CREATE TABLE two_way_quotas (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  value_a INTEGER NOT NULL REFERENCES category_values(id) ON DELETE CASCADE,
  value_b INTEGER NOT NULL REFERENCES category_values(id) ON DELETE CASCADE,
  quota_min INTEGER NOT NULL CHECK (quota_min >= 0),
  quota_max INTEGER NOT NULL CHECK (quota_max >= quota_min),
  UNIQUE (panel_id, value_a, value_b)
);
