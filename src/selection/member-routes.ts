import { type Request, type Response, Router } from 'express';
import { auditView } from '../audit';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import type { Membership } from '../membership/lifecycle';
import { isSeated, type Member } from '../membership/members';
import { loadPanel } from '../panels/load';
import type { Panel } from '../panels/repo';
import { unconfirmed } from '../web/confirm';
import { siteUrl } from '../web/site-url';
import { parseId } from '../web/validate';
import { renderSelection } from './hub';
import type { Selection } from './workflow';

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

  function showLinks(req: Request, res: Response, panel: Panel, issued: { member: Member; token: string }[]) {
    const links = issued.map(({ member, token }) => ({ ...member, link: `${siteUrl(ctx.config, req)}/invite/${token}` }));
    auditView(ctx, res, panel.id, 'invitation links', links.length);
    const emailed = links.filter((l) => l.email).length;
    res.render('pages/admin/invitations', { title: `Invitation links: ${panel.title}`, panel, links, emailed, notEmailed: links.length - emailed });
  }

  return router;
}
