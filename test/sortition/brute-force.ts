import { highs } from '../../src/sortition/solver';
import type { Person, Quota } from '../../src/sortition/types';
import { valueOf } from '../../src/sortition/intersections';

/** Every valid panel of a tiny pool, by enumeration: the check on the engine's panel-finding. */
export function allPanels(people: Person[], quotas: Quota[], k: number): number[][] {
  const panels: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      if (valid(people, quotas, chosen)) panels.push(chosen.slice());
      return;
    }
    for (let i = start; i < people.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return panels;
}

export function valid(people: Person[], quotas: Quota[], panel: number[]): boolean {
  const households = panel.map((i) => people[i].household).filter(Boolean);
  if (new Set(households).size !== households.length) return false;
  return quotas.every((q) => {
    const n = panel.filter((i) => valueOf(people[i], q.category) === q.value).length;
    return n >= q.min && n <= q.max;
  });
}

/**
 * LEXIMIN by its definition, over an explicit list of panels: maximise the lowest probability of the
 * unfixed people; then fix exactly those whose probability cannot exceed it (one LP each); repeat.
 */
export async function bruteLeximin(n: number, panels: number[][]): Promise<number[]> {
  const h = await highs();
  const fixed: (number | undefined)[] = new Array(n).fill(undefined);
  const solve = (objective: 'z' | number, z: number) => {
    const model = h.createModel();
    try {
      model.options.set({ output_flag: false });
      const m = panels.length;
      model.addVars(new Float64Array(m + 1), Float64Array.from({ length: m + 1 }, () => h.infinity));
      model.changeObjectiveSense(h.constants.objectiveSense.maximize);
      model.addRow(1, 1, { indices: Int32Array.from({ length: m }, (_, i) => i), values: new Float64Array(m).fill(1) });
      for (let i = 0; i < n; i++) {
        const idx = panels.flatMap((p, j) => (p.includes(i) ? [j] : []));
        if (objective === 'z' && fixed[i] === undefined) {
          model.addRow(0, h.infinity, { indices: Int32Array.from([...idx, m]), values: Float64Array.from([...idx.map(() => 1), -1]) });
        } else {
          const lower = fixed[i] ?? z;
          model.addRow(Math.max(0, lower - 1e-9), h.infinity, { indices: Int32Array.from(idx), values: new Float64Array(idx.length).fill(1) });
        }
      }
      if (objective === 'z') model.changeColCost(m, 1);
      else panels.forEach((p, j) => p.includes(objective) && model.changeColCost(j, 1));
      model.run();
      return model.getObjectiveValue();
    } finally {
      model.dispose();
    }
  };
  while (fixed.some((p) => p === undefined)) {
    const z = solve('z', 0);
    const stuck = fixed.flatMap((p, i) => (p === undefined && solve(i, z) <= z + 1e-7 ? [i] : []));
    for (const i of stuck) fixed[i] = z;
  }
  return fixed as number[];
}
