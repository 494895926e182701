import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildMessage } from './bare-server';

/** Helpers the benchmarks share: their servers run as child processes, so CPU and memory are the server's own. */

/** Every child started, so a benchmark can stop them all on the way out. */
export const children: ChildProcess[] = [];

export function startChild<T>(file: string, args: string[]): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(path.join(__dirname, file), args, { execArgv: ['--expose-gc', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as T }));
    child.once('exit', (code, signal) => reject(new Error(`${file} stopped (${signal ?? `exit code ${code}`}) before it was ready`)));
    child.once('error', reject);
  });
}

export function ask(child: ChildProcess, type: 'mark' | 'usage'): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildMessage));
    child.send({ type }, (err) => err && reject(err));
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send({ type: 'stop' });
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** One figure for `npm run bench`'s combined table: appended to the file named by $BENCH_FIGURES, when set (bench/all.ts). */
export function figure(bench: string, name: string, value: number, unit: string, digits = 1): void {
  const file = process.env.BENCH_FIGURES;
  if (file) fs.appendFileSync(file, `${JSON.stringify({ bench, name, value: Number(value.toFixed(digits)), unit })}\n`);
}

/** `figure` for a table row labelled "name (unit)", as the benchmarks' own tables are. */
export function labelledFigure(bench: string, prefix: string, label: string, value: number, digits: number): void {
  figure(bench, `${prefix}: ${label.replace(/ \(.*\)$/, '')}`, value, /\((.*)\)$/.exec(label)?.[1] ?? '', digits);
}

/** Runs a benchmark's main, then exits: 0 when it finished, 1 with its message when it failed. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`bench:${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}

/**
 * Runs `work` in a scratch folder; afterwards, or on Ctrl-C, the clients are disconnected, the child servers
 * stopped (killed on Ctrl-C) and the folder removed.
 */
export async function inScratch(name: string, clients: { disconnect(): unknown }[], work: (dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cp-bench-${name}-`));
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    for (const c of children) c.kill('SIGKILL');
    cleanUp();
    process.exit(130);
  });
  try {
    await work(dir);
  } finally {
    for (const c of clients) c.disconnect();
    await Promise.all(children.map(stopChild));
    cleanUp();
  }
}
