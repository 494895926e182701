import { audit } from '../audit';
import type { AppContext } from '../context';
import { type CsvProblem, CsvError } from '../csv';
import { oneAtATime } from '../panels/busy';
import { listCategories, type Panel } from '../panels/repo';
import { startWorker } from '../worker';
import { checked, type ImportedPerson, type PoolFile, registeredProblems } from './import';
import { findDuplicate, insertRegistrant } from './repo';

/**
 * A pool import that never stops the event loop (issue 18: a 100,000-row file used to freeze every live room
 * for 5 s). The file is read and checked in a worker thread; then, on this thread, a few thousand rows at a time
 * with a turn of the event loop between: whether each contact is registered already, and the inserts, each batch
 * its own short transaction. All or nothing still: every row is checked before the first is written, and if a
 * batch fails (a resident registered a contact from the file meanwhile, the disk filled), the rows already
 * written are deleted again. While an import runs, its panel takes no other import and no commitment (busy.ts).
 */
const CHECK_BATCH = 500;
const INSERT_BATCH = 200;

export function importPoolOffThread(ctx: AppContext, panel: Panel, file: Buffer, userId: number | null): Promise<{ imported: number; ignoredColumns: string[] }> {
  return oneAtATime(panel.id, 'An import', async () => {
    const read = await readInWorker(file, listCategories(ctx.db, panel.id));
    const registered: CsvProblem[] = [];
    for (const batch of batches(read.people, CHECK_BATCH)) {
      registered.push(...registeredProblems(batch, read.contactColumns, (key) => findDuplicate(ctx.db, panel.id, key)));
      await turn();
    }
    const { people, ignoredColumns } = checked(read, registered);
    await insertAll(ctx, panel, people);
    audit(ctx.db, ctx.clock, { userId, panelId: panel.id, action: 'pool.import', detail: { rows: people.length, ignoredColumns: ignoredColumns.length } });
    return { imported: people.length, ignoredColumns };
  });
}

async function insertAll(ctx: AppContext, panel: Panel, people: ImportedPerson[]): Promise<void> {
  const { db, clock } = ctx;
  const now = clock.now();
  const written: string[] = [];
  try {
    for (const batch of batches(people, INSERT_BATCH)) {
      db.transaction(() => {
        for (const person of batch) written.push(insertRegistrant(db, panel.id, { ...person, source: 'import', consentAt: now }, now));
      })();
      await turn();
    }
  } catch (err) {
    const remove = db.prepare('DELETE FROM registrants WHERE panel_id = ? AND public_id = ?');
    for (const batch of batches(written, INSERT_BATCH)) db.transaction(() => batch.forEach((id) => remove.run(panel.id, id)))();
    const message = (err as Error).message;
    if (/UNIQUE constraint failed: .*(email|phone)/.test(message)) {
      throw new CsvError([{ line: 1, message: 'someone registered with an email address or phone number from this file while it was being imported, so nothing was imported. Upload the file again: that row will then be reported.' }]);
    }
    throw err;
  }
}

function readInWorker(file: Buffer, categories: ReturnType<typeof listCategories>): Promise<PoolFile> {
  const worker = startWorker(__filename, 'parse-worker', { file: new Uint8Array(file), categories });
  const people: ImportedPerson[] = [];
  type Message = { type: 'people'; people: ImportedPerson[] } | { type: 'done'; file: PoolFile } | { type: 'csv-error'; problems: CsvProblem[] } | { type: 'error'; message: string };
  return new Promise((resolve, reject) => {
    worker.on('message', (m: Message) => {
      // The next batch is asked for after a turn of the event loop, so taking them in never holds the rooms up.
      if (m.type === 'people') {
        people.push(...m.people);
        return void setImmediate(() => worker.postMessage('next'));
      }
      void worker.terminate();
      if (m.type === 'done') resolve({ ...m.file, people });
      else if (m.type === 'csv-error') reject(new CsvError(m.problems));
      else reject(new Error(`the import's worker thread failed: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the import's worker thread stopped with exit code ${code}`)));
  });
}

function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
