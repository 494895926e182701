import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { readCsv } from '../../src/csv';
import { fixturesDir } from '../../src/paths';
import { draw } from '../../src/sortition/draw';
import { normaliseAddress } from '../../src/sortition/instance';
import { QUICK_ROUTE } from '../../src/sortition/leximin';
import { readPool } from '../../src/sortition/pool';
import { parseQuotasCsv } from '../../src/sortition/quotas';

const benchmarks = path.join(fixturesDir, 'sortition-benchmarks');

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-draw-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('citizens-panel draw on the published instances', () => {
  test.each([
    ['example_small_20', '20'],
    ['example_large_200', '200'],
  ])('%s: LEXIMIN reaches the published minimum of 10%%', async (name, k) => {
    const result = await cli(['draw', '--pool', path.join(benchmarks, name, 'respondents.csv'), '--quotas', path.join(benchmarks, name, 'categories.csv'), '--panel-size', k, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { selected: string[]; minProbability: number; probabilities: { id: string; probability: number }[]; poolSize: number; algorithm: string; seed: string; gini: number };
    expect(json.algorithm).toBe('leximin');
    expect(json.minProbability).toBeCloseTo(0.1, 6);
    expect(json.selected).toHaveLength(Number(k));
    expect(json.probabilities).toHaveLength(json.poolSize);
    expect(json.probabilities[0].id).toBe('0'); // no id column: the 0-based row number
    expect(json.gini).toBeCloseTo(0, 6);
  });

  test('the Sortition Foundation fixture, with its id and address columns and flex quotas', async () => {
    const folder = path.join(benchmarks, 'sa_fixture_150');
    const quotas = fs.readFileSync(path.join(folder, 'categories.csv'), 'utf8');
    const k = 22;
    const result = await cli(['draw', '--pool', path.join(folder, 'respondents.csv'), '--quotas', file('q.csv', quotas), '--panel-size', String(k),
      '--id-column', 'nationbuilder_id', '--address-columns', 'primary_address1,primary_zip', '--json', '--seed', 'fixture']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { selected: string[]; minProbability: number; counts: { min: number; max: number; selected: number }[] };
    expect(json.selected).toHaveLength(k);
    expect(json.selected[0]).toMatch(/^p\d+$/);
    for (const c of json.counts) expect(c.selected).toBeGreaterThanOrEqual(c.min), expect(c.selected).toBeLessThanOrEqual(c.max);
    expect(json.minProbability).toBeGreaterThan(0.09);
  });

  test('a readable summary by default', async () => {
    const result = await cli(['draw', '--pool', path.join(benchmarks, 'example_small_20', 'respondents.csv'), '--quotas', path.join(benchmarks, 'example_small_20', 'categories.csv'), '--panel-size', '20']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Drew 20 of 200 people with leximin');
    expect(result.out).toContain('Lowest chance of selection: 10.00%');
    expect(result.out).toMatch(/gender female: \d+ \(quota 9-20, \d+ in pool\)/);
  });

  test('--algorithm nash: the lottery of greatest Nash welfare, with its duality gap in the notes', async () => {
    const result = await cli(['draw', '--pool', path.join(benchmarks, 'example_small_20', 'respondents.csv'), '--quotas', path.join(benchmarks, 'example_small_20', 'categories.csv'), '--panel-size', '20', '--algorithm', 'nash', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { algorithm: string; selected: string[]; minProbability: number; notes: string[] };
    expect(json.algorithm).toBe('nash');
    expect(json.selected).toHaveLength(20);
    expect(json.minProbability).toBeCloseTo(0.1, 6); // equal chances are the best Nash welfare when the quotas allow them
    expect(json.notes[0]).toMatch(/^Nash welfare proved by the relaxed bound: within \d\.\de-\d+ of the optimum in mean log-chance \(duality gap/);
  });

  test('the same seed gives the same panel; another seed another', async () => {
    const args = (seed: string) => ['draw', '--pool', path.join(benchmarks, 'example_small_20', 'respondents.csv'), '--quotas', path.join(benchmarks, 'example_small_20', 'categories.csv'), '--panel-size', '20', '--json', '--seed', seed];
    const one = JSON.parse((await cli(args('x'))).out) as { selected: string[] };
    const two = JSON.parse((await cli(args('x'))).out) as { selected: string[] };
    const three = JSON.parse((await cli(args('y'))).out) as { selected: string[] };
    expect(two.selected).toEqual(one.selected);
    expect(three.selected).not.toEqual(one.selected);
  });
});

test('the Coventry demo: a LEXIMIN panel within every quota, one per household, lowest chance as high as maximin finds', async () => {
  const folder = path.join(fixturesDir, 'coventry');
  const poolFile = path.join(folder, 'pool.csv');
  const quotasFile = path.join(folder, 'quotas.csv');
  const result = await cli(['draw', '--pool', poolFile, '--quotas', quotasFile, '--panel-size', '40', '--address-columns', 'address,postcode', '--json']);
  expect(result.code).toBe(0);
  const json = JSON.parse(result.out) as { selected: string[]; minProbability: number; notes: string[]; counts: { min: number; max: number; selected: number }[] };
  expect(json.selected).toHaveLength(40);
  for (const c of json.counts) expect(c.selected).toBeGreaterThanOrEqual(c.min), expect(c.selected).toBeLessThanOrEqual(c.max);
  const chosen = readCsv(fs.readFileSync(poolFile)).rows.map((r) => r.cells).filter((r) => json.selected.includes(r.id));
  expect(new Set(chosen.map((r) => normaliseAddress([r.address, r.postcode]))).size).toBe(40);
  expect(json.notes.join(' ')).toContain(QUICK_ROUTE);

  // Maximin by column generation (the published method, a different route) finds the same lowest chance.
  const quotas = parseQuotasCsv(fs.readFileSync(quotasFile));
  const people = readPool(fs.readFileSync(poolFile), { categories: [...new Set(quotas.map((q) => q.category))], addressColumns: ['address', 'postcode'] });
  const maximin = await draw(people, quotas, { panelSize: 40, algorithm: 'maximin' });
  expect(json.minProbability).toBeCloseTo(maximin.minProbability, 6);
});

describe('citizens-panel draw refuses bad input with exit status 2', () => {
  const quotas = 'category,value,min,max\nage,young,1,2\nage,old,1,2\n';
  const pool = 'id,age\na,young\nb,old\nc,young\nd,old\n';

  test.each([
    [['--quotas', 'Q', '--panel-size', '2'], '--pool POOL.csv is required'],
    [['--pool', 'P', '--quotas', 'Q', '--panel-size', 'two'], '--panel-size must be a whole number'],
    [['--pool', 'P', '--quotas', 'Q', '--panel-size', '2', '--algorithm', 'magic'], '--algorithm must be one of leximin, maximin, nash, legacy'],
    [['--pool', 'missing.csv', '--quotas', 'Q', '--panel-size', '2'], 'cannot read missing.csv: no such file'],
  ])('%j', async (args, message) => {
    const resolved = args.map((a) => (a === 'P' ? file('p.csv', pool) : a === 'Q' ? file('q.csv', quotas) : a));
    const result = await cli(['draw', ...resolved]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.out).toBe('');
  });

  test('a malformed pool names the file, line and problem', async () => {
    const result = await cli(['draw', '--pool', file('p.csv', 'id,age\na,young\nb,old,extra\n'), '--quotas', file('q.csv', quotas), '--panel-size', '2']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/p\.csv:\n\s+line 3: expected 2 cells, found 3/);
  });

  test('a category of the quotas missing from the pool names the column', async () => {
    const result = await cli(['draw', '--pool', file('p.csv', 'id,years\na,young\n'), '--quotas', file('q.csv', quotas), '--panel-size', '1']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('column "age": no such column for the category "age" of the quotas');
  });

  test('a value in the pool without a quota is named', async () => {
    const result = await cli(['draw', '--pool', file('p.csv', 'id,age\na,young\nb,middle\n'), '--quotas', file('q.csv', quotas), '--panel-size', '1']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('person b has age "middle", which has no quota');
  });

  test('a malformed quota file names its line and column', async () => {
    const result = await cli(['draw', '--pool', file('p.csv', pool), '--quotas', file('q.csv', 'category,value,min,max\nage,young,x,2\n'), '--panel-size', '2']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('line 2, column "min": "x" is not a whole number');
  });

  test('a duplicate id is named with both lines', async () => {
    const result = await cli(['draw', '--pool', file('p.csv', 'id,age\na,young\na,old\n'), '--quotas', file('q.csv', quotas), '--panel-size', '2']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('line 3, column "id": the id "a" is also on line 2');
  });
});

test('quotas no panel can meet: exit status 3 with the suggested relaxations', async () => {
  const result = await cli(['draw', '--pool', file('p.csv', 'id,age\na,young\nb,old\nc,old\nd,old\n'), '--quotas', file('q.csv', 'category,value,min,max\nage,young,2,3\nage,old,1,3\n'), '--panel-size', '3']);
  expect(result.code).toBe(3);
  expect(result.err).toContain('age young: min 2 -> 1 (only 1 in the pool)');
  expect(fs.readdirSync(dir).sort()).toEqual(['p.csv', 'q.csv']);
});
