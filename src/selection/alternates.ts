import { type Alternates, chooseAlternates } from '../sortition/alternates';
import { CsvError } from '../csv';
import { DEFAULT_DROPOUT, dropoutChance, dropoutCsv, parseDropoutCsv } from '../sortition/dropout';
import { plainCategories } from '../sortition/intersections';
import { QuotaKeeper } from '../sortition/keeper';
import { parseQuotasCsv } from '../sortition/quotas';
import { inWorker } from '../worker';
import { isSeated, type Member } from '../membership/members';
import type { AlternatesChoice } from './commitment';
import { drawInput } from './runner';

/** The dropout table a panel has not set: 10% for everyone, as the file it would be. */
export const DEFAULT_DROPOUT_CSV = dropoutCsv(DEFAULT_DROPOUT);

/** The default number of alternates: a tenth of the panel, at least one. */
export const defaultAlternates = (panelSize: number): number => Math.max(1, Math.round(panelSize / 10));

export interface AlternatesJob {
  poolCsv: string;
  quotasCsv: string;
  selected: string[];
  choice: AlternatesChoice;
  seed: string;
}

/**
 * The ranked alternates of a final draw, from the committed files, the panel drawn, the committed choice and the
 * final seed: what `citizens-panel draw --alternates N --dropout F` re-makes. Chances rounded to 6 places.
 */
export function alternatesOf({ poolCsv, quotasCsv, selected, choice, seed }: AlternatesJob): Alternates {
  const { people, quotas } = drawInput(poolCsv, quotasCsv);
  const table = parseDropoutCsv(choice.dropoutCsv, new Set(plainCategories(quotas)));
  const found = chooseAlternates({ people, quotas, panel: selected, count: choice.count, dropout: dropoutChance(table), seed });
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { ...found, onList: found.onList.map(round), serve: found.serve.map(round) };
}

/**
 * Why a dropout table cannot be used with these quotas, in words, or undefined: each row's category must be one of
 * the quotas' and its value one of that category's. Checked when the commitment fixes both, so the final draw's
 * alternates can always be made.
 */
export function dropoutProblem(dropoutCsv: string, quotasCsv: string): string | undefined {
  try {
    const quotas = parseQuotasCsv(quotasCsv);
    const table = parseDropoutCsv(dropoutCsv, new Set(plainCategories(quotas)));
    const unknown = table.rates.find((r) => !quotas.some((q) => q.category === r.category && q.value === r.value));
    return unknown && `"${unknown.category}: ${unknown.value}" is not a value of the quotas`;
  } catch (err) {
    if (err instanceof CsvError) return err.message;
    throw err;
  }
}

/** The same, in a worker thread: the simulation takes a second or so on a pool of 2,000. */
export function alternatesInWorker(job: AlternatesJob): Promise<Alternates> {
  return inWorker(__filename, 'alternates-worker', job);
}

/** An empty seat and the alternate who takes it. */
export interface Seating {
  vacancy: Member;
  alternate: string;
}

/**
 * Who of the ranked list takes each empty seat, by the keeper's rule the list was chosen for and simulated with
 * (sortition/alternates.ts): in turn, the first alternate on the list not yet asked (never a member, in any status;
 * not erased) who keeps every quota with the members seated now and those just asked. Seats no alternate can take
 * keep their vacancy (a replacement draw fills them).
 */
export function seatings(poolCsv: string, quotasCsv: string, members: Member[], list: string[], empty: Member[], erased: ReadonlySet<string> = new Set()): Seating[] {
  const { people, quotas } = drawInput(poolCsv, quotasCsv);
  const keeper = new QuotaKeeper(quotas);
  const byId = new Map(people.map((p) => [p.id, p]));
  const rowsOf = (id: string) => keeper.rowsOf(byId.get(id) ?? { id, features: {} });
  const counts = keeper.counts(members.filter((m) => isSeated(m.status)).map((m) => rowsOf(m.publicId)));
  const asked = new Set([...members.map((m) => m.publicId), ...erased]);
  const households = new Set(members.filter((m) => isSeated(m.status)).map((m) => byId.get(m.publicId)?.household).filter(Boolean));
  const found: Seating[] = [];
  let vacancies = empty.length;
  for (const vacancy of empty) {
    const alternate = list.find((id) => !asked.has(id) && !households.has(byId.get(id)?.household) && keeper.keeps(rowsOf(id), counts, vacancies));
    if (!alternate) break;
    asked.add(alternate);
    const household = byId.get(alternate)?.household;
    if (household) households.add(household);
    for (const q of rowsOf(alternate)) counts[q]++;
    vacancies--;
    found.push({ vacancy, alternate });
  }
  return found;
}
