import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { onTeam } from '../../src/auth/teams';
import { migrate } from '../../src/db';
import { migrationsDir } from '../../src/paths';

/** Issue 17: a database from before teams keeps working, its accounts on its panels, and its organisers administrators. */
test('migrating a database from before teams keeps every account working on every panel it had', () => {
  const before = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-migrations-'));
  for (const file of fs.readdirSync(migrationsDir).filter((f) => Number(f.slice(0, 4)) < 9)) fs.copyFileSync(path.join(migrationsDir, file), path.join(before, file));
  const db = new Database(':memory:');
  migrate(db, before);
  const insertUser = db.prepare("INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'x', 0)");
  const organiser = Number(insertUser.run('o@example.org', 'O', 'organiser').lastInsertRowid);
  const facilitator = Number(insertUser.run('f@example.org', 'F', 'facilitator').lastInsertRowid);
  const insertPanel = db.prepare("INSERT INTO panels (slug, title, question, panel_size, closes_at, quota_tolerance, created_at) VALUES (?, ?, 'Q?', 10, 0, 1, 0)");
  const panels = ['a', 'b'].map((slug) => Number(insertPanel.run(slug, slug).lastInsertRowid));

  expect(migrate(db)).toBeGreaterThan(0);
  const admin = (id: number) => (db.prepare('SELECT admin FROM users WHERE id = ?').pluck().get(id) as number) === 1;
  expect([admin(organiser), admin(facilitator)]).toEqual([true, false]);
  for (const panel of panels) expect(onTeam(db, { id: facilitator, admin: false }, panel)).toBe(true);
  // A panel made after the migration has no team yet: nobody but an administrator may act on it.
  const later = Number(insertPanel.run('c', 'c').lastInsertRowid);
  expect(onTeam(db, { id: facilitator, admin: false }, later)).toBe(false);
  expect(onTeam(db, { id: organiser, admin: true }, later)).toBe(true);
  fs.rmSync(before, { recursive: true, force: true });
});
