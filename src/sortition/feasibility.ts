import { type Instance, poolByRow } from './instance';
import { addPanelRows } from './panel-finder';
import { configure, type Highs, run } from './solver';

export interface Relaxation {
  category: string;
  value: string;
  bound: 'min' | 'max';
  from: number;
  to: number;
  /** How many people in the pool have the value. */
  pool: number;
}

export class InfeasibleError extends Error {
  constructor(readonly relaxations: Relaxation[]) {
    super(
      relaxations.length
        ? `No panel can meet every quota with this pool. The smallest changes that make a draw possible:\n${relaxations.map(describe).join('\n')}`
        : 'No panel can meet every quota with this pool (the household rule leaves too few people); recruit more people or relax the quotas.',
    );
  }
}

export function describe(r: Relaxation): string {
  const why = r.bound === 'min' && r.pool < r.from ? ` (only ${r.pool} in the pool)` : '';
  return `  ${r.category} ${r.value}: ${r.bound} ${r.from} -> ${r.to}${why}`;
}

/**
 * Why no panel exists, as the least total change to the quotas that allows one: the panel MIP with a
 * slack on each bound, minimising the slacks (organisers change numbers, so every person counts).
 */
export function suggestRelaxations(highs: Highs, instance: Instance): Relaxation[] {
  const model = highs.createModel();
  try {
    configure(model, 60);
    const n = instance.types.length;
    const m = instance.rows.length;
    // Columns: x_t (0..n-1), then per quota row a slack below (n+r) and above (n+m+r).
    // A minimum can drop to 0 at most; a maximum need never rise past the panel size.
    const upper = (i: number) => (i < n ? instance.types[i].count : i < n + m ? instance.rows[i - n].min : instance.panelSize);
    model.addVars(new Float64Array(n + 2 * m), Float64Array.from({ length: n + 2 * m }, (_, i) => upper(i)));
    model.changeColsIntegrality({ kind: 'range', from: 0, to: n + 2 * m - 1 }, new Int32Array(n + 2 * m).fill(highs.constants.variableType.integer));
    model.changeColsCost({ kind: 'range', from: n, to: n + 2 * m - 1 }, new Float64Array(2 * m).fill(1));
    addPanelRows(highs, model, instance, (r) => ({ indices: [n + r, n + m + r], values: [1, -1] }));
    run(model);
    if (model.getModelStatus() !== highs.constants.modelStatus.optimal) return [];
    const x = model.getSolution().colValue;
    const pool = poolByRow(instance);
    return instance.rows.flatMap((row, r): Relaxation[] => {
      const below = Math.round(x[n + r]);
      const above = Math.round(x[n + m + r]);
      const base = { category: row.category, value: row.value, pool: pool[r] };
      if (below > 0) return [{ ...base, bound: 'min' as const, from: row.min, to: row.min - below }];
      if (above > 0) return [{ ...base, bound: 'max' as const, from: row.max, to: row.max + above }];
      return [];
    });
  } finally {
    model.dispose();
  }
}
