import { audit } from '../audit';
import { publicUrl } from '../config';
import type { AppContext } from '../context';
import { enqueue } from '../messages/outbox';
import { renderMessage } from '../messages/templates';
import { LINK_MINUTES, makeLink } from './password-links';
import { findUserByEmail, type User } from './users';

/**
 * The messages that carry a password link (issue 22), queued in the outbox with the link sealed. Staff messages
 * belong to no panel, and are in English until the team's pages have other languages.
 */

/** A new account's invitation to choose a password: call it in the transaction that creates the account. */
export function emailSetupLink(ctx: AppContext, user: User, by: User): void {
  const now = ctx.clock.now();
  const site = publicUrl(ctx.config);
  const role = user.role === 'organiser' ? 'an organiser' : 'a facilitator';
  const words = renderMessage('account-setup', 'en', { name: user.name, by: by.name, role, email: user.email, days: String(LINK_MINUTES.setup / 1440), site });
  const token = makeLink(ctx.db, user.id, 'setup', now);
  enqueue(ctx, { panelId: null, userId: user.id, kind: 'account-setup', to: user.email, ...words, link: `${site}/account/setup/${token}` }, now);
}

/**
 * "Forgotten your password?": emails the account a reset link, if there is an account for the address. The same
 * work is done either way but for making the link and queueing the message, so the answer's timing says
 * little about which it was; the audit trail names the account when there is one, and never the address typed.
 */
export function requestReset(ctx: AppContext, email: string): void {
  const { db, clock } = ctx;
  const now = clock.now();
  const user = findUserByEmail(db, email);
  const site = publicUrl(ctx.config);
  const words = renderMessage('password-reset', 'en', { name: user?.name ?? '', minutes: String(LINK_MINUTES.reset), site });
  db.transaction(() => {
    if (user) {
      const token = makeLink(db, user.id, 'reset', now);
      enqueue(ctx, { panelId: null, userId: user.id, kind: 'password-reset', to: user.email, ...words, link: `${site}/password/reset/${token}` }, now);
    }
    audit(db, clock, { userId: user?.id ?? null, action: 'password.reset-requested' });
  })();
}
