/** The sortition engine's public API: pure data in, data out; progress through a callback. */
export { checkDrawable, draw, ENGINE_VERSION, probabilities } from './draw';
export { drawInWorker } from './worker';
export { InfeasibleError, type Relaxation } from './feasibility';
export { InputError } from './instance';
export { readPool } from './pool';
export { checkQuotaSums, parseQuotasCsv, quotasFromShares } from './quotas';
export * from './types';
