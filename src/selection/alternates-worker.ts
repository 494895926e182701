import { parentPort, workerData } from 'node:worker_threads';
import { replyFrom } from '../worker';
import { type AlternatesJob, alternatesOf } from './alternates';

/** The worker thread's side of `alternatesInWorker`: the committed files read and the alternates chosen. */
const { payload } = workerData as { payload: AlternatesJob };
replyFrom((reply) => parentPort?.postMessage(reply), () => alternatesOf(payload));
