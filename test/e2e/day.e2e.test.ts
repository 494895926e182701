import type { Browser, Page } from 'playwright-core';
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
 * A real panel day (issue 19): a facilitator on a 1,280 x 800 laptop and four members on phones run
 * introductions (a round-robin with the fifth member offline), questions with a speaking limit that runs out,
 * tables, an ideas wall, and a vote on the summary the members open and read first. The console is
 * photographed at each stage (test-results/screenshots/day-*.png), and must fit the laptop's screen.
 */
const NAMES = ['Asha', 'Bartek', 'Chloe', 'Dev', 'Ewa'];
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

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  const { db, demo } = server;
  const ids = db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 5').pluck().all() as string[];
  seatMembers(db, demo.panelId, ids, Date.now());
  // Each confirmed, saying what the room should call them.
  for (const [i, m] of listMembers(db, demo.panelId).filter((x) => ids.includes(x.publicId)).entries()) {
    setStatus(db, m.id, 'confirmed', Date.now());
    setRoomName(db, m.id, NAMES[i]);
  }
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, AGENDA, null);
  sessionId = made.sessionId;
  const link = (token: string) => joinLink(server.url, made.sessionId, token);
  links = { facilitator: link(made.facilitator), observer: link(made.observer), members: ids.map((id) => link(made.panellists.find((p) => p.member === id)?.token ?? '')) };
}, 60_000);
afterAll(async () => {
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

/** The console at this stage: photographed, and the page itself does not scroll (each column scrolls in its own box). */
async function stage(console_: Page, name: string): Promise<void> {
  await console_.waitForTimeout(300); // the last change rendered
  await screenshot(console_, `day-${name}`);
  const { page, screen } = await console_.evaluate(() => ({ page: document.documentElement.scrollHeight, screen: innerHeight }));
  expect(page).toBeLessThanOrEqual(screen);
}

test('a facilitator runs a day with four members on phones, by name, and the members read the summary they approve', async () => {
  const f = await open(links.facilitator, false);
  const phones = await Promise.all(links.members.slice(0, 4).map((l) => open(l, true)));
  const [asha, bartek, chloe, dev] = phones;
  await f.waitForSelector('#connected:text("4 of 5 panellists connected")');
  expect((await f.textContent('#connected'))?.match(/Asha|Bartek|Chloe|Dev|Ewa/g)?.sort()).toEqual(['Asha', 'Bartek', 'Chloe', 'Dev']);

  // Introductions: a round-robin that skips Ewa, who is not connected; the facilitator can add her back.
  await f.click('text=/^Open the next round: Introductions/');
  await f.click('text=Start the round-robin');
  await asha.waitForSelector('#floor:text("You have the floor.")');
  await asha.waitForSelector('#speaker-timer:text-matches("^Your time: 0:[23]\\\\d left$")');
  await bartek.waitForSelector('#floor:text("Asha has the floor.")');
  await bartek.waitForSelector('#speaker-timer:text-matches("^Asha\'s time: 0:[23]\\\\d left$")');
  await f.waitForSelector('text=Give Ewa a turn (skipped: not connected)');
  await stage(f, '1-introductions');
  for (const [who, next] of [[asha, 'Bartek'], [bartek, 'Chloe'], [chloe, 'Dev']] as const) {
    await who.click('text=Pass my turn');
    await f.waitForSelector(`#floor:text("${next} has the floor.")`);
  }
  await f.click('text=Next turn');
  await f.waitForSelector('#floor:text("Nobody has the floor.")');

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
  await screenshot(asha, 'day-5-member-vote');
  await f.waitForSelector('text=4 of 5 have voted');
  await stage(f, '5-vote');
  await f.click('text=/^Close vote 1 and count/');
  await f.waitForSelector('text=/^Passed/');
  await stage(f, '6-result');

  // One count everywhere: the record of the day agrees with the room.
  const record = new Summaries({ db: server.db, clock: systemClock, config: testConfig() }, new RoomRepo(server.db)).build(sessionId);
  expect(record.attendance).toMatchObject({ members: 5, attended: 4 }); // Ewa never came
  expect(record.airtime.spoke).toBe(4); // the four who held the floor; Ewa was skipped, not given an empty turn
  expect(record.boards.flatMap((b) => b.themes.flatMap((t) => t.ideas.map((i) => i.support)))).toEqual([2]);

  // The hall's screen never shows a name.
  const screen = await open(links.observer, false);
  expect(await screen.textContent('body')).not.toMatch(new RegExp(NAMES.join('|')));
});
