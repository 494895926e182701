import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm run bench`: the sortition, room, vote, pages and flood benchmarks one after another (each prints its own
 * table and progress as it goes), then one table of their headline figures with the machine they ran on. About 11
 * minutes on 2 cores, most of it the sortition cases. bench:eventloop adds about 20 s. The soak (bench:soak) is left out: it runs for 10 minutes on
 * its own.
 */
const RUNS: [string, string[]][] = [
  ['sortition', []],
  ['alternates', []],
  ['room', ['--clients', '200']],
  ['vote', ['--clients', '1000']],
  ['pages', []],
  ['flood', []],
  ['eventloop', []],
];

function main(): number {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-')), 'figures.jsonl');
  const failed: string[] = [];
  for (const [name, args] of RUNS) {
    console.log(`\n== bench:${name} ${args.join(' ')}`);
    const run = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`), ...args], { stdio: 'inherit', env: { ...process.env, BENCH_FIGURES: file } });
    if (run.status !== 0) failed.push(name);
  }
  const figures = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { bench: string; name: string; value: number; unit: string }) : [];
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\n== All figures, on ${machine}\n`);
  const width = Math.max(...figures.map((f) => f.name.length), 10);
  console.log(`${'bench'.padEnd(11)}${'figure'.padEnd(width + 2)}${'value'.padStart(12)}  unit`);
  for (const f of figures) console.log(`${f.bench.padEnd(11)}${f.name.padEnd(width + 2)}${String(f.value).padStart(12)}  ${f.unit}`);
  if (failed.length) console.log(`\nThese benchmarks failed (see their output above): ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

process.exit(main());
