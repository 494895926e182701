import type { Browser } from 'playwright-core';
import { launch, screenshot, startServer, tabTo } from './browser';

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

const PHONE = { width: 390, height: 844 };

test('a resident registers on a phone using only the keyboard', async () => {
  const page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
  await page.goto(`${server.url}/register/coventry-cultural-strategy`);
  await screenshot(page, 'register-phone');

  // Nothing wider than the screen: no sideways scrolling on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await tabTo(page, '#name');
  await page.keyboard.type('Kiran Mockford');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kiran.mockford@example.org');
  await tabTo(page, '#address');
  await page.keyboard.type('7 Sample Row');
  await page.keyboard.press('Tab');
  await page.keyboard.type('cv6 5aa');
  // Each question is a radio group: Tab into it, arrow keys to choose.
  for (const [group, downs] of [['q_age', 1], ['q_gender', 0], ['q_ward', 4], ['q_ethnicity', 2], ['q_disability', 1]] as const) {
    await tabTo(page, `input[name="${group}"]`);
    for (let i = 0; i < downs; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
  }
  await tabTo(page, '#consent');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type="submit"]:not(.link)');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/thanks$/);
  expect(await page.textContent('h1')).toContain('you are registered');

  const row = server.db
    .prepare(
      `SELECT r.postcode, group_concat(v.value, '|') AS answers FROM registrants r
       JOIN registrant_values rv ON rv.registrant_id = r.id JOIN category_values v ON v.id = rv.value_id
       WHERE r.email = ? GROUP BY r.id`,
    )
    .get('kiran.mockford@example.org') as { postcode: string; answers: string };
  expect(row.postcode).toBe('CV6 5AA');
  expect(row.answers.split('|').sort()).toEqual(['25-34', 'Asian or Asian British', 'Foleshill', 'Not disabled', 'Woman'].sort());
  await page.close();
});

test('a registration with mistakes shows an error summary that links to each field', async () => {
  const page = await browser.newPage({ viewport: PHONE, isMobile: true });
  await page.goto(`${server.url}/register/coventry-cultural-strategy`);
  await page.fill('#name', 'Kiran Mockford');
  await page.fill('#email', 'not an email');
  await page.click('button[type="submit"]:not(.link)');
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  expect(await summary.textContent()).toContain('Email must look like name@example.org.');
  expect(await summary.textContent()).toContain('Address is required.');
  // The typed name is kept, so nobody has to start again.
  expect(await page.inputValue('#name')).toBe('Kiran Mockford');
  await screenshot(page, 'register-errors-phone');
  await page.click('.error-summary a[href="#address"]');
  expect(await page.evaluate(() => location.hash)).toBe('#address');
  await page.close();
});

test('an organiser logs in and sees the quotas with the pool counts', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}/login`);
  await page.fill('#email', server.demo.organiser.email);
  await page.fill('#password', server.demo.organiser.password);
  await page.click('form[action="/login"] button');
  await page.waitForURL(/\/admin$/);
  await page.click('text=Coventry Cultural Strategy');
  await page.click('text=Quotas');
  await page.waitForURL(/\/quotas$/);
  const wardRows = await page.locator('table.quotas').nth(2).locator('tbody tr').count();
  expect(wardRows).toBe(18);
  await screenshot(page, 'quotas-desktop');
  await page.close();
});
