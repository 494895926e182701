import { parentPort, workerData } from 'node:worker_threads';
import { CsvError } from '../csv';
import type { Category } from '../panels/repo';
import { readPoolFile } from './import';

/**
 * The worker thread's side of an import (import-job.ts): read the file, then hand its people over a few thousand
 * at a time, each batch only when the main thread asks for the next ('next'), then the problems; or why the file
 * cannot be read. Batches posted all at once would be taken in by the main thread in one go, 100,000 people
 * unpacked in a single turn of its event loop (bench:eventloop saw a 200 to 290 ms block).
 */
const BATCH = 2_000;
const { payload } = workerData as { payload: { file: Uint8Array; categories: Category[] } };
try {
  const { people, ...rest } = readPoolFile(Buffer.from(payload.file), payload.categories);
  let next = 0;
  const send = () => {
    if (next < people.length) parentPort?.postMessage({ type: 'people', people: people.slice(next, (next += BATCH)) });
    else parentPort?.postMessage({ type: 'done', file: { ...rest, people: [] } });
  };
  parentPort?.on('message', (m: unknown) => m === 'next' && send());
  send();
} catch (err) {
  if (err instanceof CsvError) parentPort?.postMessage({ type: 'csv-error', problems: err.problems });
  else parentPort?.postMessage({ type: 'error', message: (err as Error).message });
}
