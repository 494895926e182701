import type { Instance } from './instance';
import type { Portfolio } from './lottery';

/**
 * A uniform lottery (Flanigan, Kehne and Procaccia, "Fair Sortition Made Transparent", NeurIPS 2021): the
 * LEXIMIN lottery rounded to a list of M panels of people, each as likely as the next, so that the final pick
 * can be made in public by dice: panel number N of the list. The rounding is deterministic, so anyone with the
 * pool and the quotas makes the same list; it keeps each person's chance close to LEXIMIN's and says how close
 * (`maxChange`, measured on the list itself; see docs/verification.md for the figures).
 *
 * 1. Each panel of the LEXIMIN lottery (people per type) is listed floor(M·λ) or ceil(M·λ) times, M in all: which
 *    ones are rounded up is chosen by a local search that keeps each group of people who count towards the same
 *    quotas (a profile) as close as it can to the seats LEXIMIN gives it.
 * 2. Within each type, the copies take its members in turn, so each member is on floor or ceil of the type's
 *    share of the list.
 * 3. Anyone still listed more than one panel away from M times their chance (the rounding of step 1 falls on small
 *    profiles) trades places, one panel at a time, with someone on the other side of their own chance, where the
 *    panel stays within every quota and no housemate of the newcomer sits on it.
 *
 * Every panel of the list is checked against the quotas and the household rule before it is returned.
 */
export interface UniformLottery {
  /** M entries, each the people (indices into the pool, ascending) of one panel, in the order they were made. */
  panels: number[][];
  /** Per person: their chance in the LEXIMIN lottery. */
  leximin: Float64Array;
  /** Per person: their chance in the uniform lottery, the entries holding them over M. */
  chances: Float64Array;
  /** The largest change in anyone's chance: max |chances - leximin|. */
  maxChange: number;
}

/** Local-search moves per panel of the lottery: a bound on the work, far above what convergence takes. */
const MOVES_PER_PANEL = 50;
/** Candidates on each side of a move looked at exactly. */
const SHORTLIST = 24;
/** Rounds of exchanges for people listed more than a panel away from their chance. */
const ROUNDS = 6;
const EPS = 1e-9;

export function roundToUniform(instance: Instance, lottery: Portfolio, size: number, poolSize: number): UniformLottery {
  if (!Number.isInteger(size) || size < 1) throw new Error(`a uniform lottery needs a whole number of panels, not ${size}`);
  const typeOf = new Int32Array(poolSize);
  instance.types.forEach((type, t) => type.members.forEach((m) => (typeOf[m] = t)));
  const leximin = Float64Array.from(typeOf, (t) => lottery.marginals[t]);
  const profiles = profilesOf(instance);
  const copies = multiplicities(lottery, size, profiles);
  const panels = spread(instance, lottery.panels, copies);
  const housemates = housematesOf(instance, poolSize);
  exchange(instance, panels, typeOf, leximin, size, housemates);
  const held = new Int32Array(poolSize);
  for (const panel of panels) for (const i of panel) held[i]++;
  const chances = Float64Array.from(held, (c) => c / size);
  let maxChange = 0;
  for (let i = 0; i < poolSize; i++) maxChange = Math.max(maxChange, Math.abs(chances[i] - leximin[i]));
  for (const panel of panels) panel.sort((a, b) => a - b);
  panels.forEach((panel, n) => assertValid(instance, typeOf, housemates, panel, n));
  return { panels, leximin, chances, maxChange };
}

/** The profiles: types that count towards the same quota rows, with how many people each holds. */
interface Profiles {
  of: Int32Array;
  people: number[];
  /** Per profile, the types in it. */
  types: number[][];
}

function profilesOf(instance: Instance): Profiles {
  const index = new Map<string, number>();
  const of = new Int32Array(instance.types.length);
  const people: number[] = [];
  const types: number[][] = [];
  instance.types.forEach((type, t) => {
    const key = type.rows.join(',');
    let p = index.get(key);
    if (p === undefined) {
      p = people.push(0) - 1;
      types.push([]);
      index.set(key, p);
    }
    of[t] = p;
    people[p] += type.count;
    types[p].push(t);
  });
  return { of, people, types };
}

/** A panel as (profile, people) pairs, the profiles ascending. */
interface Sparse {
  index: Int32Array;
  value: Float64Array;
}

function byProfile(panel: Int32Array, profiles: Profiles): Sparse {
  const counts = new Map<number, number>();
  panel.forEach((x, t) => x > 0 && counts.set(profiles.of[t], (counts.get(profiles.of[t]) ?? 0) + x));
  const keys = [...counts.keys()].sort((a, b) => a - b);
  return { index: Int32Array.from(keys), value: Float64Array.from(keys, (k) => counts.get(k) ?? 0) };
}

/**
 * How many times each panel of the lottery is listed: floor or ceil of M·λ, M in all. Starts from the largest
 * remainders, then moves a copy from one panel rounded up to one rounded down while that lowers the sum over
 * profiles of (seats off LEXIMIN's / people in the profile)²: the squared change in a chance, profile by profile.
 */
function multiplicities(lottery: Portfolio, size: number, profiles: Profiles): Int32Array {
  const k = lottery.panels.length;
  const target = Float64Array.from(lottery.probabilities, (p) => p * size);
  const copies = Int32Array.from(target, (y) => Math.max(0, Math.floor(y + EPS)));
  const left = size - copies.reduce((a, b) => a + b, 0);
  const remainder = (j: number) => target[j] - copies[j];
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => remainder(b) - remainder(a) || a - b);
  // Rounding the floors can leave one copy too few or too many (sums in floating point): settle on the nearest.
  for (let n = 0; n < left; n++) copies[order[n % k]]++;
  for (let n = 0; n < -left; n++) copies[order[k - 1 - (n % k)]] = Math.max(0, copies[order[k - 1 - (n % k)]] - 1);
  const up = new Uint8Array(k);
  const movable = new Uint8Array(k);
  for (let j = 0; j < k; j++) {
    const floor = Math.floor(target[j] + EPS);
    movable[j] = target[j] - floor > EPS && copies[j] >= floor && copies[j] <= floor + 1 ? 1 : 0;
    up[j] = copies[j] > floor ? 1 : 0;
  }
  const sparse = lottery.panels.map((panel) => byProfile(panel, profiles));
  const weight = Float64Array.from(profiles.people, (c) => 1 / (c * c));
  const off = new Float64Array(profiles.people.length);
  sparse.forEach((s, j) => s.index.forEach((p, n) => (off[p] += (copies[j] - target[j]) * s.value[n])));
  const dot = (s: Sparse, v: Float64Array) => s.index.reduce((sum, p, n) => sum + weight[p] * v[p] * s.value[n], 0);
  const square = (s: Sparse) => s.index.reduce((sum, p, n) => sum + weight[p] * s.value[n] * s.value[n], 0);
  const cross = (a: Sparse, b: Sparse) => {
    let sum = 0;
    for (let x = 0, y = 0; x < a.index.length && y < b.index.length; ) {
      if (a.index[x] === b.index[y]) sum += weight[a.index[x]] * a.value[x++] * b.value[y++];
      else if (a.index[x] < b.index[y]) x++;
      else y++;
    }
    return sum;
  };
  const squares = sparse.map(square);
  for (let move = 0; move < MOVES_PER_PANEL * k + 100; move++) {
    const gradient = sparse.map((s) => dot(s, off));
    // Moving a copy from a to b changes the sum by 2(g_b - g_a) + q_a + q_b - 2 c_ab.
    const from = shortlist(k, (j) => movable[j] && up[j], (j) => gradient[j] - squares[j] / 2, true);
    const to = shortlist(k, (j) => movable[j] && !up[j], (j) => gradient[j] + squares[j] / 2, false);
    let best = { gain: -1e-12, a: -1, b: -1 };
    for (const a of from) {
      for (const b of to) {
        const change = 2 * (gradient[b] - gradient[a]) + squares[a] + squares[b] - 2 * cross(sparse[a], sparse[b]);
        if (change < best.gain) best = { gain: change, a, b };
      }
    }
    if (best.a < 0) break;
    copies[best.a]--;
    copies[best.b]++;
    up[best.a] = 0;
    up[best.b] = 1;
    sparse[best.a].index.forEach((p, n) => (off[p] -= sparse[best.a].value[n]));
    sparse[best.b].index.forEach((p, n) => (off[p] += sparse[best.b].value[n]));
  }
  return copies;
}

/** The `SHORTLIST` indices passing `keep` with the highest (or lowest) score, ties by index. */
function shortlist(k: number, keep: (j: number) => number | boolean, score: (j: number) => number, highest: boolean): number[] {
  const kept: { j: number; s: number }[] = [];
  for (let j = 0; j < k; j++) if (keep(j)) kept.push({ j, s: score(j) });
  kept.sort((a, b) => (highest ? b.s - a.s : a.s - b.s) || a.j - b.j);
  return kept.slice(0, SHORTLIST).map((e) => e.j);
}

/** The list itself: each panel's copies, each taking the next members of each of its types, in turn. */
function spread(instance: Instance, panels: Int32Array[], copies: Int32Array): number[][] {
  const next = new Int32Array(instance.types.length);
  const list: number[][] = [];
  panels.forEach((panel, j) => {
    for (let c = 0; c < copies[j]; c++) {
      const people: number[] = [];
      panel.forEach((x, t) => {
        const { members } = instance.types[t];
        for (let n = 0; n < x; n++) people.push(members[(next[t] + n) % members.length]);
        next[t] = (next[t] + x) % members.length;
      });
      list.push(people);
    }
  });
  return list;
}

/** Per person, the others in the pool who share their address (at most one of a household on a panel). */
function housematesOf(instance: Instance, poolSize: number): number[][] {
  const mates: number[][] = Array.from({ length: poolSize }, () => []);
  for (const household of instance.households) {
    const people = household.flatMap((t) => instance.types[t].members);
    for (const i of people) mates[i] = people.filter((j) => j !== i);
  }
  return mates;
}

/**
 * Step 3: a person listed more often than their LEXIMIN chance gives way, on one panel, to a person listed less
 * often, when the gap between the two is more than one panel and the panel stays within every quota (quotas with
 * room to spare allow people of other profiles; exact ones only the same profile) and has no housemate of the
 * newcomer. Each exchange lowers the sum over people of (listings - M·chance)², so it ends; the most under-listed
 * person is served first.
 */
function exchange(instance: Instance, panels: number[][], typeOf: Int32Array, leximin: Float64Array, size: number, housemates: number[][]): void {
  const poolSize = typeOf.length;
  const rows = instance.rows;
  const rowsOf = (i: number) => instance.types[typeOf[i]].rows;
  const entries: Set<number>[] = Array.from({ length: poolSize }, () => new Set());
  const members = panels.map((panel) => new Set(panel));
  const counts = panels.map((panel) => {
    const c = new Int32Array(rows.length);
    for (const i of panel) for (const r of rowsOf(i)) c[r]++;
    return c;
  });
  panels.forEach((panel, n) => panel.forEach((i) => entries[i].add(n)));
  const off = Float64Array.from(leximin, (p, i) => entries[i].size - size * p);
  const fits = (n: number, from: number, to: number) => {
    if (members[n].has(to) || housemates[to].some((h) => h !== from && members[n].has(h))) return false;
    // The rows each counts towards (a two-way quota may hold one and not the other): leaving, and arriving.
    const a = rowsOf(from);
    const b = rowsOf(to);
    for (const r of a) if (!b.includes(r) && counts[n][r] - 1 < rows[r].min) return false;
    for (const r of b) if (!a.includes(r) && counts[n][r] + 1 > rows[r].max) return false;
    return true;
  };
  const apply = (from: number, to: number, entry: number) => {
    panels[entry][panels[entry].indexOf(from)] = to;
    members[entry].delete(from);
    members[entry].add(to);
    entries[from].delete(entry);
    entries[to].add(entry);
    for (const r of rowsOf(from)) counts[entry][r]--;
    for (const r of rowsOf(to)) counts[entry][r]++;
    off[from]--;
    off[to]++;
  };
  const outside = (i: number) => Math.abs(off[i]) >= 1 - EPS;
  const byOff = Array.from({ length: poolSize }, (_, i) => i);
  // Out of band (listed other than floor or ceil of M·chance), the furthest first. First only with partners who
  // stay in band; then, for those still out, with any partner the exchange brings closer (who may leave the band
  // and be served in the next round).
  for (let round = 0; round < ROUNDS; round++) {
    const strict = round === 0;
    const queue = byOff.filter(outside).sort((x, y) => Math.abs(off[y]) - Math.abs(off[x]) || x - y);
    let moved = 0;
    for (const person of queue) {
      while (outside(person)) {
        byOff.sort((x, y) => off[x] - off[y] || x - y);
        const found = partnerFor(person, byOff, off, entries, fits, off[person] > 0 ? 'under' : 'over', strict);
        if (!found) break;
        apply(found.from, found.to, found.entry);
        moved++;
      }
    }
    if (!moved && !strict) break;
  }
}

/**
 * For a person listed too often, one listed less often who can take their place on one of their panels (or, for
 * one listed too rarely, one listed more often whose place they can take): the gap is more than one panel, and the
 * partner stays within one panel of their own M·chance. The partner furthest from their own is tried first.
 */
function partnerFor(
  person: number,
  byOff: number[],
  off: Float64Array,
  entries: Set<number>[],
  fits: (n: number, from: number, to: number) => boolean,
  want: 'under' | 'over',
  strict: boolean,
) {
  const n = byOff.length;
  for (let x = 0; x < n; x++) {
    const other = want === 'under' ? byOff[x] : byOff[n - 1 - x];
    const gap = want === 'under' ? off[person] - off[other] : off[other] - off[person];
    if (gap <= 1 + EPS) return undefined;
    if (strict && (want === 'under' ? off[other] + 1 >= 1 - EPS : off[other] - 1 <= -1 + EPS)) continue;
    const [from, to] = want === 'under' ? [person, other] : [other, person];
    for (const entry of entries[from]) if (fits(entry, from, to)) return { from, to, entry };
  }
  return undefined;
}

/** A panel of the list that broke a quota or the household rule would be a bug: refuse to publish it. */
function assertValid(instance: Instance, typeOf: Int32Array, housemates: number[][], panel: number[], n: number): void {
  const counts = new Int32Array(instance.rows.length);
  const on = new Set(panel);
  if (on.size !== instance.panelSize || panel.length !== instance.panelSize) throw new Error(`uniform lottery: panel ${n} has ${on.size} people, not ${instance.panelSize}`);
  for (const i of panel) {
    for (const r of instance.types[typeOf[i]].rows) counts[r]++;
    if (housemates[i].some((h) => on.has(h))) throw new Error(`uniform lottery: panel ${n} has two people of one household`);
  }
  instance.rows.forEach((row, r) => {
    if (counts[r] < row.min || counts[r] > row.max) throw new Error(`uniform lottery: panel ${n} has ${counts[r]} for ${row.category} ${row.value} (quota ${row.min}-${row.max})`);
  });
}
