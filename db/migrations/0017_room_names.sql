-- What the room calls a member (issue 19): a first name or a nickname the member gives when they confirm their
-- place. Only the panel's live room shows it, to its facilitators and members; public pages, exports, the record
-- and observer screens never do. Erasing the member's registration clears it.
ALTER TABLE members ADD COLUMN room_name TEXT;
