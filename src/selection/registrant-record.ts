import { readCsv } from '../csv';
import type { Db } from '../db';
import { INVITATION_DAYS, invitationHash, listMembers } from '../membership/members';
import type { Category } from '../panels/repo';
import { type Activity, type Answer, answersInWords, type SelectionPart } from '../registration/subject-access';
import { findCommitment, listDraws } from './repo';

const DAY = 86_400_000;

/**
 * What the selection holds about one registrant, for their subject access export (registration/subject-access.ts):
 * their row of the committed pool (the answers the draw uses, whatever was corrected since), the draws that
 * selected them, where they stand on the panel, and their invitation links' dates (from the audit entries that
 * made them: only each link's fingerprint is kept).
 */
export function selectionPart(db: Db, panelId: number, who: { id: number; publicId: string }, categories: Category[], activity: Activity[]): SelectionPart {
  const commitment = findCommitment(db, panelId);
  const committedAnswers = commitment ? committedRow(commitment.poolCsv, who.publicId, categories) : null;
  const member = listMembers(db, panelId).find((m) => m.registrantId === who.id);
  const expires = (at: number) => at + INVITATION_DAYS * DAY;
  return {
    committedAt: commitment?.committedAt ?? null,
    inCommittedPool: committedAnswers !== null,
    committedAnswers,
    draws: listDraws(db, panelId)
      .filter((d) => d.outcome?.selected.includes(who.publicId))
      .map((d) => ({ id: d.id, kind: d.kind, finishedAt: d.finishedAt }))
      .reverse(),
    membership: member
      ? {
          status: member.status,
          drawId: member.drawId,
          invitedAt: member.invitedAt,
          invitationExpiresAt: member.invitedAt === null ? null : expires(member.invitedAt),
          answeredAt: member.answeredAt,
          replacedByDraw: member.replacedByDraw,
          roomName: member.roomName,
          linkFingerprintHeld: invitationHash(db, member.id) !== undefined,
        }
      : null,
    invitations: activity
      .filter((a) => a.action === 'invitations.create')
      .map((a) => ({ madeAt: a.at, expiresAt: expires(a.at), current: member?.invitedAt === a.at })),
  };
}

/** Their row of a pool file (pseudonym, one column per category key, household), in words; null if not in it. */
function committedRow(poolCsv: string, publicId: string, categories: Category[]): Answer[] | null {
  const lines = poolCsv.split('\n');
  const row = lines.find((l) => l.startsWith(`${publicId},`));
  if (!row) return null;
  const cells = readCsv(`${lines[0]}\n${row}\n`).rows[0]?.cells ?? {};
  return answersInWords(categories, (c) => cells[c.key]);
}
