import { z } from 'zod';
import { HttpError } from './errors';

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a form body; on failure, one message per field (the first problem with it). */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(formFields(body));
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : 'form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

const isFlat = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * A body's fields as a form can have them: text (numbers and yes/no from JSON), or a list of those for a repeated
 * field. Objects and nested lists, which only JSON sends, are left out as if not sent: zod's length checks read
 * `length` from any value, so {"name": {"length": {"toString": 1}}} would make safeParse throw, not refuse.
 */
function formFields(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).filter(([, v]) => isFlat(v) || (Array.isArray(v) && v.every(isFlat))));
}

/**
 * What a refused form sent, to show it again: its text fields only. A JSON body can hold anything, and a
 * template that prints an object such as {"toString": 1} throws; a prototype key stays a plain own key.
 */
export function formValues(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Validates route params, answering 404 for anything malformed. */
export function parseId(raw: unknown, what: string): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,14}$/.test(raw)) {
    throw new HttpError(404, `${what} was not found: that is not a valid id.`);
  }
  return Number(raw);
}

/**
 * Form text: trimmed, with a length limit and a message naming the field. `required` is the message when it is
 * empty, for a label that "… is required." does not fit ("The numbers").
 */
export const text = (label: string, max = 200, required = `${label} is required.`) =>
  z
    .string({ error: required })
    .trim()
    .min(1, required)
    .max(max, `${label} must be at most ${max} characters.`);

export const optionalText = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .optional()
    .transform((v) => (v ? v : undefined));

/**
 * A whole number typed into a form. An empty box is "missing" (or the default), never 0, which is what
 * z.coerce would make of it.
 */
export const wholeNumber = (label: string, min: number, max: number, fallback?: number) =>
  z.preprocess(
    (v) => {
      if (v === undefined || (typeof v === 'string' && v.trim() === '')) return fallback;
      // Plain decimal digits only: Number() would also take "0x10", "1e1" and a repeated field.
      return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
    },
    z.coerce
      .number({ error: `${label} must be a number.` })
      .int(`${label} must be a whole number.`)
      .min(min, min === 0 ? `${label} cannot be negative.` : `${label} must be at least ${min}.`)
      .max(max, `${label} must be at most ${max}.`),
  );
