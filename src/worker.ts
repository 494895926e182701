import path from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

// Under ts-jest the code is TypeScript source: the worker compiles it on the fly with TypeScript.
const TS_BOOTSTRAP = `
const ts = require('typescript');
const fs = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(output.outputText, filename);
};
require(require('node:worker_threads').workerData.entry);
`;

/**
 * A worker thread running `name` (a file beside `from`, the caller's own `__filename`), compiled or TypeScript
 * alike, with `payload` as `workerData.payload`: for work that would otherwise stop the event loop and every live
 * room with it (a solve, a large parse).
 */
export function startWorker(from: string, name: string, payload: unknown, resourceLimits?: ResourceLimits): Worker {
  const entry = path.join(path.dirname(from), `${name}${path.extname(from)}`);
  const workerData = { entry, payload };
  return entry.endsWith('.ts') ? new Worker(TS_BOOTSTRAP, { eval: true, workerData, resourceLimits }) : new Worker(entry, { workerData, resourceLimits });
}

/** What a one-shot worker (`inWorker`) posts back: its answer, or why it failed. */
export type WorkerReply<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One piece of work in a worker thread: `name` computes from `payload` and posts a WorkerReply once
 * (`replyFrom` below). Rejects with the worker's message, or if the thread stops without answering.
 */
export function inWorker<T>(from: string, name: string, payload: unknown): Promise<T> {
  const worker = startWorker(from, name, payload);
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (reply: WorkerReply<T>) => {
      void worker.terminate();
      if (reply.ok) resolve(reply.value);
      else reject(new Error(reply.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the worker thread ${name} stopped with exit code ${code}`)));
  });
}

/** The worker's side of `inWorker`: posts what `work` returns, or its error's message. */
export function replyFrom<T>(post: ((reply: WorkerReply<T>) => void) | undefined, work: () => T): void {
  try {
    post?.({ ok: true, value: work() });
  } catch (err) {
    post?.({ ok: false, message: (err as Error).message });
  }
}
