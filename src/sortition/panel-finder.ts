import { type Instance, typesByRow } from './instance';
import { configure, type Highs, type Model, run, SolverError } from './solver';

/** Where a panel may lie: people per type, per quota row, and at least this many per household (at most 1). */
export interface Bounds {
  typeLo: Float64Array;
  typeHi: Float64Array;
  rowLo: Float64Array;
  rowHi: Float64Array;
  householdLo: Float64Array;
}

/**
 * The panel-finding MIP, at the level of types: x_t people of type t, 0 <= x_t <= count_t, adding up to
 * the panel size, within every quota, at most one per household. One persistent model: each call only
 * changes the objective, so HiGHS reuses what it built.
 */
export class PanelFinder {
  private readonly model: Model;
  private readonly n: number;
  readonly counts: Float64Array;

  constructor(
    private readonly highs: Highs,
    instance: Instance,
    timeLimitSeconds = 60,
    integer = true,
    /** How close to the best panel is close enough: 1e-7 proves the best (pricing); a walk needs only a heavy one. */
    relativeGap = 1e-7,
  ) {
    this.n = instance.types.length;
    this.counts = Float64Array.from(instance.types, (t) => t.count);
    this.model = highs.createModel();
    try {
      configure(this.model, timeLimitSeconds);
      this.model.options.set({ mip_rel_gap: relativeGap, mip_abs_gap: 1e-9 });
      build(highs, this.model, instance, integer);
    } catch (err) {
      this.model.dispose();
      throw err;
    }
  }

  /** The panel (people per type) with the largest total weight, or undefined when none exists. */
  best(weights: Float64Array): { counts: Int32Array; value: number } | undefined {
    this.model.changeColsCost({ kind: 'range', from: 0, to: this.n - 1 }, weights);
    run(this.model);
    const status = this.model.getModelStatus();
    const codes = this.highs.constants.modelStatus;
    if (status === codes.infeasible) return undefined;
    if (status !== codes.optimal) {
      throw new SolverError(`the panel-finding model stopped with status ${status} (time limit or solver trouble)`);
    }
    const values = this.model.getSolution().colValue;
    const counts = Int32Array.from(values, (v) => Math.round(v));
    let value = 0;
    counts.forEach((c, t) => (value += c * weights[t]));
    return { counts, value };
  }

  /** Confines later searches to `bounds` (people per type, quota rows and households). */
  restrict(bounds: Bounds): void {
    const { infinity } = this.highs;
    this.model.changeColsBounds({ kind: 'range', from: 0, to: this.n - 1 }, bounds.typeLo, bounds.typeHi);
    const quotas = bounds.rowLo.length;
    this.model.changeRowsBounds({ kind: 'range', from: 1, to: quotas }, bounds.rowLo, bounds.rowHi);
    const households = bounds.householdLo.length;
    if (households > 0) {
      this.model.changeRowsBounds(
        { kind: 'range', from: quotas + 1, to: quotas + households },
        Float64Array.from(bounds.householdLo, (lo) => (lo > 0 ? lo : -infinity)),
        new Float64Array(households).fill(1),
      );
    }
  }

  /** The optimum itself (fractional for a relaxed finder), or undefined when there is none. */
  solve(weights: Float64Array): Float64Array | undefined {
    this.model.changeColsCost({ kind: 'range', from: 0, to: this.n - 1 }, weights);
    run(this.model);
    if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return undefined;
    return this.model.getSolution().colValue;
  }

  /** The optimum's value alone; for a relaxed (continuous) finder, an upper bound for any panel. */
  bound(weights: Float64Array): number {
    this.model.changeColsCost({ kind: 'range', from: 0, to: this.n - 1 }, weights);
    run(this.model);
    if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return Number.POSITIVE_INFINITY;
    return this.model.getObjectiveValue();
  }

  dispose(): void {
    this.model.dispose();
  }
}

function build(highs: Highs, model: Model, instance: Instance, integer: boolean): void {
  const n = instance.types.length;
  const lower = new Float64Array(n);
  const upper = Float64Array.from(instance.types, (t) => t.count);
  model.addVars(lower, upper);
  if (integer) {
    model.changeColsIntegrality(
      { kind: 'range', from: 0, to: n - 1 },
      new Int32Array(n).fill(highs.constants.variableType.integer),
    );
  }
  model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
  addPanelRows(highs, model, instance);
}

/**
 * The rows every panel obeys, over columns 0..n-1 (people per type): the panel size, each quota and
 * each household. `extra` adds entries to a quota row (the infeasibility model's slacks).
 */
export function addPanelRows(
  highs: Highs,
  model: Model,
  instance: Instance,
  extra: (row: number) => { indices: number[]; values: number[] } = () => ({ indices: [], values: [] }),
): void {
  const n = instance.types.length;
  const ones = (k: number) => new Array<number>(k).fill(1);
  model.addRow(instance.panelSize, instance.panelSize, { indices: Int32Array.from({ length: n }, (_, i) => i), values: new Float64Array(n).fill(1) });
  typesByRow(instance).forEach((types, r) => {
    const more = extra(r);
    const indices = Int32Array.from([...types, ...more.indices]);
    const values = Float64Array.from([...ones(types.length), ...more.values]);
    model.addRow(instance.rows[r].min, instance.rows[r].max, { indices, values });
  });
  for (const household of instance.households) {
    model.addRow(-highs.infinity, 1, { indices: Int32Array.from(household), values: new Float64Array(household.length).fill(1) });
  }
}
