import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyPassword } from '../../src/auth/passwords';
import { run } from '../../src/cli/run';
import { openDb } from '../../src/db';

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
