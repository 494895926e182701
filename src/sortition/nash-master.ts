/**
 * The restricted master of the Nash-welfare column generation: over the panels found so far, the lottery
 * lambda that maximises  F(lambda) = sum_t c_t log p_t,  p_t = sum_P lambda_P x_Pt / c_t  (c_t people of
 * type t, x_Pt of them on panel P). F is concave, not linear, so HiGHS cannot solve it; it is solved here by
 * pairwise Frank-Wolfe: move probability from the panel in use with the smallest gradient to the panel with
 * the largest, as far as an exact line search says. Each step touches only the types of two panels, so it
 * is cheap, and it converges linearly on this (strongly concave in p) objective.
 *
 * The gradient of F at panel P is g_P = sum_t x_Pt / p_t, and sum_P lambda_P g_P = sum_t c_t = N always,
 * so  max_P g_P - N  bounds how far F is below its optimum over these panels (the Frank-Wolfe gap).
 */
export class NashMaster {
  private readonly n: number;
  private readonly counts: Float64Array;
  private readonly full: Int32Array[] = [];
  /** Per panel: its types and how many of each (sparse). */
  private readonly types: Int32Array[] = [];
  private readonly seats: Int32Array[] = [];
  /** Per type: the panels it is on, and how many seats it has there. */
  private readonly onPanels: number[][];
  private readonly onSeats: number[][];
  private lambda: number[] = [];
  private g: number[] = [];
  readonly p: Float64Array;
  /** People of the types that can be on some panel: the value the gradients average to. */
  private total = 0;

  constructor(counts: Float64Array) {
    this.n = counts.length;
    this.counts = counts;
    this.p = new Float64Array(this.n);
    this.onPanels = Array.from({ length: this.n }, () => []);
    this.onSeats = Array.from({ length: this.n }, () => []);
  }

  get size(): number {
    return this.types.length;
  }

  /** Starts from these panels with these probabilities (adding up to 1); the types they include get a positive chance. */
  start(panels: Int32Array[], probabilities: ArrayLike<number>): void {
    panels.forEach((panel) => this.store(panel));
    this.lambda = Array.from(probabilities);
    this.p.fill(0);
    this.types.forEach((ts, P) => ts.forEach((t, k) => (this.p[t] += (this.lambda[P] * this.seats[P][k]) / this.counts[t])));
    this.total = 0;
    this.p.forEach((pt, t) => pt > 0 && (this.total += this.counts[t]));
    this.refresh();
  }

  /** A new panel, with probability 0 for now. Its types must already have a positive chance. */
  add(panel: Int32Array): void {
    const P = this.store(panel);
    this.lambda.push(0);
    this.g.push(this.gradient(P));
  }

  /** sum_t x_t / p_t: the rate at which F grows when probability moves onto this panel. */
  value(panel: Int32Array): number {
    let sum = 0;
    panel.forEach((x, t) => x > 0 && (sum += x / this.p[t]));
    return sum;
  }

  /** Per type, each member's weight in pricing: 1 / p_t (0 for types no panel can include). */
  weights(): Float64Array {
    return Float64Array.from(this.p, (pt) => (pt > 0 ? 1 / pt : 0));
  }

  /** F: the sum over people of the logarithm of their chance (people no panel includes left out). */
  objective(): number {
    let sum = 0;
    this.p.forEach((pt, t) => pt > 0 && (sum += this.counts[t] * Math.log(pt)));
    return sum;
  }

  /** N, the number of people of types some panel includes: every gradient g_P averages to it. */
  get people(): number {
    return this.total;
  }

  probabilities(): Float64Array {
    return Float64Array.from(this.lambda);
  }

  /** Pairwise Frank-Wolfe until the gap over these panels is at most `tolerance`; returns that gap. */
  solve(tolerance: number, maxSteps = 200000): number {
    for (let step = 0; step < maxSteps; step++) {
      if (step % 2000 === 1999) this.refresh(); // incremental gradients drift; recompute now and then
      let best = 0;
      let worst = -1;
      for (let P = 0; P < this.g.length; P++) {
        if (this.g[P] > this.g[best]) best = P;
        if (this.lambda[P] > 0 && (worst < 0 || this.g[P] < this.g[worst])) worst = P;
      }
      const gap = this.g[best] - this.total;
      if (gap <= tolerance || worst < 0 || best === worst) return Math.max(0, gap);
      this.pairStep(best, worst);
    }
    this.refresh();
    return Math.max(0, Math.max(...this.g) - this.total);
  }

  /**
   * Drops the panels of probability 0 whose gradient is below average (none of them would be moved onto now),
   * so that each step stays cheap as panels accumulate; returns them, so the caller may find them again later.
   */
  prune(): Int32Array[] {
    const kept: number[] = [];
    const dropped: Int32Array[] = [];
    this.full.forEach((panel, P) => (this.lambda[P] > 0 || this.g[P] >= this.total ? kept.push(P) : dropped.push(panel)));
    if (dropped.length === 0) return dropped;
    const panels = kept.map((P) => this.full[P]);
    const lambda = kept.map((P) => this.lambda[P]);
    this.full.length = 0;
    this.types.length = 0;
    this.seats.length = 0;
    this.onPanels.forEach((list) => (list.length = 0));
    this.onSeats.forEach((list) => (list.length = 0));
    panels.forEach((panel) => this.store(panel));
    this.lambda = lambda;
    this.refresh();
    return dropped;
  }

  /** How many panels have a positive probability. */
  get used(): number {
    return this.lambda.filter((l) => l > 0).length;
  }

  /** Every panel given, in order, with `probabilities()` in the same order. */
  panels(): Int32Array[] {
    return this.full.slice();
  }

  private store(panel: Int32Array): number {
    const P = this.types.length;
    this.full.push(panel);
    const ts: number[] = [];
    const xs: number[] = [];
    panel.forEach((x, t) => {
      if (x === 0) return;
      ts.push(t);
      xs.push(x);
      this.onPanels[t].push(P);
      this.onSeats[t].push(x);
    });
    this.types.push(Int32Array.from(ts));
    this.seats.push(Int32Array.from(xs));
    return P;
  }

  private gradient(P: number): number {
    let sum = 0;
    this.types[P].forEach((t, k) => (sum += this.seats[P][k] / this.p[t]));
    return sum;
  }

  private refresh(): void {
    this.g = this.types.map((_, P) => this.gradient(P));
  }

  /** Moves probability delta from `worst` to `best`, delta chosen by an exact line search. */
  private pairStep(best: number, worst: number): void {
    // Direction per type, in seats: D_t = x_best,t - x_worst,t; p_t moves by delta D_t / c_t.
    const change = new Map<number, number>();
    this.types[best].forEach((t, k) => change.set(t, this.seats[best][k]));
    this.types[worst].forEach((t, k) => change.set(t, (change.get(t) ?? 0) - this.seats[worst][k]));
    const ts: number[] = [];
    const ds: number[] = [];
    change.forEach((d, t) => {
      if (d !== 0) {
        ts.push(t);
        ds.push(d);
      }
    });
    const delta = this.lineSearch(ts, ds, this.lambda[worst]);
    if (delta <= 0) {
      // No progress possible along this pair (rounding): take the stale gradient out of the contest.
      this.refresh();
      return;
    }
    this.lambda[best] += delta;
    this.lambda[worst] = delta >= this.lambda[worst] ? 0 : this.lambda[worst] - delta;
    ts.forEach((t, k) => {
      const before = this.p[t];
      const after = Math.max(0, before + (delta * ds[k]) / this.counts[t]);
      this.p[t] = after;
      const shift = 1 / after - 1 / before;
      const panels = this.onPanels[t];
      const seats = this.onSeats[t];
      for (let j = 0; j < panels.length; j++) this.g[panels[j]] += seats[j] * shift;
    });
  }

  /**
   * The delta in [0, limit] that maximises phi(delta) = sum_t c_t log(p_t + delta D_t / c_t): phi is concave,
   * so it is the root of phi' (safeguarded Newton inside a shrinking bracket), or the limit if phi' > 0 there.
   */
  private lineSearch(ts: number[], ds: number[], limit: number): number {
    const slope = (delta: number): [number, number] => {
      let first = 0;
      let second = 0;
      for (let k = 0; k < ts.length; k++) {
        const t = ts[k];
        const q = this.p[t] + (delta * ds[k]) / this.counts[t];
        if (q <= 0) return [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
        first += ds[k] / q;
        second -= (ds[k] * ds[k]) / (this.counts[t] * q * q);
      }
      return [first, second];
    };
    const [atLimit] = slope(limit);
    if (atLimit >= 0) return limit;
    let lo = 0;
    let hi = limit;
    let delta = 0;
    for (let i = 0; i < 100; i++) {
      const [first, second] = slope(delta);
      if (Math.abs(first) < 1e-12) return delta;
      if (first > 0) lo = delta;
      else hi = delta;
      if (hi - lo <= 1e-15 * hi) break;
      let next = delta - first / second;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
      delta = next;
    }
    return lo;
  }
}
