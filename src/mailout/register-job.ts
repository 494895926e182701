import { audit } from '../audit';
import type { AppContext } from '../context';
import { type CsvProblem, CsvError } from '../csv';
import { DomainError } from '../errors';
import { oneAtATime } from '../panels/busy';
import type { Panel } from '../panels/repo';
import { startWorker } from '../worker';
import type { Household } from './register';
import { deleteRegisterBatch, insertHouseholds, listWaves, nextRegister, useRegister } from './repo';

/**
 * A register import (150,000 households) that never stops the event loop: the file is read and checked in a
 * worker thread, then written a batch at a time, each batch its own short transaction, beside the register in use.
 * All or nothing: only when every household is written does the new register take the old one's place, in one
 * step; if anything fails, what was written is deleted and the old register stays. Its progress is kept here, for
 * the mail-out page to show.
 */
export interface RegisterProgress {
  phase: 'reading' | 'writing' | 'done' | 'failed';
  done: number;
  total: number;
  fileName?: string;
  problems?: CsvProblem[];
  message?: string;
  ignoredColumns?: string[];
}

const INSERT_BATCH = 1_000;
const progress = new Map<number, RegisterProgress>();

export const registerProgress = (panelId: number): RegisterProgress | undefined => progress.get(panelId);
export const forgetProgress = (panelId: number): void => void progress.delete(panelId);

/** Starts the import and returns at once: of a file, or of the illustrative Coventry register of this many households. */
export function startRegisterImport(ctx: AppContext, panel: Panel, file: Buffer | { households: number }, fileName: string, userId: number | null): void {
  if (listWaves(ctx.db, panel.id).length) {
    throw new DomainError('conflict', 'A wave of letters has been committed from the register in use, so it can no longer be replaced: its fingerprint is in the commitment.');
  }
  if (progress.get(panel.id)?.phase === 'reading' || progress.get(panel.id)?.phase === 'writing') {
    throw new DomainError('conflict', 'A register import is still running on this panel. Wait for it to finish (this page shows its progress).');
  }
  const state: RegisterProgress = { phase: 'reading', done: 0, total: 0, fileName };
  progress.set(panel.id, state);
  oneAtATime(panel.id, 'A register import', () => run(ctx, panel, file, state, userId)).catch((err: Error) => {
    state.phase = 'failed';
    if (err instanceof CsvError) state.problems = err.problems;
    else state.message = err.message;
  });
}

async function run(ctx: AppContext, panel: Panel, file: Buffer | { households: number }, state: RegisterProgress, userId: number | null): Promise<void> {
  const { db, clock } = ctx;
  const register = nextRegister(db, panel.id);
  const worker = startWorker(__filename, 'register-worker', Buffer.isBuffer(file) ? { file: new Uint8Array(file) } : file);
  type Message =
    | { type: 'read'; total: number; fingerprint: string; ignoredColumns: string[] }
    | { type: 'households'; households: Household[] }
    | { type: 'done' }
    | { type: 'csv-error'; problems: CsvProblem[] }
    | { type: 'error'; message: string };
  let fingerprint = '';
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: Message) => {
        try {
          if (m.type === 'read') {
            Object.assign(state, { phase: 'writing', total: m.total, ignoredColumns: m.ignoredColumns });
            fingerprint = m.fingerprint;
            return void worker.postMessage('next');
          }
          if (m.type === 'households') {
            for (let i = 0; i < m.households.length; i += INSERT_BATCH) {
              const batch = m.households.slice(i, i + INSERT_BATCH);
              db.transaction(() => insertHouseholds(db, panel.id, register, batch))();
              state.done += batch.length;
            }
            return void setImmediate(() => worker.postMessage('next'));
          }
          if (m.type === 'done') return resolve();
          reject(m.type === 'csv-error' ? new CsvError(m.problems) : new Error(`the register's worker thread failed: ${m.message}`));
        } catch (err) {
          reject(err);
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`the register's worker thread stopped with exit code ${code}`)));
    });
  } catch (err) {
    await deleteAll(ctx, panel.id, register);
    throw err;
  } finally {
    void worker.terminate();
  }
  let old: number | null;
  try {
    old = db.transaction(() => {
      if (listWaves(db, panel.id).length) throw new DomainError('conflict', 'A wave was committed while the register was importing, so the register in use stays.');
      const replaced = useRegister(db, panel.id, register, fingerprint, state.total, clock.now());
      audit(db, clock, { userId, panelId: panel.id, action: 'register.import', detail: { households: state.total, fingerprint, replaced: replaced !== null } });
      return replaced;
    })();
  } catch (err) {
    await deleteAll(ctx, panel.id, register);
    throw err;
  }
  state.phase = 'done';
  if (old !== null) await deleteAll(ctx, panel.id, old);
}

async function deleteAll(ctx: AppContext, panelId: number, register: number): Promise<void> {
  while (deleteRegisterBatch(ctx.db, panelId, register, 2_000) > 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
