import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../../src/paths';
import { draw } from '../../src/sortition/draw';
import { InfeasibleError } from '../../src/sortition/feasibility';
import { InputError } from '../../src/sortition/instance';
import { readPool } from '../../src/sortition/pool';
import { parseQuotasCsv } from '../../src/sortition/quotas';
import type { Progress, Quota } from '../../src/sortition/types';
import { checkInWorker, drawInWorker } from '../../src/sortition/worker';

function benchmark(name: string) {
  const dir = path.join(fixturesDir, 'sortition-benchmarks', name);
  const quotas = parseQuotasCsv(fs.readFileSync(path.join(dir, 'categories.csv'))).map(({ category, value, min, max }) => ({ category, value, min, max }));
  const people = readPool(fs.readFileSync(path.join(dir, 'respondents.csv')), { categories: [...new Set(quotas.map((q) => q.category))] });
  return { people, quotas };
}

test('a draw in a worker thread gives the same panel as in this thread, and reports progress', async () => {
  const { people, quotas } = benchmark('example_small_20');
  const progress: Progress[] = [];
  const inWorker = await drawInWorker({ people, quotas }, { panelSize: 20, seed: 'w', onProgress: (p) => progress.push(p) });
  const here = await draw(people, quotas, { panelSize: 20, seed: 'w' });
  expect(inWorker.selected).toEqual(here.selected);
  expect(inWorker.minProbability).toBeCloseTo(0.1, 9);
  expect(progress.map((p) => p.phase)).toContain('leximin');
});

test('the event loop keeps turning while the worker draws', async () => {
  const { people, quotas } = benchmark('example_large_200');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = Date.now();
  await drawInWorker({ people, quotas }, { panelSize: 200, algorithm: 'legacy', legacyRuns: 150 });
  clearInterval(timer);
  const elapsed = Date.now() - started;
  // Blocked, the timer could not have fired at all during the draw.
  expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
});

test('infeasible quotas come back as an InfeasibleError with its relaxations', async () => {
  const people = [{ id: 'a', features: { age: 'young' } }, { id: 'b', features: { age: 'old' } }];
  const quotas: Quota[] = [
    { category: 'age', value: 'young', min: 2, max: 2 },
    { category: 'age', value: 'old', min: 0, max: 2 },
  ];
  const error = await drawInWorker({ people, quotas }, { panelSize: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfeasibleError);
  expect((error as InfeasibleError).relaxations[0]).toMatchObject({ category: 'age', value: 'young', bound: 'min', from: 2, to: 1 });
});

test('the feasibility check runs in a worker too: it resolves for a drawable input and gives the relaxations for one that is not', async () => {
  const { people, quotas } = benchmark('example_small_20');
  await expect(checkInWorker({ people, quotas }, { panelSize: 20 })).resolves.toBeUndefined();
  const impossible = quotas.map((q, i) => (i === 0 ? { ...q, min: people.length + 1, max: people.length + 1 } : q));
  const error = await checkInWorker({ people, quotas: impossible }, { panelSize: 20 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfeasibleError);
  // From the files themselves, read in the worker too; a file that cannot be read comes back as an InputError.
  const files = { poolCsv: 'id,age\na,young\nb,old\n', quotasCsv: 'category,value,min,max\nage,young,1,1\nage,old,1,1\n', addressColumns: [] };
  await expect(checkInWorker({ files }, { panelSize: 2 })).resolves.toBeUndefined();
  await expect(checkInWorker({ files: { ...files, quotasCsv: 'nonsense' } }, { panelSize: 2 })).rejects.toBeInstanceOf(InputError);
});
