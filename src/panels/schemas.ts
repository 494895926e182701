import { z } from 'zod';
import { text, wholeNumber } from '../web/validate';
import type { PanelDetails } from './repo';

const isoDate = z
  .string({ error: 'Closing date is required.' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Closing date must be a date like 2027-01-31.')
  .refine(isRealDate, 'Closing date is not a real date.')
  // Registration closes at the end of that day, UK time roughly: 23:59 UTC.
  .transform((s) => Date.parse(`${s}T23:59:59Z`));

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

export const panelSchema = z.object({
  title: text('Title', 150),
  question: text('Question', 500),
  panelSize: wholeNumber('Panel size', 2, 1000),
  closesAt: isoDate,
  quotaTolerance: wholeNumber('Quota tolerance', 0, 50, 2),
  slug: z
    .string()
    .trim()
    .max(60, 'Web address must be at most 60 characters.')
    .regex(/^([a-z0-9]+(-[a-z0-9]+)*)?$/, 'Web address may use only lower-case letters, digits and single hyphens.')
    .optional(),
});

/** Free text an organiser may leave empty: trimmed, with a length limit; empty when not sent. */
const freeText = (label: string, max: number) =>
  z.string({ error: `${label} must be text.` }).trim().max(max, `${label} must be at most ${max} characters.`).default('');

const PHONE = /^\+?[\d\s().-]+$/;

/**
 * The event's practical details, for the invitation (panels/repo.ts PanelDetails): all optional, as free text,
 * with the contact's email and phone checked for their form.
 */
export const detailsFields = {
  dates: freeText('The dates of the sessions', 300),
  venue: freeText('The venue', 300),
  expenses: freeText('Expenses and support', 600),
  access: freeText('Access', 600),
  contactName: freeText('The contact’s name', 100),
  contactEmail: freeText('The contact’s email', 200).refine((v) => v === '' || z.email().safeParse(v).success, 'The contact’s email must look like name@example.org.'),
  contactPhone: freeText('The contact’s phone', 30).refine(
    (v) => v === '' || (PHONE.test(v) && v.replace(/\D/g, '').length >= 6),
    'The contact’s phone must be a phone number, like 024 7683 1234 or +44 24 7683 1234.',
  ),
};

/** A new panel: its settings, and the event's details if the organiser has them yet. */
export const newPanelSchema = panelSchema.extend(detailsFields);

/** An edit of a panel: everything but its web address, which its public pages and commitment are known by. */
export const panelEditSchema = panelSchema.omit({ slug: true }).extend(detailsFields);

/** The details out of a parsed form, as PanelDetails. */
export function detailsOf(form: { [K in keyof typeof detailsFields]: string }): PanelDetails {
  const { dates, venue, expenses, access, contactName, contactEmail, contactPhone } = form;
  return { dates, venue, expenses, access, contactName, contactEmail, contactPhone };
}

/** Columns the published, pseudonymised pool already has (see selection/snapshot.ts). */
const RESERVED_KEYS = ['id', 'household'];

export const categorySchema = z.object({
  key: z
    .string({ error: 'Key is required.' })
    .trim()
    .min(1, 'Key is required.')
    .max(40, 'Key must be at most 40 characters.')
    .regex(/^[a-z][a-z0-9_]*$/, 'Key must start with a letter and use only lower-case letters, digits and _.')
    .refine((k) => !RESERVED_KEYS.includes(k), 'Key cannot be "id" or "household": the published pool has columns with those names. Choose another, such as "household_type".'),
  label: text('Label', 80),
  question: text('Question', 300),
  values: z
    .string({ error: 'Values are required.' })
    .transform((s, ctx) => parseValueLines(s, ctx)),
});

/** One value per line: `Value` or `Value | population share in percent`. */
function parseValueLines(s: string, ctx: z.RefinementCtx) {
  const lines = s.split(/\r?\n/).map((l) => l.trim());
  const values: { value: string; label: string; share: number | null }[] = [];
  lines.forEach((line, i) => {
    if (!line) return;
    const [name, share, extra] = line.split('|').map((p) => p.trim());
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message: `Values, line ${i + 1}: ${message}` });
    if (extra !== undefined) return problem('use at most one "|", between the value and its share.');
    if (!name) return problem('the value is empty.');
    if (name.length > 80) return problem('a value must be at most 80 characters.');
    const pct = share === undefined || share === '' ? null : Number(share.replace(/%$/, ''));
    if (pct !== null && (!/^\d+(\.\d+)?%?$/.test(share ?? '') || pct > 100)) {
      return problem(`"${share}" is not a percentage between 0 and 100.`);
    }
    if (values.some((v) => v.value.toLowerCase() === name.toLowerCase())) return problem(`"${name}" is listed twice.`);
    values.push({ value: name, label: name, share: pct });
  });
  if (values.length < 2 && !lines.some(Boolean)) ctx.addIssue({ code: 'custom', message: 'Values are required.' });
  else if (values.length < 2 && values.length === lines.filter(Boolean).length) {
    ctx.addIssue({ code: 'custom', message: 'Values: a category needs at least two values, one per line.' });
  }
  return values;
}

export function slugify(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}
