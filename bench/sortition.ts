import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturesDir } from '../src/paths';
import { draw } from '../src/sortition/draw';
import { readPool } from '../src/sortition/pool';
import { parseQuotasCsv, quotasFromShares } from '../src/sortition/quotas';
import type { Algorithm, Person, Quota } from '../src/sortition/types';
import { syntheticInstance } from './synthetic';
import { figure } from './child';

/**
 * npm run bench:sortition [-- NAME ...]: draws each instance and prints algorithm, n, k, types,
 * lowest chance, Gini, wall time and peak memory, beside the published figures where there are some.
 */
interface Case {
  name: string;
  algorithm: Algorithm;
  load: () => { people: Person[]; quotas: Quota[]; panelSize: number };
  published?: string;
}

const benchmarks = path.join(fixturesDir, 'sortition-benchmarks');

function fromFiles(folder: string, panelSize: number, addressColumns?: string[]) {
  return () => {
    const quotas = parseQuotasCsv(fs.readFileSync(path.join(folder, 'categories.csv')));
    const people = readPool(fs.readFileSync(path.join(folder, 'respondents.csv')), {
      categories: [...new Set(quotas.map((q) => q.category))],
      addressColumns,
    });
    return { people, quotas, panelSize };
  };
}

const CASES: Case[] = [
  { name: 'example_small_20', algorithm: 'leximin', load: fromFiles(path.join(benchmarks, 'example_small_20'), 20), published: 'LEXIMIN min 10.0% in 2.7 s (Gurobi)' },
  { name: 'example_large_200', algorithm: 'leximin', load: fromFiles(path.join(benchmarks, 'example_large_200'), 200), published: 'LEXIMIN min 10.0% in 1161.8 s (Gurobi)' },
  { name: 'example_large_200', algorithm: 'legacy', load: fromFiles(path.join(benchmarks, 'example_large_200'), 200), published: 'LEGACY min <= 0.25% (99% upper bound)' },
  { name: 'coventry_demo_40', algorithm: 'maximin', load: coventry },
  { name: 'coventry_demo_40', algorithm: 'leximin', load: coventry },
  { name: 'coventry_demo_40', algorithm: 'nash', load: coventry },
  { name: 'synthetic_sf_e_110', algorithm: 'leximin', load: () => syntheticInstance(), published: 'real sf_e: 4011.6 s (Gurobi), 170 s (sortition-algorithms); goal < 2 s' },
  { name: 'synthetic_sf_e_110', algorithm: 'maximin', load: () => syntheticInstance(), published: 'goal < 2 s' },
  { name: 'synthetic_sf_e_110', algorithm: 'nash', load: () => syntheticInstance(), published: 'goal: seconds' },
  // Issue 23's hard shapes, each from a seed.
  { name: 'synthetic_exact_110', algorithm: 'leximin', load: () => syntheticInstance({ seed: 'exact', tolerance: 0 }), published: 'goal < 2 s' },
  { name: 'synthetic_households_110', algorithm: 'leximin', load: () => syntheticInstance({ seed: 'households', sharing: 0.3 }), published: 'goal < 2 s' },
  { name: 'synthetic_6000_200', algorithm: 'leximin', load: () => syntheticInstance({ seed: 'large', size: 6000, panelSize: 200 }), published: 'goal < 5 s' },
];

function coventry() {
  const demo = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'coventry', 'panel.json'), 'utf8')) as {
    panelSize: number;
    quotaTolerance: number;
    categories: { key: string; values: { value: string; share: number }[] }[];
  };
  // The demo's quotas, computed from its shares as the app does.
  const quotas = quotasFromShares(
    demo.categories.map((c) => ({ category: c.key, values: c.values })),
    demo.panelSize,
    demo.quotaTolerance,
  ).map(({ category, value, min, max }) => ({ category, value, min, max }));
  const people = readPool(fs.readFileSync(path.join(fixturesDir, 'coventry', 'pool.csv')), {
    categories: demo.categories.map((c) => c.key),
    addressColumns: ['address', 'postcode'],
  });
  return { people, quotas, panelSize: demo.panelSize };
}

const LIMIT_SECONDS = Number(process.env.BENCH_LIMIT_SECONDS ?? 300);

/** Each case runs in its own process, so a case that runs past the limit is stopped and reported. */
function main(): void {
  const only = process.argv.slice(2);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; limit ${LIMIT_SECONDS} s per case`);
  console.log(['instance', 'algorithm', 'n', 'k', 'types', 'min prob', 'gini', 'seconds', 'peak MiB', 'published'].join(' | '));
  CASES.forEach((c, index) => {
    if (only.length && !only.includes(c.name)) return;
    const child = spawnSync(process.execPath, [__filename, '--case', String(index)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: LIMIT_SECONDS * 1000,
      encoding: 'utf8',
    });
    if (child.status === 0) process.stdout.write(child.stdout);
    else console.log(`${c.name} | ${c.algorithm} | did not finish within ${LIMIT_SECONDS} s | | | | | | | ${c.published ?? ''}`);
  });
}

async function runCase(c: Case): Promise<void> {
  const { people, quotas, panelSize } = c.load();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const start = process.hrtime.bigint();
  const result = await draw(people, quotas, {
    panelSize,
    algorithm: c.algorithm,
    legacyRuns: 1000,
    onProgress: (p) => process.stderr.write(`  ${c.name}: ${p.message}\n`),
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  figure('sortition', `${c.name}, ${c.algorithm}: time`, seconds, 's', 2);
  figure('sortition', `${c.name}, ${c.algorithm}: lowest chance`, result.minProbability * 100, '%', 3);
  console.log(
    [c.name, c.algorithm, result.poolSize, result.panelSize, result.types, `${(result.minProbability * 100).toFixed(3)}%`, result.gini.toFixed(3), seconds.toFixed(2), (peak / 2 ** 20).toFixed(0), c.published ?? ''].join(' | '),
  );
}

const caseIndex = process.argv.indexOf('--case');
if (caseIndex >= 0) {
  runCase(CASES[Number(process.argv[caseIndex + 1])]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main();
}
