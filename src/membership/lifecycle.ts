import { audit } from '../audit';
import type { AppContext } from '../context';
import { DomainError } from '../errors';
import type { Revocations } from '../revocations';
import { newToken, sha256 } from '../tokens';
import { findPanel } from '../panels/repo';
import { queueInvitation, queueReminders } from './messages';
import { invitationHash, isSeated, listMembers, type Member, setInvitation, setRoomName, setStatus } from './members';

/**
 * What happens to a member between the draw and the end of the panel: invitations, answers, withdrawals. Each
 * step checks where the member stands, stores the change with its audit line in one transaction, and lets go of
 * whoever is in a live room by a link that no longer holds (revocations.ts). Routes, the demo and scripts call
 * these; none of them changes a member's status itself.
 */
export class Membership {
  constructor(
    private readonly ctx: AppContext,
    private readonly revocations?: Revocations,
  ) {}

  /** The panel's member with this id, or a refusal naming it. */
  member(panelId: number, memberId: number): Member {
    const member = listMembers(this.ctx.db, panelId).find((m) => m.id === memberId);
    if (!member) throw new DomainError('not_found', 'That member was not found on this panel. Go back to the Selection page and pick them from its list.');
    return member;
  }

  /** Invitation links for everyone drawn who has none yet; each token is returned once (only its hash is kept). */
  inviteDrawn(panelId: number, userId: number | null): { member: Member; token: string }[] {
    const invite = listMembers(this.ctx.db, panelId).filter((m) => m.status === 'selected');
    if (invite.length === 0) throw new DomainError('conflict', 'Everyone drawn has an invitation link already. To replace a lost link, use "New link" beside the person.', 'Links already made');
    return this.issue(panelId, invite, userId);
  }

  /** Emails a reminder to everyone invited who has not answered, with their own link (messages.ts). */
  remind(panelId: number, userId: number | null): { reminded: number; byHand: number } {
    const { db, clock } = this.ctx;
    const panel = findPanel(db, panelId);
    if (!panel) throw new DomainError('not_found', 'That panel was not found.');
    return db.transaction(() => {
      const counts = queueReminders(this.ctx, panel, listMembers(db, panelId));
      audit(db, clock, { userId, panelId, action: 'invitations.remind', detail: counts });
      return counts;
    })();
  }

  /** A new link for one member holding a seat; their old link stops working, and its open room with it. */
  inviteAgain(panelId: number, memberId: number, userId: number | null): { member: Member; token: string } {
    const member = this.member(panelId, memberId);
    if (!isSeated(member.status)) throw new DomainError('conflict', `${member.publicId} has ${member.status}; there is nothing to invite them to.`);
    return this.issue(panelId, [member], userId)[0];
  }

  /**
   * The member's own answer to their invitation (the link's page checks it is still open to answer); with a
   * yes, what the room should call them.
   */
  answer(panelId: number, member: Member, answer: 'confirm' | 'decline', roomName?: string): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      setStatus(db, member.id, answer === 'confirm' ? 'confirmed' : 'declined', clock.now());
      if (answer === 'confirm' && roomName) setRoomName(db, member.id, roomName);
      audit(db, clock, { panelId, action: `member.${answer}`, subject: member.publicId });
    })();
    if (answer === 'decline') this.revocations?.member(panelId, member.publicId);
  }

  /** A confirmed member changes what the room calls them; a live room reads names again every few seconds (room/live.ts). */
  rename(panelId: number, member: Member, roomName: string): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      setRoomName(db, member.id, roomName);
      audit(db, clock, { panelId, action: 'member.rename', subject: member.publicId });
    })();
  }

  /** A member holding a seat leaves the panel, as the organiser records; their seat is empty, to be filled by a replacement draw. */
  withdraw(panelId: number, memberId: number, userId: number | null): Member {
    const member = this.member(panelId, memberId);
    if (!isSeated(member.status)) throw new DomainError('conflict', `${member.publicId} has already ${member.status}; their seat is counted as empty.`, 'Already recorded');
    this.ctx.db.transaction(() => this.leave(panelId, member, userId))();
    this.revocations?.member(panelId, member.publicId);
    return member;
  }

  /**
   * A registrant about to be erased: if they hold a seat, they have left it. `within` records it (withdrawn,
   * the audit says why) inside the transaction that erases them; `after` lets go of their room once it is stored.
   */
  erasing(panelId: number, registrantId: number, userId: number | null): { within: () => void; after: () => void } {
    const member = listMembers(this.ctx.db, panelId).find((m) => m.registrantId === registrantId);
    // What the room called them goes with the rest of their personal data, seated or not.
    const forget = () => member && setRoomName(this.ctx.db, member.id, null);
    if (!member || !isSeated(member.status)) return { within: forget, after: () => {} };
    const seat = member;
    return {
      within: () => {
        forget();
        this.leave(panelId, seat, userId, { erased: true });
      },
      after: () => this.revocations?.member(panelId, seat.publicId),
    };
  }

  private leave(panelId: number, member: Member, userId: number | null, detail?: Record<string, unknown>): void {
    const { db, clock } = this.ctx;
    setStatus(db, member.id, 'withdrawn', clock.now());
    audit(db, clock, { userId, panelId, action: 'member.withdraw', subject: member.publicId, detail });
  }

  private issue(panelId: number, members: Member[], userId: number | null): { member: Member; token: string }[] {
    const { db, clock } = this.ctx;
    const links = members.map((member) => ({ member, token: newToken() }));
    // A replaced link stops working, and whoever has the room open with it is let go at once.
    const panel = findPanel(db, panelId);
    const replaced = db.transaction(() => {
      const old = links.flatMap(({ member }) => invitationHash(db, member.id) ?? []);
      for (const { member, token } of links) {
        setInvitation(db, member.id, sha256(token), clock.now());
        if (panel) queueInvitation(this.ctx, panel, member, token);
      }
      audit(db, clock, { userId, panelId, action: 'invitations.create', detail: { count: links.length, members: links.map((l) => l.member.publicId) } });
      return old;
    })();
    for (const hash of replaced) this.revocations?.invitation(hash);
    return links;
  }
}
