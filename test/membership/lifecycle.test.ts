import { DomainError } from '../../src/errors';
import { Membership } from '../../src/membership/lifecycle';
import { listMembers } from '../../src/membership/members';
import { insertRegistrant } from '../../src/registration/repo';
import { Revocations } from '../../src/revocations';
import { sha256 } from '../../src/tokens';
import { makeApp, seatMembers, smallPanel, snapshot } from '../helpers';

/**
 * Issue 18, steps 4 and 5: a member's life after the draw is one module's (membership/lifecycle.ts), called alike
 * by the pages, the demo and scripts. Each step refuses in words when the member is not where it needs them, and
 * then changes nothing; each lets go of whoever was in a live room on a link that no longer holds.
 */
function panelWithMembers(n = 3) {
  const t = makeApp();
  const { panelId } = smallPanel(t.db, t.clock);
  const ids = Array.from({ length: n }, (_, i) => insertRegistrant(t.db, panelId, { name: `Resident ${i}`, email: `r${i}@example.org`, address: `${i} High Street`, postcode: 'CV1 1AA', valueIds: [], source: 'form', consentAt: 0 }, 0));
  seatMembers(t.db, panelId, ids, 0, 'selected');
  const revocations = new Revocations();
  const heard: string[] = [];
  revocations.listen((group) => heard.push(group));
  const membership = new Membership(t.ctx, revocations);
  const members = () => listMembers(t.db, panelId);
  return { ...t, panelId, membership, heard, members };
}

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('it was not refused');
};

test('everyone drawn gets one link, kept only as its hash; asking again is refused and changes nothing', () => {
  const t = panelWithMembers();
  const links = t.membership.inviteDrawn(t.panelId, null);
  expect(links.map((l) => l.member.publicId).sort()).toEqual(t.members().map((m) => m.publicId).sort());
  expect(t.members().every((m) => m.status === 'invited')).toBe(true);
  const stored = t.db.prepare('SELECT token_hash FROM members ORDER BY id').pluck().all();
  expect(stored.sort()).toEqual(links.map((l) => sha256(l.token)).sort());
  const before = snapshot(t.db);
  const err = refusal(() => t.membership.inviteDrawn(t.panelId, null));
  expect([err.kind, err.title]).toEqual(['conflict', 'Links already made']);
  expect(snapshot(t.db)).toEqual(before);
});

test('a new link replaces the old one, and whoever had the room open with the old one is let go', () => {
  const t = panelWithMembers();
  const [first] = t.membership.inviteDrawn(t.panelId, null);
  const again = t.membership.inviteAgain(t.panelId, first.member.id, null);
  expect(again.token).not.toBe(first.token);
  expect(t.heard).toEqual([Revocations.invitationGroup(sha256(first.token))]);
});

test('a withdrawal empties the seat once: the member is let go, and withdrawing them again is refused without a change', () => {
  const t = panelWithMembers();
  const [member] = t.members();
  t.membership.withdraw(t.panelId, member.id, null);
  expect(t.members()[0].status).toBe('withdrawn');
  expect(t.heard).toEqual([Revocations.memberGroup(t.panelId, member.publicId)]);
  expect(t.db.prepare("SELECT subject FROM audit_log WHERE action = 'member.withdraw'").pluck().all()).toEqual([member.publicId]);
  const before = snapshot(t.db);
  const err = refusal(() => t.membership.withdraw(t.panelId, member.id, null));
  expect([err.kind, err.message]).toEqual(['conflict', `${member.publicId} has already withdrawn; their seat is counted as empty.`]);
  expect(refusal(() => t.membership.inviteAgain(t.panelId, member.id, null)).kind).toBe('conflict');
  expect(refusal(() => t.membership.withdraw(t.panelId, 9999, null)).kind).toBe('not_found');
  expect(snapshot(t.db)).toEqual(before);
});

test('an answer is recorded with its audit line; a decline lets the member go from any room', () => {
  const t = panelWithMembers();
  const [a, b] = t.membership.inviteDrawn(t.panelId, null).map((l) => l.member);
  t.membership.answer(t.panelId, a, 'confirm');
  t.membership.answer(t.panelId, b, 'decline');
  expect(t.members().map((m) => m.status)).toEqual(['confirmed', 'declined', 'invited']);
  expect(t.heard).toEqual([Revocations.memberGroup(t.panelId, b.publicId)]);
});

test('erasing a registrant who holds a seat withdraws them (the audit says why) and lets them go; erasing anyone else touches no seat', () => {
  const t = panelWithMembers();
  const [member] = t.members();
  const leaving = t.membership.erasing(t.panelId, member.registrantId, null);
  expect(t.members()[0].status).toBe('selected'); // nothing until the erasing transaction runs it
  t.db.transaction(() => leaving.within())();
  leaving.after();
  expect(t.members()[0].status).toBe('withdrawn');
  expect(JSON.parse(t.db.prepare("SELECT detail FROM audit_log WHERE action = 'member.withdraw'").pluck().get() as string)).toEqual({ erased: true });
  expect(t.heard).toEqual([Revocations.memberGroup(t.panelId, member.publicId)]);
  const before = snapshot(t.db);
  const nobody = t.membership.erasing(t.panelId, member.registrantId, null); // withdrawn already: no seat to leave
  nobody.within();
  nobody.after();
  expect(snapshot(t.db)).toEqual(before);
});
