import { startWorker } from '../worker';
import { InfeasibleError, type Relaxation } from './feasibility';
import { InputError } from './instance';
import { SolverError } from './solver';
import type { DrawOptions, DrawResult, Person, Progress, Quota } from './types';
import type { UniformList } from './uniform-list';

/**
 * Runs a draw, or only the check that one can run, in a worker thread, so no solve ever blocks the server's
 * event loop and its live rooms (HiGHS solves synchronously: the check alone took 138 to 590 ms on the demo
 * pool). Progress arrives through `options.onProgress`; errors come back as the same classes `draw` throws.
 */
export interface WorkerPayload {
  job: 'draw' | 'check' | 'uniform';
  input: WorkerInput;
  /** `listSize`: for 'uniform', how many panels the list has. */
  options: Omit<DrawOptions, 'onProgress'> & { listSize?: number };
}

/** The people and quotas, or the two files to read them from (so even the parsing is off the event loop). */
export type WorkerInput = { people: Person[]; quotas: Quota[] } | { files: { poolCsv: string; quotasCsv: string; addressColumns: string[] } };

export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: DrawResult | UniformList | null }
  | { type: 'error'; name: string; message: string; relaxations?: unknown };

/** A draw in a worker thread, on people and quotas or on the two files (read there too). */
export function drawInWorker(input: WorkerInput, options: DrawOptions): Promise<DrawResult> {
  return inWorker('draw', input, options) as Promise<DrawResult>;
}

/** The numbered list of a transparent final pick (uniform-list.ts), made in a worker thread. */
export function uniformInWorker(input: WorkerInput, options: DrawOptions & { listSize: number }): Promise<UniformList> {
  return inWorker('uniform', input, options) as Promise<UniformList>;
}

/** As `checkDrawable`, off the event loop: resolves when some panel meets every quota, else throws why not. */
export async function checkInWorker(input: WorkerInput, options: DrawOptions): Promise<void> {
  await inWorker('check', input, options);
}

function inWorker(job: WorkerPayload['job'], input: WorkerInput, options: DrawOptions & { listSize?: number }): Promise<DrawResult | UniformList | null> {
  const { onProgress, ...rest } = options;
  const worker = startWorker(__filename, 'worker-main', { job, input, options: rest } satisfies WorkerPayload);
  return new Promise<DrawResult | UniformList | null>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') return onProgress?.(message.progress);
      void worker.terminate();
      if (message.type === 'done') resolve(message.result);
      else reject(rebuildError(message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => code !== 0 && reject(new SolverError(`the draw's worker thread stopped with exit code ${code}`)));
  });
}

function rebuildError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.name === 'InfeasibleError') return new InfeasibleError((message.relaxations as Relaxation[]) ?? []);
  if (message.name === 'InputError' || message.name === 'CsvError') return new InputError(message.message);
  return new SolverError(message.message);
}
