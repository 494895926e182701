-- Issue 22: a person may stop reminders and news by email (the List-Unsubscribe link in those messages, or its
-- one-click POST from their mail program). What they need to take part (an invitation, a session's details, a
-- confirmation or password link) still goes. When they asked; NULL if they have not.
ALTER TABLE registrants ADD COLUMN messages_stopped_at INTEGER;
