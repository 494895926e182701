import { valueOf } from './intersections';
import type { Person, Quota } from './types';

/**
 * The rule that seats an alternate (issue 23): someone may take one of the empty seats only if, with them
 * seated, no quota is over its maximum and every category's shortfall below its minimums can still be made
 * up by the seats still empty. The simulation of dropouts and the organiser's "seat the next alternate" both
 * ask here, so what is simulated is what is done.
 */
export class QuotaKeeper {
  private readonly min: Int32Array;
  private readonly max: Int32Array;
  private readonly categoryOf: Int32Array;
  private readonly shortfall: Float64Array;
  private readonly mark: Uint8Array;
  private readonly categories: string[];

  constructor(private readonly quotas: Quota[]) {
    this.categories = [...new Set(quotas.map((q) => q.category))];
    this.min = Int32Array.from(quotas, (q) => q.min);
    this.max = Int32Array.from(quotas, (q) => q.max);
    this.categoryOf = Int32Array.from(quotas, (q) => this.categories.indexOf(q.category));
    this.shortfall = new Float64Array(this.categories.length);
    this.mark = new Uint8Array(quotas.length);
  }

  /** The quota rows a person counts towards. */
  rowsOf(person: Person): Int32Array {
    const rows: number[] = [];
    this.quotas.forEach((q, i) => {
      if (valueOf(person, q.category) === q.value) rows.push(i);
    });
    return Int32Array.from(rows);
  }

  /** How many of these people count towards each quota row. */
  counts(rows: Int32Array[]): Int32Array {
    const counts = new Int32Array(this.quotas.length);
    for (const r of rows) for (const q of r) counts[q]++;
    return counts;
  }

  /** Whether seating someone who counts towards `rows` into one of `vacancies` empty seats keeps every quota. */
  keeps(rows: Int32Array, counts: Int32Array, vacancies: number): boolean {
    for (const q of rows) if (counts[q] + 1 > this.max[q]) return false;
    for (const q of rows) this.mark[q] = 1;
    this.shortfall.fill(0);
    for (let q = 0; q < this.min.length; q++) {
      const need = this.min[q] - counts[q] - this.mark[q];
      if (need > 0) this.shortfall[this.categoryOf[q]] += need;
    }
    for (const q of rows) this.mark[q] = 0;
    for (const short of this.shortfall) if (short > vacancies - 1) return false;
    return true;
  }

  /** Whether these counts meet every quota. */
  met(counts: Int32Array): boolean {
    for (let q = 0; q < this.min.length; q++) if (counts[q] < this.min[q] || counts[q] > this.max[q]) return false;
    return true;
  }

  /** Whether these counts meet every quota once someone who counts towards `rows` is added. */
  metWith(rows: Int32Array, counts: Int32Array): boolean {
    for (const q of rows) counts[q]++;
    const met = this.met(counts);
    for (const q of rows) counts[q]--;
    return met;
  }
}
