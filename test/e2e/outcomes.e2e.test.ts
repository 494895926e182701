import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { seedDemoStory } from '../../src/demo/story';
import { personalDataIn } from '../helpers';
import { launch, screenshot, startServer } from './browser';

/**
 * The public site of the demo, as the public reads it: every page passes axe-core's WCAG 2.1 A and AA checks
 * with no serious or critical violation, shows no personal data, and is pictured at phone and desktop width.
 */
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let pages: string[];
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  const { sessionId } = await seedDemoStory({ db: server.db, clock: systemClock, config: testConfig() }, server.demo.panelId);
  const slug = 'coventry-cultural-strategy';
  pages = ['/', '/outcomes', `/outcomes/${slug}`, `/outcomes/${slug}/sessions/${sessionId}`, `/panels/${slug}/selection`, `/register/${slug}`, '/privacy'];
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(url: string, width: number): Promise<Page> {
  // The pages' Content-Security-Policy rightly refuses injected scripts: the test's own context bypasses it for axe.
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const res = await page.goto(server.url + url);
  // The demo's registration closed before its commitment: its form is the "registration has closed" page (410).
  expect(res?.status()).toBe(url.startsWith('/register/') ? 410 : 200);
  return page;
}

test('every public page passes the accessibility scan, at phone and desktop width', async () => {
  const failures: string[] = [];
  for (const url of pages) {
    for (const width of [390, 1280]) {
      const page = await open(url, width);
      await page.addScriptTag({ content: AXE });
      const violations = (await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
        return result.violations;
      })) as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) failures.push(`${url} at ${width}px: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      await screenshot(page, `public${url.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '') || '-home'}-${width}`);
      await page.context().close();
    }
  }
  expect(failures).toEqual([]);
}, 120_000);

test('a member of the public reads the story, follows it to the record, and finds no personal data', async () => {
  const page = await open('/outcomes', 1280);
  await page.click('text=Coventry Cultural Strategy Citizens\' Panel');
  await page.waitForSelector('h2#recommended');
  expect(await page.locator('.rec-card').count()).toBe(3);
  expect(await page.textContent('main')).toContain('Minority statement');
  await page.click('section.card h3 a');
  await page.waitForSelector('text=Approved by the panel in vote');
  const texts = [await page.content()];
  for (const url of pages) texts.push(await (await fetch(server.url + url)).text());
  expect(personalDataIn(server.db, texts)).toEqual([]);
  await page.context().close();
});
