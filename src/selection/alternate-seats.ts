import { audit } from '../audit';
import type { AppContext } from '../context';
import { CsvError } from '../csv';
import type { Db } from '../db';
import { DomainError } from '../errors';
import { addMembers, listMembers, markReplaced, type Member, vacancies } from '../membership/members';
import { listCategories, type Panel, setDropoutTable } from '../panels/repo';
import { erasedPublicIds } from '../registration/repo';
import { dropoutCsv, parseDropoutCsv } from '../sortition/dropout';
import { seatings } from './alternates';
import { type Commitment, findCommitment, findDraw, listDraws } from './repo';

/**
 * The organiser's steps with alternates (issue 23), beside the draw's (workflow.ts): the dropout table they are
 * chosen for, before the commitment fixes it; and, after the final draw, seating them in the empty seats.
 */
export class AlternateSeats {
  constructor(private readonly ctx: AppContext) {}

  /**
   * The dropout table the alternates will be chosen for (sortition/dropout.ts): each row's category and value must
   * be the panel's. Settled before the commitment, which fixes it; an empty file goes back to the default (10%).
   */
  setDropoutTable(panel: Panel, csv: string, userId: number): void {
    const { db, clock } = this.ctx;
    if (findCommitment(db, panel.id)) throw new DomainError('conflict', 'The commitment has fixed the dropout table: it can no longer change.', 'The table is fixed');
    const categories = listCategories(db, panel.id);
    let table: string | null = null;
    if (csv.trim()) {
      try {
        const parsed = parseDropoutCsv(csv, new Set(categories.map((c) => c.key)));
        const unknown = parsed.rates.find((r) => !categories.find((c) => c.key === r.category)?.values.some((v) => v.value === r.value));
        if (unknown) throw new DomainError('invalid', `"${unknown.category}: ${unknown.value}" is not a value of this panel's category "${unknown.category}". Use the values as the quotas page shows them.`);
        table = dropoutCsv(parsed);
      } catch (err) {
        if (err instanceof CsvError) throw new DomainError('invalid', `The dropout table was not saved: ${err.message}`);
        throw err;
      }
    }
    db.transaction(() => {
      setDropoutTable(db, panel.id, table);
      audit(db, clock, { userId, panelId: panel.id, action: 'alternates.dropout-table', detail: { rows: table ? table.trim().split('\n').length - 1 : 0 } });
    })();
  }

  /**
   * Fills the empty seats from the final draw's ranked alternates, by the rule they were chosen for (alternates.ts):
   * each seat, in turn, to the first alternate not yet asked who keeps every quota. The alternates join as members
   * to be invited; each seating is audited. Returns how many were seated and how many seats are left for a draw.
   */
  seat(panel: Panel, userId: number): { seated: number; left: number } {
    const { db, clock } = this.ctx;
    const commitment = findCommitment(db, panel.id);
    const final = commitment?.drawId ? findDraw(db, panel.id, commitment.drawId) : undefined;
    const list = final?.outcome?.alternates?.list;
    if (!commitment || !final || !list) throw new DomainError('conflict', 'This panel’s final draw ranked no alternates. Draw replacements instead.', 'No alternates');
    if (listDraws(db, panel.id).some((d) => d.kind === 'replacement' && d.status === 'running')) {
      throw new DomainError('conflict', 'A replacement draw is running for the empty seats. Wait for it to finish.', 'A draw is running');
    }
    return db.transaction(() => {
      const members = listMembers(db, panel.id);
      const empty = vacancies(members);
      if (empty.length === 0) throw new DomainError('conflict', 'No seat is empty: alternates take the seats of people who declined or withdrew.', 'Nothing to fill');
      const found = seatings(commitment.poolCsv, commitment.quotasCsv, members, list, empty, erasedPublicIds(db, panel.id));
      for (const { vacancy, alternate } of found) {
        addMembers(db, panel.id, final.id, [alternate]);
        markReplaced(db, [vacancy.id], final.id);
        const rank = list.indexOf(alternate) + 1;
        audit(db, clock, { userId, panelId: panel.id, action: 'alternate.seat', subject: alternate, detail: { rank, replaces: vacancy.publicId, draw: final.id } });
      }
      return { seated: found.length, left: empty.length - found.length };
    })();
  }
}

/** How many of these empty seats the final draw's alternates can fill now (0 when it ranked none). */
export function seatableNow(db: Db, panelId: number, commitment: Commitment, members: Member[], empty: Member[] = vacancies(members)): number {
  const final = commitment.drawId ? findDraw(db, panelId, commitment.drawId) : undefined;
  const list = final?.outcome?.alternates?.list;
  if (!list || empty.length === 0) return 0;
  return seatings(commitment.poolCsv, commitment.quotasCsv, members, list, empty, erasedPublicIds(db, panelId)).length;
}
