import type { Instance } from './instance';
import { addPanelRows } from './panel-finder';
import { configure, type Highs, run, SolverError } from './solver';
import type { Progress } from './types';

/** A dual at or below this is zero. */
const DUAL_ZERO = 1e-9;
/** How far fixed chances are loosened when floating-point error makes them infeasible together. */
const LOOSEN = 1e-7;

export interface RelaxedLeximin {
  /** Per type: people on the panel in expectation (a point of the relaxed panel polytope). */
  expected: Float64Array;
  /** Per type: each member's chance. */
  chances: Float64Array;
  levels: number;
  /** Anything loosened on the way, in words. */
  notes: string[];
}

/**
 * LEXIMIN over the LP relaxation P of the panel polytope (people per type may be fractional): a short
 * sequence of LPs, one per level, each raising the lowest chance z of the types not yet fixed:
 *   maximise z   subject to   x in P,   x_t >= c_t z (t free),   x_t >= c_t p_t (t fixed at p_t).
 * A type whose row has a nonzero dual cannot rise above z in any optimum, so it is fixed there.
 * Every lottery of real panels averages to a point of P, so no lottery beats this vector; if a lottery
 * reaches it (see decompose.ts), that lottery is the exact LEXIMIN.
 */
export function relaxedLeximin(highs: Highs, instance: Instance, onProgress?: (p: Progress) => void): RelaxedLeximin {
  const n = instance.types.length;
  const counts = Float64Array.from(instance.types, (t) => t.count);
  const model = highs.createModel();
  try {
    configure(model, 120);
    model.addVars(new Float64Array(n), counts);
    model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
    addPanelRows(highs, model, instance);
    const first = model.getDimensions().numRows;
    const z = n;
    model.addCol(1, -highs.infinity, highs.infinity, { indices: new Int32Array(0), values: new Float64Array(0) });
    for (let t = 0; t < n; t++) {
      model.addRow(0, highs.infinity, { indices: Int32Array.from([t, z]), values: Float64Array.from([1, -counts[t]]) });
    }
    const chances = new Float64Array(n).fill(-1);
    let unfixed = n;
    let levels = 0;
    let expected = new Float64Array(n);
    const notes: string[] = [];
    while (unfixed > 0) {
      run(model);
      if (model.getModelStatus() !== highs.constants.modelStatus.optimal && levels > 0 && notes.length === 0) {
        // Floating-point error can make the fixed chances just out of reach together: loosen them a little.
        chances.forEach((p, t) => p >= 0 && model.changeRowBounds(first + t, Math.max(0, (p - LOOSEN) * counts[t]), highs.infinity));
        notes.push(`fixed chances loosened by ${LOOSEN} for floating-point error`);
        run(model);
      }
      if (model.getModelStatus() !== highs.constants.modelStatus.optimal && !notes.some((n) => n.startsWith('presolve'))) {
        // HiGHS's presolve can end in "unknown" (status 15) on a model it solves without it: seen once in a full test run, not reproduced since.
        model.options.set({ presolve: 'off' });
        notes.push(`presolve turned off at level ${levels + 1}, after status ${model.getModelStatus()}`);
        run(model);
      }
      if (model.getModelStatus() !== highs.constants.modelStatus.optimal) {
        throw new SolverError(`the relaxed LEXIMIN LP stopped with status ${model.getModelStatus()} at level ${levels + 1}`);
      }
      const solution = model.getSolution();
      const lowest = Math.max(0, Math.min(1, solution.colValue[z]));
      expected = Float64Array.from(solution.colValue.subarray(0, n));
      levels++;
      let fixedNow = 0;
      for (let t = 0; t < n; t++) {
        if (chances[t] >= 0 || Math.abs(solution.rowDual[first + t]) <= DUAL_ZERO) continue;
        chances[t] = lowest;
        model.changeCoefficient(first + t, z, 0);
        model.changeRowBounds(first + t, Math.max(0, lowest * counts[t] - 1e-9), highs.infinity);
        fixedNow++;
      }
      // The duals of the z rows add up to 1, so at least one is nonzero; guard against solver noise.
      if (fixedNow === 0) throw new SolverError(`the relaxed LEXIMIN LP fixed no type at level ${levels}`);
      unfixed -= fixedNow;
      onProgress?.({ phase: 'bounds', round: levels, lowest, message: `level ${levels}: ${fixedNow} group(s) can get at most ${(lowest * 100).toFixed(3)}%, ${unfixed} left` });
    }
    return { expected: expected.map((v, t) => Math.min(counts[t], Math.max(0, v))), chances, levels, notes };
  } finally {
    model.dispose();
  }
}
