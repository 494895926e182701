import { parentPort, workerData } from 'node:worker_threads';
import { checkDrawable, draw } from './draw';
import { readDrawFiles } from './pool';
import type { Progress } from './types';
import { uniformList } from './uniform-list';
import type { WorkerMessage, WorkerPayload } from './worker';

/** The worker thread's side: run one draw (or check), post progress and then the result or the error. */
const { payload } = workerData as { payload: WorkerPayload };
const post = (message: WorkerMessage) => parentPort?.postMessage(message);

const options = { ...payload.options, onProgress: (progress: Progress) => post({ type: 'progress', progress }) };
const run = async () => {
  const { input } = payload;
  const { people, quotas } = 'files' in input ? readDrawFiles(input.files.poolCsv, input.files.quotasCsv, input.files.addressColumns) : input;
  if (payload.job === 'uniform') return uniformList(people, quotas, { ...options, size: options.listSize });
  return payload.job === 'check' ? checkDrawable(people, quotas, options).then(() => null) : draw(people, quotas, options);
};
run().then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => {
    const e = err as Error & { relaxations?: unknown };
    post({ type: 'error', name: e.constructor?.name ?? 'Error', message: e.message, relaxations: e.relaxations });
  },
);
