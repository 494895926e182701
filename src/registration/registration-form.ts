import { z } from 'zod';
import type { Category } from '../panels/repo';
import { personSchema } from './person';

/**
 * The registration's fields and their checks, one definition for the public form and for an organiser's
 * correction (issue 20): the personal fields, and one answer per category (field `q_<key>`).
 */
function answerFields(categories: Category[]) {
  return Object.fromEntries(
    categories.map((c) => [
      `q_${c.key}`,
      z
        .string({ error: `${c.label}: choose one answer.` })
        .refine((v) => c.values.some((x) => x.value === v), `${c.label}: choose one of the answers given.`),
    ]),
  );
}

/** The public form: the fields, and consent. */
export function registrationSchema(categories: Category[]) {
  return z.intersection(
    personSchema,
    z.object({
      ...answerFields(categories),
      consent: z.literal('yes', { error: 'Tick the box to say you agree, or we cannot register you.' }),
    }),
  );
}

/** An organiser's correction: the same fields with the same checks; consent is the resident's own to give. */
export function correctionSchema(categories: Category[]) {
  return z.intersection(personSchema, z.object(answerFields(categories)));
}

/** The category questions as a form shows them, with the answer given and any error. */
export function questions(categories: Category[], values: Record<string, unknown>, errors: Record<string, string>) {
  return categories.map((c) => ({
    field: `q_${c.key}`,
    question: c.question,
    label: c.label,
    error: errors[`q_${c.key}`],
    options: c.values.map((v, i) => ({
      id: `q_${c.key}_${i}`,
      value: v.value,
      label: v.label,
      checked: values[`q_${c.key}`] === v.value,
    })),
  }));
}
