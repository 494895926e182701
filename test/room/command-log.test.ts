import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { closeDb, migrate, openDb } from '../../src/db';
import { insertPanel } from '../../src/panels/repo';
import { migrationsDir } from '../../src/paths';
import { exampleAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { RoomRepo } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';

/** The command log is read back with the commands' own schema (src/room/command-log.ts): typed, or refused in words. */
const facilitator: Actor = { role: 'facilitator', who: 'user:1' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-log-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function session(commands: Command[]) {
  const db = openDb(':memory:');
  const panelId = insertPanel(db, { slug: 'p', title: 'Panel', question: 'q', panelSize: 2, closesAt: 0, quotaTolerance: 0 }, 0);
  const repo = new RoomRepo(db);
  const sessionId = repo.createSession(panelId, exampleAgenda(), ['R-0001', 'R-0002'], null, 0);
  let state = repo.state(sessionId) as RoomState;
  commands.forEach((command, i) => {
    state = apply(state, facilitator, command, (i + 1) * 60_000);
    repo.record(sessionId, state, 'facilitator', `c${i}`, command, (i + 1) * 60_000);
  });
  return { db, repo, sessionId };
}

test('a stored log reads back as typed commands', () => {
  const { db, repo, sessionId } = session([{ type: 'round:open', round: 2 }, { type: 'round:extend', minutes: 5 }, { type: 'round:close' }]);
  const log = repo.commands(sessionId);
  expect(log.map((c) => [c.version, c.at, c.command.type])).toEqual([[1, 60_000, 'round:open'], [2, 120_000, 'round:extend'], [3, 180_000, 'round:close']]);
  // The fields are typed: no cast is needed to add them up.
  const minutes = log.reduce((sum, { command }) => sum + (command.type === 'round:extend' ? command.minutes : 0), 0);
  const opened = log.flatMap(({ command }) => (command.type === 'round:open' ? [command.round] : []));
  expect([minutes, opened]).toEqual([5, [2]]);
  closeDb(db);
});

test('a stored command that does not fit its schema is refused, naming the session, the version and what is wrong', () => {
  const { db, repo, sessionId } = session([{ type: 'round:open', round: 2 }]);
  const insert = db.prepare("INSERT INTO room_commands (session_id, actor, client_id, command, version, at) VALUES (?, 'facilitator', ?, ?, ?, 0)");
  insert.run(sessionId, 'bad', JSON.stringify({ type: 'round:extend', minutes: 'ten' }), 2);
  expect(() => repo.commands(sessionId)).toThrow(`Session ${sessionId}'s command log cannot be read at version 2 (round:extend): minutes: Invalid input: expected number, received string.`);
  db.prepare('DELETE FROM room_commands WHERE client_id = ?').run('bad');
  insert.run(sessionId, 'bad', '{"type": "round:ext', 2);
  expect(() => repo.commands(sessionId)).toThrow(new RegExp(`^Session ${sessionId}'s command log cannot be read at version 2: not JSON`));
  closeDb(db);
});

test('a paper count logged before its members were named is upgraded by migration 0016', () => {
  const file = path.join(dir, 'before-0016.db');
  const old = path.join(dir, 'migrations-before-0016');
  fs.mkdirSync(old);
  for (const f of fs.readdirSync(migrationsDir).filter((f) => f < '0016')) fs.copyFileSync(path.join(migrationsDir, f), path.join(old, f));
  const raw = new Database(file);
  migrate(raw, old);
  raw.prepare("INSERT INTO panels (slug, title, question, panel_size, closes_at, created_at) VALUES ('p', 'P', 'Q?', 2, 0, 0)").run();
  raw.prepare("INSERT INTO room_sessions (panel_id, title, agenda, version, created_at) VALUES (1, 'S', '{}', 2, 0)").run();
  const insert = raw.prepare("INSERT INTO room_commands (session_id, actor, client_id, command, version, at) VALUES (1, 'facilitator', ?, ?, ?, 0)");
  insert.run('a', JSON.stringify({ type: 'vote:paper', vote: 1, ballots: 2, spoiled: 1 }), 1);
  insert.run('b', JSON.stringify({ type: 'vote:paper', vote: 1, members: 3, ballots: 2, spoiled: 1 }), 2);
  raw.close();
  const db = openDb(file); // runs 0016
  expect(new RoomRepo(db).commands(1).map((c) => c.command)).toEqual([
    { type: 'vote:paper', vote: 1, members: 3, ballots: 2, spoiled: 1 },
    { type: 'vote:paper', vote: 1, members: 3, ballots: 2, spoiled: 1 },
  ]);
  closeDb(db);
});
