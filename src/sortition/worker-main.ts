import { parentPort, workerData } from 'node:worker_threads';
import { draw } from './draw';
import type { WorkerMessage, WorkerPayload } from './worker';

/** The worker thread's side: run one draw, post progress and then the result or the error. */
const { payload } = workerData as { payload: WorkerPayload };
const post = (message: WorkerMessage) => parentPort?.postMessage(message);

draw(payload.people, payload.quotas, { ...payload.options, onProgress: (progress) => post({ type: 'progress', progress }) }).then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => {
    const e = err as Error & { relaxations?: unknown };
    post({ type: 'error', name: e.constructor?.name ?? 'Error', message: e.message, relaxations: e.relaxations });
  },
);
