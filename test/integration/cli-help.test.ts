import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKUP_USAGE } from '../../src/cli/backup';
import { DOCTOR_USAGE } from '../../src/cli/doctor';
import { DRAW_USAGE } from '../../src/cli/draw';
import { INIT_USAGE } from '../../src/cli/init';
import { INVITE_DRAW_USAGE } from '../../src/cli/invite-draw';
import { run, USAGE } from '../../src/cli/run';
import { SESSION_CREATE_USAGE } from '../../src/cli/session-create';
import { USER_ADD_USAGE } from '../../src/cli/user-add';
import { projectRoot } from '../../src/paths';

let dir: string;
let database: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-help-'));
  database = path.join(dir, 'panel.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE: database } });
  return { code, out: out.join(''), err: err.join('') };
}

/** A usage's first line, its synopsis: `citizens-panel draw --pool POOL.csv …`. */
const synopsis = (usage: string) => usage.split('\n')[0];

const COMMANDS: [string[], string][] = [
  [['draw'], DRAW_USAGE],
  [['invite-draw'], INVITE_DRAW_USAGE],
  [['session', 'create'], SESSION_CREATE_USAGE],
  [['user', 'add'], USER_ADD_USAGE],
  [['init'], INIT_USAGE],
  [['backup'], BACKUP_USAGE],
  [['doctor'], DOCTOR_USAGE],
];

describe.each(COMMANDS)('citizens-panel %j', (words, usage) => {
  test.each(['--help', '-h'])('%s prints its own usage, exits 0 and touches no database', async (flag) => {
    const result = await cli([...words, flag]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(synopsis(usage));
    for (const [, other] of COMMANDS) if (other !== usage) expect(result.out).not.toContain(synopsis(other));
    expect(fs.existsSync(database)).toBe(false);
  });

  test('an unknown option exits 2, names it and shows the usage', async () => {
    const result = await cli([...words, '--colour', 'blue']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Unknown option '--colour'|takes no arguments|give one argument/);
    expect(result.err).toContain(synopsis(usage));
  });
});

test('the overall help lists every command, doctor included, and --version', async () => {
  const result = await cli(['--help']);
  expect(result.code).toBe(0);
  expect(result.out).toBe(USAGE);
  for (const [, usage] of COMMANDS) expect(result.out).toContain(synopsis(usage));
  expect(result.out).toContain('citizens-panel --version');
});

test.each(['--version', '-V'])("%s prints package.json's version and exits 0", async (flag) => {
  const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  expect(await cli([flag])).toEqual({ code: 0, out: `citizens-panel ${version}\n`, err: '' });
});
