-- What the invitation says about the panel (issue 19): when the sessions are, where, what is paid and covered,
-- how it is made accessible, and whom to ask. Free text, as the organiser types it; empty until they do.
-- The contact is the organiser's own (a work address and number, for the people invited), not a registrant's.
ALTER TABLE panels ADD COLUMN details_dates TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN details_venue TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN details_expenses TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN details_access TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE panels ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
