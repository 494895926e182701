import type { AppContext } from '../context';
import { keyStore } from '../keys';
import { addressMismatch } from './address';
import { codeLookup, readCode } from './codes';
import { findInvited, getMailout, type InvitedHousehold } from './repo';

/**
 * Registering with the code from a letter (issue 21): which household the code names, whether that household may
 * register one more person, and whether the address typed is the invited one (a difference is flagged for the
 * organiser, never refused). Without a code: accepted and marked open, or refused, as the panel chooses.
 */
export type Invitation =
  | { ok: true; household: InvitedHousehold | null; addressFlag: string | null }
  | { ok: false; field: 'code'; message: string; wrongCode?: boolean };

/** Whether the panel has sent letters: only then does its form ask for a code. */
export function sendsLetters(ctx: AppContext, panelId: number): boolean {
  return ctx.db.prepare('SELECT 1 FROM mailout_waves WHERE panel_id = ? AND drawn_at IS NOT NULL').get(panelId) !== undefined;
}

export function checkInvitation(ctx: AppContext, panelId: number, typed: string | undefined, address: { address: string; postcode: string }, contact: string): Invitation {
  const mailout = getMailout(ctx.db, panelId);
  if (!typed?.trim()) {
    if (mailout.openRegistration) return { ok: true, household: null, addressFlag: null };
    return { ok: false, field: 'code', message: `Enter the code from your letter. This panel is open only to households invited by letter${contact ? `; if you have lost yours, ${contact}` : ''}.` };
  }
  const code = readCode(typed);
  if (!code.ok) return { ok: false, field: 'code', message: code.message };
  const key = keyStore(ctx.db, ctx.config.KEYS_DIR).key('letters');
  const household = findInvited(ctx.db, panelId, codeLookup(key, code.code));
  if (!household) return { ok: false, field: 'code', wrongCode: true, message: 'We do not recognise that code. Check it against your letter: it is in large type under "To register".' };
  if (household.registered >= mailout.householdLimit) {
    return { ok: false, field: 'code', message: `${household.registered} ${household.registered === 1 ? 'person' : 'people'} from this household ${household.registered === 1 ? 'has' : 'have'} registered with this code already, as many as this panel takes from one household.` };
  }
  return { ok: true, household, addressFlag: addressMismatch(household, address) };
}
