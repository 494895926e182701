import { generatePool, poolToCsv } from '../../fixtures/generate-pool';
import { CsvError } from '../../src/csv';
import { oneAtATime, PanelBusyError } from '../../src/panels/busy';
import { findPanel, type Panel } from '../../src/panels/repo';
import { importPoolOffThread } from '../../src/registration/import-job';
import { insertRegistrant } from '../../src/registration/repo';
import { makeApp } from '../helpers';

/**
 * Issue 18: an import reads its file in a worker thread and writes in batches between turns of the event loop, so
 * a large one no longer freezes the live rooms; it stays all or nothing, and one thing at a time per panel.
 */
jest.setTimeout(120_000);

/** `n` registrations for the demo's categories, each with its own email and no phone. */
function registrations(n: number, seed = 'import-job'): Buffer {
  const people = generatePool({ seed, size: 1500 });
  const rows = Array.from({ length: n }, (_, i) => {
    const p = people[i % people.length];
    return { ...p, id: `B${i}`, name: `${p.name} ${i}`, email: `${seed}-${i}@example.org`, phone: '', address: `${Math.floor(i / 1500)} ${p.address}` };
  });
  return Buffer.from(poolToCsv(rows));
}

const t = makeApp({ demo: true });
const panel = findPanel(t.db, t.demo?.panelId ?? 0) as Panel;
const count = () => t.db.prepare('SELECT COUNT(*) FROM registrants WHERE panel_id = ?').pluck().get(panel.id) as number;
afterAll(() => t.db.close());

test('a 40,000-row import keeps the event loop turning, and imports every row', async () => {
  const before = count();
  const file = registrations(40_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = Date.now();
  const result = await importPoolOffThread(t.ctx, panel, file, null);
  clearInterval(timer);
  const elapsed = Date.now() - started;
  expect(result.imported).toBe(40_000);
  expect(count()).toBe(before + 40_000);
  // Blocked, as the import used to be, the timer could not have fired at all until the end.
  expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
});

test('a file with problems is refused whole, naming each line, and the pool is untouched', async () => {
  const before = count();
  const lines = registrations(3000, 'bad').toString().split('\n');
  lines[2500] = lines[2500].replace(/@example\.org/, '');
  lines[10] = lines[1].replace(/^[^,]*,/, 'Someone Else,'); // line 11 has line 2's email
  const error = await importPoolOffThread(t.ctx, panel, Buffer.from(lines.join('\n')), null).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CsvError);
  expect((error as CsvError).problems.map((p) => p.line)).toEqual([11, 2501]);
  expect(count()).toBe(before);
  // A contact registered already is found too, though the check now runs in batches on this thread.
  const again = await importPoolOffThread(t.ctx, panel, registrations(10), null).catch((e: unknown) => e);
  expect((again as CsvError).problems).toHaveLength(10);
  expect((again as CsvError).problems[0].message).toBe('this email is already registered for this panel');
  expect(count()).toBe(before);
});

test('if someone registers a contact from the file while it is being written, nothing is imported', async () => {
  const before = count();
  const file = registrations(20_000, 'race');
  const importing = importPoolOffThread(t.ctx, panel, file, null).catch((e: unknown) => e);
  // As soon as the first batch is in, a resident registers with the email of the file's last row.
  while (count() === before) await new Promise((r) => setImmediate(r));
  insertRegistrant(t.db, panel.id, { name: 'Quick Resident', email: 'race-19999@example.org', address: '1 Fast Lane', postcode: 'CV1 1AA', valueIds: [], source: 'form', consentAt: 0 }, 0);
  const error = await importing;
  expect(error).toBeInstanceOf(CsvError);
  expect((error as CsvError).message).toContain('while it was being imported, so nothing was imported');
  expect(count()).toBe(before + 1); // the resident, and none of the file
});

test('one thing at a time per panel: an import while another, or a commitment, is running is refused', async () => {
  let release = () => {};
  const holding = oneAtATime(panel.id, 'A commitment', () => new Promise<void>((resolve) => (release = resolve)));
  const refused = await importPoolOffThread(t.ctx, panel, registrations(5, 'busy'), null).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(PanelBusyError);
  expect((refused as Error).message).toBe('A commitment is still running on this panel. Wait for it to finish (its page shows the result), then try again.');
  release();
  await holding;
  expect((await importPoolOffThread(t.ctx, panel, registrations(5, 'busy'), null)).imported).toBe(5);
});
