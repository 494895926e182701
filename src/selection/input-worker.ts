import { parentPort, workerData } from 'node:worker_threads';
import type { Member } from '../membership/members';
import { replacementInput } from './replacement';
import { replyFrom } from '../worker';

/** The worker thread's side of `replacementInputInWorker`: the committed pool parsed, and what is left of it written. */
const { payload } = workerData as { payload: { poolCsv: string; quotasCsv: string; members: Member[] } };
replyFrom((reply) => parentPort?.postMessage(reply), () => replacementInput(payload.poolCsv, payload.quotasCsv, payload.members));
