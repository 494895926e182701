import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { verifyPassword } from '../../src/auth/passwords';
import { run } from '../../src/cli/run';
import { ManualClock } from '../../src/clock';
import { closeDb, openDb } from '../../src/db';
import { newestSchema } from '../../src/db-checks';
import { fixturesDir } from '../../src/paths';
import { insertRegistrant } from '../../src/registration/repo';
import { seatMembers, smallPanel } from '../helpers';

/** Runs the CLI in-process against a database file in a temporary folder. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { ...env } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('citizens-panel user add', () => {
  let dir: string;
  let database: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-cli-'));
    database = path.join(dir, 'db', 'panel.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const users = () => {
    const db = openDb(database);
    try {
      return db.prepare('SELECT email, role, password_hash FROM users').all() as { email: string; role: string; password_hash: string }[];
    } finally {
      db.close();
    }
  };

  test('creates an organiser with a generated password that then logs in', async () => {
    const result = await cli(['user', 'add', '--role', 'organiser', '--email', 'Amira@Example.org'], { DATABASE: database });
    expect(result.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(result.out)?.[1] ?? '';
    expect(password).toHaveLength(18);
    const [user] = users();
    expect(user).toMatchObject({ email: 'amira@example.org', role: 'organiser' });
    expect(verifyPassword(password, user.password_hash)).toBe(true);
  });

  test('takes the password from the environment and does not print it', async () => {
    const result = await cli(['user', 'add', '--role', 'facilitator', '--email', 'f@example.org'], {
      DATABASE: database,
      CITIZENS_PANEL_PASSWORD: 'a long enough secret',
    });
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('a long enough secret');
    expect(verifyPassword('a long enough secret', users()[0].password_hash)).toBe(true);
  });

  test.each([
    [['--role', 'admin', '--email', 'x@example.org'], '--role: Role must be one of: organiser, facilitator.'],
    [['--role', 'organiser', '--email', 'not-an-email'], '--email: Email must be a valid email address'],
    [['--role', 'organiser'], '--email'],
    [['--role', 'organiser', '--email', 'x@example.org', '--password', 'short'], '--password: Password must be at least 12 characters.'],
    [['--role', 'organiser', '--email', 'x@example.org', '--colour', 'blue'], "Unknown option '--colour'"],
  ])('refuses %j with exit status 2 and creates nothing', async (args, message) => {
    const result = await cli(['user', 'add', ...args], { DATABASE: database });
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(fs.existsSync(database) ? users() : []).toEqual([]);
  });

  test('refuses a second account with the same email', async () => {
    await cli(['user', 'add', '--role', 'organiser', '--email', 'x@example.org'], { DATABASE: database });
    const again = await cli(['user', 'add', '--role', 'facilitator', '--email', 'X@example.org'], { DATABASE: database });
    expect(again.code).toBe(2);
    expect(again.err).toContain('already exists');
    expect(users()).toHaveLength(1);
  });

  test('an unknown command prints the usage', async () => {
    const result = await cli(['users', 'plus']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown command');
    expect(result.err).toContain('citizens-panel user add --role');
  });
});

describe('citizens-panel doctor', () => {
  let dir: string;
  let database: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-doctor-'));
    database = path.join(dir, 'panel.db');
    closeDb(openDb(database));
    fs.chmodSync(database, 0o600);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const digest = () => crypto.createHash('sha256').update(fs.readFileSync(database)).digest('hex');
  /** The level doctor gave each check, by the check's name. */
  const levels = (out: string) => Object.fromEntries([...out.matchAll(/^(ok|warning|problem) +([^:]+):/gm)].map((m) => [m[2], m[1]]));

  test('a fresh, migrated database readable by its owner only: every check ok, exit 0, nothing written', async () => {
    const before = digest();
    const result = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1' });
    expect(result.code).toBe(0);
    expect(levels(result.out)).toEqual({
      configuration: 'ok', PUBLIC_URL: 'ok', demo: 'ok', database: 'ok', schema: 'ok',
      'database file': 'ok', 'WAL file': 'ok', 'key folder': 'ok', disk: 'ok',
    });
    expect(result.out).toContain(`schema ${newestSchema()}, current`);
    expect(result.out).toContain('No problems.');
    expect(digest()).toBe(before);
  });

  test('a database others can read: a warning naming the chmod to run, still exit 0', async () => {
    fs.chmodSync(database, 0o644);
    const result = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1' });
    expect(result.code).toBe(0);
    expect(levels(result.out)['database file']).toBe('warning');
    expect(result.out).toContain(`mode 0644). Run: chmod 600 ${database}`);
  });

  test('production without PUBLIC_URL, or with an http one: a problem, exit 1; the files are still checked', async () => {
    const missing = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1', NODE_ENV: 'production' });
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^problem +configuration: PUBLIC_URL: required when NODE_ENV=production/m);
    expect(levels(missing.out)).toMatchObject({ database: 'ok', schema: 'ok', disk: 'ok' });
    expect(missing.out).toContain('1 problem, 0 warnings');

    const plain = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1', NODE_ENV: 'production', PUBLIC_URL: 'http://panel.example.org' });
    expect(plain.code).toBe(1);
    expect(levels(plain.out)).toMatchObject({ configuration: 'ok', PUBLIC_URL: 'problem', demo: 'ok' });
    const demo = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1', NODE_ENV: 'production', PUBLIC_URL: 'https://panel.example.org', SEED_DEMO: 'true' });
    expect(levels(demo.out)).toMatchObject({ PUBLIC_URL: 'ok', demo: 'problem' });
  });

  test('a schema newer than the code (user_version 999) is a problem, and nothing is changed', async () => {
    const raw = new Database(database);
    raw.pragma('user_version = 999');
    raw.close();
    const before = digest();
    const result = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1' });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^problem +schema: schema 999 is newer than the code/m);
    expect(digest()).toBe(before);
  });

  test('no database, or no room on the disk: a problem each', async () => {
    const missing = await cli(['doctor'], { DATABASE: path.join(dir, 'none.db'), MIN_FREE_MB: '1' });
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^problem +database: there is no database at .*none\.db/m);
    const full = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: String(Number.MAX_SAFE_INTEGER) });
    expect(full.code).toBe(1);
    expect(levels(full.out).disk).toBe('problem');
  });
});

describe('the CLI writes what it does to the audit trail', () => {
  let dir: string;
  let database: string;
  let panelId: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-cli-audit-'));
    database = path.join(dir, 'panel.db');
    const db = openDb(database);
    const clock = new ManualClock();
    ({ panelId } = smallPanel(db, clock));
    const people = [1, 2].map((i) => insertRegistrant(db, panelId, { name: `Resident ${i}`, email: `r${i}@example.org`, address: `${i} High Street`, postcode: 'CV1 1AA', valueIds: [], source: 'form', consentAt: 0 }, 0));
    seatMembers(db, panelId, people, clock.now());
    closeDb(db);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const entries = (file = database) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare("SELECT user_id, panel_id, action, subject, detail FROM audit_log WHERE action LIKE 'cli.%' ORDER BY id").all() as { user_id: number | null; panel_id: number | null; action: string; subject: string | null; detail: string }[];
    } finally {
      db.close();
    }
  };

  test('user add: role, administrator and how many panels, never the password or the email', async () => {
    const result = await cli(['user', 'add', '--role', 'facilitator', '--email', 'fac@example.org', '--panel', 'test-panel'], { DATABASE: database });
    expect(result.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(result.out)?.[1] ?? '';
    const [entry, ...more] = entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ user_id: null, panel_id: null, action: 'cli.user.add', subject: expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(entry.detail)).toEqual({ via: 'cli', role: 'facilitator', admin: false, panels: 1 });
    expect(JSON.stringify(entry)).not.toContain(password);
    expect(JSON.stringify(entry)).not.toContain('fac@example.org');
  });

  test('session create: the panel, the session and how many members got a link', async () => {
    const result = await cli(['session', 'create', '--panel', 'test-panel', '--agenda', path.join(fixturesDir, 'cultural-strategy-agenda.json'), '--json'], { DATABASE: database });
    expect(result.code).toBe(0);
    const { sessionId } = JSON.parse(result.out) as { sessionId: number };
    const [entry] = entries();
    expect(entry).toMatchObject({ user_id: null, panel_id: panelId, action: 'cli.session.create', subject: String(sessionId) });
    expect(JSON.parse(entry.detail)).toEqual({ via: 'cli', members: 2 });
  });

  test("backup: the target file's name only, in the live database; the copy is its owner's alone", async () => {
    const target = path.join(dir, 'backup-2026-12-03.db');
    const result = await cli(['backup', target], { DATABASE: database });
    expect(result.code).toBe(0);
    const [entry] = entries();
    expect(entry).toMatchObject({ user_id: null, panel_id: null, action: 'cli.backup' });
    expect(JSON.parse(entry.detail)).toEqual({ via: 'cli', file: 'backup-2026-12-03.db' });
    expect(entries(target)).toEqual([]);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });
});

describe('citizens-panel init', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-init-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creates a migrated database readable by its owner only, which doctor then passes', async () => {
    const database = path.join(dir, 'new.db');
    const made = await cli(['init'], { DATABASE: database });
    expect(made.code).toBe(0);
    expect(made.out).toContain(`Created a new database at ${database}`);
    expect(made.out).toContain('citizens-panel user add --role organiser --admin');
    expect(fs.statSync(database).mode & 0o777).toBe(0o600);
    const db = new Database(database, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(newestSchema());
    db.close();
    const doctor = await cli(['doctor'], { DATABASE: database, MIN_FREE_MB: '1' });
    expect(doctor.out).toMatch(/^ok +schema: schema \d+, current/m);
  });

  test('an empty file (a truncated copy, say) is set up; a file holding data is refused and left as it was', async () => {
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    expect((await cli(['init'], { DATABASE: empty })).code).toBe(0);
    const held = path.join(dir, 'held.db');
    closeDb(openDb(held));
    const before = crypto.createHash('sha256').update(fs.readFileSync(held)).digest('hex');
    const refused = await cli(['init'], { DATABASE: held });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('already holds a database, so nothing was done');
    expect(crypto.createHash('sha256').update(fs.readFileSync(held)).digest('hex')).toBe(before);
  });
});
