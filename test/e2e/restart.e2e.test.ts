import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession, joinLink } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { handleOf, type RoomState } from '../../src/room/state';
import { seatMembers } from '../helpers';
import { launch } from './browser';
import { type ServerProcess, startServerProcess, tempDbFile } from './server-process';

/**
 * The server process is killed with SIGKILL in the middle of a live room: no shutdown handler, no WAL
 * checkpoint. Every command a page saw acknowledged must be in the database, the pages must reconnect by
 * themselves, the round's clock must carry on from its stored deadline, and the room must go on working.
 */

const QUESTIONS = 4; // the agenda's first discussion round: "Questions to the speakers", 20 minutes
let server: ServerProcess;
let browser: Browser;
let sessionId: number;
let annId: string;
let bobId: string;
let tokens: { facilitator: string; ann: string; bob: string };
/** The version in every positive command acknowledgement a page received, in order of arrival. */
const acked: number[] = [];

beforeAll(async () => {
  const dbFile = tempDbFile();
  // The session is set up in the file before the server process exists: the demo panel, two members, a session.
  const db = openDb(dbFile);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('demo was not seeded');
  [annId, bobId] = db.prepare('SELECT public_id FROM registrants LIMIT 2').pluck().all() as string[];
  seatMembers(db, demo.panelId, [annId, bobId], Date.now());
  const agenda = exampleAgenda();
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, agenda, null);
  const token = (id: string) => made.panellists.find((p) => p.member === id)?.token ?? '';
  sessionId = made.sessionId;
  tokens = { facilitator: made.facilitator, ann: token(annId), bob: token(bobId) };
  closeDb(db);

  server = await startServerProcess({ dbFile });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) fs.rmSync(path.dirname(server.dbFile), { recursive: true, force: true });
});

/** The room as stored in the database file, read with a connection of our own. */
function storedRoom(): { version: number; state: RoomState } {
  const db = openDb(server.dbFile);
  try {
    const version = db.prepare('SELECT version FROM room_sessions WHERE id = ?').pluck().get(sessionId) as number;
    const state = new RoomRepo(db).state(sessionId);
    if (!state) throw new Error(`session ${sessionId} is not in ${server.dbFile}`);
    return { version, state };
  } finally {
    closeDb(db);
  }
}

/** Opens a join link, records every #status text the page shows, and notes the acknowledgements it receives. */
async function open(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('WebSocket') && console.log(`browser: ${m.text()}`));
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  // Socket.IO over a WebSocket: an acknowledgement is "43<id>[reply]".
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const ack = /^43\d+(\[.*)$/s.exec(payload.toString());
      const reply = ack ? (JSON.parse(ack[1]) as [{ ok: boolean; data?: { version?: number; state?: unknown } }])[0] : undefined;
      if (reply?.ok && typeof reply.data?.version === 'number' && reply.data.state === undefined) acked.push(reply.data.version);
    }),
  );
  await page.addInitScript(() => {
    const w = window as unknown as { statuses: string[] };
    w.statuses = [];
    document.addEventListener('DOMContentLoaded', () => {
      const status = document.getElementById('status') as HTMLElement;
      new MutationObserver(() => w.statuses.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
  });
  await page.goto(joinLink(server.url, sessionId, token));
  await page.waitForSelector('#status:text-is("Connected")');
  return page;
}

const statuses = (page: Page) => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
/** "19:57 left" -> 1197 */
const seconds = (timer: string | null) => {
  const m = /^(\d+):(\d\d) left$/.exec(timer ?? '');
  if (!m) throw new Error(`the timer shows "${timer}", not "M:SS left"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

async function waitUntil(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}

test('SIGKILL in the middle of a live room loses nothing acknowledged, and the room carries on', async () => {
  const facilitator = await open(tokens.facilitator);
  const ann = await open(tokens.ann);
  const bob = await open(tokens.bob);
  const pages = [facilitator, ann, bob];
  await facilitator.waitForSelector('#connected:text("2 panellists connected")');

  // To the discussion round; both hands up, each shown as acknowledged (the queue place); Ann gets the floor.
  for (const title of ['Welcome', 'Introductions', 'Evidence: the draft', 'Evidence: what the five', 'Questions to the speakers']) {
    await facilitator.click(`text=/^Open the next round: ${title}/`);
  }
  await ann.waitForSelector('#round:text("Questions to the speakers (discussion, open)")');
  await ann.click('#hand');
  await ann.waitForSelector('#place:text-is("You are number 1 in the queue.")');
  await bob.click('#hand');
  await bob.waitForSelector('#place:text-is("You are number 2 in the queue.")');
  await facilitator.click('text=Give the floor to the next in the queue');
  for (const page of pages) await page.waitForSelector('#floor:text("the floor.")');
  await ann.waitForSelector('#floor:text-is("You have the floor.")');
  await bob.waitForSelector('#place:text-is("You are number 1 in the queue.")');
  await waitUntil('the 8 acknowledgements (5 opens, 2 hands, 1 floor)', () => acked.length === 8);
  expect(acked).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

  const timerBefore = seconds(await ann.textContent('#timer'));
  const shownBefore = (await statuses(ann)).length;
  const killedAt = Date.now();
  await server.kill9();

  // Every acknowledged command is in the file the killed process left behind, and nothing more.
  const stored = storedRoom();
  expect(stored.version).toBe(Math.max(...acked));
  expect(stored.state.version).toBe(stored.version);
  expect(stored.state.current).toBe(QUESTIONS);
  expect(stored.state.rounds[QUESTIONS].status).toBe('open');
  expect(stored.state.floor?.member).toBe(annId);
  expect(stored.state.queue).toEqual([bobId]);

  // The pages noticed; the server stays down a moment, as a real crash would, while the clock runs on.
  for (const page of pages) await page.waitForFunction(() => (window as unknown as { statuses: string[] }).statuses.includes('Connection lost: reconnecting…'));
  await new Promise((r) => setTimeout(r, 1500));
  await server.restart();

  // Each page reconnects by itself: the status it recorded since it loaded is still there, so no reload.
  for (const page of pages) await page.waitForSelector('#status:text-is("Connected")', { timeout: 20000 });
  const elapsed = (Date.now() - killedAt) / 1000;
  for (const page of pages) {
    expect((await statuses(page)).slice(-1)).toEqual(['Connected']);
    expect(await page.textContent('#round')).toBe('Questions to the speakers (discussion, open)');
  }
  expect((await statuses(ann)).slice(shownBefore)).not.toContain(expect.stringMatching(/^Not connected/)); // never shown as final
  expect(await ann.textContent('#floor')).toBe('You have the floor.');
  // Everyone, the facilitator too, names Ann by her handle in this session, never by her pseudonym.
  const annHandle = handleOf(stored.state, annId);
  expect(annHandle).toMatch(/^Member \d+$/);
  expect(await bob.textContent('#floor')).toBe(`${annHandle} has the floor.`);
  expect(await facilitator.textContent('#floor')).toBe(`${annHandle} has the floor.`);
  expect(await bob.textContent('#place')).toBe('You are number 1 in the queue.');
  expect(await facilitator.locator('#queue li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^${handleOf(stored.state, bobId)} `))]);

  // The clock carried on from the stored deadline: lower than before by about the time away, not reset to 20:00.
  const timerAfter = seconds(await ann.textContent('#timer'));
  expect(timerAfter).toBeLessThan(timerBefore);
  expect(timerAfter).toBeGreaterThanOrEqual(timerBefore - Math.ceil(elapsed) - 2);

  // The room carries on: end Ann's turn, give Bob the floor, then post to the ideas wall.
  await facilitator.click('text=End this turn');
  for (const page of pages) await page.waitForSelector('#floor:text-is("Nobody has the floor.")');
  await facilitator.click('text=Give the floor to the next in the queue');
  await bob.waitForSelector('#floor:text-is("You have the floor.")');
  await facilitator.click('text=/^Open the next round: Tables/');
  await facilitator.click('text=/^Open the next round: Ideas wall/');
  await ann.fill('#idea-text', 'Keep the libraries open late after a restart');
  await ann.click('#post button');
  await bob.waitForSelector('#ideas li:has-text("Keep the libraries open late after a restart")');
  await waitUntil('the 13 acknowledgements', () => acked.length === 13);
  expect(acked.slice(8)).toEqual([9, 10, 11, 12, 13]);

  await server.stop();
  expect(storedRoom().version).toBe(13);
});
