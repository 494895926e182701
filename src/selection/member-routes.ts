import { type Request, type Response, Router } from 'express';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import type { Membership } from '../membership/lifecycle';
import type { Member } from '../membership/members';
import { loadPanel } from '../panels/load';
import type { Panel } from '../panels/repo';
import { parseId } from '../web/validate';
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

  router.post('/admin/panels/:id/members/:memberId/invitation', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    showLinks(req, res, panel, [membership.inviteAgain(panel.id, parseId(req.params.memberId, 'That member'), currentUser(res).id)]);
  });

  router.post('/admin/panels/:id/members/:memberId/withdraw', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    membership.withdraw(panel.id, parseId(req.params.memberId, 'That member'), currentUser(res).id);
    res.redirect(303, `/admin/panels/${panel.id}/selection#step-members`);
  });

  router.post('/admin/panels/:id/replacements', async (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    res.redirect(303, `/admin/panels/${panel.id}/draws/${await selection.replace(panel, currentUser(res).id)}`);
  });

  function showLinks(req: Request, res: Response, panel: Panel, issued: { member: Member; token: string }[]) {
    const links = issued.map(({ member, token }) => ({ ...member, link: `${req.protocol}://${req.get('host') ?? 'localhost'}/invite/${token}` }));
    res.render('pages/admin/invitations', { title: `Invitation links: ${panel.title}`, panel, links });
  }

  return router;
}
