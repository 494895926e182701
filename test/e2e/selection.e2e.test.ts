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

jest.setTimeout(180_000);
const DESKTOP = { width: 1280, height: 900 };


test('an organiser goes from the demo pool to a published draw and a confirmed panel, in the browser', async () => {
  const page = await browser.newPage({ viewport: DESKTOP });
  await logIn(page, server.url, server.demo.organiser);
  await page.click('text=Coventry Cultural Strategy');
  await page.click('text=Selection: draw and members');

  // A trial draw: the page follows it live, then shows the report with its charts.
  await page.selectOption('#trial-algorithm', 'leximin');
  await page.fill('#seed', 'browser-trial');
  await page.click('text=Run a trial draw');
  await page.waitForSelector('#progress');
  const first = await page.textContent('#progress-message');
  await page.waitForFunction((before) => document.getElementById('progress-message')?.textContent !== before, first);
  const live = await page.textContent('#progress-message');
  expect(live).toMatch(/^(types|bounds|leximin|lottery): /);
  await screenshot(page, 'draw-progress');
  await page.waitForSelector('#chance-chart', { timeout: 120_000 });
  expect(await page.locator('#chance-chart rect').count()).toBe(20);
  expect(await page.locator('#quota-chart tbody tr').count()).toBe(33);
  expect(await page.textContent('.notice')).toContain('Lowest chance of selection 2.00%');
  await screenshot(page, 'draw-report');

  // Commit, then the public numbers: the final draw.
  await page.click('text=Selection');
  await page.click('text=Close registration now');
  await page.fill('#randomness', 'The main numbers of the UK National Lottery Lotto draw on Saturday 5 December 2026');
  await page.check('#confirm-commit-box');
  await page.click('text=Publish the commitment');
  await page.fill('#numbers', '3 11 18 27 38 44');
  await page.check('#confirm-numbers-box');
  await page.click('text=Run the final draw');
  await page.waitForSelector('#chance-chart', { timeout: 120_000 });
  // Ranked with the panel: a tenth of it as alternates (the form's default), against a naive list.
  expect(await page.locator('#alternates-chart tbody tr').count()).toBe(2);
  expect(await page.locator('#alternates + p').textContent()).toContain('4 alternates, ranked with the panel');
  await screenshot(page, 'draw-alternates');

  // Invitation links, each answered by its person.
  await page.click('text=Selection');
  await page.click('text=/Create invitation links for 40 people/');
  const links = await page.locator('#invitation-links tbody td.link code').allTextContents();
  expect(links).toHaveLength(40);
  const member = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  for (const [i, link] of links.entries()) {
    await member.goto(link);
    await member.fill('#roomName', `Resident ${i + 1}`); // what the room should call them
    await member.click('text=Yes, I will take part');
    await member.waitForSelector('text=is confirmed');
  }
  await screenshot(member, 'invitation-confirmed-phone');
  await member.close();

  await page.goto(`${server.url}/admin/panels/${server.demo.panelId}/selection`);
  expect(await page.textContent('#step-members + p')).toContain('40 of 40 confirmed: the panel is complete');

  // The public page: commitment, numbers, seed, files and the command; no names.
  const publicPage = await browser.newPage({ viewport: DESKTOP });
  await publicPage.goto(`${server.url}/panels/coventry-cultural-strategy/selection`);
  expect(await publicPage.textContent('#numbers')).toBe('3 11 18 27 38 44');
  expect(await publicPage.locator('ul.selected li').count()).toBe(40);
  expect(await publicPage.locator('ol.alternates li').count()).toBe(4);
  expect(await publicPage.textContent('pre.command')).toContain('npx citizens-panel draw --pool pool.csv --quotas quotas.csv --panel-size 40');
  await screenshot(publicPage, 'selection-public');
  await publicPage.close();
  await page.close();
});
