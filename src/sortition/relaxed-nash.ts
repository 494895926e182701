import { type Instance, typesByRow } from './instance';

/**
 * The Nash-welfare optimum over the relaxed panel polytope P (people per type may be fractional):
 *   maximise F(y) = sum_t c_t log(y_t / c_t)   over y in P, with y_t = 0 for the types `allowed` leaves out.
 * Every lottery of real panels averages to a point of P, so no lottery beats this; nash.ts turns it into an
 * upper bound that certifies how close its lottery is (see `upperBound` there).
 *
 * F is concave and P has few rows (the panel size, the quotas and the households), so a primal-dual
 * interior-point method solves it in a few dozen Newton steps. Each step solves one system the size of the
 * quota rows: the households touch disjoint types, so their block is diagonal and is eliminated first.
 */
export function relaxedNash(instance: Instance, allowed: Uint8Array, start: Float64Array): Float64Array {
  const ipm = new InteriorPoint(instance, allowed, start);
  let last = ipm.expected();
  for (let step = 0; step < MAX_STEPS && !ipm.converged(); step++) {
    ipm.step();
    const y = ipm.expected();
    // Where the optimum sits on a bound (a type certain to serve), rounding can land on it: keep the last point inside.
    if (!y.every((v, t) => Number.isFinite(v) && (!allowed[t] || (v > 0 && v < instance.types[t].count)))) break;
    last = y;
  }
  return last;
}

const MAX_STEPS = 200;
/** Fraction of the way to the boundary a step may go. */
const TO_BOUNDARY = 0.99;

interface Row {
  types: number[];
  lo: number;
  hi: number;
  /** At least one finite bound; lo === hi makes it an equality. */
  household: boolean;
}

class InteriorPoint {
  private readonly n: number;
  private readonly c: Float64Array;
  private readonly rows: Row[];
  /** Rows with lo < hi get an activity z between its bounds; the others are equalities. */
  private readonly y: Float64Array;
  private readonly z: Float64Array;
  private readonly lambda: Float64Array;
  /** Duals of y <= c, z >= lo, z <= hi. */
  private readonly q: Float64Array;
  private readonly v: Float64Array;
  private readonly w: Float64Array;
  private readonly quotaRows: number[];
  private readonly householdRows: number[];
  private readonly people: number;
  private mu = 1;

  constructor(instance: Instance, private readonly allowed: Uint8Array, start: Float64Array) {
    this.n = instance.types.length;
    this.c = Float64Array.from(instance.types, (t) => t.count);
    const keep = (types: number[]) => types.filter((t) => allowed[t]);
    const all = Array.from({ length: this.n }, (_, t) => t);
    this.rows = [
      { types: keep(all), lo: instance.panelSize, hi: instance.panelSize, household: false },
      ...typesByRow(instance).map((types, r) => ({ types: keep(types), lo: instance.rows[r].min, hi: instance.rows[r].max, household: false })),
      ...instance.households.map((types) => ({ types: keep(types), lo: Number.NEGATIVE_INFINITY, hi: 1, household: true })),
    ].filter((row) => row.types.length > 0);
    this.quotaRows = this.rows.flatMap((row, i) => (row.household ? [] : [i]));
    this.householdRows = this.rows.flatMap((row, i) => (row.household ? [i] : []));
    this.people = all.reduce((sum, t) => sum + (allowed[t] ? this.c[t] : 0), 0);
    const m = this.rows.length;
    // Start strictly inside the bounds: y below its count, each row's activity inside its range.
    this.y = Float64Array.from(start, (v, t) => (allowed[t] ? Math.min(Math.max(v, 1e-3 * this.c[t]), 0.9 * this.c[t]) : 0));
    this.z = Float64Array.from(this.rows, (row) => {
      const a = this.activity(row);
      if (row.lo === row.hi) return row.lo;
      const lo = Number.isFinite(row.lo) ? row.lo : Math.min(a, row.hi) - 1;
      const margin = 0.1 * (row.hi - lo);
      return Math.min(Math.max(a, lo + margin), row.hi - margin);
    });
    this.lambda = new Float64Array(m);
    this.q = Float64Array.from(this.y, (v, t) => (allowed[t] ? this.mu / (this.c[t] - v) : 0));
    this.v = Float64Array.from(this.rows, (row, i) => (this.hasLo(row) ? this.mu / (this.z[i] - row.lo) : 0));
    this.w = Float64Array.from(this.rows, (row, i) => (this.hasHi(row) ? this.mu / (row.hi - this.z[i]) : 0));
  }

  expected(): Float64Array {
    return Float64Array.from(this.y);
  }

  /** Stop when the rows hold (to rounding), the optimality conditions hold and the barrier has faded. */
  converged(): boolean {
    const { primal, dual } = this.residuals();
    return primal < 1e-9 * Math.max(1, this.rows[0].hi) && dual < 1e-9 * this.people && this.complementarity() < 1e-10 * this.people;
  }

  step(): void {
    const pairs = this.pairCount();
    this.mu = Math.max(1e-14, (0.1 * this.complementarity()) / pairs);
    const d = this.direction();
    let alpha = 1;
    const limit = (value: number, change: number) => {
      if (change < 0) alpha = Math.min(alpha, (-TO_BOUNDARY * value) / change);
    };
    for (let t = 0; t < this.n; t++) {
      if (!this.allowed[t]) continue;
      limit(this.y[t], d.y[t]);
      limit(this.c[t] - this.y[t], -d.y[t]);
      limit(this.q[t], d.q[t]);
    }
    this.rows.forEach((row, i) => {
      if (row.lo === row.hi) return;
      if (this.hasLo(row)) {
        limit(this.z[i] - row.lo, d.z[i]);
        limit(this.v[i], d.v[i]);
      }
      if (this.hasHi(row)) {
        limit(row.hi - this.z[i], -d.z[i]);
        limit(this.w[i], d.w[i]);
      }
    });
    for (let t = 0; t < this.n; t++) {
      if (!this.allowed[t]) continue;
      this.y[t] += alpha * d.y[t];
      this.q[t] += alpha * d.q[t];
    }
    this.rows.forEach((row, i) => {
      this.lambda[i] += alpha * d.lambda[i];
      if (row.lo === row.hi) return;
      this.z[i] += alpha * d.z[i];
      this.v[i] += alpha * d.v[i];
      this.w[i] += alpha * d.w[i];
    });
  }

  /**
   * The Newton direction for the barrier problem at this.mu (minimising -F). With Dy = c/y^2 + q/(c-y) and
   * Dz = v/s + w/o per inequality row, eliminating y, z and the bound duals leaves
   *   (A Dy^-1 A^T + diag(1/Dz)) dlambda = rhs,
   * solved with the household rows eliminated first (they share no types, so their block is diagonal).
   */
  private direction() {
    const { n, c, y, mu, rows } = this;
    const m = rows.length;
    const dy = new Float64Array(n);
    const ry = new Float64Array(n); // right-hand side of the y rows
    const aty = this.transpose(this.lambda);
    for (let t = 0; t < n; t++) {
      if (!this.allowed[t]) continue;
      const r = c[t] - y[t];
      dy[t] = c[t] / (y[t] * y[t]) + this.q[t] / r;
      const stationarity = -c[t] / y[t] - aty[t] + this.q[t];
      ry[t] = -stationarity - mu / r + this.q[t];
    }
    const dz = new Float64Array(m);
    const rz = new Float64Array(m);
    rows.forEach((row, i) => {
      if (row.lo === row.hi) return;
      const s = this.z[i] - row.lo;
      const o = row.hi - this.z[i];
      const lo = this.hasLo(row);
      const hi = this.hasHi(row);
      dz[i] = (lo ? this.v[i] / s : 0) + (hi ? this.w[i] / o : 0);
      const stationarity = this.lambda[i] - this.v[i] + this.w[i];
      rz[i] = -stationarity + (lo ? mu / s - this.v[i] : 0) - (hi ? mu / o - this.w[i] : 0);
    });
    // rhs_i = -(primal residual)_i - (A Dy^-1 ry)_i + rz_i / Dz_i
    const scaled = Float64Array.from(ry, (v, t) => (this.allowed[t] ? v / dy[t] : 0));
    const rhs = Float64Array.from(rows, (row, i) => {
      const residual = this.activity(row) - (row.lo === row.hi ? row.lo : this.z[i]);
      return -residual - sum(row.types, scaled) + (row.lo === row.hi ? 0 : rz[i] / dz[i]);
    });
    const diagonal = Float64Array.from(rows, (row, i) => (row.lo === row.hi ? 0 : 1 / dz[i]));
    const dlambda = this.solve(dy, diagonal, rhs);
    const push = this.transpose(dlambda);
    const d = { y: new Float64Array(n), q: new Float64Array(n), z: new Float64Array(m), v: new Float64Array(m), w: new Float64Array(m), lambda: dlambda };
    for (let t = 0; t < n; t++) {
      if (!this.allowed[t]) continue;
      d.y[t] = (ry[t] + push[t]) / dy[t];
      const r = c[t] - y[t];
      d.q[t] = (mu - r * this.q[t] + this.q[t] * d.y[t]) / r;
    }
    rows.forEach((row, i) => {
      if (row.lo === row.hi) return;
      d.z[i] = (rz[i] - dlambda[i]) / dz[i];
      if (this.hasLo(row)) {
        const s = this.z[i] - row.lo;
        d.v[i] = (mu - s * this.v[i] - this.v[i] * d.z[i]) / s;
      }
      if (this.hasHi(row)) {
        const o = row.hi - this.z[i];
        d.w[i] = (mu - o * this.w[i] + this.w[i] * d.z[i]) / o;
      }
    });
    return d;
  }

  /**
   * Solves (A Dy^-1 A^T + diag(extra)) x = b. The household rows H touch disjoint types, so the H-block is
   * diagonal: eliminate it, solve the small quota block by Cholesky, then back-substitute.
   */
  private solve(dy: Float64Array, extra: Float64Array, b: Float64Array): Float64Array {
    const inverse = Float64Array.from(dy, (d, t) => (this.allowed[t] ? 1 / d : 0));
    const Q = this.quotaRows;
    const H = this.householdRows;
    const k = Q.length;
    // Per type: its household row (or -1), to form the quota-household coupling.
    const householdOf = new Int32Array(this.n).fill(-1);
    H.forEach((i, h) => this.rows[i].types.forEach((t) => (householdOf[t] = h)));
    const hDiag = Float64Array.from(H, (i) => sum(this.rows[i].types, inverse) + extra[i]);
    // coupling[a][h] = sum over types in quota row a and household h of 1/Dy.
    const coupling = Q.map((i) => {
      const entries = new Map<number, number>();
      for (const t of this.rows[i].types) {
        const h = householdOf[t];
        if (h >= 0) entries.set(h, (entries.get(h) ?? 0) + inverse[t]);
      }
      return entries;
    });
    const matrix = Array.from({ length: k }, () => new Float64Array(k));
    const inQuota = Q.map((i) => {
      const mark = new Float64Array(this.n);
      this.rows[i].types.forEach((t) => (mark[t] = 1));
      return mark;
    });
    for (let a = 0; a < k; a++) {
      for (let bIndex = a; bIndex < k; bIndex++) {
        let value = 0;
        for (const t of this.rows[Q[a]].types) value += inQuota[bIndex][t] * inverse[t];
        coupling[a].forEach((x, h) => {
          const other = coupling[bIndex].get(h);
          if (other !== undefined) value -= (x * other) / hDiag[h];
        });
        matrix[a][bIndex] = value;
        matrix[bIndex][a] = value;
      }
      matrix[a][a] += extra[Q[a]];
    }
    const reduced = Float64Array.from(Q, (i, a) => {
      let value = b[i];
      coupling[a].forEach((x, h) => (value -= (x * b[H[h]]) / hDiag[h]));
      return value;
    });
    const xq = choleskySolve(matrix, reduced);
    const x = new Float64Array(this.rows.length);
    Q.forEach((i, a) => (x[i] = xq[a]));
    H.forEach((i, h) => {
      let value = b[i];
      coupling.forEach((entries, a) => {
        const coefficient = entries.get(h);
        if (coefficient !== undefined) value -= coefficient * xq[a];
      });
      x[i] = value / hDiag[h];
    });
    return x;
  }

  /** A^T x, over the allowed types. */
  private transpose(x: Float64Array): Float64Array {
    const out = new Float64Array(this.n);
    this.rows.forEach((row, i) => {
      if (x[i] !== 0) for (const t of row.types) out[t] += x[i];
    });
    return out;
  }

  private activity(row: Row): number {
    return sum(row.types, this.y);
  }

  private hasLo(row: Row): boolean {
    return row.lo !== row.hi && Number.isFinite(row.lo);
  }

  private hasHi(row: Row): boolean {
    return row.lo !== row.hi && Number.isFinite(row.hi);
  }

  private pairCount(): number {
    let count = 0;
    for (let t = 0; t < this.n; t++) if (this.allowed[t]) count++;
    for (const row of this.rows) count += (this.hasLo(row) ? 1 : 0) + (this.hasHi(row) ? 1 : 0);
    return count;
  }

  private complementarity(): number {
    let total = 0;
    for (let t = 0; t < this.n; t++) if (this.allowed[t]) total += (this.c[t] - this.y[t]) * this.q[t];
    this.rows.forEach((row, i) => {
      if (this.hasLo(row)) total += (this.z[i] - row.lo) * this.v[i];
      if (this.hasHi(row)) total += (row.hi - this.z[i]) * this.w[i];
    });
    return total;
  }

  private residuals(): { primal: number; dual: number } {
    let primal = 0;
    this.rows.forEach((row, i) => {
      primal = Math.max(primal, Math.abs(this.activity(row) - (row.lo === row.hi ? row.lo : this.z[i])));
    });
    const aty = this.transpose(this.lambda);
    let dual = 0;
    for (let t = 0; t < this.n; t++) {
      if (this.allowed[t]) dual += Math.abs(-this.c[t] / this.y[t] - aty[t] + this.q[t]) * this.y[t];
    }
    this.rows.forEach((row, i) => {
      if (row.lo !== row.hi) dual += Math.abs(this.lambda[i] - this.v[i] + this.w[i]);
    });
    return { primal, dual };
  }
}

function sum(indices: number[], values: ArrayLike<number>): number {
  let total = 0;
  for (const i of indices) total += values[i];
  return total;
}

/**
 * Solves the symmetric positive semi-definite system M x = b by Cholesky. A pivot that vanishes belongs to a
 * row that depends on the others (the quotas of one category add up to the panel size when all are exact):
 * its unknown is set to 0, which is consistent because the equations are.
 */
function choleskySolve(matrix: Float64Array[], b: Float64Array): Float64Array {
  const k = b.length;
  const L = matrix.map((row) => Float64Array.from(row));
  const scale = Math.max(1e-300, ...matrix.map((row, i) => Math.abs(row[i])));
  const skipped = new Uint8Array(k);
  for (let j = 0; j < k; j++) {
    let d = L[j][j];
    for (let p = 0; p < j; p++) d -= L[j][p] * L[j][p];
    if (d <= 1e-13 * scale) {
      skipped[j] = 1;
      for (let i = j; i < k; i++) L[i][j] = 0;
      continue;
    }
    const root = Math.sqrt(d);
    L[j][j] = root;
    for (let i = j + 1; i < k; i++) {
      let value = L[i][j];
      for (let p = 0; p < j; p++) value -= L[i][p] * L[j][p];
      L[i][j] = value / root;
    }
  }
  const x = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (skipped[i]) continue;
    let value = b[i];
    for (let p = 0; p < i; p++) value -= L[i][p] * x[p];
    x[i] = value / L[i][i];
  }
  for (let i = k - 1; i >= 0; i--) {
    if (skipped[i]) {
      x[i] = 0;
      continue;
    }
    let value = x[i];
    for (let p = i + 1; p < k; p++) value -= L[p][i] * x[p];
    x[i] = value / L[i][i];
  }
  return x;
}
