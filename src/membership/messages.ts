import { publicUrl } from '../config';
import type { AppContext } from '../context';
import { enqueue, linkOf } from '../messages/outbox';
import { panelMessage } from '../messages/wording';
import type { Panel } from '../panels/repo';
import { localise } from '../panels/translations';
import { languageOf } from '../web/i18n';
import { invitationExpired, listMembers, type Member } from './members';

/** When a session starts, as its messages say it: the weekday, day, month and Coventry time, in the language. */
export const sessionTime = (language: string, at: number): string =>
  new Intl.DateTimeFormat(languageOf(language).tag, { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', timeZone: 'Europe/London' }).format(at);

/** What an invitation or its reminder says: the panel's words in the member's language, and whom to ask. */
function invitationWords(ctx: AppContext, original: Panel, member: Member, kind: string) {
  const panel = localise(ctx.db, original, [], member.language).panel;
  const d = panel.details;
  const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
  return panelMessage(ctx.db, original.id, kind, member.language, { name: member.name ?? '', panel: panel.title, question: panel.question, dates: d.dates, venue: d.venue, expenses: d.expenses, access: d.access, contact, site: publicUrl(ctx.config) });
}

/**
 * A drawn member's invitation by email (issue 22), with their personal link: queued in the transaction that
 * makes the link. Someone drawn to fill a seat that came free is told so. Someone without an email address is
 * sent nothing: the organisers hand them the link.
 */
export function queueInvitation(ctx: AppContext, panel: Panel, member: Member, token: string): void {
  if (!member.email) return;
  const replacing = ctx.db.prepare('SELECT kind FROM draws WHERE id = ?').pluck().get(member.drawId) === 'replacement';
  const kind = replacing ? 'replacement-invitation' : 'invitation';
  const link = `${publicUrl(ctx.config)}/invite/${token}`;
  enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind, to: member.email, language: member.language, ...invitationWords(ctx, panel, member, kind), link }, ctx.clock.now());
}

/**
 * A reminder to each invited member who has not answered, with the same link as their invitation (read back from
 * the invitation's sealed copy). Those whose link was handed over by hand, or has run out, are left to the
 * organisers: their count comes back.
 */
export function queueReminders(ctx: AppContext, panel: Panel, members: Member[]): { reminded: number; byHand: number } {
  let reminded = 0;
  let byHand = 0;
  for (const member of members.filter((m) => m.status === 'invited')) {
    const link = member.email && !invitationExpired(member, ctx.clock.now()) ? linkOf(ctx, member.registrantId, ['invitation', 'replacement-invitation'], member.invitedAt ?? 0) : undefined;
    if (!member.email || !link) {
      byHand++;
      continue;
    }
    enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind: 'reminder', to: member.email, language: member.language, ...invitationWords(ctx, panel, member, 'reminder'), link }, ctx.clock.now());
    reminded++;
  }
  return { reminded, byHand };
}

/**
 * When a session's record is first published, each confirmed member with an email address is told, in their
 * language, with the public page's address (no personal link: the page is public).
 */
export function queueOutcome(ctx: AppContext, original: Panel, session: string, url: string): number {
  const members = listMembers(ctx.db, original.id).filter((m) => m.status === 'confirmed' && m.email);
  for (const member of members) {
    const panel = localise(ctx.db, original, [], member.language).panel;
    const d = panel.details;
    const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
    const words = panelMessage(ctx.db, panel.id, 'outcome', member.language, { name: member.name ?? '', panel: panel.title, session, url, contact, site: publicUrl(ctx.config) });
    enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind: 'outcome', to: member.email ?? '', language: member.language, ...words }, ctx.clock.now());
  }
  return members.length;
}

/**
 * The council's response, a correction of it, or news of its progress (issue 24), to each confirmed member with an
 * email address, in their language: `what` is the sentence that says which, in that language. Returns how many.
 */
export function queueResponse(ctx: AppContext, original: Panel, what: (language: string) => string, url: string): number {
  const members = listMembers(ctx.db, original.id).filter((m) => m.status === 'confirmed' && m.email);
  for (const member of members) {
    const panel = localise(ctx.db, original, [], member.language).panel;
    const d = panel.details;
    const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
    const words = panelMessage(ctx.db, panel.id, 'response', member.language, { name: member.name ?? '', panel: panel.title, what: what(member.language), url, contact, site: publicUrl(ctx.config) });
    enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind: 'response', to: member.email ?? '', language: member.language, ...words }, ctx.clock.now());
  }
  return members.length;
}

/** A session's day as its members are told it (room_sessions: issue 22). */
export interface SessionDay {
  id: number;
  title: string;
  startsAt: number;
  place: string;
  bring: string;
}

const KIND = { details: 'session-details', 'day-before': 'session-reminder' } as const;

/**
 * The session's details (`details`), or the reminder the day before (`day-before`), to each confirmed member with
 * an email address not yet sent it for this start time: the notice and its message are written together, so each
 * goes once. The link is their member page (their invitation's link), which holds the way into the room.
 */
export function queueSessionNotices(ctx: AppContext, original: Panel, day: SessionDay, kind: keyof typeof KIND): number {
  const { db, clock } = ctx;
  const sent = db.prepare('SELECT registrant_id FROM session_notices WHERE session_id = ? AND kind = ? AND starts_at = ?').pluck().all(day.id, kind, day.startsAt) as number[];
  const members = listMembers(db, original.id).filter((m) => m.status === 'confirmed' && m.email && !sent.includes(m.registrantId));
  const notice = db.prepare('INSERT INTO session_notices (session_id, registrant_id, kind, starts_at, created_at) VALUES (?, ?, ?, ?, ?)');
  for (const member of members) {
    const panel = localise(db, original, [], member.language).panel;
    const d = panel.details;
    const link = linkOf(ctx, member.registrantId, ['invitation', 'replacement-invitation'], member.invitedAt ?? 0);
    const when = sessionTime(member.language, day.startsAt);
    const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
    const words = panelMessage(ctx.db, panel.id, KIND[kind], member.language, {
      name: member.name ?? '', panel: panel.title, session: day.title, when, place: day.place, bring: day.bring, access: d.access, contact, personal: link ? 'yes' : '', site: publicUrl(ctx.config),
    });
    notice.run(day.id, member.registrantId, kind, day.startsAt, clock.now());
    enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind: KIND[kind], to: member.email ?? '', language: member.language, ...words, link }, clock.now());
  }
  return members.length;
}
