import type { AppContext } from '../context';
import type { Db } from '../db';
import { queueSessionNotices, type SessionDay } from '../membership/messages';
import { findPanel } from '../panels/repo';

const DAY_MS = 24 * 3600_000;

/** A session's day (when, where, what to bring), or undefined for no such session; `startsAt` null until set. */
export function findSessionDay(db: Db, sessionId: number): (Omit<SessionDay, 'startsAt'> & { startsAt: number | null; panelId: number }) | undefined {
  return db
    .prepare('SELECT id, panel_id AS panelId, title, starts_at AS startsAt, place, bring FROM room_sessions WHERE id = ?')
    .get(sessionId) as (Omit<SessionDay, 'startsAt'> & { startsAt: number | null; panelId: number }) | undefined;
}

/**
 * Sets a session's day and tells its confirmed members, in the same transaction: the details now, for this start
 * time (a new time is told again). Returns how many were written to.
 */
export function setSessionDay(ctx: AppContext, sessionId: number, day: { startsAt: number; place: string; bring: string }): number {
  const { db } = ctx;
  db.prepare('UPDATE room_sessions SET starts_at = ?, place = ?, bring = ? WHERE id = ?').run(day.startsAt, day.place, day.bring, sessionId);
  const session = findSessionDay(db, sessionId);
  const panel = session && findPanel(db, session.panelId);
  if (!session || !panel) return 0;
  return queueSessionNotices(ctx, panel, { ...session, startsAt: day.startsAt }, 'details');
}

/**
 * The reminder the day before: each tick, every session starting within the next 24 hours reminds its members
 * who have not been reminded for that start time. The notice rows make it once per member, across restarts.
 */
export function remindTomorrow(ctx: AppContext): number {
  const { db, clock } = ctx;
  const now = clock.now();
  const soon = db.prepare('SELECT id FROM room_sessions WHERE starts_at > ? AND starts_at <= ?').pluck().all(now, now + DAY_MS) as number[];
  let sent = 0;
  for (const id of soon) {
    sent += db.transaction(() => {
      const session = findSessionDay(db, id);
      const panel = session && findPanel(db, session.panelId);
      return session?.startsAt && panel ? queueSessionNotices(ctx, panel, { ...session, startsAt: session.startsAt }, 'day-before') : 0;
    })();
  }
  return sent;
}
