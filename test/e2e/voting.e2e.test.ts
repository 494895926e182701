import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { findPanel } from '../../src/panels/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession, joinLink } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { PASSWORD, seatMembers, storedRoom } from '../helpers';
import { launch, screenshot, startServer } from './browser';

/**
 * The "Done means" of voting, as a new user would try it: a facilitator runs every ballot method with three
 * panellists on phones and two in the hall (paper, counted by two tellers); a secret vote stays hidden until
 * its close and checks out by receipt; the panel amends and adopts a recommendation, and a member writes a
 * minority statement that another signs. Everything ends up in the stored record.
 */
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let sessionId: number;
let facilitator: Page;
let teller: Page;
let phones: Page[];
/** The two members in the hall, who vote on paper. */
let hall: string[];
let observerLink: string;
const agenda = exampleAgenda();
const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  const { db, demo } = server;
  // Five members, as after the final draw: three will vote on phones, two on paper in the hall.
  const members = db.prepare('SELECT public_id FROM registrants LIMIT 5').pluck().all() as string[];
  seatMembers(db, demo.panelId, members, Date.now());
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, agenda, null);
  sessionId = made.sessionId;
  const link = (token: string) => joinLink(server.url, made.sessionId, token);
  hall = members.slice(3);
  observerLink = link(made.observer);
  // Paper counts are entered by two different signed-in people, so both open the room with their logins.
  facilitator = await openSignedIn('voting-facilitator@example.org');
  teller = await openSignedIn('voting-teller@example.org');
  phones = await Promise.all(members.slice(0, 3).map((m) => open(link(made.panellists.find((p) => p.member === m)?.token ?? ''), true)));
  await facilitator.waitForSelector('#connected:text("3 of 5 panellists connected")');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(link: string, phone = false): Promise<Page> {
  const page = await browser.newPage(phone ? { viewport: { width: 390, height: 844 }, isMobile: true } : { viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(link);
  await page.waitForSelector('#status:text("Connected")');
  return page;
}

async function openSignedIn(email: string): Promise<Page> {
  const user = createUser(server.db, systemClock, { email, name: email, role: 'facilitator', password: PASSWORD });
  addToTeam(server.db, server.demo.panelId, user.id, Date.now());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${server.url}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/login"] button');
  await page.waitForURL(/\/admin$/);
  await page.goto(`${server.url}/room/${sessionId}`);
  await page.waitForSelector('#status:text("Connected")');
  return page;
}

async function goToRound(index: number): Promise<void> {
  await facilitator.selectOption('#jump-round', String(index));
  await facilitator.click('#jump button');
  await facilitator.waitForSelector(`#round:text("${agenda.rounds[index].title.slice(0, 30)}")`);
}

interface Setup { question: string; method: string; options?: string[]; rule?: string; base?: string; count?: string; scale?: string; quorum?: number; secret?: boolean; subject?: string }

async function openVote(s: Setup): Promise<void> {
  if (s.subject) await facilitator.click(`text=${s.subject}`);
  else await facilitator.fill('#vote-question', s.question);
  await facilitator.selectOption('#vote-method', s.method);
  await facilitator.fill('#vote-options', (s.options ?? []).join('\n'));
  if (s.rule) await facilitator.selectOption('#vote-rule', s.rule);
  if (s.base) await facilitator.selectOption('#vote-base', s.base);
  if (s.count) await facilitator.selectOption('#vote-count', s.count);
  if (s.scale) await facilitator.selectOption('#vote-scale', s.scale);
  await facilitator.fill('#vote-quorum', String(s.quorum ?? 0));
  await facilitator.setChecked('#vote-setup input[name=secret]', s.secret ?? false);
  await facilitator.click('text=Open the vote');
  for (const phone of phones) await phone.waitForSelector('#ballot:visible');
}

/** A panellist fills in the ballot form on their phone and casts it. */
async function cast(phone: Page, fill: (page: Page) => Promise<void>): Promise<void> {
  await fill(phone);
  await phone.click('text=Cast my vote');
  await phone.waitForSelector('#announce:has-text("Your ballot is recorded")');
  await phone.evaluate(() => (document.getElementById('announce')!.textContent = ''));
}
const choose = (label: string) => (page: Page) => page.check(`#ballot-fields label:has-text("${label}") input`);
const rank = (...numbers: (number | '')[]) => async (page: Page) => {
  for (const [i, n] of numbers.entries()) await page.fill(`#ballot-fields input[name=option-${i}]`, String(n));
};

/** Two tellers enter the same count of the hall's paper ballots, ticking the two members who voted on paper. */
async function paper(count: string, voted: string): Promise<void> {
  for (const page of [facilitator, teller]) {
    if (page === teller) await teller.waitForSelector('#vote-list:has-text("waiting for a second person")');
    await page.fill('#paper-text', count);
    for (const member of hall) await page.check(`#paper-members input[value="${member}"]`);
    await page.click('text=Enter the count');
  }
  await facilitator.waitForSelector(`#vote-list:has-text("${voted}")`);
}

async function closeAndRead(vote: number): Promise<string> {
  await facilitator.click(`text=Close vote ${vote} and count`);
  const card = phones[0].locator('#vote-list .vote-card').nth(vote - 1);
  await card.locator('.result').waitFor();
  return (await card.textContent()) ?? '';
}

test('each ballot method, on phones and on paper, with rules and denominators', async () => {
  await goToRound(VOTE_ROUND);
  const [ann, bob, cat] = phones;

  // 1. Agree / disagree with a two-thirds threshold over all votes, abstentions counting against.
  await openVote({ question: 'Should the strategy name the five neighbourhoods as priorities?', method: 'threshold', rule: 'two-thirds', base: 'all', quorum: 4 });
  await cast(ann, choose('Agree'));
  await cast(bob, choose('Agree'));
  await cast(cat, choose('Abstain'));
  await paper('agree\ndisagree', '5 of 5 have voted, including 2 on paper');
  let card = await closeAndRead(1);
  expect(card).toMatch(/Failed: 3 agree, 1 disagree/);
  expect(card).toMatch(/Eligible\s*5\s*Voted\s*5\s*Abstained\s*1\s*Spoiled\s*0\s*Quorum\s*4 ballots: met/);
  expect(card).toMatch(/Rule: .*two thirds/i);

  // 2. Ranked choice by instant runoff: the transfer table shows each round.
  const options = ['A festival in every ward', 'Free late buses', 'Open the libraries in the evenings'];
  await openVote({ question: 'Which should come first?', method: 'ranked', count: 'irv', options });
  await cast(ann, rank(1, 2, 3));
  await cast(bob, rank(2, 1, ''));
  await cast(cat, rank('', 2, 1));
  await paper('3,2\n1,2', '5 of 5 have voted, including 2 on paper');
  card = await closeAndRead(2);
  // First preferences 2, 1, 2: the buses go out and Bob's ballot moves to the festival, which wins 3 to 2.
  expect(card).toMatch(/instant.runoff/i);
  expect(card).toMatch(/Chosen\s*A festival in every ward/);
  expect(await ann.locator('#vote-list .vote-card').nth(1).locator('table.result-table').count()).toBeGreaterThan(0);

  // 3. The same question counted by Borda.
  await openVote({ question: 'Which should come first (Borda)?', method: 'ranked', count: 'borda', options });
  await cast(ann, rank(1, 2, 3));
  await cast(bob, rank(3, 1, 2));
  await cast(cat, rank(2, 1, 3));
  card = await closeAndRead(3);
  expect(card).toMatch(/Borda/);
  expect(card).toMatch(/Chosen\s*Free late buses/);

  // 4. A five-point agreement scale, reported as a distribution.
  await openVote({ question: 'The draft strategy speaks for my neighbourhood.', method: 'scale', scale: 'likert5' });
  await cast(ann, choose('4.'));
  await cast(bob, choose('5.'));
  await cast(cat, choose('2.'));
  await paper('4\n0', '5 of 5 have voted, including 2 on paper');
  card = await closeAndRead(4);
  expect(card).toMatch(/Abstained\s*1/);
  expect(card).toMatch(/Strongly agree/);

  // 5. The gradients of agreement.
  await openVote({ question: 'Adopt the ideas wall as the basis for the recommendations?', method: 'scale', scale: 'gradients8' });
  await cast(ann, choose('1.'));
  await cast(bob, choose('6.'));
  await cast(cat, choose('5.'));
  card = await closeAndRead(5);
  expect(card).toMatch(/Wholehearted endorsement/i);

  // 6. Consent: an objection needs a reason, and the reason goes in the record.
  await openVote({ question: 'Hold the next session in Hillfields?', method: 'consent' });
  await cast(ann, choose('I consent'));
  await bob.check('#ballot-fields label:has-text("I object") input');
  await bob.click('text=Cast my vote');
  await bob.waitForSelector('#alert:has-text("reason")');
  await cast(bob, async (page) => page.fill('#objection', 'The community centre there has no step-free access.'));
  await cast(cat, choose('I consent'));
  card = await closeAndRead(6);
  expect(card).toMatch(/Failed/);
  expect(card).toContain('The community centre there has no step-free access.');
  await screenshot(ann, 'voting-methods-phone', '#vote-list .vote-card:nth-child(2)');
});

test('a secret ballot stays hidden from everyone until its close, and checks out by receipt', async () => {
  const [ann, bob, cat] = phones;
  await openVote({ question: 'Should the panel meet again in six months to check progress?', method: 'threshold', rule: 'majority', base: 'decisive', secret: true });
  await cast(ann, choose('Agree'));
  await cast(bob, choose('Disagree'));
  await cast(cat, choose('Agree'));
  // The counter of a secret vote moves in fives: three ballots on phones do not show.
  await facilitator.waitForSelector('#vote-list .vote-card:nth-child(7):has-text("At least 0 of 5 have voted")');
  await paper('disagree x 2', 'At least 5 of 5 have voted, including 2 on paper');
  for (const page of [facilitator, teller, ann]) expect(await page.locator('#vote-list .vote-card').nth(6).locator('.result').count()).toBe(0);
  const card = await closeAndRead(7);
  expect(card).toMatch(/Failed: 2 agree, 3 disagree/);
  await ann.waitForSelector('#vote-list .vote-card:nth-child(7) .receipt:has-text("Your receipt:")');
  await bob.locator('#vote-list .vote-card').nth(6).locator('text=Check my ballot was counted').click();
  await bob.waitForSelector('#vote-list .vote-card:nth-child(7):has-text("Counted: disagree")');
});

test('the panel amends and adopts a recommendation; a member writes a minority statement and another signs it', async () => {
  const [ann, bob, cat] = phones;
  // A theme from the ideas wall becomes the draft.
  await goToRound(IDEAS);
  await ann.fill('#idea-text', 'Free late buses home from city-centre events');
  await ann.click('#post button');
  await facilitator.selectOption('#mod-idea', '1');
  await facilitator.fill('#mod-theme', 'Getting there');
  await facilitator.click('#mod-theme-set');
  await goToRound(VOTE_ROUND);
  await facilitator.selectOption('#rec-from', { label: `the theme “Getting there” (round ${IDEAS + 1}: ${agenda.rounds[IDEAS].title})` });
  expect(await facilitator.inputValue('#rec-text')).toBe('Free late buses home from city-centre events');
  await facilitator.fill('#rec-text', 'The council should run late buses home from city-centre events.');
  await facilitator.click('text=Put the draft to the panel');
  await cat.waitForSelector('#rec-list:has-text("Recommendation 1 (draft)")');

  // Bob proposes new wording from his phone; the panel carries it.
  await bob.click('#rec-list >> text=Propose an amendment');
  expect(await bob.inputValue('#amend-text')).toBe('The council should run late buses home from city-centre events.');
  await bob.fill('#amend-text', 'The council should run free late buses home from city-centre events to every ward.');
  await bob.fill('#amend-reason', 'People in Foleshill and WEHM live furthest out.');
  await bob.click('text=Propose the amendment');
  await facilitator.waitForSelector('#rec-list:has-text("because: People in Foleshill")');
  await openVote({ question: '', method: 'threshold', rule: 'majority', base: 'decisive', subject: 'Put amendment 1 to the vote' });
  expect(await ann.textContent('#vote-list')).toContain('should it read “The council should run free late buses home from city-centre events to every ward.”');
  for (const phone of phones) await cast(phone, choose('Agree'));
  await paper('disagree x 2', '5 of 5 have voted, including 2 on paper');
  await closeAndRead(8);
  await cat.waitForSelector('#rec-list .wording:text("The council should run free late buses home from city-centre events to every ward.")');
  expect(await cat.textContent('#rec-list')).toContain('Changed by amendment 1');

  // The final vote, by a secret ballot; then a minority statement on the adopted wording.
  await openVote({ question: '', method: 'threshold', rule: 'two-thirds', base: 'all', quorum: 3, secret: true, subject: 'Put recommendation 1 to its final vote' });
  await cast(ann, choose('Agree'));
  await cast(bob, choose('Agree'));
  await cast(cat, choose('Disagree'));
  await paper('agree x 2', '5 of 5 have voted, including 2 on paper');
  expect(await closeAndRead(9)).toMatch(/Passed: 4 agree, 1 disagree/);
  await ann.waitForSelector('#rec-list:has-text("Recommendation 1 (adopted)")');
  await cat.fill('#minority-text', 'Free buses would take the whole events budget; we would rather fund the events themselves.');
  await cat.click('text=Add the statement');
  await ann.click('#rec-list >> text=Support this statement');
  await facilitator.waitForSelector('#rec-list:has-text("supported by 2 members")');
  await screenshot(facilitator, 'voting-recommendation-facilitator', '#recs');
  await screenshot(cat, 'voting-recommendation-phone', '#recs');

  // The record: the agreed wording, its amendment and votes with their rules and denominators, the statement.
  const state = storedRoom(server.db, sessionId);
  const rec = state.recommendations[0];
  expect(rec).toMatchObject({ status: 'adopted', text: 'The council should run free late buses home from city-centre events to every ward.', vote: 9 });
  expect(rec.amendments[0]).toMatchObject({ status: 'carried', reason: 'People in Foleshill and WEHM live furthest out.' });
  expect(rec.minority[0].supporters).toHaveLength(2);
  expect(state.votes.map((v) => [v.settings.method, v.result?.outcome, v.result?.eligible, v.result?.voted])).toEqual([
    ['threshold', 'failed', 5, 5], ['ranked', 'chosen', 5, 5], ['ranked', 'chosen', 5, 3], ['scale', 'reported', 5, 5],
    ['scale', 'reported', 5, 3], ['consent', 'failed', 5, 3], ['threshold', 'failed', 5, 5], ['threshold', 'passed', 5, 5], ['threshold', 'passed', 5, 5],
  ]);
  expect(state.votes.every((v) => v.result?.rule)).toBe(true);
});

test('the vote form suggests a quorum, keeps "show results" off a secret vote, says why an open was refused, and empties once a vote opens', async () => {
  // More than half of the five members, shown for the facilitator to see and change.
  expect(await facilitator.inputValue('#vote-quorum')).toBe('3');
  expect(await facilitator.textContent('#vote-quorum-hint')).toContain('more than half of the 5 members');
  await facilitator.check('#vote-live');
  await facilitator.check('#vote-secret');
  expect(await facilitator.isChecked('#vote-live')).toBe(false);
  expect(await facilitator.isDisabled('#vote-live')).toBe(true);
  await facilitator.uncheck('#vote-secret');
  expect(await facilitator.isDisabled('#vote-live')).toBe(false);

  // A refusal appears beside the button, in words, and the form keeps what was typed so it can be put right.
  await facilitator.fill('#vote-question', 'Which should the first year fund?');
  await facilitator.selectOption('#vote-method', 'approval');
  await facilitator.fill('#vote-options', 'Free late buses');
  await facilitator.fill('#vote-per-voter', '2');
  await facilitator.click('text=Open the vote');
  await facilitator.waitForSelector('#vote-setup-problem:has-text("at least two options")');
  expect(await facilitator.inputValue('#vote-question')).toBe('Which should the first year fund?');
  await facilitator.fill('#vote-options', ['Free late buses', 'Library evenings', 'Ward festivals'].join('\n'));
  await facilitator.click('text=Open the vote');
  for (const phone of phones) await phone.waitForSelector('#ballot:visible');
  expect(await facilitator.textContent('#vote-setup-problem')).toBe('');
  expect(await facilitator.textContent('#alert')).toBe('');
  for (const [box, empty] of [['#vote-question', ''], ['#vote-options', ''], ['#vote-per-voter', ''], ['#vote-quorum', '3']]) expect(await facilitator.inputValue(box)).toBe(empty);
  expect(await facilitator.inputValue('#vote-method')).toBe('threshold');
});

test('approval with one dot an option is tick boxes; an empty ballot is cast only on a second tap; a count that differs is forgotten once one is added', async () => {
  const [ann, bob, cat] = phones;
  expect(await ann.locator('#ballot-fields input[type=checkbox]').count()).toBe(3);
  expect(await ann.textContent('#ballot-fields')).toContain('Tick up to 2 options');
  const tick = (...labels: string[]) => async (page: Page) => {
    for (const label of labels) await page.check(`#ballot-fields label:has-text("${label}") input`);
  };
  await tick('Free late buses', 'Library evenings', 'Ward festivals')(ann);
  await ann.click('text=Cast my vote');
  await ann.waitForSelector('#ballot-problem:text("You have ticked 3 options: tick at most 2.")');
  await ann.uncheck('#ballot-fields label:has-text("Ward festivals") input');
  expect(await ann.textContent('#ballot-problem')).toBe(''); // a change to the ballot clears it
  await cast(ann, async () => {});
  await bob.click('text=Cast my vote');
  await bob.waitForSelector('#ballot-problem:text("You have ticked nothing: this will be counted as an abstention. Cast it anyway?")');
  expect(await bob.locator('#announce').textContent()).not.toContain('recorded');
  await bob.click('text=Yes, cast it as an abstention');
  await bob.waitForSelector('#announce:has-text("Your ballot is recorded")');
  expect(await bob.textContent('#ballot-cast')).toBe('Cast my vote');
  await cast(cat, tick('Ward festivals'));

  // The second teller's count differs: it says so beside the form, and no more once the matching count is added.
  for (const page of [facilitator, teller]) {
    if (page === teller) await teller.waitForSelector('#vote-list:has-text("waiting for a second person")');
    await page.fill('#paper-text', page === teller ? '1,1,0 x 2' : '1,1,0\n0,0,1');
    for (const member of hall) await page.check(`#paper-members input[value="${member}"]`);
    await page.click('text=Enter the count');
  }
  await teller.waitForSelector('#paper-problem:has-text("This count differs from the first one")');
  await teller.fill('#paper-text', '1,1,0\n0,0,1');
  for (const member of hall) await teller.check(`#paper-members input[value="${member}"]`);
  await teller.click('text=Enter the count');
  await facilitator.waitForSelector('#vote-list:has-text("5 of 5 have voted, including 2 on paper")');
  expect(await teller.textContent('#paper-problem')).toBe('');
  expect(await teller.textContent('#alert')).not.toContain('differs');
  const card = await closeAndRead(10);
  expect(card).toMatch(/Eligible\s*5\s*Voted\s*5\s*Abstained\s*1\s*Spoiled\s*0\s*Quorum\s*3 ballots: met/);
});

test('a ranking with a number twice or a gap says what is wrong; an emptied ranking is an abstention only when confirmed; the observer screen puts the vote in hand first', async () => {
  const [ann, bob] = phones;
  await openVote({ question: 'Which comes first?', method: 'ranked', count: 'irv', options: ['Buses', 'Libraries', 'Festivals'], quorum: 3 });
  await rank(1, 2, 2)(ann);
  await ann.click('text=Cast my vote');
  await ann.waitForSelector('#ballot-problem:text("Two options have number 2: give each option a different number.")');
  await rank(1, 3, '')(ann);
  await ann.click('text=Cast my vote');
  await ann.waitForSelector('#ballot-problem:text("No option has number 2: number your choices 1, 2, 3 and so on, without a gap.")');
  await cast(ann, rank(2, 1, ''));
  await cast(bob, rank(1, '', ''));
  await rank('', '', '')(bob); // Bob clears his ranking and casts again
  await bob.click('text=Cast my vote');
  await bob.waitForSelector('#ballot-problem:text("You have ranked nothing: this will be counted as an abstention. Cast it anyway?")');
  await bob.click('text=Yes, cast it as an abstention');
  await bob.waitForSelector('#announce:has-text("Your ballot is recorded")');

  const screen = await open(observerLink);
  await screen.waitForSelector('#vote-list .vote-card.current:has-text("Vote 11: Which comes first?")');
  expect(await screen.locator('#vote-list .vote-card').count()).toBe(1);
  expect(await screen.textContent('#vote-earlier summary')).toBe('Earlier votes (10)');
  expect(await screen.locator('#vote-earlier').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  expect(await screen.locator('#vote-earlier-list .vote-card').first().textContent()).toContain('Vote 10:');
  await facilitator.click('text=Close vote 11 and count');
  await screen.waitForSelector('#vote-list .vote-card.current .result:has-text("Abstained")');
  expect(await screen.locator('#vote-list .vote-card').count()).toBe(1);
  await screenshot(screen, 'voting-observer');
  await screen.close();
});

test("a vote round's own defaults fill in the vote form, once", async () => {
  const rounds = agenda.rounds.map((r) => (r.type === 'vote' ? { ...r, vote: { question: 'Adopt the cultural strategy?', method: 'consent' as const, secret: true, quorum: 4 } } : r));
  const { db, demo } = server;
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, { ...agenda, rounds }, null);
  await facilitator.goto(`${server.url}/room/${made.sessionId}`);
  await facilitator.waitForSelector('#status:text("Connected")');
  await goToRound(VOTE_ROUND);
  await facilitator.waitForSelector('#vote-setup:visible');
  expect(await facilitator.inputValue('#vote-question')).toBe('Adopt the cultural strategy?');
  expect(await facilitator.inputValue('#vote-method')).toBe('consent');
  expect(await facilitator.inputValue('#vote-quorum')).toBe('4');
  expect(await facilitator.isChecked('#vote-secret')).toBe(true);
  expect(await facilitator.isDisabled('#vote-live')).toBe(true);
  await facilitator.click('text=Open the vote');
  await facilitator.waitForSelector('text=Close vote 1 and count');
  await facilitator.click('text=Close vote 1 and count');
  await facilitator.waitForSelector('#vote-setup:visible');
  expect(await facilitator.inputValue('#vote-question')).toBe(''); // the defaults were for the round's first vote
  expect(await facilitator.isChecked('#vote-secret')).toBe(false);
});
