import path from 'node:path';
import { Worker } from 'node:worker_threads';

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
export function startWorker(from: string, name: string, payload: unknown): Worker {
  const entry = path.join(path.dirname(from), `${name}${path.extname(from)}`);
  const workerData = { entry, payload };
  return entry.endsWith('.ts') ? new Worker(TS_BOOTSTRAP, { eval: true, workerData }) : new Worker(entry, { workerData });
}
