import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDb, openDb } from '../../src/db';
import { keysBesideDatabase, keyStore } from '../../src/keys';
import { sweepVoteKeys } from '../../src/room/vote-keys';

/** The key folder (docs/voting.md): private to the app's user, one folder per database, and swept of closed votes' keys. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-keys-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('keys are written whole, readable only by the app, and kept across a restart', () => {
  const db = openDb(path.join(dir, 'a.db'));
  const keys = keyStore(db);
  const key = keys.key('receipts');
  const folder = path.join(dir, 'a.db.keys');
  expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(folder, 'receipts.key')).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(folder)).toEqual(['receipts.key']); // no temporary file left behind
  closeDb(db);
  const again = openDb(path.join(dir, 'a.db'));
  expect(keyStore(again).key('receipts').equals(key)).toBe(true);
  expect(() => keyStore(again, path.join(dir, 'elsewhere'))).toThrow(/same KEYS_DIR/);
  expect(() => keyStore(again).key('../../etc/passwd')).toThrow(/lower-case letters/);
  expect(keysBesideDatabase(again)).toMatch(/beside the database/);
  expect(keysBesideDatabase(again, path.join(dir, 'other-disk', 'keys'))).toBeUndefined();
  closeDb(again);
});

test("the sweep at start destroys the keys of votes a crash closed before their key could go, and keeps open votes'", () => {
  const db = openDb(path.join(dir, 'b.db'));
  const keys = keyStore(db);
  db.prepare("INSERT INTO panels (slug, title, question, panel_size, closes_at, created_at) VALUES ('p', 'P', 'Q?', 5, 0, 0)").run();
  db.prepare("INSERT INTO room_sessions (panel_id, title, agenda, version, created_at) VALUES (1, 'S', '{}', 0, 0)").run();
  const votes = [{ id: 1, status: 'closed' }, { id: 2, status: 'open' }, { id: 3, status: 'open' }];
  for (const [i, vote] of votes.entries()) db.prepare('INSERT INTO room_pieces (session_id, piece, value) VALUES (1, ?, ?)').run(`votes.${i}`, JSON.stringify(vote));
  for (const vote of [1, 2, 3]) keys.key(`vote-1-${vote}`);
  db.prepare("INSERT INTO vote_sealed (session_id, vote_id, slot, sealed) VALUES (1, 2, 'x', x'00')").run();
  expect(sweepVoteKeys(db, keys)).toBe(1);
  expect(['vote-1-1', 'vote-1-2', 'vote-1-3'].map((k) => keys.has(k))).toEqual([false, true, true]);
  closeDb(db);
});
