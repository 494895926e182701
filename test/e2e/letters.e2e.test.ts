import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import seedrandom from 'seedrandom';
import { formatCode, householdCode } from '../../src/mailout/codes';
import { keyStore } from '../../src/keys';
import { listCategories } from '../../src/panels/repo';
import { codeOn, readLetters } from '../mailout/read-letters';
import { launch, logIn, screenshot, startServer } from './browser';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

jest.setTimeout(300_000);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };


/** A figure on the response dashboard, by its id. */
const figure = async (page: Page, id: string) => Number(await page.textContent(`#${id}`));

/**
 * More residents answer their letters, spread through the print order (which runs ward by ward), each from their own household (the ward theirs, other answers drawn from
 * the census shares), through the same form a phone posts.
 */
async function moreResidents(context: BrowserContext, panelId: number, slug: string, how: number) {
  const db = server.db;
  const key = keyStore(db).key('letters');
  const homes = db
    .prepare(
      `SELECT h.uprn, h.line1, h.line2, h.postcode, h.ward FROM letters l JOIN households h ON h.id = l.household_id
       WHERE l.position % 130 = 7 AND NOT EXISTS (SELECT 1 FROM registrants r WHERE r.household_id = h.id) ORDER BY l.position LIMIT ?`,
    )
    .all(how) as { uprn: string; line1: string; line2: string; postcode: string; ward: string }[];
  const categories = listCategories(db, panelId);
  const random = seedrandom('letters-e2e');
  const pick = (values: { value: string; share: number | null }[]) => {
    let r = random() * values.reduce((a, v) => a + (v.share ?? 0), 0);
    return values.find((v) => (r -= v.share ?? 0) < 0)?.value ?? values[0].value;
  };
  for (const [i, home] of homes.entries()) {
    const form = await context.request.get(`${server.url}/register/${slug}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const answers = Object.fromEntries(categories.map((c) => [`q_${c.key}`, c.key === 'ward' ? home.ward : pick(c.values)]));
    const res = await context.request.post(`${server.url}/register/${slug}`, {
      form: { _csrf: csrf, name: `Letter Reader${i}`, email: `reader${i}@example.org`, address: [home.line1, home.line2].filter(Boolean).join(', '), postcode: home.postcode, code: householdCode(key, panelId, home.uprn), consent: 'yes', ...answers },
      maxRedirects: 0,
    });
    if (res.status() !== 303) throw new Error(`registration ${i} was refused: ${res.status()} ${(await res.text()).slice(0, 500)}`);
  }
}

test('letters to 6,000 households from the demo register, a resident registers from the QR code on a phone, and the panel is drawn from those who answered', async () => {
  const page = await browser.newPage({ viewport: DESKTOP, acceptDownloads: true });
  await logIn(page, server.url, server.demo.organiser);

  // A new panel for Foleshill's second round, asking the demo panel's questions.
  await page.goto(`${server.url}/admin/panels/new`);
  await page.fill('#title', 'Coventry neighbourhoods: letters first');
  await page.fill('#question', 'What should culture in your neighbourhood offer by 2030?');
  await page.fill('#panelSize', '12');
  await page.fill('#closesAt', new Date(Date.now() + 60 * 86400_000).toISOString().slice(0, 10));
  // What the letter will offer, and the number it gives for help.
  await page.fill('#dates', 'Saturdays 6, 13 and 20 March 2027, 10am to 4pm');
  await page.fill('#venue', 'Foleshill Community Centre');
  await page.fill('#expenses', 'A £300 thank-you payment; travel and childcare paid');
  await page.fill('#access', 'Step-free venue, hearing loop, interpreters on request');
  await page.fill('#contactName', 'Priya');
  await page.fill('#contactPhone', '024 7697 0000');
  await page.getByRole('button', { name: 'Create panel' }).click();
  await page.selectOption('#from', { label: "Coventry Cultural Strategy Citizens' Panel (5 categories)" });
  await page.getByRole('button', { name: 'Copy categories' }).click();
  expect(await page.textContent('.notice')).toContain('Categories copied');
  const panelId = Number(/\/admin\/panels\/(\d+)/.exec(page.url())![1]);
  await page.getByRole('status').getByRole('link', { name: 'Quotas' }).click();
  await page.getByRole('button', { name: 'Compute quotas' }).click();

  // Stage one: the illustrative register of 140,000 households, imported with progress.
  await page.goto(`${server.url}/admin/panels/${panelId}`);
  await page.getByRole('link', { name: 'Letters to households' }).click();
  await page.getByRole('button', { name: 'Use the illustrative Coventry register' }).click();
  await page.waitForSelector('text=Imported 140000 households', { timeout: 120_000 });
  await page.fill('#letters', '6000');
  await page.fill('#factor', '2');
  await page.fill('#deprived', '2');
  await page.getByRole('button', { name: 'Save the plan' }).click();
  expect(await page.textContent('p.lead >> nth=1')).toMatch(/^6000 letters, about \d+/);
  // Before anything is sent: the expected registrations against every ward's minimum.
  expect(await page.locator('[aria-label="Plan by ward"] tbody tr').count()).toBe(18);
  await screenshot(page, 'mailout-plan');

  await page.fill('#randomness', 'the UK Lotto draw of Saturday 16 January 2027');
  await page.getByRole('button', { name: 'Commit 6000 letters' }).click();
  const hash = (await page.textContent('#wave-1 code.hash'))!.trim();
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  await page.fill('#numbers-1', '4 9 17 22 35 41');
  await page.getByRole('button', { name: 'Draw the addresses' }).click();
  expect(await page.textContent('#wave-1')).toContain('6000 letters, drawn');
  // The oversampled deciles got letters at about twice the rate.
  const rates = server.db
    .prepare(`SELECT h.decile <= 2 AS deprived, COUNT(l.household_id) * 1.0 / COUNT(*) AS rate FROM households h LEFT JOIN letters l ON l.household_id = h.id WHERE h.panel_id = ? GROUP BY 1`)
    .all(panelId) as { deprived: number; rate: number }[];
  const rate = (d: number) => rates.find((r) => r.deprived === d)!.rate;
  expect(rate(1) / rate(0)).toBeGreaterThan(1.8);
  expect(rate(1) / rate(0)).toBeLessThan(2.2);

  // The PDF, downloaded as the organiser would, read back by PDF.js, its first QR code decoded from pixels.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#wave-1 >> text=The letters (PDF)')]);
  const pdf = fs.readFileSync((await download.path())!);
  const letters = await readLetters(pdf, 1);
  expect(letters.numPages).toBe(6000);
  const [first] = letters.pages;
  const code = codeOn(first)!;
  expect(first.qr).toMatch(new RegExp(`/register/coventry-neighbourhoods-letters-first\\?code=${code}$`));
  // The address block: the lines between "The Householder" and the town, then the postcode.
  const [, lines, postcode] = /The Householder\n([\s\S]+?)\nCoventry\n(CV\d{1,2} \d[A-Z]{2})\n/.exec(first.text)!;
  const address = lines.split('\n').join(', ');
  expect(first.text).toContain('call 024 7697 0000');
  expect(first.text).toContain('What is offered: A £300 thank-you payment');

  await page.goto(`${server.url}/admin/panels/${panelId}`);
  await page.getByRole('button', { name: 'Open registration' }).click();

  // A resident points their phone at the QR code: the form opens with the code filled in.
  const phone = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
  const link = new URL(first.qr!);
  await phone.goto(`${server.url}${link.pathname}${link.search}`);
  expect(await phone.inputValue('#code')).toBe(formatCode(code)); // as the letter prints it
  expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await phone.fill('#name', 'Amrit Doorstep');
  await phone.fill('#email', 'amrit.doorstep@example.org');
  await phone.fill('#address', address);
  await phone.fill('#postcode', postcode);
  const ward = server.db.prepare("SELECT ward FROM households WHERE panel_id = ? AND line1 || ', ' || line2 IN (?, ? || ', ') AND postcode = ?").pluck().get(panelId, address, address, postcode) as string;
  expect(ward).toBeTruthy();
  for (const [group, value] of [['q_age', '25-34'], ['q_gender', 'Woman'], ['q_ward', ward], ['q_ethnicity', 'Asian or Asian British'], ['q_disability', 'Not disabled']]) {
    await phone.check(`input[name="${group}"][value="${value}"]`);
  }
  await phone.check('#consent');
  await screenshot(phone, 'register-with-code-phone');
  await phone.click('button[type="submit"]:not(.link)');
  await phone.waitForURL(/\/thanks$/);

  // The organiser watches it arrive: by ward and decile, against the quotas.
  await page.goto(`${server.url}/admin/panels/${panelId}/mailout/responses`);
  expect(await figure(page, 'letters-sent')).toBe(6000);
  expect(await figure(page, 'codes-used')).toBe(1);
  expect(await figure(page, 'invited-people')).toBe(1);
  expect(await page.locator('svg.timeline polyline').count()).toBeGreaterThan(0);
  const wardRow = page.locator('tr', { has: page.locator(`th:text-is("${ward.replace(/"/g, '\\"')}")`) }).first();
  expect(await wardRow.textContent()).toContain('1');

  // Forty-four more answer their letters; then stage two draws the panel from those who registered.
  await moreResidents(page.context(), panelId, 'coventry-neighbourhoods-letters-first', 44);
  await page.reload();
  expect(await figure(page, 'invited-people')).toBe(45);
  expect(await figure(page, 'flagged')).toBe(0); // each gave the address their letter went to
  await screenshot(page, 'mailout-responses');

  await page.goto(`${server.url}/admin/panels/${panelId}/selection`);
  await page.getByRole('button', { name: 'Close registration now' }).click();
  await page.fill('#randomness', 'The main numbers of the UK National Lottery Lotto draw on Saturday 30 January 2027');
  await page.check('#confirm-commit-box');
  await page.getByRole('button', { name: 'Publish the commitment' }).click();
  await page.fill('#numbers', '2 14 21 29 33 47');
  await page.check('#confirm-numbers-box');
  await page.getByRole('button', { name: 'Run the final draw' }).click();
  await page.waitForSelector('#chance-chart', { timeout: 120_000 });
  const members = server.db
    .prepare('SELECT r.household_id AS household, r.channel FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.panel_id = ?')
    .all(panelId) as { household: number | null; channel: string }[];
  expect(members).toHaveLength(12);
  expect(members.every((m) => m.household !== null)).toBe(true);
  await page.close();
  await phone.close();
});
