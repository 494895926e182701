import { parentPort, workerData } from 'node:worker_threads';
import { CsvError } from '../csv';
import type { Category } from '../panels/repo';
import { readPoolFile } from './import';

/**
 * The worker thread's side of an import (import-job.ts): read the file, then post its people a few thousand at a
 * time (so the main thread never has to take in 100,000 at once), then the problems; or why the file cannot be read.
 */
const BATCH = 2_000;
const { payload } = workerData as { payload: { file: Uint8Array; categories: Category[] } };
try {
  const { people, ...rest } = readPoolFile(Buffer.from(payload.file), payload.categories);
  for (let i = 0; i < people.length; i += BATCH) parentPort?.postMessage({ type: 'people', people: people.slice(i, i + BATCH) });
  parentPort?.postMessage({ type: 'done', file: { ...rest, people: [] } });
} catch (err) {
  if (err instanceof CsvError) parentPort?.postMessage({ type: 'csv-error', problems: err.problems });
  else parentPort?.postMessage({ type: 'error', message: (err as Error).message });
}
