import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { ballotBoxOf } from '../../src/room/ballot-box';
import { createSession, joinLink } from '../../src/room/create';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { actorKey, RoomRepo } from '../../src/room/repo';
import { seatMembers } from '../helpers';
import { launch } from './browser';
import { type ServerProcess, startServerProcess, tempDbFile } from './server-process';

/**
 * Issue 16, as a new user would meet it: a panellist taps "Cast my vote" while the server is down. The phone
 * must not show a receipt or say the ballot is recorded; it says the ballot is not sent yet, sends it once when
 * the server is back, and only then shows the receipt. A ballot whose vote closed meanwhile is dropped, in words.
 */
let server: ServerProcess;
let browser: Browser;
let sessionId: number;
let phone: Page;
const VOTE_ROUND = exampleAgenda().rounds.findIndex((r) => r.type === 'vote');
const host: Actor = { role: 'facilitator', who: 'user:1' };

/** Runs commands through the room's own rules on the database file, as the socket handler would (the server is down, or not yet up). */
function asFacilitator(commands: Command[]): void {
  const db = openDb(server?.dbFile ?? file);
  try {
    const repo = new RoomRepo(db);
    const box = ballotBoxOf(db, sessionId);
    db.transaction(() => {
      for (const [i, command] of commands.entries()) {
        const state = apply(repo.state(sessionId) as NonNullable<ReturnType<RoomRepo['state']>>, host, command, Date.now(), { box });
        repo.record(sessionId, state, actorKey(host), `e2e-${Date.now()}-${i}`, command, Date.now());
      }
    })();
  } finally {
    closeDb(db);
  }
}

const voters = () => {
  const db = openDb(server.dbFile);
  try {
    return db.prepare('SELECT vote_id AS vote, COUNT(*) AS n FROM vote_voters WHERE session_id = ? GROUP BY vote_id').all(sessionId) as { vote: number; n: number }[];
  } finally {
    closeDb(db);
  }
};

let file: string;
beforeAll(async () => {
  file = tempDbFile();
  const db = openDb(file);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('demo was not seeded');
  const members = db.prepare('SELECT public_id FROM registrants LIMIT 5').pluck().all() as string[];
  seatMembers(db, demo.panelId, members, Date.now());
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
  sessionId = made.sessionId;
  closeDb(db);
  asFacilitator([
    { type: 'round:open', round: VOTE_ROUND },
    { type: 'vote:open', question: 'Meet again in six months?', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 }, secret: true, live: false },
  ]);
  server = await startServerProcess({ dbFile: file });
  browser = await launch();
  phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.goto(joinLink(server.url, sessionId, made.panellists[0].token));
  await phone.waitForSelector('#status:text("Connected")');
  await phone.waitForSelector('#ballot:visible');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) fs.rmSync(path.dirname(server.dbFile), { recursive: true, force: true });
});

test('a ballot cast while the server is down is shown as not sent, then sent once when it is back', async () => {
  await server.kill9();
  await phone.waitForSelector('#status:text("Connection lost")');
  await phone.check('#ballot-fields label:has-text("Agree") input');
  await phone.click('text=Cast my vote');
  await phone.waitForSelector('#ballot-pending:text("Not sent yet")');
  expect(await phone.textContent('#alert')).toMatch(/not sent yet/);
  expect(await phone.locator('.receipt').count()).toBe(0);
  expect(await phone.textContent('#announce')).not.toMatch(/recorded/);

  await server.restart();
  await phone.waitForSelector('#announce:has-text("Your ballot is recorded")', { timeout: 20_000 });
  await phone.waitForSelector('.receipt:has-text("Your receipt:")');
  expect(await phone.textContent('#ballot-pending')).toBe('');
  expect(voters()).toEqual([{ vote: 1, n: 1 }]);
  await phone.click('text=Check my ballot was counted');
  await phone.waitForSelector('text=Counted: agree');
});

test('a ballot that waited while its vote closed is dropped, and the phone says so', async () => {
  await server.kill9();
  await phone.waitForSelector('#status:text("Connection lost")');
  await phone.check('#ballot-fields label:has-text("Disagree") input');
  await phone.click('text=Cast my vote');
  await phone.waitForSelector('#ballot-pending:text("Not sent yet")');
  asFacilitator([{ type: 'vote:close', vote: 1 }]);
  await server.restart();
  await phone.waitForSelector('#alert:has-text("was never sent, and that vote has closed")', { timeout: 20_000 });
  expect(voters()).toEqual([{ vote: 1, n: 1 }]); // still only the first ballot
});
