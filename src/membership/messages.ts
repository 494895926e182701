import { publicUrl } from '../config';
import type { AppContext } from '../context';
import { enqueue } from '../messages/outbox';
import { renderMessage } from '../messages/templates';
import type { Panel } from '../panels/repo';
import { localise } from '../panels/translations';
import type { Member } from './members';

/**
 * A drawn member's invitation by email (issue 22), with their personal link: queued in the transaction that
 * makes the link. Someone without an email address is sent nothing: the organisers hand them the link.
 */
export function queueInvitation(ctx: AppContext, original: Panel, member: Member, token: string): void {
  const { db, clock, config } = ctx;
  if (!member.email) return;
  const { language } = member;
  // In the member's language, the organiser's words too where they are translated.
  const panel = localise(db, original, [], language).panel;
  const d = panel.details;
  const site = publicUrl(config);
  const contact = [d.contactName, d.contactPhone, d.contactEmail].filter(Boolean).join(', ');
  const words = renderMessage('invitation', language, { name: member.name ?? '', panel: panel.title, question: panel.question, dates: d.dates, venue: d.venue, expenses: d.expenses, access: d.access, contact, site });
  enqueue(ctx, { panelId: panel.id, registrantId: member.registrantId, kind: 'invitation', to: member.email, language, ...words, link: `${site}/invite/${token}` }, clock.now());
}
