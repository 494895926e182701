import { InfeasibleError, suggestRelaxations } from './feasibility';
import { buildInstance, InputError, type Instance } from './instance';
import { diversimax } from './diversimax';
import { legacyPanel } from './legacy';
import { leximin } from './leximin';
import { drawFromPortfolio, rng } from './lottery';
import { nash } from './nash';
import { PanelFinder } from './panel-finder';
import { countsAgainstQuotas, gini } from './report';
import { discardRuntime, highs, isAbort } from './solver';
import { ALGORITHMS, type DrawOptions, type DrawResult, type Person, type Quota } from './types';

/** Bump it whenever the lottery for the same input changes: a commitment is re-run with the version it names (test/sortition/engine-version.test.ts). */
export const ENGINE_VERSION = 'citizens-panel-sortition 0.3.0';
const DEFAULT_LEGACY_RUNS = 1000;

/**
 * Draws a panel: `leximin` (default) or `maximin` from the fairest lottery the quotas allow, `nash` from the
 * lottery of greatest Nash welfare (nash.ts), the greedy `legacy` method, or `diversimax`, one panel whose crossings of
 * categories are as evenly filled as possible (diversimax.ts). The same inputs and seed give the
 * same panel on any machine.
 */
export async function draw(people: Person[], quotas: Quota[], options: DrawOptions): Promise<DrawResult> {
  try {
    return await drawOnce(people, quotas, options);
  } catch (err) {
    // After an Aborted() the WebAssembly runtime is poisoned: load a fresh one and try once more.
    if (!isAbort(err)) throw err;
    discardRuntime();
    options.onProgress?.({ phase: 'retry', message: 'the solver aborted; retrying with a fresh solver' });
    return drawOnce(people, quotas, options);
  }
}

async function drawOnce(people: Person[], quotas: Quota[], options: DrawOptions): Promise<DrawResult> {
  const { algorithm = 'leximin', seed = 'citizens-panel', onProgress } = options;
  const instance = prepare(people, quotas, options);
  const solver = await highs();
  assertFeasible(solver, instance);
  const typeOf = typeIndex(instance, people.length);
  let selected: number[];
  let perPerson: Float64Array;
  let notes: string[] = [];
  let leximinChances: number[] | undefined;
  if (algorithm === 'legacy') {
    const runs = options.legacyRuns ?? DEFAULT_LEGACY_RUNS;
    perPerson = legacyProbabilities(people, quotas, options.panelSize, seed, runs, onProgress);
    selected = legacyPanel(people, quotas, options.panelSize, rng(seed)) ?? [];
    notes = [`legacy probabilities are estimated from ${runs} seeded runs`];
    if (selected.length === 0) throw new InfeasibleError([]);
  } else if (algorithm === 'diversimax') {
    onProgress?.({ phase: 'diversimax', message: `evening out the crossings of categories over ${instance.types.length} groups of interchangeable people` });
    const found = diversimax(solver, instance, people, quotas);
    perPerson = Float64Array.from(typeOf, (t) => found.panel[t] / instance.types[t].count);
    selected = drawFromPortfolio(instance, [found.panel], Float64Array.of(1), rng(seed));
    // What it costs in equal chances: LEXIMIN on the same pool, for the fairness report.
    onProgress?.({ phase: 'leximin', message: 'LEXIMIN on the same pool, to compare the chances' });
    const fair = leximin(solver, instance, { onProgress });
    leximinChances = Array.from(typeOf, (t) => fair.marginals[t]);
    notes = [`diversimax evened out ${found.crossings.length} crossings of categories (${found.crossings.join(', ')}); total distance from even shares ${found.distance.toFixed(1)}`];
  } else {
    onProgress?.({ phase: 'types', message: `${people.length} people in ${instance.types.length} groups of interchangeable people` });
    const result =
      algorithm === 'nash' ? nash(solver, instance, { onProgress }) : leximin(solver, instance, { maximinOnly: algorithm === 'maximin', onProgress });
    perPerson = Float64Array.from(typeOf, (t) => result.marginals[t]);
    selected = drawFromPortfolio(instance, result.panels, result.probabilities, rng(seed));
    notes = [...result.notes, `a lottery over ${result.panels.length} panels`];
  }
  const probabilities = people.map((p, i) => ({ id: p.id, probability: perPerson[i] }));
  return {
    algorithm,
    seed,
    poolSize: people.length,
    panelSize: options.panelSize,
    types: instance.types.length,
    selected: selected.map((i) => people[i].id),
    probabilities,
    minProbability: Math.min(...perPerson),
    gini: gini(perPerson),
    impossible: people.filter((_, i) => perPerson[i] < 1e-9).map((p) => p.id),
    counts: countsAgainstQuotas(instance, selected, typeOf),
    notes,
    ...(leximinChances ? { leximinChances } : {}),
  };
}

/**
 * Checks, without drawing, that a draw can run: the input is usable and some panel meets every quota.
 * Throws InputError or InfeasibleError (with the smallest relaxations), as `draw` would.
 */
export async function checkDrawable(people: Person[], quotas: Quota[], options: DrawOptions): Promise<void> {
  assertFeasible(await highs(), prepare(people, quotas, options));
}

/** Every person's chance of selection, without drawing. */
export async function probabilities(people: Person[], quotas: Quota[], options: DrawOptions) {
  const { probabilities: result, minProbability, gini: g, impossible } = await draw(people, quotas, options);
  return { probabilities: result, minProbability, gini: g, impossible };
}

function prepare(people: Person[], quotas: Quota[], options: DrawOptions): Instance {
  if (!ALGORITHMS.includes(options.algorithm ?? 'leximin')) {
    throw new InputError(`unknown algorithm "${options.algorithm}"; use one of ${ALGORITHMS.join(', ')}`);
  }
  if (!Number.isInteger(options.panelSize) || options.panelSize < 1) {
    throw new InputError(`the panel size must be a whole number of at least 1, not ${options.panelSize}`);
  }
  if (options.panelSize > people.length) {
    throw new InputError(`the panel size ${options.panelSize} is larger than the pool (${people.length} people)`);
  }
  if (quotas.length === 0) throw new InputError('there are no quotas');
  return buildInstance(people, quotas, options.panelSize);
}

function assertFeasible(solver: Awaited<ReturnType<typeof highs>>, instance: Instance): void {
  const finder = new PanelFinder(solver, instance);
  try {
    if (finder.best(new Float64Array(instance.types.length))) return;
  } finally {
    finder.dispose();
  }
  throw new InfeasibleError(suggestRelaxations(solver, instance));
}

function typeIndex(instance: Instance, size: number): Int32Array {
  const typeOf = new Int32Array(size);
  instance.types.forEach((type, t) => type.members.forEach((m) => (typeOf[m] = t)));
  return typeOf;
}

function legacyProbabilities(
  people: Person[],
  quotas: Quota[],
  panelSize: number,
  seed: string,
  runs: number,
  onProgress: DrawOptions['onProgress'],
): Float64Array {
  const chosen = new Float64Array(people.length);
  let done = 0;
  for (let run = 0; run < runs; run++) {
    const panel = legacyPanel(people, quotas, panelSize, rng(`${seed}/estimate/${run}`));
    if (!panel) continue;
    done++;
    for (const i of panel) chosen[i]++;
    if (run % 50 === 49) onProgress?.({ phase: 'legacy', round: run + 1, message: `${run + 1} of ${runs} runs` });
  }
  return chosen.map((c) => (done ? c / done : 0));
}
