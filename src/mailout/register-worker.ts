import { parentPort, workerData } from 'node:worker_threads';
import { registerCsv } from '../../fixtures/generate-register';
import { CsvError } from '../csv';
import { readRegister, registerFingerprint } from './register';

/**
 * The worker thread's side of a register import (register-job.ts): read and check the file (or make the
 * illustrative Coventry register from its seed, then read it like any upload), then hand the households over a
 * batch at a time, each only when the main thread asks ('next'), so taking them in never holds up the rooms.
 */
const BATCH = 2_000;
const { payload } = workerData as { payload: { file?: Uint8Array; households?: number } };
try {
  const input = payload.file ? Buffer.from(payload.file) : [...registerCsv(undefined, payload.households)].join('');
  const { households, ignoredColumns } = readRegister(input);
  parentPort?.postMessage({ type: 'read', total: households.length, fingerprint: registerFingerprint(households), ignoredColumns });
  let next = 0;
  const send = () => {
    if (next < households.length) parentPort?.postMessage({ type: 'households', households: households.slice(next, (next += BATCH)) });
    else parentPort?.postMessage({ type: 'done' });
  };
  parentPort?.on('message', (m: unknown) => m === 'next' && send());
} catch (err) {
  if (err instanceof CsvError) parentPort?.postMessage({ type: 'csv-error', problems: err.problems });
  else parentPort?.postMessage({ type: 'error', message: (err as Error).message });
}
