import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { Membership } from '../membership/lifecycle';
import { findByToken, INVITATION_DAYS, invitationExpired, type Member, ROOM_NAME_MAX } from '../membership/members';
import { findPanel, type Panel } from '../panels/repo';
import type { Revocations } from '../revocations';
import type { RoomRepo } from '../room/repo';
import { sha256 } from '../tokens';
import { HttpError } from '../web/errors';
import { formValues, parseForm } from '../web/validate';
import { followLanguage, pageLanguage, residentErrors, translate } from '../web/language';
import { setRegistrantLanguage } from '../registration/repo';
import { localiseForPage } from '../panels/localise';

/** What the room calls a member: their choice, short, and not a label the room uses for someone else. */
const roomName = z
  .string({ error: 'Say what the room should call you.' })
  .trim()
  .min(1, 'Say what the room should call you: a first name or a nickname.')
  .max(ROOM_NAME_MAX, `Keep it to ${ROOM_NAME_MAX} characters or fewer.`)
  .refine((n) => !/[\p{Cc}<>]/u.test(n), 'Use letters, spaces and ordinary punctuation only.')
  .refine((n) => !/^(member|you)\b/i.test(n), 'The room already uses that word for someone else: choose your name or a nickname.');

const answerSchema = z.discriminatedUnion('answer', [
  z.object({ answer: z.literal('confirm'), roomName }),
  z.object({ answer: z.literal('decline'), sure: z.literal('yes').optional() }),
], { error: 'Choose yes or no.' });

const renameSchema = z.object({ roomName });

/** The organiser's contact, as the invitation shows it: what the panel's details give, or nothing. */
export function contactOf(panel: Panel): { name: string; email: string; phone: string } | undefined {
  const d = panel.details;
  return d.contactName || d.contactEmail || d.contactPhone ? { name: d.contactName, email: d.contactEmail, phone: d.contactPhone } : undefined;
}

/** The days' details the invitation shows, if the organiser gave any. */
function eventDetails(panel: Panel): Panel['details'] | undefined {
  const d = panel.details;
  return d.dates || d.venue || d.expenses || d.access ? d : undefined;
}

/** How to reach the organiser, in words, for the end of a message. */
function contactWords(panel: Panel): string {
  const c = contactOf(panel);
  const ways = c ? [c.name, c.email, c.phone].filter(Boolean).join(', ') : '';
  return ways ? `contact ${ways}` : `contact the organiser of ${panel.title}`;
}

/**
 * The pages a member answers their invitation from, and, once confirmed, their way into the panel's live
 * sessions. A yes says what the room should call them; a no is asked twice, because it cannot be undone.
 */
export function invitationRouter(ctx: AppContext, room: RoomRepo, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  const membership = new Membership(ctx, revocations);

  const findInvitation = (token: string) => {
    const member = findByToken(db, sha256(token));
    if (!member) {
      throw new HttpError(404, 'This invitation link is not valid. Check that you copied the whole link, or ask the organiser for a new one.', 'Invitation not found');
    }
    const panel = findPanel(db, member.panelId) as Panel;
    if (invitationExpired(member, clock.now())) {
      throw new HttpError(410, `This invitation link has expired (links work for ${INVITATION_DAYS} days). To get a new one, ${contactWords(panel)}.`, 'Invitation expired');
    }
    return { member, panel };
  };
  const loadInvitation = (token: string) => {
    const { member, panel } = findInvitation(token);
    if (member.status !== 'selected' && member.status !== 'invited') {
      const when = member.answeredAt ? ` on ${new Date(member.answeredAt).toISOString().slice(0, 10)}` : '';
      if (member.status === 'withdrawn') {
        throw new HttpError(410, `The organiser recorded${when} that you are no longer taking part in ${panel.title}. If that is wrong, ${contactWords(panel)}.`, 'Invitation closed');
      }
      throw new HttpError(410, `This invitation has been used: your answer (${member.status}${when}) is recorded. To change it, ${contactWords(panel)}.`, 'Already answered');
    }
    return { member, panel };
  };

  const show = (res: Response, page: string, found: { member: Member; panel: Panel }, token: string, extra: Record<string, unknown> = {}, status = 200) => {
    const panel = localiseForPage(db, res, found.panel).panel;
    res.status(status).render(`pages/${page}`, {
      title: translate(res)('invite.title', { panel: panel.title }),
      panel,
      details: eventDetails(panel),
      contact: contactOf(panel),
      token,
      ...extra,
      ...(extra.errors ? { errors: residentErrors(res, 'invite', extra.errors as Record<string, string>) } : {}),
    });
  };

  // The member's pages speak their language; choosing another here is remembered for their messages too.
  router.use('/invite/:token', (req, res, next) => {
    const member = findByToken(db, sha256(req.params.token));
    if (member) {
      followLanguage(req, res, member.language);
      const chosen = pageLanguage(res).code;
      if (res.locals.languageChosen && chosen !== member.language && chosen !== 'qps') setRegistrantLanguage(db, member.registrantId, chosen);
    }
    next();
  });

  const confirmedPage = (req: Request, res: Response, found: { member: Member; panel: Panel }, extra: Record<string, unknown> = {}, status = 200) => {
    // A confirmed member's invitation link is their way into the panel's live sessions.
    const sessions = room.list().filter((s) => s.panelId === found.panel.id);
    show(res, 'invite-confirmed', found, String(req.params.token), { title: translate(res)('invite.memberTitle', { panel: found.panel.title }), sessions, roomName: found.member.roomName, ...extra }, status);
  };

  router.get('/invite/:token', (req, res) => {
    const found = findInvitation(req.params.token);
    if (found.member.status === 'confirmed') return confirmedPage(req, res, found);
    show(res, 'invite', loadInvitation(req.params.token), req.params.token);
  });

  router.post('/invite/:token', (req, res) => {
    const found = loadInvitation(req.params.token);
    const form = parseForm(answerSchema, req.body);
    if (!form.ok) return show(res, 'invite', found, req.params.token, { errors: form.errors, values: formValues(req.body) }, 400);
    const { panel, member } = found;
    if (form.data.answer === 'decline' && !form.data.sure) return show(res, 'invite-decline', found, req.params.token, { title: translate(res)('invite.declineTitle') });
    membership.answer(panel.id, member, form.data.answer, form.data.answer === 'confirm' ? form.data.roomName : undefined);
    show(res, 'invite-answered', found, req.params.token, { title: translate(res)('invite.thankYou'), confirmed: form.data.answer === 'confirm' });
  });

  router.post('/invite/:token/name', (req, res) => {
    const found = findInvitation(req.params.token);
    if (found.member.status !== 'confirmed') throw new HttpError(409, 'Only a confirmed member can change what the room calls them. Answer your invitation first.', 'Not confirmed yet');
    const form = parseForm(renameSchema, req.body);
    if (!form.ok) return confirmedPage(req, res, found, { errors: form.errors }, 400);
    membership.rename(found.panel.id, found.member, form.data.roomName);
    confirmedPage(req, res, { ...found, member: { ...found.member, roomName: form.data.roomName } }, { renamed: true });
  });

  return router;
}
