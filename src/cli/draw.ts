import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CsvError, describeProblem } from '../csv';
import { draw } from '../sortition/draw';
import { InfeasibleError } from '../sortition/feasibility';
import { InputError } from '../sortition/instance';
import { readPool } from '../sortition/pool';
import { percent } from '../sortition/report';
import { parseQuotasCsv } from '../sortition/quotas';
import { ALGORITHMS, type Algorithm, type DrawResult, type Progress } from '../sortition/types';
import type { Io } from './run';

export const EXIT_INPUT = 2;
export const EXIT_INFEASIBLE = 3;

export const DRAW_USAGE = `citizens-panel draw --pool POOL.csv --quotas QUOTAS.csv --panel-size K [--algorithm leximin|maximin|legacy]
                    [--seed TEXT] [--id-column NAME] [--address-columns A,B] [--json]
      Draws a panel by stratified lottery. Quotas: category,value,min,max (or feature,value,min,max[,min_flex,max_flex]).
      The pool has one column per category; ids come from --id-column, else a column "id", else the row number.
      With --address-columns, at most one person per household. --json prints one JSON object.
      Exit status: 0 drawn, 2 unusable input (the message says which), 3 quotas no panel can meet.
`;

/**
 * citizens-panel draw: reads a pool and quotas, draws a panel, prints a summary or JSON. Not in the audit trail:
 * it works on CSV files given to it, without the database, so there is no trail to write to; the web draw is audited.
 */
export async function drawCommand(args: string[], io: Io): Promise<number> {
  const fail = (message: string, usage = false) => {
    io.err(`citizens-panel draw: ${message}\n${usage ? `\n${DRAW_USAGE}` : ''}`);
    return EXIT_INPUT;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        pool: { type: 'string' },
        quotas: { type: 'string' },
        'panel-size': { type: 'string' },
        algorithm: { type: 'string', default: 'leximin' },
        seed: { type: 'string', default: 'citizens-panel' },
        'id-column': { type: 'string' },
        'address-columns': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message, true);
  }
  if (!values.pool) return fail('--pool POOL.csv is required');
  if (!values.quotas) return fail('--quotas QUOTAS.csv is required');
  if (!values['panel-size'] || !/^[1-9]\d*$/.test(values['panel-size'])) return fail('--panel-size must be a whole number, such as 40');
  if (!ALGORITHMS.includes(values.algorithm as Algorithm)) return fail(`--algorithm must be one of ${ALGORITHMS.join(', ')}`);

  const read = (file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  };
  const withFile = <T>(file: string, parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      if (err instanceof CsvError) throw new InputError(`${file}:\n${err.problems.slice(0, 20).map((p) => `  ${describeProblem(p)}`).join('\n')}`);
      throw err;
    }
  };
  const progress = values.json ? undefined : progressLine(io);
  try {
    const quotas = withFile(values.quotas, () => parseQuotasCsv(read(values.quotas ?? '')));
    const pool = withFile(values.pool, () =>
      readPool(read(values.pool ?? ''), {
        categories: [...new Set(quotas.map((q) => q.category))],
        idColumn: values['id-column'],
        addressColumns: values['address-columns']?.split(',').map((c) => c.trim()).filter(Boolean),
      }),
    );
    const result = await draw(pool, quotas, {
      panelSize: Number(values['panel-size']),
      algorithm: values.algorithm as Algorithm,
      seed: values.seed,
      onProgress: progress?.update,
    });
    progress?.done();
    io.out(values.json ? `${JSON.stringify(jsonOf(result))}\n` : summary(result));
    return 0;
  } catch (err) {
    progress?.done();
    if (err instanceof InputError) return fail(err.message);
    if (err instanceof InfeasibleError) {
      io.err(`citizens-panel draw: ${err.message}\n`);
      return EXIT_INFEASIBLE;
    }
    throw err;
  }
}

function jsonOf(r: DrawResult) {
  return {
    algorithm: r.algorithm,
    seed: r.seed,
    poolSize: r.poolSize,
    panelSize: r.panelSize,
    selected: r.selected,
    probabilities: r.probabilities,
    minProbability: r.minProbability,
    gini: r.gini,
    types: r.types,
    impossible: r.impossible,
    counts: r.counts,
    notes: r.notes,
  };
}


function summary(r: DrawResult): string {
  const lines = [
    `Drew ${r.panelSize} of ${r.poolSize} people with ${r.algorithm} (seed "${r.seed}").`,
    `Lowest chance of selection: ${percent(r.minProbability)}; Gini coefficient of the chances: ${r.gini.toFixed(3)}.`,
    `People in ${r.types} groups of interchangeable people.`,
    ...(r.impossible.length ? [`${r.impossible.length} people can be on no valid panel (chance 0): ${r.impossible.slice(0, 20).join(', ')}`] : []),
    '',
    'Panel against quotas:',
    ...r.counts.map((c) => `  ${c.category} ${c.value}: ${c.selected} (quota ${c.min}-${c.max}, ${c.pool} in pool)`),
    '',
    `Selected: ${r.selected.join(', ')}`,
    ...r.notes.map((n) => `Note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One line on stderr that rewrites itself: phase, round and the lowest chance so far. */
function progressLine(io: Io) {
  let shown = false;
  return {
    update: (p: Progress) => {
      if (!io.tty) return io.err(`${p.phase}: ${p.message}\n`);
      io.err(`\r\x1b[K${p.phase}: ${p.message}`);
      shown = true;
    },
    done: () => {
      if (shown) io.err('\n');
      shown = false;
    },
  };
}
