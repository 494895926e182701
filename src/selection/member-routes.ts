import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { auditDownload, auditView } from '../audit';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import { letterCandidates, printLetters } from '../membership/letters';
import type { Membership } from '../membership/lifecycle';
import { INVITATION_DAYS, isSeated, type Member } from '../membership/members';
import { loadPanel } from '../panels/load';
import type { Panel } from '../panels/repo';
import { unconfirmed } from '../web/confirm';
import { siteUrl } from '../web/site-url';
import { type FieldErrors, formValues, parseForm, parseId } from '../web/validate';
import { renderSelection } from './hub';
import type { Selection } from './workflow';

const DAY = 86_400_000;

/** The day a letter asks for an answer by: after today, and before the link it carries runs out. */
const replyBySchema = (now: number) =>
  z.object({
    replyBy: z
      .string({ error: 'Choose the day to answer by.' })
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the day to answer by, such as 2027-03-31.')
      .transform((s) => ({ s, at: Date.parse(`${s}T00:00:00Z`) }))
      .refine(({ s, at }) => Number.isFinite(at) && new Date(at).toISOString().slice(0, 10) === s, 'That day does not exist: check the date.')
      .refine(({ at }) => at > now, 'The day to answer by must be after today.')
      .refine(({ at }) => at < now + INVITATION_DAYS * DAY, `The day to answer by must be within ${INVITATION_DAYS} days: the link stops working then.`)
      .transform(({ at }) => at),
  });

/**
 * After the final draw: invitation links, people who drop out, and replacement draws for their seats.
 * Mounted by selectionRouter, behind its organiser check.
 */
export function memberRouter(ctx: AppContext, selection: Selection, membership: Membership): Router {
  const router = Router();

  // Invitation links are shown once: only their hashes are kept.
  router.post('/admin/panels/:id/invitations', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    showLinks(req, res, panel, membership.inviteDrawn(panel.id, currentUser(res).id));
  });

  // A reminder by email to everyone invited who has not answered; the page then says how many, and how many to reach by hand.
  router.post('/admin/panels/:id/invitations/remind', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const { reminded, byHand } = membership.remind(panel.id, currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/selection?reminded=${reminded}&byHand=${byHand}#step-members`);
  });

  router.post('/admin/panels/:id/members/:memberId/invitation', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    showLinks(req, res, panel, [membership.inviteAgain(panel.id, parseId(req.params.memberId, 'That member'), currentUser(res).id)]);
  });

  router.post('/admin/panels/:id/members/:memberId/withdraw', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const member = membership.member(panel.id, parseId(req.params.memberId, 'That member'));
    // Their seat is given up for good: the box beside the button says so, and is checked here.
    const field = `confirm-withdraw-${member.id}`;
    const notYet = isSeated(member.status) ? unconfirmed(req.body, field) : undefined;
    if (notYet) return renderSelection(ctx, res.status(400), panel, { errors: notYet, withdrawError: { member: member.id, message: notYet[field] } });
    membership.withdraw(panel.id, member.id, currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/selection#step-members`);
  });

  router.post('/admin/panels/:id/replacements', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.redirect(303, `/admin/panels/${panel.id}/draws/${await selection.replace(panel, currentUser(res).id)}`);
  });

  // Letters by post for the people drawn without an email address (membership/letters.ts): the page, then the PDF.
  router.get('/admin/panels/:id/letters', (req, res) => {
    showLetters(req, res, loadPanel(ctx, req.params.id));
  });

  // A POST, not a GET: printing makes each member a new link, and their old one stops working.
  router.post('/admin/panels/:id/letters.pdf', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const memberId = req.query.member === undefined ? undefined : parseId(req.query.member, 'That member');
    const form = parseForm(replyBySchema(ctx.clock.now()), req.body);
    if (!form.ok) return showLetters(req, res.status(400), panel, form.errors);
    const { pdf, letters } = await printLetters(ctx, membership, panel, { memberId, replyBy: form.data.replyBy, site: siteUrl(ctx.config, req), userId: currentUser(res).id });
    auditDownload(ctx, res, panel.id, 'invitation letters.pdf', letters);
    res.type('application/pdf').attachment(`${panel.slug}-invitation-letters${memberId ? `-member-${memberId}` : ''}.pdf`).send(pdf);
  });

  function showLetters(req: Request, res: Response, panel: Panel, errors?: FieldErrors) {
    const candidates = letterCandidates(ctx, panel, siteUrl(ctx.config, req));
    auditView(ctx, res, panel.id, 'members', candidates.length);
    const printable = candidates.filter((c) => !c.problem);
    const fortnight = new Date(ctx.clock.now() + 14 * DAY).toISOString().slice(0, 10);
    res.render('pages/admin/letters', {
      title: `Letters by post: ${panel.title}`,
      panel,
      candidates: candidates.map((c) => ({ ...c.member, problem: c.problem })),
      printable: printable.length,
      relinked: printable.filter((c) => c.member.invitedAt !== null).length,
      phone: panel.details.contactPhone,
      errors,
      values: errors ? { replyBy: '', ...formValues(req.body) } : { replyBy: fortnight },
    });
  }

  function showLinks(req: Request, res: Response, panel: Panel, issued: { member: Member; token: string }[]) {
    const links = issued.map(({ member, token }) => ({ ...member, link: `${siteUrl(ctx.config, req)}/invite/${token}` }));
    auditView(ctx, res, panel.id, 'invitation links', links.length);
    const emailed = links.filter((l) => l.email).length;
    res.render('pages/admin/invitations', { title: `Invitation links: ${panel.title}`, panel, links, emailed, notEmailed: links.length - emailed });
  }

  return router;
}
