import { z } from 'zod';

/** The personal fields every registration has, whether from the form or a CSV import. */

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** UK numbers compare equal however they are written: 07700 900123, +44 7700 900123, (07700) 900-123. */
export function phoneKey(phone: string): string {
  const digits = phone.replace(/[\s\-().]/g, '');
  if (digits.startsWith('+44')) return `0${digits.slice(3).replace(/^0/, '')}`;
  if (digits.startsWith('0044')) return `0${digits.slice(4).replace(/^0/, '')}`;
  return digits;
}

const UK_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/;

export function normalisePostcode(postcode: string): string | undefined {
  const match = postcode.trim().toUpperCase().replace(/\s+/g, ' ').match(UK_POSTCODE);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

const optional = (schema: z.ZodString) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(schema.optional());

export const personSchema = z
  .object({
    name: z
      .string({ error: 'Name is required.' })
      .trim()
      .min(1, 'Name is required.')
      .max(100, 'Name must be at most 100 characters.'),
    email: optional(
      z.string().max(200, 'Email must be at most 200 characters.').email('Email must look like name@example.org.'),
    ),
    phone: optional(
      z
        .string()
        .max(30, 'Phone must be at most 30 characters.')
        .refine((p) => /^(0\d{9,10}|\+\d{8,15})$/.test(phoneKey(p)), 'Phone must be a UK number like 07700 900123, or start with + and a country code.'),
    ),
    address: z
      .string({ error: 'Address is required.' })
      .trim()
      .min(1, 'Address is required.')
      .max(200, 'Address must be at most 200 characters.'),
    postcode: z
      .string({ error: 'Postcode is required.' })
      .trim()
      .min(1, 'Postcode is required.')
      // A refinement, not a transform, so the email-or-phone check below still runs and reports too.
      .refine((p) => p === '' || normalisePostcode(p) !== undefined, { error: (i) => `Postcode "${String(i.input)}" is not a UK postcode like CV1 5RR.` })
      .transform((p) => normalisePostcode(p) ?? p),
  })
  .superRefine((p, ctx) => {
    if (!p.email && !p.phone) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'Give an email address or a phone number (or both), so the organisers can contact you.',
      });
    }
  });

export type Person = z.infer<typeof personSchema>;
