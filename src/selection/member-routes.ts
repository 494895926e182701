import { type Response, Router } from 'express';
import { audit } from '../audit';
import { currentUser } from '../auth/middleware';
import type { AppContext } from '../context';
import type { Revocations } from '../room/revocations';
import type { Panel } from '../panels/repo';
import { loadPanel } from '../panels/routes';
import { newToken, sha256 } from '../tokens';
import { HttpError, notFound } from '../web/errors';
import { parseId } from '../web/validate';
import { replacementSeed } from './commitment';
import { replacementInput, SEATED, vacancies } from './replacement';
import { addMembers, findCommitment, invitationHash, listDraws, listMembers, markReplaced, type Member, setInvitation, setStatus } from './repo';
import type { DrawRunner } from './runner';

/**
 * After the final draw: invitation links, people who drop out, and replacement draws for their seats.
 * Mounted by selectionRouter, behind its organiser check.
 */
export function memberRouter(ctx: AppContext, runner: DrawRunner, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;

  // Invitation links are shown once: only their hashes are kept.
  router.post('/admin/panels/:id/invitations', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const invite = listMembers(db, panel.id).filter((m) => m.status === 'selected');
    if (invite.length === 0) throw new HttpError(409, 'Everyone drawn has an invitation link already. To replace a lost link, use "New link" beside the person.', 'Links already made');
    showLinks(res, panel, issueLinks(panel, invite, currentUser(res).id, req.protocol, req.get('host')));
  });

  router.post('/admin/panels/:id/members/:memberId/invitation', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const member = loadMember(panel, req.params.memberId);
    if (!SEATED.has(member.status)) throw new HttpError(409, `${member.publicId} has ${member.status}; there is nothing to invite them to.`);
    showLinks(res, panel, issueLinks(panel, [member], currentUser(res).id, req.protocol, req.get('host')));
  });

  router.post('/admin/panels/:id/members/:memberId/withdraw', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const member = loadMember(panel, req.params.memberId);
    if (!SEATED.has(member.status)) throw new HttpError(409, `${member.publicId} has already ${member.status}; their seat is counted as empty.`, 'Already recorded');
    db.transaction(() => {
      setStatus(db, member.id, 'withdrawn', clock.now());
      audit(db, clock, { userId: currentUser(res).id, panelId: panel.id, action: 'member.withdraw', subject: member.publicId });
    })();
    revocations.member(panel.id, member.publicId);
    res.redirect(303, `/admin/panels/${panel.id}/selection#step-members`);
  });

  router.post('/admin/panels/:id/replacements', (req, res) => {
    const panel = loadPanel(ctx, req.params.id);
    const commitment = findCommitment(db, panel.id);
    const members = listMembers(db, panel.id);
    const empty = vacancies(members);
    if (!commitment?.seed) throw new HttpError(409, 'There is no final draw yet, so there is nobody to replace. Enter the public numbers first.', 'Not yet');
    if (empty.length === 0) throw new HttpError(409, 'No seat is empty: replacements are drawn for people who declined or withdrew.', 'Nothing to replace');
    const replacements = listDraws(db, panel.id).filter((d) => d.kind === 'replacement');
    if (replacements.some((d) => d.status === 'running')) throw new HttpError(409, 'A replacement draw is already running. Wait for it to finish.', 'A draw is running');
    // Numbered by finished replacements, so a replacement that failed runs again with the same seed.
    const n = replacements.filter((d) => d.status === 'done').length + 1;
    const input = replacementInput(commitment.poolCsv, commitment.quotasCsv, members);
    const id = runner.start(
      { panelId: panel.id, kind: 'replacement', algorithm: commitment.algorithm, seed: replacementSeed(commitment.seed, n), panelSize: input.seats, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv },
      currentUser(res).id,
      (outcome, drawId) => {
        addMembers(db, panel.id, drawId, outcome.selected);
        markReplaced(db, empty.map((m) => m.id), drawId);
      },
    );
    res.redirect(303, `/admin/panels/${panel.id}/draws/${id}`);
  });

  function loadMember(panel: Panel, raw: unknown): Member {
    const id = parseId(raw, 'That member');
    const member = listMembers(db, panel.id).find((m) => m.id === id);
    if (!member) throw notFound('That member');
    return member;
  }

  function issueLinks(panel: Panel, members: Member[], userId: number, protocol: string, host: string | undefined) {
    const links = members.map((m) => ({ member: m, token: newToken() }));
    // A replaced link stops working, and whoever has the room open with it is let go at once.
    const replaced = db.transaction(() => {
      const old = links.flatMap(({ member }) => invitationHash(db, member.id) ?? []);
      for (const { member, token } of links) setInvitation(db, member.id, sha256(token), clock.now());
      audit(db, clock, { userId, panelId: panel.id, action: 'invitations.create', detail: { count: links.length, members: links.map((l) => l.member.publicId) } });
      return old;
    })();
    for (const hash of replaced) revocations.invitation(hash);
    return links.map(({ member, token }) => ({ ...member, link: `${protocol}://${host ?? 'localhost'}/invite/${token}` }));
  }

  function showLinks(res: Response, panel: Panel, links: unknown[]) {
    res.render('pages/admin/invitations', { title: `Invitation links: ${panel.title}`, panel, links });
  }

  return router;
}
