import type { Instance } from './instance';
import { configure, type Highs, type Model, run, SolverError } from './solver';

/**
 * The restricted master LP of the LEXIMIN column generation (Flanigan et al. 2021), in its primal
 * form: a probability lambda_P per panel found so far and the lowest probability z.
 *   maximise z
 *   sum_P lambda_P = 1
 *   sum_P (x_Pt / c_t) lambda_P - z >= 0     for each type t not yet fixed
 *   sum_P (x_Pt / c_t) lambda_P     >= p_t   for each type t fixed at p_t
 * A new panel is a new column, so the simplex basis stays feasible and re-solving takes few pivots.
 * The row duals y_t price the next panel; types with y_t > 0 cannot rise above z.
 */
export class Master {
  private readonly model: Model;
  private readonly n: number;
  private readonly counts: Float64Array;
  private columns = 0;

  constructor(
    private readonly highs: Highs,
    instance: Instance,
    timeLimitSeconds = 120,
  ) {
    this.n = instance.types.length;
    this.counts = Float64Array.from(instance.types, (t) => t.count);
    this.model = highs.createModel();
    try {
      configure(this.model, timeLimitSeconds);
      // Keep the basis between solves: presolve would discard it; primal simplex suits added columns.
      this.model.options.set({ presolve: 'off', solver: 'simplex', simplex_strategy: 4 });
      this.model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
      // Rows 0..n-1: one per type; row n: the probabilities add up to 1.
      const none = { indices: new Int32Array(0), values: new Float64Array(0) };
      for (let t = 0; t < this.n; t++) this.model.addRow(0, highs.infinity, none);
      this.model.addRow(1, 1, none);
      // Column 0: z, free, coefficient -1 in every type row.
      const rows = Int32Array.from({ length: this.n }, (_, i) => i);
      this.model.addCol(1, -highs.infinity, highs.infinity, { indices: rows, values: new Float64Array(this.n).fill(-1) });
      this.columns = 1;
    } catch (err) {
      this.model.dispose();
      throw err;
    }
  }

  addPanel(panel: Int32Array): void {
    const indices: number[] = [];
    const values: number[] = [];
    panel.forEach((x, t) => {
      if (x > 0) {
        indices.push(t);
        values.push(x / this.counts[t]);
      }
    });
    indices.push(this.n);
    values.push(1);
    this.model.addCol(0, 0, this.highs.infinity, { indices: Int32Array.from(indices), values: Float64Array.from(values) });
    this.columns++;
  }

  /** Type t is fixed at probability p: it no longer bounds z. */
  fix(t: number, p: number): void {
    this.model.changeCoefficient(t, 0, 0);
    this.model.changeRowBounds(t, p, this.highs.infinity);
  }

  solve(): { y: Float64Array; yhat: number; value: number; lambda: Float64Array } {
    run(this.model);
    if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) {
      this.model.options.set({ solver: 'simplex' });
      run(this.model);
      if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) {
        throw new SolverError(`the LEXIMIN master LP stopped with status ${this.model.getModelStatus()}`);
      }
    }
    const solution = this.model.getSolution();
    // HiGHS reports duals of a maximisation with the sign flipped against the textbook's y >= 0.
    const y = Float64Array.from(solution.rowDual.subarray(0, this.n), (d) => Math.max(0, -d));
    return {
      y,
      yhat: solution.rowDual[this.n],
      value: this.model.getObjectiveValue(),
      lambda: solution.colValue.slice(1, this.columns),
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}
