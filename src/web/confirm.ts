import { z } from 'zod';
import { type FieldErrors, parseForm } from './validate';

/**
 * Steps that cannot be undone (publishing a commitment, entering the lottery numbers, withdrawing a member,
 * publishing a summary, deleting a panel) ask for a tick in the same form: views/partials/confirm.hbs, a
 * required checkbox named `confirm` with the value `yes`. It works without JavaScript, and the server checks it:
 * without it, the page comes back (400) with the message beside the box, and nothing changes.
 */
export const NOT_CONFIRMED = 'Tick “I understand this cannot be undone” to go ahead. Nothing was changed.';

const confirmSchema = z.object({ confirm: z.literal('yes', { error: NOT_CONFIRMED }) });

/** No errors when the form carries the tick; otherwise the message, under `field` (the box's id on the page). */
export function unconfirmed(body: unknown, field: string): FieldErrors | undefined {
  return parseForm(confirmSchema, body).ok ? undefined : { [field]: NOT_CONFIRMED };
}
