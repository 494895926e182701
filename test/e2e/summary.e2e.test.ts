import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seatMembers } from '../helpers';
import { launch, logIn, screenshot, screenshotsDir, startServer } from './browser';

/**
 * Issue 7's "Done means": the facilitator can produce, approve and publish a session's summary from a real
 * session. Everything is done as people would, in their browsers: the facilitator creates a session and runs it
 * with three panellists on phones (an ideas wall and a vote), writes the summary over the room's record, the
 * panel approves it by a vote in the room, the organiser publishes it, and the public reads and prints it.
 * The only shortcut is seating the members (a final draw has no quick UI; the other room tests do the same).
 */
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
/** The session the first test runs and publishes, which the second reads. */
let sessionId = 0;
const SLUG = 'coventry-cultural-strategy';
const AGENDA = {
  title: 'Cultural strategy: what comes first',
  rounds: [
    { type: 'ideas', title: 'Ideas wall: what should come first', minutes: 20 },
    { type: 'vote', title: 'Votes', minutes: 20 },
  ],
};
const QUESTION = 'Should the libraries open in the evenings before anything else?';
const NARRATIVE = [
  'The panel met to decide **what should come first** in the cultural strategy.',
  '',
  '- Members posted ideas from their phones and grouped them into themes.',
  '- A clear majority backed opening the libraries in the evenings.',
  '',
  'A member pasted this into the chat: <script>alert(1)</script>',
  '',
  'Read the [draft strategy](https://www.coventry.gov.uk/culture) for background.',
].join('\n');
const CORRECTION = 'Vote 1: one member in the hall raised a hand instead of voting; it is not counted.';

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  // Three members, as after the final draw.
  const members = server.db.prepare('SELECT public_id FROM registrants LIMIT 3').pluck().all() as string[];
  seatMembers(server.db, server.demo.panelId, members, Date.now());
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Script errors and dialogs (an `alert` would mean the narrative's script ran) on any page: there must be none. */
const problems: string[] = [];

/** A page in its own browser context, so with its own cookies: a person on their own device. */
async function newPage(phone = false): Promise<Page> {
  const context = await browser.newContext(phone ? { viewport: { width: 390, height: 844 }, isMobile: true } : { viewport: { width: 1280, height: 900 } });
  context.on('weberror', (e) => problems.push(`page error: ${e.error().message}`));
  context.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return context.newPage();
}


/** From any admin page: Live sessions, then the session's Summary link. */
async function openSummary(page: Page): Promise<void> {
  await page.click('a:text-is("Live sessions")');
  await page.click(`a[href="/admin/sessions/${sessionId}/summary"]`);
  await page.waitForSelector(`h1:text("Summary: ${AGENDA.title}")`);
}

/** Each phone casts an agree/disagree ballot. */
async function castAll(phones: Page[], choices: ('Agree' | 'Disagree')[]): Promise<void> {
  for (const [i, phone] of phones.entries()) {
    await phone.waitForSelector('#ballot:visible');
    await phone.check(`#ballot-fields label:has-text("${choices[i]}") input`);
    await phone.click('text=Cast my vote');
    await phone.waitForSelector('#announce:has-text("Your ballot is recorded")');
    await phone.evaluate(() => (document.getElementById('announce')!.textContent = ''));
  }
}

test('the facilitator runs a session and writes its summary; the panel approves it in the room; the organiser publishes it', async () => {
  const { demo } = server;

  // --- 1. The facilitator creates a short session from an agenda and runs it with three phones. ---
  const admin = await newPage();
  await logIn(admin, server.url, demo.facilitator);
  await admin.click('text=Live sessions');
  // The agenda comes in as a file's JSON: imported into the builder, then created from it.
  await admin.click('summary:text("Import an agenda from JSON")');
  await admin.fill('#agenda', JSON.stringify(AGENDA, null, 2));
  await admin.click('text=Import into the builder');
  await admin.waitForSelector(`#title[value="${AGENDA.title}"]`);
  await admin.click('text=Create the session');
  await admin.waitForSelector('h1:text("Session created")');
  const links = await admin.locator('table tbody tr td:nth-child(2) code').allTextContents();
  expect(links).toHaveLength(3);
  sessionId = Number(/\/room\/(\d+)#pass=/.exec(links[0])?.[1]);

  // The facilitator enters the room with their login, in a second tab; the members open their links on phones.
  const room = await admin.context().newPage();
  await room.goto(`${server.url}/room/${sessionId}`);
  await room.waitForSelector('#status:text("Connected")');
  const phones = await Promise.all(links.map(async (link) => {
    const phone = await newPage(true);
    await phone.goto(link);
    await phone.waitForSelector('#status:text("Connected")');
    return phone;
  }));
  const [ann, bob, cat] = phones;
  await room.waitForSelector('#connected:text("3 of 3 panellists connected")');

  // The ideas wall: two ideas from phones, a supporter, and a theme from the facilitator.
  await room.click('text=/^Open the next round: Ideas wall/');
  await ann.waitForSelector('#round:text("Ideas wall")');
  await ann.fill('#idea-text', 'Open the libraries in the evenings');
  await ann.click('#post button');
  await bob.fill('#idea-text', 'A festival in every ward');
  await bob.click('#post button');
  await cat.waitForSelector('#ideas li:has-text("A festival in every ward")');
  await cat.click('text=Support idea 1');
  await room.waitForSelector('#ideas li:has-text("2 in support")');
  await room.selectOption('#mod-idea', '1');
  await room.fill('#mod-theme', 'Culture after work');
  await room.click('#mod-theme-set');
  await ann.waitForSelector('#ideas li:has-text("[Culture after work] Open the libraries")');

  // A vote on the phones: two agree, one disagrees, and it passes.
  await room.click('text=/^Open the next round: Votes/');
  await room.fill('#vote-question', QUESTION);
  await room.selectOption('#vote-method', 'threshold');
  await room.selectOption('#vote-rule', 'majority');
  await room.click('text=Open the vote');
  await castAll(phones, ['Agree', 'Agree', 'Disagree']);
  await room.click('text=Close vote 1 and count');
  await ann.waitForSelector('#vote-list .vote-card:nth-child(1) .result');
  expect(await ann.textContent('#vote-list .vote-card:nth-child(1)')).toMatch(/Passed: 2 agree, 1 disagree/);

  // --- 2. The facilitator opens the session's summary page from the list of sessions and writes the summary. ---
  await openSummary(admin);
  expect(await admin.textContent('main')).toContain('Save a summary first.');
  await admin.fill('#narrative', NARRATIVE);
  await admin.fill('#corrections', CORRECTION);
  await admin.click('form[action$="/summary"] button[type=submit]');
  await admin.waitForSelector('.notice:text("Saved as revision 1")');
  expect(await admin.textContent('main')).toContain('Revision 1 has not been approved.');
  expect(await admin.inputValue('#corrections')).toBe(CORRECTION);
  expect(await admin.textContent('form[action$="/summary"] button[type=submit]')).toBe('Save as revision 2');
  await screenshot(admin, 'summary-admin-draft');

  // The preview shows the record the room kept (the ideas and the vote) under the narrative, made safe.
  await admin.click('text=Preview revision 1');
  await admin.waitForSelector('.notice:has-text("Preview of draft 1: not published")');
  const preview = await admin.textContent('main');
  expect(preview).toContain('Ideas: Ideas wall: what should come first');
  expect(preview).toContain('Culture after work');
  expect(preview).toMatch(/Open the libraries in the evenings\s*\(2 in support\)/);
  expect(preview).toContain(`Vote 1: ${QUESTION}`);
  expect(preview).toContain('Passed: 2 agree, 1 disagree');
  expect(preview).toContain(CORRECTION.slice('Vote 1: '.length));
  await expectSafeNarrative(admin);
  await screenshot(admin, 'summary-admin-preview');
  await admin.click('text=Back to the summary');

  // --- 3. Publishing before the panel approves is refused: the facilitator has no button; the organiser is told why. ---
  expect(await admin.locator('form[action$="/summary/publish"]').count()).toBe(0);
  expect(await admin.textContent('main')).toContain('Only organisers can publish');

  const organiser = await newPage();
  await logIn(organiser, server.url, demo.organiser);
  await openSummary(organiser);
  await organiser.check('#confirm-publish-box');
  await organiser.click('form[action$="/summary/publish"] button');
  await organiser.waitForSelector('.error-summary');
  expect(await organiser.textContent('.error-summary')).toContain(
    'The panel has not approved revision 1 yet. In the room\'s vote round, choose "the session\'s written summary" under "What the vote decides", and publish once the vote has passed.',
  );
  await screenshot(organiser, 'summary-admin-refused');

  // --- 4. In the room, the facilitator puts the summary to the panel; all three agree and it passes. ---
  await room.selectOption('#vote-subject', 'summary');
  await room.selectOption('#vote-method', 'threshold');
  await room.click('text=Open the vote');
  await cat.waitForSelector('#vote-list .vote-card:nth-child(2):has-text("Approve the written summary of this session (revision 1)")');
  await castAll(phones, ['Agree', 'Agree', 'Agree']);
  await room.click('text=Close vote 2 and count');
  await bob.waitForSelector('#vote-list .vote-card:nth-child(2) .result');
  expect(await bob.textContent('#vote-list .vote-card:nth-child(2)')).toMatch(/Passed: 3 agree, 0 disagree/);
  await screenshot(bob, 'summary-approval-phone', '#vote-list .vote-card:nth-child(2)');

  // --- 5. The organiser sees the approval and publishes; the page goes to the published version. ---
  // (Not a reload: the refusal answered the publish form's POST, and reloading it would publish straight away.)
  await openSummary(organiser);
  await organiser.waitForSelector('.notice:has-text("Revision 1 was approved by the panel in vote 2")');
  await screenshot(organiser, 'summary-admin-approved');
  await organiser.check('#confirm-publish-box');
  await organiser.click('form[action$="/summary/publish"] button');
  await organiser.waitForURL(`${server.url}/outcomes/${SLUG}/sessions/${sessionId}/v/1`);
  await organiser.waitForSelector('.version:has-text("Version 1, published")');
  expect(problems).toEqual([]);
}, 120_000);

test('the public finds the summary from /outcomes, reads it made safe, and prints it to PDF', async () => {
  expect(sessionId).toBeGreaterThan(0); // the first test published it
  // A reader with no login starts at /outcomes and follows the links.
  const reader = await newPage();
  await reader.goto(`${server.url}/outcomes`);
  await reader.click("text=Coventry Cultural Strategy Citizens' Panel");
  await reader.waitForURL(`${server.url}/outcomes/${SLUG}`);
  await reader.click(`a[href="/outcomes/${SLUG}/sessions/${sessionId}"]`);
  await reader.waitForSelector(`h1:text("${AGENDA.title}")`);
  const published = await reader.textContent('main');
  expect(published).toMatch(/Version 1, published .*\s*Approved by the panel in vote 2: Passed: 3 agree, 0 disagree/);
  expect(published).toContain(`Vote 1: ${QUESTION}`);
  expect(published).toContain('Passed: 2 agree, 1 disagree');
  expect(published).not.toContain('Approve the written summary'); // the approval is shown as such, not as a vote of the record
  expect(published).toContain('Culture after work');
  expect(published).toContain('No recommendation was put to the panel in this session.');
  // The vote round was still open when the draft was saved (the approval vote needed it): the record says so.
  expect(await reader.textContent('tr:has-text("Votes")')).toMatch(/20 min\s*still running when recorded/);
  expect(await reader.textContent('main li:has-text("one member in the hall")')).toBe(CORRECTION);
  await expectSafeNarrative(reader);
  await screenshot(reader, 'summary-published');

  // The reader presses "Print or save as PDF": it opens the browser's print dialog (stood in for here).
  await reader.evaluate(() => (window.print = () => void (document.body.dataset.printed = 'yes')));
  await reader.click('text=Print or save as PDF');
  await reader.waitForSelector('body[data-printed=yes]');

  // On paper: no navigation, print button or downloads; the summary and the record are all there; a PDF of it.
  const screenOnly = ['.site-header', '.site-footer', 'button[data-print]', 'h2:text("Downloads")', 'a[download]', 'main a[href="/outcomes"]'];
  const visible = (selectors: string[]) => Promise.all(selectors.map(async (s) => [s, await reader.locator(s).first().isVisible()]));
  expect(await visible(screenOnly)).toEqual(screenOnly.map((s) => [s, true])); // on screen, all there
  await reader.emulateMedia({ media: 'print' });
  expect(await visible(screenOnly)).toEqual(screenOnly.map((s) => [s, false]));
  const content = ['h1', '.version', '.narrative', '.vote-record', 'h2:text("Who took part")', 'h2:text("Who spoke")'];
  expect(await visible(content)).toEqual(content.map((s) => [s, true]));
  const pdf = await reader.pdf({ format: 'A4', printBackground: true });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  fs.writeFileSync(path.join(screenshotsDir, 'summary-published.pdf'), pdf);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
  expect(pages).toBeGreaterThan(1);
  expect(pdf.length).toBeGreaterThan(20_000);
  expect(problems).toEqual([]);
});

/** The narrative is rendered as Markdown with the raw HTML shown as text: no script element, links marked nofollow. */
async function expectSafeNarrative(page: Page): Promise<void> {
  const narrative = page.locator('.narrative');
  expect(await narrative.locator('strong').textContent()).toBe('what should come first');
  expect(await narrative.locator('li').count()).toBe(2);
  expect(await narrative.textContent()).toContain('<script>alert(1)</script>');
  expect(await page.locator('main script:not([src])').count()).toBe(0);
  expect(await narrative.locator('script').count()).toBe(0);
  const link = narrative.locator('a', { hasText: 'draft strategy' });
  expect(await link.getAttribute('href')).toBe('https://www.coventry.gov.uk/culture');
  expect((await link.getAttribute('rel'))?.split(' ')).toContain('nofollow');
}
