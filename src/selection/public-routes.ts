import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Revocations } from '../revocations';
import { findPanel, findPanelBySlug, type Panel, registrationEnd } from '../panels/repo';
import { sha256 } from '../tokens';
import { HttpError, notFound } from '../web/errors';
import { parseForm } from '../web/validate';
import { MIN_GROUP } from '../disclosure';
import { type Draw, findCommitment, listAuditors, listDraws } from './repo';
import { chanceBands } from './charts';
import { commitmentText } from './commitment';
import { Membership } from '../membership/lifecycle';
import { findByToken, INVITATION_DAYS, invitationExpired } from '../membership/members';
import { publishedFields, ticketFor, ticketsOf } from './tickets';
import { HOUSEHOLD_COLUMN } from './snapshot';
import { sendCsv } from '../web/download';
import type { RoomRepo } from '../room/repo';

const answerSchema = z.object({ answer: z.enum(['confirm', 'decline'], { error: 'Choose yes or no.' }) });

/**
 * What the public sees of a selection (docs/verification.md): the commitment, the numbers, the seed, the quotas,
 * the tickets drawn, everyone's chance in bands of 5 or more, and the auditors' statements; no row-level pool.
 * And the invitation pages members answer from.
 */
export function publicSelectionRouter(ctx: AppContext, room: RoomRepo, revocations: Revocations): Router {
  const router = Router();
  const { db, clock } = ctx;
  const membership = new Membership(ctx, revocations);

  const loadPublished = (slug: string) => {
    const panel = findPanelBySlug(db, slug);
    const commitment = panel && findCommitment(db, panel.id);
    if (!panel || !commitment) throw notFound('A published selection for that panel');
    return { panel, commitment };
  };

  router.get('/panels/:slug/selection', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    const draws = listDraws(db, panel.id).filter((d) => d.kind !== 'trial' && d.status === 'done').reverse();
    const fields = publishedFields(commitment, panel.slug);
    const tickets = ticketsOf(commitment, panel.slug);
    res.render('pages/selection', {
      title: `How the panel was chosen: ${panel.title}`,
      panel,
      registrationClosed: registrationEnd(panel),
      sourceUrl: ctx.config.SOURCE_URL,
      commitment,
      commitmentText: commitmentText(fields),
      poolSha256: fields.poolSha256,
      quotasSha256: fields.quotasSha256,
      poolSize: commitment.poolCsv.trim().split('\n').length - 1,
      auditors: listAuditors(db, panel.id),
      draws: draws.map((d, i) => ({
        final: d.kind === 'final',
        number: i,
        seed: d.seed,
        command: command(d),
        selected: (d.outcome?.selected ?? []).map((id) => ticketFor(tickets, id)).sort(),
        chances: d.kind === 'final' ? chanceBands(d.outcome?.chances ?? [], MIN_GROUP) : undefined,
      })),
    });
  });

  router.get('/panels/:slug/selection/quotas.csv', (req, res) => {
    const { panel, commitment } = loadPublished(req.params.slug);
    sendCsv(res, `${panel.slug}-quotas.csv`, commitment.quotasCsv);
  });

  const findInvitation = (token: string) => {
    const member = findByToken(db, sha256(token));
    if (!member) {
      throw new HttpError(404, 'This invitation link is not valid. Check that you copied the whole link, or ask the organiser for a new one.', 'Invitation not found');
    }
    const panel = findPanel(db, member.panelId) as Panel;
    if (invitationExpired(member, clock.now())) {
      throw new HttpError(410, `This invitation link has expired (links work for ${INVITATION_DAYS} days). Ask the organiser of ${panel.title} for a new one.`, 'Invitation expired');
    }
    return { member, panel };
  };
  const loadInvitation = (token: string) => {
    const { member, panel } = findInvitation(token);
    if (member.status !== 'selected' && member.status !== 'invited') {
      const when = member.answeredAt ? ` on ${new Date(member.answeredAt).toISOString().slice(0, 10)}` : '';
      if (member.status === 'withdrawn') {
        throw new HttpError(410, `The organiser recorded${when} that you are no longer taking part in ${panel.title}. If that is wrong, contact them.`, 'Invitation closed');
      }
      throw new HttpError(410, `This invitation has been used: your answer (${member.status}${when}) is recorded. To change it, contact the organiser of ${panel.title}.`, 'Already answered');
    }
    return { member, panel };
  };

  router.get('/invite/:token', (req, res) => {
    const found = findInvitation(req.params.token);
    if (found.member.status === 'confirmed') {
      // A confirmed member's invitation link is their way into the panel's live sessions.
      const sessions = room.list().filter((s) => s.panelId === found.panel.id);
      return res.render('pages/invite-confirmed', { title: `Your place: ${found.panel.title}`, ...found, sessions, token: req.params.token });
    }
    const { member, panel } = loadInvitation(req.params.token);
    res.render('pages/invite', { title: `Your invitation: ${panel.title}`, panel, member, token: req.params.token });
  });

  router.post('/invite/:token', (req, res) => {
    const { member, panel } = loadInvitation(req.params.token);
    const form = parseForm(answerSchema, req.body);
    if (!form.ok) return res.status(400).render('pages/invite', { title: `Your invitation: ${panel.title}`, panel, member, token: req.params.token, errors: form.errors });
    membership.answer(panel.id, member, form.data.answer);
    res.render('pages/invite-answered', { title: 'Thank you', panel, confirmed: form.data.answer === 'confirm', token: req.params.token });
  });

  return router;
}

/** The command that re-runs a draw from its published files. */
function command(d: Draw): string {
  return `npx citizens-panel draw --pool pool.csv --quotas quotas.csv --panel-size ${d.panelSize} --algorithm ${d.algorithm} --address-columns ${HOUSEHOLD_COLUMN} --seed ${d.seed}`;
}
