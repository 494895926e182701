import { parentPort, workerData } from 'node:worker_threads';
import { packOps, type QrPlace, qrOps } from './qr';

/** The worker thread's side of qrMaker (qr.ts): each batch of links back as drawing operations, in order. */
const { payload } = workerData as { payload: QrPlace };
parentPort?.on('message', (m: { id: number; texts: string[] }) => {
  try {
    const ops = packOps(m.texts.map((t) => qrOps(t, payload)));
    parentPort?.postMessage({ id: m.id, ops }, [ops.buffer]);
  } catch (err) {
    parentPort?.postMessage({ id: m.id, message: (err as Error).message });
  }
});
