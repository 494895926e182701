import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CsvError, describeProblem } from '../csv';
import { type Alternates, chooseAlternates } from '../sortition/alternates';
import { draw } from '../sortition/draw';
import { DEFAULT_DROPOUT, dropoutChance, parseDropoutCsv } from '../sortition/dropout';
import { InfeasibleError } from '../sortition/feasibility';
import { InputError } from '../sortition/instance';
import { readPool } from '../sortition/pool';
import { percent } from '../sortition/report';
import { plainCategories } from '../sortition/intersections';
import { parseQuotasCsv } from '../sortition/quotas';
import { ALGORITHMS, type Algorithm, type DrawResult, type Progress } from '../sortition/types';
import { entryIds, entryNumber, LIST_SIZES, listText, UNIFORM_METHOD, type UniformList, uniformList } from '../sortition/uniform-list';
import { sha256 } from '../tokens';
import type { Io } from './run';

export const EXIT_INPUT = 2;
export const EXIT_INFEASIBLE = 3;
/** With --list-sha256: the list made is not the one committed to. */
export const EXIT_LIST_MISMATCH = 4;

export const DRAW_USAGE = `citizens-panel draw --pool POOL.csv --quotas QUOTAS.csv --panel-size K [--algorithm leximin|maximin|nash|legacy|diversimax]
                    [--seed TEXT] [--id-column NAME] [--address-columns A,B] [--json]
                    [--uniform M [--entry N] [--list-sha256 HASH] [--list-out LIST.txt]]
                    [--alternates N [--dropout DROPOUT.csv]]
      Draws a panel by stratified lottery. Quotas: category,value,min,max (or feature,value,min,max[,min_flex,max_flex]).
      The pool has one column per category; ids come from --id-column, else a column "id", else the row number.
      With --address-columns, at most one person per household. --json prints one JSON object.
      With --uniform M (${LIST_SIZES.join(', ')}), makes instead the numbered list of M panels of a final pick by dice
      (the leximin, maximin or nash lottery rounded to M equally likely panels), prints its fingerprint, compares it with
      --list-sha256 (the one in the commitment), prints panel --entry N (the number rolled, such as 417), and writes
      the list to --list-out. No seed is used: the same files always make the same list.
      With --alternates N, ranks N alternates with the panel drawn (or panel --entry N) from --seed, chosen so the
      quotas hold through the dropouts of --dropout (category,value,percent; 10% for everyone without it), and prints
      their simulated chance of keeping every quota beside a naive list's. It re-makes a final draw's alternates from
      the published files, its seed and dropout table.
      Exit status: 0 drawn, 2 unusable input (the message says which), 3 quotas no panel can meet, 4 the list's
      fingerprint is not --list-sha256.
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
        uniform: { type: 'string' },
        entry: { type: 'string' },
        'list-sha256': { type: 'string' },
        'list-out': { type: 'string' },
        alternates: { type: 'string' },
        dropout: { type: 'string' },
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
  const listSize = values.uniform === undefined ? undefined : Number(values.uniform);
  if (listSize !== undefined && !(LIST_SIZES as readonly number[]).includes(listSize)) return fail(`--uniform must be one of ${LIST_SIZES.join(', ')} (the list's panels, for two, three or four dice)`);
  if (listSize === undefined && (values.entry !== undefined || values['list-sha256'] !== undefined || values['list-out'] !== undefined)) {
    return fail('--entry, --list-sha256 and --list-out go with --uniform M: the list of panels a final pick by dice was made from');
  }
  if (values.alternates !== undefined && !/^[1-9]\d{0,3}$/.test(values.alternates)) return fail('--alternates must be a whole number from 1 to 9999, such as 11');
  if (values.dropout !== undefined && values.alternates === undefined) return fail('--dropout goes with --alternates N: the table the alternates are chosen for');
  if (values.alternates !== undefined && listSize !== undefined && values.entry === undefined) return fail('--alternates with --uniform needs --entry N: the alternates are ranked with the panel rolled');
  const entry = listSize === undefined || values.entry === undefined ? undefined : readEntry(values.entry, listSize);
  if (typeof entry === 'string') return fail(entry);
  if (values['list-sha256'] !== undefined && !/^[0-9a-f]{64}$/.test(values['list-sha256'])) return fail('--list-sha256 must be 64 hexadecimal digits: the list fingerprint in the commitment');

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
        categories: plainCategories(quotas),
        idColumn: values['id-column'],
        addressColumns: values['address-columns']?.split(',').map((c) => c.trim()).filter(Boolean),
      }),
    );
    const dropoutFile = values.dropout;
    const table = dropoutFile === undefined ? DEFAULT_DROPOUT : withFile(dropoutFile, () => parseDropoutCsv(read(dropoutFile), new Set(plainCategories(quotas))));
    const ranked = (panel: string[]) =>
      values.alternates === undefined ? undefined : chooseAlternates({ people: pool, quotas, panel, count: Number(values.alternates), dropout: dropoutChance(table), seed: values.seed ?? '' });
    if (listSize !== undefined) {
      const list = await uniformList(pool, quotas, { panelSize: Number(values['panel-size']), algorithm: values.algorithm as Algorithm, size: listSize, onProgress: progress?.update });
      progress?.done();
      const alternates = entry === undefined ? undefined : ranked(entryIds(list.lines, entry));
      return listReport(list, { entry, expected: values['list-sha256'], out: values['list-out'], json: values.json, alternates }, io);
    }
    const result = await draw(pool, quotas, {
      panelSize: Number(values['panel-size']),
      algorithm: values.algorithm as Algorithm,
      seed: values.seed,
      onProgress: progress?.update,
    });
    progress?.done();
    const alternates = ranked(result.selected);
    io.out(values.json ? `${JSON.stringify({ ...jsonOf(result), ...alternatesJson(alternates) })}\n` : summary(result) + alternatesText(alternates));
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

/** --entry as a line of the list: digits only, below M ("7" is 007); otherwise what is wrong with it. */
function readEntry(text: string, listSize: number): number | string {
  const last = entryNumber(listSize - 1, listSize);
  if (!/^\d+$/.test(text) || text.length > last.length || Number(text) >= listSize) return `--entry must be a number from ${entryNumber(0, listSize)} to ${last}: the number rolled`;
  return Number(text);
}

/** What the list is, whether it is the one committed to, and the panel rolled; exit 4 if the fingerprint differs. */
function listReport(list: UniformList, want: { entry?: number; expected?: string; out?: string; json: boolean; alternates?: Alternates }, io: Io): number {
  const matches = want.expected === undefined ? undefined : want.expected === list.fingerprint;
  const line = want.entry === undefined ? undefined : list.lines[want.entry];
  if (want.out) fs.writeFileSync(want.out, listText(list.lines));
  const lowest = (chances: number[]) => Math.min(...chances);
  if (want.json) {
    io.out(`${JSON.stringify({
      listSize: list.size,
      listMethod: UNIFORM_METHOD,
      listSha256: list.fingerprint,
      matches,
      entry: line && line.slice(0, line.indexOf(' ')),
      selected: want.entry === undefined ? undefined : entryIds(list.lines, want.entry),
      entrySha256: line && sha256(line),
      maxChange: list.maxChange,
      minProbability: lowest(list.chances),
      lotteryMinProbability: lowest(list.leximin),
      lotteryPanels: list.lotteryPanels,
      ...alternatesJson(want.alternates),
    })}\n`);
  } else {
    const lines = [
      `Made a list of ${list.size} panels (${UNIFORM_METHOD}), rounding a lottery over ${list.lotteryPanels} panels.`,
      `Largest change in anyone's chance: ${(list.maxChange * 100).toFixed(3)} percentage points; lowest chance ${percent(lowest(list.chances))} (in the lottery ${percent(lowest(list.leximin))}).`,
      `List fingerprint: ${list.fingerprint}${matches === undefined ? '' : matches ? '  matches --list-sha256' : '  DIFFERS from --list-sha256'}`,
      ...(line ? [`Panel ${line.slice(0, line.indexOf(' '))}: ${entryIds(list.lines, want.entry ?? 0).join(' ')}`, `SHA-256 of its line: ${sha256(line)}`] : []),
      ...(want.out ? [`The list is written to ${want.out}.`] : []),
    ];
    io.out(`${lines.join('\n')}\n${alternatesText(want.alternates)}`);
  }
  if (matches === false) {
    io.err(`citizens-panel draw: the list made is not the one committed to (fingerprint ${list.fingerprint}, not ${want.expected}): check the pool and quotas files against their SHA-256 in the commitment, and run the engine version the commitment names.\n`);
    return EXIT_LIST_MISMATCH;
  }
  return 0;
}

/** The alternates as JSON: the ranked ids and the simulated chances, the list's and a naive list's. */
function alternatesJson(a: Alternates | undefined) {
  if (!a) return {};
  const { list, keep, full, naive, naiveKeep, naiveFull, expectedDropouts, checks } = a;
  return { alternates: { list, keep, full, naive, naiveKeep, naiveFull, expectedDropouts, checks } };
}

function alternatesText(a: Alternates | undefined): string {
  if (!a) return '';
  return [
    '',
    `Alternates, ranked: ${a.list.join(', ')}`,
    `The dropout table expects ${a.expectedDropouts.toFixed(1)} of the panel to drop out. Simulated over ${a.checks} runs, every quota holds after replacement from this list ${percent(a.keep)} of the time (every seat filled too: ${percent(a.full)}); from a naive list in a random order, ${percent(a.naiveKeep)} (${percent(a.naiveFull)}).`,
    '',
  ].join('\n');
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
