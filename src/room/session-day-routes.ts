import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../audit';
import { currentUser, requireRole } from '../auth/middleware';
import type { AppContext } from '../context';
import { findPanel } from '../panels/repo';
import { notFound } from '../web/errors';
import { formValues, parseForm, parseId } from '../web/validate';
import { findSessionDay, setSessionDay } from './session-days';

/** A wall-clock time in Coventry (`2027-03-06`, `10:00`) as an instant, through British Summer Time or not. */
export function londonTime(date: string, time: string): number {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const shown = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(guess);
  const [h, m] = shown.split(':').map(Number);
  const offset = ((h * 60 + m - (new Date(guess).getUTCHours() * 60 + new Date(guess).getUTCMinutes()) + 1440 * 1.5) % 1440) - 720;
  return guess - offset * 60_000;
}

const londonParts = (ms: number) => {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
};

const daySchema = z.object({
  date: z.string({ error: 'Give the day, like 2027-03-06.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the day as a date, like 2027-03-06.').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'That day is not a real date.'),
  time: z.string({ error: 'Give the time it starts, like 10:00.' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Give the time it starts on the 24-hour clock, like 10:00.'),
  place: z.string().trim().max(300, 'Keep the place to 300 characters or fewer.').optional().default(''),
  bring: z.string().trim().max(500, 'Keep "what to bring" to 500 characters or fewer.').optional().default(''),
});

/**
 * A session's day for its members (issue 22): when it starts, where, and what to bring. Saving it emails the
 * details to the confirmed members (again if the time changes); the day before, they are reminded (session-days.ts).
 */
export function sessionDayRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, clock } = ctx;
  router.use('/admin/sessions/:id/day', requireRole('organiser', 'facilitator'));
  const load = (raw: unknown) => {
    const session = findSessionDay(db, parseId(raw, 'That session'));
    if (!session) throw notFound('That session');
    return { session, panel: findPanel(db, session.panelId) };
  };
  const view = (found: ReturnType<typeof load>, values: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    title: `The day: ${found.session.title}`, session: found.session, panel: found.panel, values, ...extra,
  });

  router.get('/admin/sessions/:id/day', (req, res) => {
    const found = load(req.params.id);
    const { startsAt, place, bring } = found.session;
    const values = { ...(startsAt ? londonParts(startsAt) : {}), place, bring };
    const told = typeof req.query.told === 'string' && /^\d{1,6}$/.test(req.query.told) ? Number(req.query.told) : undefined;
    res.render('pages/admin/session-day', view(found, values, { saved: told !== undefined, told }));
  });

  router.post('/admin/sessions/:id/day', (req, res) => {
    const found = load(req.params.id);
    const form = parseForm(daySchema, req.body);
    if (!form.ok) return res.status(400).render('pages/admin/session-day', view(found, formValues(req.body), { errors: form.errors }));
    const startsAt = londonTime(form.data.date, form.data.time);
    if (startsAt <= clock.now()) return res.status(400).render('pages/admin/session-day', view(found, formValues(req.body), { errors: { date: 'That time has passed: give the day and time the session will start.' } }));
    const told = db.transaction(() => {
      const sent = setSessionDay(ctx, found.session.id, { startsAt, place: form.data.place, bring: form.data.bring });
      audit(db, clock, { panelId: found.session.panelId, userId: currentUser(res).id, action: 'session.day', subject: String(found.session.id), detail: { startsAt, membersTold: sent } });
      return sent;
    })();
    res.redirect(303, `/admin/sessions/${found.session.id}/day?told=${told}`);
  });
  return router;
}
