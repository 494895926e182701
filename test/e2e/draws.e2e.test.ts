import type { Browser } from 'playwright-core';
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

jest.setTimeout(240_000);
const DESKTOP = { width: 1280, height: 900 };

/**
 * Issue 23's "Done means", in Chromium on the Coventry demo: the organiser adds an age × gender quota, tries a
 * maximin draw and sees the crossings picture, commits to a final pick by dice with alternates, prints the sheet,
 * enters the number rolled, and sees the alternates' chance of keeping the quotas beside a naive list's; a resident
 * then checks, from the public page and the list's digests alone, that the panel is entry 417 of the committed list.
 */
test('two-way quota, maximin, dice and alternates, checked by a resident', async () => {
  const admin = `${server.url}/admin/panels/${server.demo.panelId}`;
  const page = await browser.newPage({ viewport: DESKTOP });
  await logIn(page, server.url, server.demo.organiser);

  // An age × gender quota: at least 3 and at most 8 women aged 16 to 24.
  await page.goto(`${admin}/quotas`);
  await page.selectOption('#two-way-a', { label: '16 to 24' });
  await page.selectOption('#two-way-b', { label: 'Woman' });
  await page.fill('#two-way-min', '3');
  await page.fill('#two-way-max', '8');
  await page.click('text=Save the two-way quota');
  expect(await page.textContent('#two-way + p + div table tbody')).toContain('Age band 16 to 24 & Gender Woman');

  // A maximin trial: its page shows the crossings of categories against the census.
  await page.goto(`${admin}/selection`);
  await page.selectOption('#trial-algorithm', 'maximin');
  await page.click('text=Run a trial draw');
  await page.waitForSelector('#chance-chart', { timeout: 120_000 });
  expect(await page.locator('#crossings-chart circle').count()).toBeGreaterThan(50);
  expect(await page.textContent('#crossings-mse')).toMatch(/^\d+\.\d\d$/);
  await screenshot(page, 'draw-crossings', 'figure:has(#crossings-chart)');

  // The commitment: maximin, a list of 1,000 panels for dice, 4 alternates (a tenth of 40, the default).
  await page.goto(`${admin}/selection`);
  await page.click('text=Close registration now');
  await page.selectOption('#commit-algorithm', 'maximin');
  await page.check('#finalPick-dice');
  await page.selectOption('#listSize', '1000');
  expect(await page.inputValue('#alternates')).toBe('4');
  await page.fill('#randomness', 'Three ten-sided dice rolled at the Council House, Coventry, on Saturday 5 December 2026 at 11am');
  await page.check('#confirm-commit-box');
  await page.click('text=Publish the commitment', { noWaitAfter: true });
  // Making the list takes seconds: the form says so, and its button cannot be pressed twice.
  expect(await page.evaluate(() => document.querySelector('.busy-status')?.textContent)).toMatch(/^Publishing: checking the pool/);
  await page.waitForSelector('#dice-list', { timeout: 120_000 });

  // The sheet for the live draw, then the number rolled.
  await page.click('text=The sheet for the live draw');
  expect(await page.textContent('#dice-range')).toContain('000');
  await page.goto(`${admin}/selection`);
  await page.fill('#numbers', '417');
  await page.check('#confirm-numbers-box');
  await page.click('text=Take that panel from the list');
  await page.waitForSelector('#alternates-chart', { timeout: 120_000 });
  const [ours, naive] = await page.locator('#alternates-chart tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[0].textContent?.replace('%', ''))));
  expect(ours).toBeGreaterThanOrEqual(naive);
  await screenshot(page, 'draw-alternates-dice', 'figure:has(#alternates-chart)');
  await page.close();

  // A resident, on a phone, checks entry 417 from the public page and the digests, without the pool.
  const resident = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await resident.goto(`${server.url}/panels/coventry-cultural-strategy/selection`);
  expect(await resident.textContent('#numbers')).toBe('417');
  expect(await resident.locator('ol.alternates li').count()).toBe(4);
  const checked = await resident.evaluate(async () => {
    const hex = async (text: string) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const line = /printf '%s' '([^']+)'/.exec(document.getElementById('entry-check')?.textContent ?? '')?.[1] ?? '';
    const digests = await (await fetch(`${location.pathname}/panels.sha256.txt`)).text();
    const listed = digests.split('\n').find((l) => l.startsWith('417 '))?.slice(4);
    return { entry: line.startsWith('417 T'), digestMatches: listed === (await hex(line)), listMatches: (await hex(digests)) === document.getElementById('list-sha256')?.textContent };
  });
  expect(checked).toEqual({ entry: true, digestMatches: true, listMatches: true });
  await screenshot(resident, 'selection-public-dice-phone');
  await resident.close();
});
