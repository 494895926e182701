import { parentPort, workerData } from 'node:worker_threads';
import { replyFrom } from '../worker';
import { type DicePick, diceOutcome } from './dice';

/** The worker thread's side of `diceOutcomeInWorker`: the list read, checked and panel N made a draw's outcome. */
const { payload } = workerData as { payload: DicePick };
replyFrom((reply) => parentPort?.postMessage(reply), () => diceOutcome(payload));
