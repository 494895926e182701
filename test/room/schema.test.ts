import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { closeDb, migrate, openDb } from '../../src/db';
import { migrationsDir } from '../../src/paths';
import { insertPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { RoomRepo } from '../../src/room/repo';
import { ROOM_SCHEMA, upToDate } from '../../src/room/schema';
import type { RoomState } from '../../src/room/state';

/**
 * Rooms stored before issue 18 were one JSON value per session, some from before tables and votes existed.
 * Migration 0015 splits them into pieces; the room's own schema (schema.ts) brings their shape up to date.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-schema-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A state as an early version stored it: no tables, votes or recommendations, ideas without table or picked. */
const early = {
  version: 7,
  title: 'Culture in Coventry',
  rounds: [{ type: 'ideas', title: 'Ideas', minutes: 20, status: 'open', deadline: 1_000, remainingMs: null }],
  current: 0,
  queue: ['R-0002'],
  floor: null,
  airtime: { 'R-0001': 4_000 },
  members: ['R-0001', 'R-0002'],
  ideas: [
    { id: 1, round: 0, author: 'R-0001', text: 'Late buses', supporters: ['R-0002'], theme: null, hidden: null, mergedInto: null },
    { id: 2, round: 0, author: 'R-0002', text: 'Free museum days', supporters: [], theme: 'Places', hidden: null, mergedInto: null },
  ],
  turns: null,
};

function databaseBefore0015(file: string) {
  const old = path.join(dir, `migrations-${path.basename(file)}`);
  fs.mkdirSync(old);
  for (const f of fs.readdirSync(migrationsDir).filter((f) => f < '0015')) fs.copyFileSync(path.join(migrationsDir, f), path.join(old, f));
  const raw = new Database(file);
  migrate(raw, old);
  raw.prepare("INSERT INTO panels (slug, title, question, panel_size, closes_at, created_at) VALUES ('p', 'P', 'Q?', 2, 0, 0)").run();
  raw.prepare("INSERT INTO room_sessions (panel_id, title, agenda, state, version, created_at) VALUES (1, 'S', '{}', ?, 7, 0)").run(JSON.stringify(early));
  raw.close();
}

test('a room stored whole is split into pieces by the migration and read as it was, in the current shape', () => {
  const file = path.join(dir, 'early.db');
  databaseBefore0015(file);
  const db = openDb(file); // runs 0015
  const pieces = db.prepare('SELECT piece FROM room_pieces WHERE session_id = 1 ORDER BY piece').pluck().all();
  expect(pieces).toEqual(['airtime', 'current', 'floor', 'ideas.0', 'ideas.1', 'members', 'queue', 'rounds', 'title', 'turns']);
  const state = new RoomRepo(db).state(1);
  expect(state).toMatchObject({ version: 7, queue: ['R-0002'], airtime: { 'R-0001': 4_000 }, tables: [], votes: [], recommendations: [] });
  expect(state?.ideas).toEqual(early.ideas.map((i) => ({ ...i, table: null, picked: null })));
  // Its log (none here) does not say when the round opened, so nothing is made up.
  expect(state?.rounds[0]).toMatchObject({ status: 'open', openedAt: null, closedAt: null, extendedMinutes: 0, pauses: [] });
  // Reading wrote nothing: the room is still stored in schema 0.
  expect(db.prepare('SELECT schema_version FROM room_sessions WHERE id = 1').pluck().get()).toBe(0);
  closeDb(db);
});

test('the first command after the upgrade stores the whole room in the current schema', () => {
  const file = path.join(dir, 'early-then-command.db');
  databaseBefore0015(file);
  const db = openDb(file);
  const repo = new RoomRepo(db);
  const state = repo.state(1);
  if (!state) throw new Error('no room');
  const next = apply(state, { role: 'panellist', member: 'R-0001' }, { type: 'idea:support', idea: 2 }, 2_000);
  repo.record(1, next, 'R-0001', 'c1', { type: 'idea:support', idea: 2 }, 2_000);
  expect(db.prepare('SELECT schema_version FROM room_sessions WHERE id = 1').pluck().get()).toBe(ROOM_SCHEMA);
  const idea1 = JSON.parse(db.prepare("SELECT value FROM room_pieces WHERE session_id = 1 AND piece = 'ideas.0'").pluck().get() as string);
  expect(idea1).toMatchObject({ table: null, picked: null }); // an untouched idea was written in the new shape too
  expect(new RoomRepo(db).state(1)).toEqual(next);
  closeDb(db);
});

test('a room stored by a newer toolkit is refused in words, not misread', () => {
  expect(() => upToDate({}, ROOM_SCHEMA + 1, () => [])).toThrow(/stored by a newer version of the toolkit .*upgrade the toolkit/);
});

test('a room stored in schema 1 gets its rounds’ facts from its command log, as the rules now keep them', () => {
  const db = openDb(':memory:');
  const panelId = insertPanel(db, { slug: 'p', title: 'Panel', question: 'q', panelSize: 2, closesAt: 0, quotaTolerance: 0 }, 0);
  const repo = new RoomRepo(db);
  const id = repo.createSession(panelId, exampleAgenda(), [], null, 0);
  const facilitator: Actor = { role: 'facilitator', who: 'user:1' };
  const steps: [number, Command][] = [
    [1, { type: 'round:open', round: 0 }], [2, { type: 'round:extend', minutes: 3 }], [4, { type: 'round:pause' }], [6, { type: 'round:resume' }],
    [9, { type: 'round:open', round: 1 }], [12, { type: 'round:pause' }], [13, { type: 'round:extend', minutes: 1 }], [14, { type: 'round:close' }],
    [20, { type: 'round:open', round: 0 }], [22, { type: 'round:pause' }],
  ];
  let state = repo.state(id) as RoomState;
  for (const [minute, command] of steps) {
    state = apply(state, facilitator, command, minute * 60_000);
    repo.record(id, state, 'facilitator', `c${minute}`, command, minute * 60_000);
  }
  // The rounds as schema 1 stored them: without the facts.
  const facts = ['openedAt', 'closedAt', 'extendedMinutes', 'pauses'];
  const rounds = JSON.stringify(state.rounds, (key, value) => (facts.includes(key) ? undefined : value));
  db.prepare("UPDATE room_pieces SET value = ? WHERE session_id = ? AND piece = 'rounds'").run(rounds, id);
  db.prepare('UPDATE room_sessions SET schema_version = 1 WHERE id = ?').run(id);

  const read = new RoomRepo(db).state(id);
  expect(read?.rounds).toEqual(state.rounds);
  expect(read?.rounds[0]).toMatchObject({ openedAt: 60_000, closedAt: null, extendedMinutes: 3, pauses: [{ from: 4 * 60_000, to: 6 * 60_000 }, { from: 9 * 60_000, to: 20 * 60_000 }, { from: 22 * 60_000, to: null }] });
  expect(db.prepare('SELECT schema_version FROM room_sessions WHERE id = ?').pluck().get(id)).toBe(1);
  closeDb(db);
});
