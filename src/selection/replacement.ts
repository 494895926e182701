import { writeCsv } from '../csv';
import { plainCategories, valueOf } from '../sortition/intersections';
import { inWorker } from '../worker';
import { isSeated, type Member, vacancies } from '../membership/members';
import { drawInput } from './runner';
import { HOUSEHOLD_COLUMN } from './snapshot';

/**
 * The input of a replacement draw, as pool and quota files anyone can re-run: everyone never drawn
 * and not living with a seated member, and each quota reduced by the seated members who count
 * towards it. A panel drawn from it, added to the seated members, meets every original quota.
 */
export function replacementInput(poolCsv: string, quotasCsv: string, members: Member[]): { poolCsv: string; quotasCsv: string; seats: number } {
  const { people, quotas } = drawInput(poolCsv, quotasCsv);
  const seated = new Set(members.filter((m) => isSeated(m.status)).map((m) => m.publicId));
  const everDrawn = new Set(members.map((m) => m.publicId));
  const seatedPeople = people.filter((p) => seated.has(p.id));
  const takenHouseholds = new Set(seatedPeople.map((p) => p.household).filter(Boolean));
  const remaining = people.filter((p) => !everDrawn.has(p.id) && !(p.household && takenHouseholds.has(p.household)));
  const categories = plainCategories(quotas);
  const reduced = quotas.map((q) => {
    const held = seatedPeople.filter((p) => valueOf(p, q.category) === q.value).length;
    return [q.category, q.value, Math.max(0, q.min - held), Math.max(0, q.max - held)];
  });
  return {
    poolCsv: writeCsv(['id', ...categories, HOUSEHOLD_COLUMN], remaining.map((p) => [p.id, ...categories.map((c) => p.features[c]), p.household ?? ''])),
    quotasCsv: writeCsv(['category', 'value', 'min', 'max'], reduced),
    seats: vacancies(members).length,
  };
}

/** The same, in a worker thread: the committed pool is parsed and written there, off the live rooms' event loop. */
export function replacementInputInWorker(poolCsv: string, quotasCsv: string, members: Member[]): Promise<ReturnType<typeof replacementInput>> {
  return inWorker(__filename, 'input-worker', { poolCsv, quotasCsv, members });
}
