import type { Response } from 'express';
import { auditView } from '../audit';
import type { AppContext } from '../context';
import { drawableSize, emailCounts, type Panel, registrationClosed } from '../panels/repo';
import { ALGORITHMS } from '../sortition/types';
import { percent } from '../sortition/report';
import { findCommitment, findDraw, listAuditors, listDraws } from './repo';
import { wantsLetter } from '../membership/letters';
import { listMembers, vacancies } from '../membership/members';

/** The data of the organiser's Selection page; `extra` carries a form's errors and values back. */
export function selectionPage(ctx: AppContext, panel: Panel, extra: Record<string, unknown> = {}) {
  const { db } = ctx;
  const draws = listDraws(db, panel.id);
  const commitment = findCommitment(db, panel.id);
  const members = listMembers(db, panel.id);
  const confirmed = members.filter((m) => m.status === 'confirmed').length;
  return {
    title: `Selection: ${panel.title}`,
    panel,
    registrationOpen: !registrationClosed(panel, ctx.clock.now()),
    emails: emailCounts(db, panel.id),
    inDraw: drawableSize(db, panel.id),
    algorithms: ALGORITHMS,
    trials: draws.filter((d) => d.kind === 'trial').map(summary),
    replacements: draws.filter((d) => d.kind === 'replacement').map(summary),
    commitment,
    finalDraw: commitment?.drawId ? summary(findDraw(db, panel.id, commitment.drawId)) : undefined,
    members,
    uninvited: members.filter((m) => m.status === 'selected').length,
    unanswered: members.filter((m) => m.status === 'invited').length,
    byPost: members.filter(wantsLetter).length,
    confirmed,
    vacancies: vacancies(members).length,
    replacing: draws.some((d) => d.kind === 'replacement' && d.status === 'running'),
    complete: confirmed === panel.panelSize,
    auditors: listAuditors(db, panel.id),
    auditedDraws: draws.filter((d) => d.kind !== 'trial' && d.status === 'done'),
    ...extra,
  };
}

function summary<T extends { outcome: { minProbability: number } | null } | undefined>(draw: T) {
  return draw && { ...draw, lowest: draw.outcome ? percent(draw.outcome.minProbability) : undefined };
}

/**
 * Renders the Selection page (with `res`'s status: a form's errors come back on it), and records that its reader
 * saw the members' names and contacts it lists.
 */
export function renderSelection(ctx: AppContext, res: Response, panel: Panel, extra: Record<string, unknown> = {}): void {
  const page = selectionPage(ctx, panel, extra);
  auditView(ctx, res, panel.id, 'members', page.members.length);
  res.render('pages/admin/selection', page);
}
