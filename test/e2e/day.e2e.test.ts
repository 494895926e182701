import type { Browser, Page } from 'playwright-core';
import { io as connect, type Socket } from 'socket.io-client';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { listMembers, setRoomName, setStatus } from '../../src/membership/members';
import { Summaries } from '../../src/outcomes/summaries';
import { findPanel } from '../../src/panels/repo';
import { parseAgenda } from '../../src/room/agenda';
import { createSession, joinLink } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { seatMembers } from '../helpers';
import { launch, screenshot, startServer } from './browser';

/**
 * A real 12-member panel day (issue 19): a facilitator on a 1,280 x 800 laptop, four members on phones and seven more in the hall run
 * introductions (a round-robin with the twelfth member offline), questions with a speaking limit that runs out,
 * tables, an ideas wall, and a vote on the summary the members open and read first. The console is
 * photographed at each stage (test-results/screenshots/day-*.png), and must fit the laptop's screen.
 */
/** Twelve members: four on phones in the browser, seven more in the hall on plain socket clients, and Ewa, who never comes. */
const NAMES = ['Asha', 'Bartek', 'Chloe', 'Dev', 'Farah', 'Gwen', 'Hamid', 'Ioana', 'Jay', 'Kofi', 'Lena', 'Ewa'];
const HALL = NAMES.slice(4, 11);
const AGENDA = parseAgenda(JSON.stringify({
  title: 'Coventry cultural strategy: a day of the panel',
  rounds: [
    { type: 'round-robin', title: 'Introductions', minutes: 10, turnSeconds: 30 },
    { type: 'discussion', title: 'Questions to the speakers', minutes: 10, speakerSeconds: 10 },
    { type: 'tables', title: 'Tables: culture where you live', minutes: 20, tableSize: 3 },
    { type: 'ideas', title: 'Ideas wall', minutes: 10 },
    { type: 'vote', title: 'Approve the record of the day', minutes: 10 },
  ],
}));

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let sessionId = 0;
let links: { facilitator: string; observer: string; members: string[] };
let passes: string[] = [];
const hall: Socket[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  const { db, demo } = server;
  const ids = db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 12').pluck().all() as string[];
  seatMembers(db, demo.panelId, ids, Date.now());
  // Each confirmed, saying what the room should call them.
  for (const [i, m] of listMembers(db, demo.panelId).filter((x) => ids.includes(x.publicId)).entries()) {
    setStatus(db, m.id, 'confirmed', Date.now());
    setRoomName(db, m.id, NAMES[i]);
  }
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, AGENDA, null);
  sessionId = made.sessionId;
  const link = (token: string) => joinLink(server.url, made.sessionId, token);
  passes = ids.map((id) => made.panellists.find((p) => p.member === id)?.token ?? '');
  links = { facilitator: link(made.facilitator), observer: link(made.observer), members: passes.map(link) };
}, 60_000);
afterAll(async () => {
  for (const socket of hall) socket.disconnect();
  await browser?.close();
  await server?.stop();
});

async function open(link: string, phone: boolean): Promise<Page> {
  const page = await browser.newPage(phone ? { viewport: { width: 390, height: 844 }, isMobile: true } : { viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(link);
  await page.waitForSelector('#status:text("Connected")');
  return page;
}

/** A member in the hall without the browser: a plain socket client on their join link, resolved once it has the room. */
async function joinHall(pass: string): Promise<Socket> {
  const socket = connect(server.url, { auth: { pass }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The console at this stage: photographed, and the page itself does not scroll (each column scrolls in its own box). */
async function stage(console_: Page, name: string): Promise<void> {
  await console_.waitForTimeout(300); // the last change rendered
  await screenshot(console_, `day-${name}`);
  const { page, screen } = await console_.evaluate(() => ({ page: document.documentElement.scrollHeight, screen: innerHeight }));
  expect(page).toBeLessThanOrEqual(screen);
}

test('a facilitator runs a 12-member day with four members on phones, by name, and the members read the summary they approve', async () => {
  const f = await open(links.facilitator, false);
  const phones = await Promise.all(links.members.slice(0, 4).map((l) => open(l, true)));
  const [asha, bartek, chloe, dev] = phones;
  for (const pass of passes.slice(4, 11)) hall.push(await joinHall(pass));
  await f.waitForSelector('#connected:text("11 of 12 panellists connected")');
  expect((await f.textContent('#connected'))?.match(new RegExp(NAMES.join('|'), 'g'))?.sort()).toEqual(NAMES.slice(0, 11).sort());

  // Introductions: a round-robin that skips Ewa, who is not connected; the facilitator can add her back.
  await f.click('text=/^Open the next round: Introductions/');
  await f.click('text=Start the round-robin');
  await asha.waitForSelector('#floor:text("You have the floor.")');
  await asha.waitForSelector('#speaker-timer:text-matches("^Your time: 0:[23]\\\\d left$")');
  await bartek.waitForSelector('#floor:text("Asha has the floor.")');
  await bartek.waitForSelector('#speaker-timer:text-matches("^Asha\'s time: 0:[23]\\\\d left$")');
  await f.waitForSelector('text=Give Ewa a turn (skipped: not connected)');
  await stage(f, '1-introductions');
  for (const [who, next] of [[asha, 'Bartek'], [bartek, 'Chloe'], [chloe, 'Dev'], [dev, HALL[0]]] as const) {
    await who.click('text=Pass my turn');
    await f.waitForSelector(`#floor:text("${next} has the floor.")`);
  }
  // The hall speak in turn; the facilitator moves on after each.
  for (const next of [...HALL.slice(1), null]) {
    await f.click('text=Next turn');
    await f.waitForSelector(`#floor:text("${next ? `${next} has` : 'Nobody has'} the floor.")`);
  }

  // Questions, with a 10-second limit that runs out: every screen counts down, and the facilitator is nudged.
  await f.click('text=/^Open the next round: Questions/');
  await bartek.click('#hand');
  await chloe.click('#hand');
  await f.waitForSelector('#queue li:has-text("Bartek")');
  await f.waitForSelector('#queue li:has-text("Chloe")');
  await f.click('text=Give the floor to Bartek');
  await dev.waitForSelector('#speaker-timer:text-matches("^Bartek\'s time: 0:\\\\d\\\\d left$")');
  await f.waitForSelector('#speaker-timer.over', { timeout: 15_000 });
  expect(await f.textContent('#alert')).toMatch(/^Bartek's time is up: thank them and move on/);
  await dev.waitForSelector('#speaker-timer:text-matches("^Bartek\'s time is up")');
  await stage(f, '2-questions');
  await f.click('text=Give the floor to the next in the queue');
  await f.waitForSelector('#floor:text("Chloe has the floor.")');

  // Tables, of the members connected now.
  await f.click('text=/^Open the next round: Tables/');
  await f.click('#seat button[type=submit]');
  await f.waitForSelector('#table-list .table-card');
  await asha.waitForSelector('#my-table-card:has-text("Asha (you)")');
  expect(await f.textContent('#table-list')).not.toContain('Ewa'); // only those connected were seated
  await stage(f, '3-tables');

  // The ideas wall: members post and support; the facilitator's board counts the author and the supporter.
  await f.click('text=/^Open the next round: Ideas wall/');
  await asha.fill('#idea-text', 'Free late buses home from city-centre events');
  await asha.click('#post button[type=submit]');
  await dev.click('text=Support idea 1');
  await f.waitForSelector('#ideas li:has-text("2 in support")');
  // Hiding without a reason is refused beside the moderation controls, in words.
  await f.click('#mod-hide');
  await f.waitForSelector('#moderate .problem:text-matches("say why")');
  await stage(f, '4-ideas');

  // The vote on the written summary: the members open and read the revision they are asked to approve.
  new Summaries({ db: server.db, clock: systemClock, config: testConfig() }, new RoomRepo(server.db)).save(sessionId, 'A good first day in **Foleshill**: the panel heard the draft strategy and put its questions.', [], null);
  await f.click('text=/^Open the next round: Approve/');
  await f.selectOption('#vote-subject', 'summary');
  await f.click('#vote-setup button[type=submit]');
  for (const phone of phones) {
    await phone.click('text=Read the summary you are voting on (revision 1)');
    await phone.waitForSelector('#summary-reader strong:text("Foleshill")');
    await phone.click('#summary-reader-close');
    await phone.check('input[name=choice][value=agree]');
    await phone.click('#ballot-cast');
    await phone.waitForSelector('#announce:has-text("Your ballot is recorded")');
  }
  for (const socket of hall) {
    const reply = (await socket.emitWithAck('vote:cast', { vote: 1, ballot: { kind: 'threshold', choice: 'agree' }, clientId: `hall-${socket.id}` })) as { ok: boolean };
    expect(reply.ok).toBe(true);
  }
  await screenshot(asha, 'day-5-member-vote');
  await f.waitForSelector('text=11 of 12 have voted');
  await stage(f, '5-vote');
  await f.click('text=/^Close vote 1 and count/');
  await f.waitForSelector('text=/^Passed/');
  await stage(f, '6-result');

  // One count everywhere: the record of the day agrees with the room.
  const record = new Summaries({ db: server.db, clock: systemClock, config: testConfig() }, new RoomRepo(server.db)).build(sessionId);
  expect(record.attendance).toMatchObject({ members: 12, attended: 11 }); // Ewa never came
  expect(record.airtime.spoke).toBe(11); // everyone who came held the floor; Ewa was skipped, not given an empty turn
  expect(record.boards.flatMap((b) => b.themes.flatMap((t) => t.ideas.map((i) => i.support)))).toEqual([2]);

  // The hall's screen never shows a name.
  const screen = await open(links.observer, false);
  expect(await screen.textContent('body')).not.toMatch(new RegExp(NAMES.join('|')));
});
