import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { readCsv } from '../../src/csv';
import { submit } from '../helpers';
import { register, withLetters } from './setup';

jest.setTimeout(120_000);

/**
 * Issue 21: the address draw is reproducible by whoever holds the register, from the published commitment and the
 * public numbers, with `citizens-panel invite-draw`; a register or an exclusion list other than the committed one
 * is caught, not drawn from.
 */
async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

let t: Awaited<ReturnType<typeof withLetters>>;
let dir: string;
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const lettered = (wave: number) =>
  t.db.prepare('SELECT h.uprn FROM letters l JOIN mailout_waves w ON w.id = l.wave_id JOIN households h ON h.id = l.household_id WHERE w.number = ? ORDER BY l.position').pluck().all(wave) as string[];
const uprns = (csv: string) => readCsv(csv).rows.map((r) => r.cells.uprn);

beforeAll(async () => {
  t = await withLetters(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-invite-draw-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the register, the published commitment and the public numbers give the households the letters went to', async () => {
  const commitment = await t.organiser.get(`${t.base}/waves/1/commitment.json`);
  expect(commitment.text).not.toMatch(/Demo Street|CV\d/); // no address in what is published
  const result = await cli(['invite-draw', '--register', file('register.csv', register), '--commitment', file('wave-1.json', commitment.text), '--numbers', '07, 19 23 31 40 52']);
  expect(result.code).toBe(0);
  expect(result.err).toMatch(/matches {2}register fingerprint/);
  expect(result.err).toContain('300 households chosen');
  expect(uprns(result.out)).toEqual(lettered(1));
});

test('other numbers give other households', async () => {
  const commitment = (await t.organiser.get(`${t.base}/waves/1/commitment.json`)).text;
  const result = await cli(['invite-draw', '--register', file('register.csv', register), '--commitment', file('wave-1.json', commitment), '--numbers', '7 19 23 31 40 53', '--out', path.join(dir, 'chosen.csv')]);
  expect(result.code).toBe(0);
  expect(result.out).toContain('written to');
  const chosen = uprns(fs.readFileSync(path.join(dir, 'chosen.csv'), 'utf8'));
  expect(chosen).toHaveLength(300);
  expect(chosen).not.toEqual(lettered(1));
});

test('a register with one household moved to another ward is caught: nothing is drawn from it', async () => {
  const commitment = (await t.organiser.get(`${t.base}/waves/1/commitment.json`)).text;
  const [header, first, ...rest] = register.toString('utf8').split('\n');
  const ward = header.split(',').indexOf('ward');
  const cells = first.split(',');
  cells[ward] = cells[ward] === 'Foleshill' ? 'Earlsdon' : 'Foleshill';
  const moved = file('moved.csv', [header, cells.join(','), ...rest].join('\n'));
  const result = await cli(['invite-draw', '--register', moved, '--commitment', file('wave-1.json', commitment), '--numbers', '7 19 23 31 40 52']);
  expect(result.code).toBe(4);
  expect(result.err).toContain('DIFFERS  register fingerprint');
  expect(result.err).toContain('this is not the register the wave committed to');
  expect(result.out).toBe('');
});

test('a second wave repeats with the first wave’s letters.csv excluded, and is caught without it', async () => {
  await submit(t.organiser, t.base, `${t.base}/waves`, { randomness: 'the UK Lotto draw of Saturday 23 January 2027' });
  expect((await submit(t.organiser, t.base, `${t.base}/waves/2/draw`, { numbers: '3 11 28 33 45 58' })).status).toBe(303);
  const commitment = file('wave-2.json', (await t.organiser.get(`${t.base}/waves/2/commitment.json`)).text);
  const earlier = file('wave-1-letters.csv', (await t.organiser.get(`${t.base}/waves/1/letters.csv`)).text);
  const args = ['invite-draw', '--register', file('register.csv', register), '--commitment', commitment, '--numbers', '3 11 28 33 45 58'];
  const without = await cli(args);
  expect(without.code).toBe(4);
  expect(without.err).toContain("give every earlier wave's letters.csv with --exclude");
  const repeated = await cli([...args, '--exclude', earlier]);
  expect(repeated.code).toBe(0);
  expect(uprns(repeated.out)).toEqual(lettered(2));
  expect(lettered(2).filter((u) => lettered(1).includes(u))).toEqual([]);
});

test('unusable input is refused in words', async () => {
  const registerFile = file('register.csv', register);
  const commitment = file('wave-1.json', (await t.organiser.get(`${t.base}/waves/1/commitment.json`)).text);
  const cases: [string[], RegExp][] = [
    [['--register', registerFile, '--numbers', '1 2'], /--commitment COMMITMENT.json is required/],
    [['--register', registerFile, '--commitment', file('bad.json', '{"panel": 1}'), '--numbers', '1 2'], /is not a wave's commitment/],
    [['--register', registerFile, '--commitment', file('text.json', 'not json'), '--numbers', '1 2'], /is not JSON/],
    [['--register', path.join(dir, 'missing.csv'), '--commitment', commitment, '--numbers', '1 2'], /cannot read .*missing.csv: no such file/],
    [['--register', file('broken.csv', 'uprn,line1,postcode,ward\n12x,1 A Road,CV1 1AA,Foleshill\n'), '--commitment', commitment, '--numbers', '1 2'], /broken.csv:\n.*line 2.*not a UPRN/],
    [['--register', registerFile, '--commitment', file('y.json', '{}'), '--numbers', 'seven'], /--numbers must be whole numbers/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(['invite-draw', ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  }
});
