import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { projectRoot } from '../../src/paths';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { refusedStart, type ServerProcess, startServerProcess, tempDbFile } from '../e2e/server-process';
import { seatMembers, storedRoom } from '../helpers';
import { RoomClient } from './room-client';

/**
 * Storage that refuses to lose data (issue 20), through real server processes: a second server on the same
 * file, two servers with the lock bypassed, a damaged page under connected clients, files the server must not
 * take, and a restore under connected clients.
 */
const PANELLISTS = 20;
const IDEAS_ROUND = exampleAgenda().rounds.findIndex((r) => r.type === 'ideas');
const CLI = path.join(projectRoot, 'dist', 'src', 'cli', 'main.js');
const servers: ServerProcess[] = [];
const clients: RoomClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

/** A database with the demo's panel, PANELLISTS seated members and a session: its join links. */
function panelDatabase(dbFile = tempDbFile()) {
  const db = openDb(dbFile);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('the demo was not seeded');
  seatMembers(db, demo.panelId, db.prepare('SELECT public_id FROM registrants LIMIT ?').pluck().all(PANELLISTS) as string[], Date.now());
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
  closeDb(db);
  return { dbFile, sessionId: made.sessionId, facilitator: made.facilitator, panellists: made.panellists.map((p) => p.token) };
}

async function start(dbFile: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ dbFile, env });
  servers.push(server);
  return server;
}

function client(url: string, pass: string): RoomClient {
  const c = new RoomClient(url, pass);
  clients.push(c);
  return c;
}

function readRoom(dbFile: string, sessionId: number) {
  const db = new Database(dbFile, { readonly: true });
  try {
    return storedRoom(db, sessionId);
  } finally {
    db.close();
  }
}

function backup(dbFile: string, target: string) {
  return spawnSync(process.execPath, [CLI, 'backup', target], { env: { ...process.env, DATABASE: dbFile }, encoding: 'utf8' });
}

test('a second server on the same database refuses in words naming the file and the first server, and a backup still works', async () => {
  const { dbFile } = panelDatabase();
  const first = await start(dbFile);
  const second = await refusedStart(dbFile);
  expect(second.code).toBe(1);
  expect(second.output).toContain(`Another server is already using the database ${dbFile}`);
  expect(second.output).toContain(`process ${first.pid()}`);
  // The first one is unharmed, and a backup can be taken while it runs.
  expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  const copy = path.join(path.dirname(dbFile), 'copy.db');
  const made = backup(dbFile, copy);
  expect({ status: made.status, err: made.stderr }).toEqual({ status: 0, err: '' });
  // Once the first has stopped, the lock is free: even after a SIGKILL, which leaves no chance to tidy up.
  await first.kill9();
  servers.splice(servers.indexOf(first), 1);
  const after = await start(dbFile);
  expect((await fetch(`${after.url}/healthz`)).status).toBe(200);
});

test('with the lock bypassed, two servers on one file lose no acknowledged idea and never store a version twice', async () => {
  const { dbFile, sessionId, facilitator, panellists } = panelDatabase();
  const bypass = { NODE_ENV: 'test', ALLOW_SECOND_SERVER: 'true' };
  const [a, b] = [await start(dbFile, bypass), await start(dbFile, bypass)];
  const chair = client(a.url, facilitator);
  const members = panellists.map((pass, i) => client(i % 2 ? b.url : a.url, pass));
  await Promise.all([chair, ...members].map((c) => c.joined()));
  expect((await chair.send('round:open', { round: IDEAS_ROUND }, 'open-ideas')).ok).toBe(true);

  const acknowledged: string[] = [];
  let refused = 0;
  const until = Date.now() + 3000;
  await Promise.all(members.map(async (m, i) => {
    for (let n = 0; Date.now() < until; n++) {
      const text = `idea ${n} from member ${i}`;
      const reply = await m.send('idea:post', { text }, `idea-${n}`);
      if (reply.ok) acknowledged.push(text);
      else if (/the most one member can/.test(reply.message)) break; // the board's cap per member (ideas.ts)
      else if (/changed while this was being stored/.test(reply.message)) refused++; // the version check: refused, not merged
      else if (/faster than the room can take/.test(reply.message)) await new Promise((r) => setTimeout(r, 1000)); // the room's pacing: slow down, as a phone does
      else throw new Error(`member ${i}'s idea was refused: ${reply.message}`);
    }
  }));
  const stored = readRoom(dbFile, sessionId);
  const texts = new Set(stored.ideas.map((idea) => idea.text));
  console.log(`two servers, one file: ${acknowledged.length} ideas acknowledged, ${refused} refused by the version check, ${stored.ideas.length} stored`);
  expect(acknowledged.length).toBeGreaterThan(PANELLISTS);
  expect(acknowledged.filter((t) => !texts.has(t))).toEqual([]);
  expect(stored.ideas.length).toBe(acknowledged.length);
  const db = new Database(dbFile, { readonly: true });
  const twice = db.prepare('SELECT version, COUNT(*) AS n FROM room_commands WHERE session_id = ? AND seen = 1 GROUP BY version HAVING n > 1').all(sessionId);
  db.close();
  expect(twice).toEqual([]);
});

test('a damaged page under connected clients: the server survives, refuses in words, and /readyz reports it', async () => {
  const { dbFile, facilitator, panellists } = panelDatabase();
  const server = await start(dbFile);
  const member = client(server.url, panellists[0]);
  await member.joined();

  // Damage the page holding the sessions table, as a failing disk would, then write once so the server reads again.
  const db = new Database(dbFile);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const page = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'room_sessions'").pluck().get() as number;
  const fd = fs.openSync(dbFile, 'r+');
  fs.writeSync(fd, Buffer.alloc(page, 0xa5), 0, page, (root - 1) * page);
  fs.closeSync(fd);
  db.prepare('UPDATE health_probe SET at = at + 1').run();
  db.close();

  const late = new RoomClient(server.url, facilitator);
  clients.push(late);
  await expect(late.joined()).rejects.toThrow(/damaged/);
  const reply = await member.send('idea:post', { text: 'still here?' }, 'after-damage');
  expect(reply).toMatchObject({ ok: false, error: 'unavailable', message: expect.stringContaining('damaged') });
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { checks: { intact: { ok: boolean } } }).checks.intact.ok).toBe(false);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(member.socket.connected).toBe(true);
});

describe('files the server must not take', () => {
  test('an empty file is refused, not turned into a new database with the demo', async () => {
    const dbFile = tempDbFile();
    fs.writeFileSync(dbFile, '');
    const { code, output } = await refusedStart(dbFile, { SEED_DEMO: 'true' });
    expect(code).toBe(1);
    expect(output).toContain(`The database ${dbFile} is an empty file`);
    expect(output).toContain('citizens-panel init');
    expect(output).not.toMatch(/password/i);
    expect(fs.statSync(dbFile).size).toBe(0);
  });

  test('a database from a newer version is refused and left as it was', async () => {
    const dbFile = tempDbFile();
    closeDb(openDb(dbFile));
    const db = new Database(dbFile);
    db.pragma('user_version = 999');
    db.close();
    const before = fs.readFileSync(dbFile);
    const { code, output } = await refusedStart(dbFile);
    expect(code).toBe(1);
    expect(output).toContain('was written by a newer version of the toolkit (schema 999');
    expect(fs.readFileSync(dbFile).equals(before)).toBe(true);
  });

  test("another application's database gets no tables added", async () => {
    const dbFile = tempDbFile();
    const db = new Database(dbFile);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)');
    db.close();
    const { code, output } = await refusedStart(dbFile);
    expect(code).toBe(1);
    expect(output).toContain("holds another application's tables (invoices)");
    const after = new Database(dbFile, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['invoices']);
    after.close();
  });

  test('a file that is not a database is refused in words', async () => {
    const dbFile = tempDbFile();
    fs.writeFileSync(dbFile, 'name,email\nsomeone,someone@example.org\n');
    const { code, output } = await refusedStart(dbFile);
    expect(code).toBe(1);
    expect(output).toContain('is not a SQLite database');
  });
});

test('a restore under connected clients: each is told in words that the room went back, and holds the restored room', async () => {
  const { dbFile, sessionId, facilitator, panellists } = panelDatabase();
  const server = await start(dbFile);
  const chair = client(server.url, facilitator);
  const members = panellists.slice(0, 5).map((pass) => client(server.url, pass));
  await Promise.all([chair, ...members].map((c) => c.joined()));
  await chair.send('round:open', { round: IDEAS_ROUND }, 'open-ideas');
  const copy = path.join(path.dirname(dbFile), 'before.db');
  expect(backup(dbFile, copy).status).toBe(0);
  const restoredVersion = readRoom(copy, sessionId).version;
  for (const [i, m] of members.entries()) expect((await m.send('idea:post', { text: `after the backup ${i}` }, 'late')).ok).toBe(true);
  const seen = readRoom(dbFile, sessionId).version;
  // Everyone, the chair too, holds the last version before the server stops: that is what each will say it saw.
  await Promise.all([chair, ...members].map((m) => m.holds(seen)));

  await server.stop();
  for (const end of ['', '-wal', '-shm']) fs.rmSync(dbFile + end, { force: true });
  fs.copyFileSync(copy, dbFile);
  await server.restart();
  await Promise.all([chair, ...members].map(async (m) => {
    const until = Date.now() + 20_000;
    while (m.told.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }));
  for (const m of [chair, ...members]) {
    expect(m.told).toEqual([expect.stringContaining(`you had seen version ${seen}, and it is now at version ${restoredVersion}`)]);
    expect(m.state?.version).toBe(restoredVersion);
  }
});

test('a full disk: commands are refused in words or stored, /readyz goes unready, and all comes back once there is room', async () => {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-full-'));
  // A small disk of its own (root, as CI runs): filling the machine's own disk would harm everything else on it.
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`This test needs to mount a small tmpfs (as root): ${mounted.stderr}`);
  try {
    const { dbFile, sessionId, facilitator, panellists } = panelDatabase(path.join(mount, 'panel.db'));
    const server = await start(dbFile, { MIN_FREE_MB: '2', KEYS_DIR: path.join(path.dirname(tempDbFile()), 'keys') });
    const chair = client(server.url, facilitator);
    const members = panellists.slice(0, 6).map((pass) => client(server.url, pass));
    await Promise.all([chair, ...members].map((c) => c.joined()));
    expect((await chair.send('round:open', { round: IDEAS_ROUND }, 'open-ideas')).ok).toBe(true);

    const filler = path.join(mount, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const acknowledged: string[] = [];
    let refused = 0;
    for (let n = 0; n < 5; n++) {
      for (const [i, m] of members.entries()) {
        const text = `full disk idea ${n} from ${i} ${'x'.repeat(200)}`;
        const reply = await m.send('idea:post', { text }, `full-${n}`);
        if (reply.ok) acknowledged.push(text);
        else {
          expect(reply).toMatchObject({ error: 'unavailable', message: expect.stringContaining('disk is full') });
          refused++;
        }
      }
    }
    const full = await fetch(`${server.url}/readyz`);
    expect(full.status).toBe(503);
    const checks = ((await full.json()) as { checks: Record<string, { ok: boolean; detail: string }> }).checks;
    expect(checks.disk.ok).toBe(false);
    console.log(`full disk: ${acknowledged.length} ideas acknowledged, ${refused} refused in words; /readyz: ${checks.disk.detail}; writable: ${checks.writable.detail}`);

    fs.rmSync(filler);
    expect((await members[0].send('idea:post', { text: 'there is room again' }, 'after')).ok).toBe(true);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.stop();
    const texts = new Set(readRoom(dbFile, sessionId).ideas.map((idea) => idea.text));
    expect(acknowledged.filter((t) => !texts.has(t))).toEqual([]);
    expect(texts.has('there is room again')).toBe(true);
  } finally {
    for (const s of servers.splice(0)) await s.stop();
    spawnSync('umount', [mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  }
});
