import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Category, Panel } from '../panels/repo';
import type { Person } from './person';
import { type RegistrantRecord, updateRegistrant, valuesOf } from './repo';

/** The personal fields a correction compares, in the form's order. */
const PERSONAL = ['name', 'email', 'phone', 'address', 'postcode'] as const;

/** A correction as the form gives it: the personal fields, and one answer per category (`q_<key>`). */
export type Corrected = Person & Record<string, unknown>;

/**
 * An organiser's correction of a registrant's details (issue 20, UK GDPR article 16), with its audit line: which
 * fields changed, never their values. `committed` says the panel's commitment is published: the correction is
 * kept with the registration all the same, and the draw's inputs are untouched, since the commitment and every
 * draw hold their own copy of the pool (selection/snapshot.ts). Returns the fields changed (none: nothing stored).
 */
export function correctRegistrant(
  ctx: AppContext,
  panel: Panel,
  person: RegistrantRecord,
  categories: Category[],
  form: Corrected,
  userId: number,
  committed: boolean,
): string[] {
  const { db, clock } = ctx;
  const before = valuesOf(db, [person.id]).get(person.id) ?? new Map<number, string>();
  const changed = [
    ...PERSONAL.filter((f) => (person[f] ?? '') !== (form[f] ?? '')),
    ...categories.filter((c) => before.get(c.id) !== form[`q_${c.key}`]).map((c) => `q_${c.key}`),
  ];
  if (changed.length === 0) return [];
  const valueIds = categories.map((c) => c.values.find((v) => v.value === form[`q_${c.key}`])?.id ?? 0);
  db.transaction(() => {
    updateRegistrant(db, person.id, form, valueIds);
    audit(db, clock, { userId, panelId: panel.id, action: 'registrant.corrected', subject: person.publicId, detail: { fields: changed, afterCommitment: committed } });
  })();
  return changed;
}

/** A field's name in words, for pages and the export: the form's labels. */
export function fieldInWords(field: string, categories: Category[]): string {
  const personal: Record<string, string> = { name: 'Full name', email: 'Email address', phone: 'Phone number', address: 'Address', postcode: 'Postcode' };
  return personal[field] ?? categories.find((c) => `q_${c.key}` === field)?.label ?? field;
}
