import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { fixturesDir } from '../../src/paths';
import { RoomRepo } from '../../src/room/repo';
import { seatMembers } from '../helpers';

const agendaFile = path.join(fixturesDir, 'cultural-strategy-agenda.json');
let dir: string;
let database: string;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE: database, PORT: '3000' } });
  return { code, out: out.join(''), err: err.join('') };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-session-'));
  database = path.join(dir, 'panel.db');
  const db = openDb(database);
  const clock = new ManualClock();
  const demo = seedDemo({ db, clock, config: testConfig() });
  // Three members, as after a final draw.
  seatMembers(db, demo?.panelId ?? 0, db.prepare('SELECT public_id FROM registrants LIMIT 3').pluck().all() as string[], clock.now());
  closeDb(db);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('session create prints one join link per role and member; each link is a working pass', async () => {
  const result = await cli(['session', 'create', '--panel', 'coventry-cultural-strategy', '--agenda', agendaFile, '--json']);
  expect(result.code).toBe(0);
  const links = JSON.parse(result.out) as { sessionId: number; facilitator: string; observer: string; panellists: { id: string; link: string }[] };
  expect(links.panellists).toHaveLength(3);
  expect(links.facilitator).toMatch(new RegExp(`^http://localhost:3000/room/${links.sessionId}#pass=[\\w-]{43}$`));
  const db = openDb(database);
  try {
    const repo = new RoomRepo(db);
    const pass = (link: string) => repo.findPass(link.split('#pass=')[1], Date.now());
    expect(pass(links.facilitator)).toEqual({ sessionId: links.sessionId, actor: { role: 'facilitator', who: expect.stringMatching(/^link:/) } });
    expect(pass(links.observer)?.actor).toEqual({ role: 'observer' });
    expect(pass(links.panellists[0].link)?.actor).toEqual({ role: 'panellist', member: links.panellists[0].id });
    expect(repo.state(links.sessionId)?.rounds).toHaveLength(9);
    // Only hashes are stored.
    expect(JSON.stringify(db.prepare('SELECT * FROM room_passes').all())).not.toContain(links.facilitator.split('#pass=')[1]);
  } finally {
    closeDb(db);
  }

  const readable = await cli(['session', 'create', '--panel', 'coventry-cultural-strategy', '--agenda', agendaFile]);
  expect(readable.out).toContain('Join links (shown once; keep them safe)');
});

test('bad input: clear message, exit status 2, nothing created', async () => {
  const broken = path.join(dir, 'agenda.json');
  fs.writeFileSync(broken, JSON.stringify({ title: 'Day', rounds: [{ type: 'briefing', title: 'x', minutes: 0 }] }));
  const cases: [string[], string][] = [
    [['--panel', 'nope', '--agenda', agendaFile], 'no panel "nope"'],
    [['--panel', 'coventry-cultural-strategy', '--agenda', broken], 'rounds.0.minutes: minutes must be at least 1'],
    [['--panel', 'coventry-cultural-strategy', '--agenda', path.join(dir, 'missing.json')], 'no such file'],
    [['--agenda', agendaFile], '--panel SLUG is required'],
  ];
  for (const [args, message] of cases) {
    const result = await cli(['session', 'create', ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  }
  const db = openDb(database);
  expect(db.prepare('SELECT COUNT(*) FROM room_sessions').pluck().get()).toBe(0);
  closeDb(db);
});
