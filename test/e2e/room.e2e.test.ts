import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession, joinLink } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { handleOf, type RoomState } from '../../src/room/state';
import { seatMembers } from '../helpers';
import { launch, screenshot, startServer } from './browser';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let links: { facilitator: string; observer: string; ann: string; bob: string; annName: string; bobName: string };

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  const { db, demo } = server;
  // Two members, as after the final draw.
  const [annId, bobId] = db.prepare('SELECT public_id FROM registrants LIMIT 2').pluck().all() as string[];
  seatMembers(db, demo.panelId, [annId, bobId], Date.now());
  const agenda = exampleAgenda();
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, agenda, null);
  const link = (token: string) => joinLink(server.url, made.sessionId, token);
  const token = (id: string) => made.panellists.find((p) => p.member === id)?.token ?? '';
  // Everyone, the facilitator too, sees members by their handle in the session ("Member 1"), never a pseudonym.
  const state = new RoomRepo(db).state(made.sessionId) as RoomState;
  links = { facilitator: link(made.facilitator), observer: link(made.observer), ann: link(token(annId)), bob: link(token(bobId)), annName: handleOf(state, annId), bobName: handleOf(state, bobId) };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(link: string, phone = false): Promise<Page> {
  const page = await browser.newPage(phone ? { viewport: { width: 390, height: 844 }, isMobile: true } : { viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && console.log(`browser: ${m.text()}`));
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(link);
  await page.waitForSelector('#status:text("Connected")');
  return page;
}

test('a facilitator and two panellists run the opening rounds in three pages', async () => {
  const facilitator = await open(links.facilitator);
  const ann = await open(links.ann, true);
  const bob = await open(links.bob, true);
  expect(new URL(ann.url()).hash).toBe(''); // the pass leaves the address bar
  await facilitator.waitForSelector('#connected:text("2 panellists connected")');

  // Welcome, then introductions, then the questions round.
  await facilitator.click('text=/^Open the next round: Welcome/');
  await ann.waitForSelector('#round:text("Welcome")');
  expect(await facilitator.textContent('#not-spoken')).toBe(`Not spoken yet: ${[links.annName, links.bobName].join(', ')}.`);
  expect(await ann.textContent('#timer')).toMatch(/^1[45]:\d\d left$/);
  await facilitator.click('text=/^Open the next round: Introductions/');
  // The round-robin: each member in turn; Ann passes, then the facilitator moves on.
  await facilitator.click('text=Start the round-robin');
  await ann.waitForSelector('#floor:text("You have the floor.")');
  await ann.click('text=Pass my turn');
  await bob.waitForSelector('#floor:text("You have the floor.")');
  await facilitator.click('text=Next turn');
  await bob.waitForSelector('#floor:text("Nobody has the floor.")');
  await facilitator.click('text=/^Open the next round: Evidence: the draft/');
  await facilitator.click('text=/^Open the next round: Evidence: what the five/');
  await facilitator.click('text=/^Open the next round: Questions to the speakers/');
  await bob.waitForSelector('#round:text("Questions to the speakers")');

  // Hands up, by keyboard on one phone.
  await ann.click('#hand');
  await ann.waitForSelector('#place:text("You are number 1 in the queue.")');
  await bob.focus('#hand');
  await bob.keyboard.press('Enter');
  await bob.waitForSelector('#place:text("You are number 2 in the queue.")');
  await facilitator.waitForSelector(`#queue li:has-text("${links.bobName}")`);
  await screenshot(facilitator, 'room-facilitator');

  await facilitator.click('text=Give the floor to the next in the queue');
  await ann.waitForSelector('#floor:text("You have the floor.")');
  await bob.waitForSelector('#place:text("You are number 1 in the queue.")');
  expect(await ann.isDisabled('#hand')).toBe(true);
  await screenshot(ann, 'room-panellist-phone');
  await facilitator.click('text=End this turn');
  await facilitator.waitForSelector(`#airtime li:has-text("${links.annName}")`, { state: 'attached' }); // by person, folded under the group bars
  expect(await facilitator.locator('#airtime-groups li').count()).toBeGreaterThan(3);
  expect(await bob.locator('#airtime li').count()).toBe(0); // airtime is the facilitator's alone

  // Tables: the room seats the two panellists; Ann takes notes and runs the table; Bob speaks; Ann reports.
  await facilitator.click('text=/^Open the next round: Tables/');
  await facilitator.click('text=Propose tables');
  await ann.waitForSelector('#my-table-card:has-text("Table 1")');
  await ann.click('text=I will take notes for my table');
  await bob.waitForSelector(`#my-table-card li:has-text("${links.annName} (note-taker)")`);
  await bob.click('#hand');
  await ann.waitForSelector(`#queue li:has-text("${links.bobName}")`);
  expect(await facilitator.textContent('#queue-empty')).toBe('No hands up.'); // the plenary queue is untouched
  await ann.click('text=Give the floor to the next hand at my table');
  await bob.waitForSelector('#floor:text("You have the floor at your table.")');
  await bob.click('text=I have finished');
  await ann.waitForSelector('#floor:text("Nobody has the floor at your table.")');
  await ann.fill('#report-text', 'Culture on the doorstep: libraries and parks, not only the city centre.');
  await ann.click('text=Save the report');
  await facilitator.waitForSelector('#table-list:has-text("Report: Culture on the doorstep")');
  await screenshot(facilitator, 'room-tables-facilitator');

  // The ideas wall: post, support, and the facilitator hides one with a reason.
  await facilitator.click('text=/^Open the next round: Ideas wall/');
  await ann.fill('#idea-text', 'Free late buses home from city-centre events');
  await ann.click('#post button');
  await ann.waitForSelector('#ideas li:has-text("Free late buses")');
  await ann.fill('#idea-text', 'Open school halls for community arts at weekends');
  await ann.click('#post button');
  await bob.waitForSelector('#ideas li:has-text("Open school halls")');
  await bob.fill('#idea-text', 'Something rude');
  await bob.click('#post button');
  await bob.click('text=Support idea 1');
  await facilitator.waitForSelector('#ideas li:has-text("2 in support")');
  await facilitator.selectOption('#mod-idea', '3');
  await facilitator.fill('#mod-reason', 'breaks the ground rules');
  await facilitator.click('#mod-hide');
  await ann.waitForFunction(() => !document.getElementById('ideas')?.textContent?.includes('Something rude'));
  await facilitator.waitForSelector('#ideas li:has-text("hidden: breaks the ground rules")');
  await facilitator.selectOption('#mod-idea', '1');
  await facilitator.fill('#mod-theme', 'Getting there');
  await facilitator.click('#mod-theme-set');
  await ann.waitForSelector('#ideas li:has-text("[Getting there] Free late buses")');
  await screenshot(bob, 'room-ideas-phone');

  // The observer screen (a projector): the round, the timer and the themes; no queue, no airtime, no controls.
  const screen = await open(links.observer);
  await screen.waitForSelector('#ideas h3:text("Getting there")');
  expect(await screen.textContent('#ideas')).toContain('Free late buses home from city-centre events (2 in support)');
  expect(await screen.textContent('#ideas')).not.toContain('Something rude');
  expect(await screen.textContent('#timer')).toMatch(/left$/);
  for (const hidden of ['#hand', '#queue', '#airtime', '#controls', '#post']) expect(await screen.isVisible(hidden)).toBe(false);
  await screenshot(screen, 'room-observer');

  // Table feedback: the report is there for the whole panel.
  await facilitator.click('text=/^Open the next round: Table feedback/');
  await bob.waitForSelector('#report-list:has-text("Table 1: Culture on the doorstep")');
  await screen.waitForSelector('#report-list:has-text("Table 1: Culture on the doorstep")');

  // The vote round: a secret ballot on phones, hidden from everyone until the close, checked by receipt.
  await facilitator.click('text=/^Open the next round: Which ideas go forward/');
  await facilitator.fill('#vote-question', 'Put free late buses home forward as a draft recommendation?');
  await facilitator.selectOption('#vote-method', 'threshold');
  await facilitator.selectOption('#vote-base', 'decisive');
  await facilitator.check('input[name="secret"]');
  await facilitator.click('text=Open the vote');
  await ann.waitForSelector('#ballot:visible');
  await ann.check('input[name="choice"][value="agree"]');
  await ann.click('text=Cast my vote');
  await ann.waitForSelector('.receipt:has-text("Your receipt")');
  await bob.check('input[name="choice"][value="disagree"]');
  await bob.click('text=Cast my vote');
  await bob.check('input[name="choice"][value="agree"]'); // Bob changes his mind before the close
  await bob.click('text=Cast my vote');
  await bob.waitForSelector('#announce:has-text("Your ballot is recorded")');
  // A secret vote's counter moves in fives, so nobody can watch a member cast.
  await facilitator.waitForSelector('#vote-list:has-text("At least 0 of 2 have voted")');
  expect(await facilitator.textContent('#vote-list')).not.toMatch(/Passed|Failed/);
  await screenshot(ann, 'room-vote-phone');
  await facilitator.click('text=Close vote 1 and count');
  // Two ballots would tell each voter the other's: the result is withheld, for everyone.
  await ann.waitForSelector('#vote-list:has-text("Too few ballots to report without revealing them: 2 of 2 voted")');
  expect(await bob.locator('#vote-list .result').count()).toBe(0);
  // And the ballots were destroyed unopened: a receipt check says so, rather than "counted".
  await ann.click('text=Check my ballot was counted');
  await ann.waitForSelector('#vote-list:has-text("its ballots were destroyed at the close without being counted or kept")');

  // Dot voting on the ideas wall's ideas (paper ballots, entered by two signed-in tellers, are in voting.e2e).
  await facilitator.fill('#vote-question', 'Which ideas matter most?');
  await facilitator.selectOption('#vote-method', 'approval');
  await facilitator.selectOption('#vote-from', { label: 'the ideas of round 7: Ideas wall: the changes the strategy should make' });
  await facilitator.uncheck('input[name="secret"]');
  await facilitator.click('text=Open the vote');
  await facilitator.waitForSelector('#paper:visible', { timeout: 5000 }).catch(async (err: Error) => {
    throw new Error(`${err.message}; the page said: ${await facilitator.textContent('#alert')}`);
  });
  for (const phone of [ann, bob]) {
    await phone.waitForSelector('#ballot:visible');
    await phone.check('#ballot-fields input[name=option-0]'); // one dot an option: a tick box
    await phone.click('text=Cast my vote');
    await phone.waitForSelector('#announce:has-text("Your ballot is recorded.")');
  }
  await facilitator.waitForSelector('#vote-list:has-text("2 of 2 have voted")');
  await facilitator.click('text=Close vote 2 and count');
  await bob.waitForSelector('#vote-list .result:has-text("Free late buses home")');
  const dots = bob.locator('#vote-list table.result-table tbody tr').first();
  expect((await dots.locator('th, td').allTextContents()).map((t) => t.trim())).toEqual(['Free late buses home from city-centre events', '2', '2']);
  await screenshot(facilitator, 'room-votes-facilitator');
});
