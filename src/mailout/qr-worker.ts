import { parentPort, workerData } from 'node:worker_threads';
import { type QrPlace, qrOps } from './qr';

/** The worker thread's side of qrMaker (qr.ts): each batch of links back as drawing operations, in order. */
const { payload } = workerData as { payload: QrPlace };
parentPort?.on('message', (m: { id: number; texts: string[] }) => {
  try {
    parentPort?.postMessage({ id: m.id, ops: m.texts.map((t) => qrOps(t, payload)) });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, message: (err as Error).message });
  }
});
