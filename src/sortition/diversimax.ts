import type { Instance } from './instance';
import { plainCategories } from './intersections';
import { addPanelRows } from './panel-finder';
import { configure, type Highs, run, SolverError } from './solver';
import type { Person, Quota } from './types';

/**
 * Diversimax (the Sortition Foundation's, after Oren Matar): one panel whose intersections of categories are as
 * evenly filled as possible. For every category and every pair of categories, each cell (a value, or a pair of
 * values) that someone in the pool is in is asked to hold an even share of the panel (panel ÷ such cells); the panel that meets every quota and the
 * household rule with the least total distance from those shares is found by a MIP over types. Crossings with more
 * cells than seats, or fewer than 2 people in the pool per cell on average, are left out, as the Foundation's code does. The
 * panel is not a lottery: each type's seats go to its members at random, so a person's chance is their type's
 * seats ÷ its size, and many have none. The draw page sets that against LEXIMIN's.
 */
export interface Diversimax {
  /** People per type. */
  panel: Int32Array;
  /** The crossings it evened out, and the total distance from even shares it reached. */
  crossings: string[];
  distance: number;
}

/** The MIP stops within 1% of the best distance, or after this long with an error. */
const GAP = 0.01;
const SECONDS = 120;

export function diversimax(solver: Highs, instance: Instance, people: Person[], quotas: Quota[]): Diversimax {
  const n = instance.types.length;
  const cells = crossingsOf(instance, people, quotas);
  const model = solver.createModel();
  try {
    configure(model, SECONDS);
    model.options.set({ mip_rel_gap: GAP });
    const m = cells.reduce((sum, c) => sum + c.cells.length, 0);
    model.addVars(new Float64Array(n + m), Float64Array.from({ length: n + m }, (_, i) => (i < n ? instance.types[i].count : solver.infinity)));
    model.changeColsIntegrality({ kind: 'range', from: 0, to: n - 1 }, new Int32Array(n).fill(solver.constants.variableType.integer));
    model.changeObjectiveSense(solver.constants.objectiveSense.minimize);
    model.changeColsCost({ kind: 'range', from: n, to: n + m - 1 }, new Float64Array(m).fill(1));
    addPanelRows(solver, model, instance);
    let aux = n;
    for (const crossing of cells) {
      const even = instance.panelSize / crossing.cells.length;
      for (const types of crossing.cells) {
        // aux ≥ |Σ x_t − even|, as two rows.
        const indices = Int32Array.from([aux, ...types]);
        model.addRow(-even, solver.infinity, { indices, values: Float64Array.from([1, ...types.map(() => -1)]) });
        model.addRow(even, solver.infinity, { indices, values: Float64Array.from([1, ...types.map(() => 1)]) });
        aux++;
      }
    }
    run(model);
    if (model.getModelStatus() !== solver.constants.modelStatus.optimal) {
      throw new SolverError(`diversimax found no panel within ${SECONDS} s (solver status ${model.getModelStatus()}); use leximin, or fewer categories`);
    }
    const values = model.getSolution().colValue;
    return { panel: Int32Array.from({ length: n }, (_, t) => Math.round(values[t])), crossings: cells.map((c) => c.name), distance: model.getObjectiveValue() };
  } finally {
    model.dispose();
  }
}

/** Each category and pair of categories worth evening out, with the types in each of its cells (empty cells too). */
function crossingsOf(instance: Instance, people: Person[], quotas: Quota[]): { name: string; cells: number[][] }[] {
  const categories = plainCategories(quotas);
  const valuesOf = (c: string) => [...new Set(people.map((p) => p.features[c]))].sort();
  const combos = [...categories.map((c) => [c]), ...categories.flatMap((a, i) => categories.slice(i + 1).map((b) => [a, b]))];
  return combos.flatMap((combo) => {
    const keys = combo.reduce<string[]>((acc, c) => acc.flatMap((k) => valuesOf(c).map((v) => (k ? `${k}\u0000${v}` : v))), ['']);
    if (keys.length > instance.panelSize || people.length / keys.length < 2) return [];
    const index = new Map(keys.map((k, i) => [k, i]));
    const cells = keys.map(() => [] as number[]);
    instance.types.forEach((t, ti) => {
      const person = people[t.members[0]];
      cells[index.get(combo.map((c) => person.features[c]).join('\u0000')) as number].push(ti);
    });
    return [{ name: combo.join(' & '), cells: cells.filter((types) => types.length > 0) }];
  });
}
