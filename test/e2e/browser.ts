import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../src/app';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { projectRoot } from '../../src/paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotsDir = path.join(projectRoot, 'test-results', 'screenshots');

/** The real server on a temporary database file with the demo, listening on a free port. */
export async function startServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-e2e-'));
  const db = openDb(path.join(dir, 'e2e.db'));
  const ctx = { db, clock: systemClock, config: testConfig() };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('demo was not seeded');
  const { server, io } = createApp({ ...ctx, log: () => {} });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Links in messages name the server as residents reach it: known once it listens.
  ctx.config.PUBLIC_URL = url;
  const stop = async () => {
    await io.close();
    closeDb(db);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url, db, demo, ctx, stop };
}

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A picture of the whole page, or of one part of it (`selector`). */
export async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${name}.png`);
  await (selector ? page.locator(selector).screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
}

/** Signs in on the login page at `url`, as `who`, and waits for the page that follows (the panels list unless told). */
export async function logIn(page: Page, url: string, who: { email: string; password: string }, then: RegExp = /\/admin$/): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.click('form[action="/login"] button');
  await page.waitForURL(then);
}

/** Presses Tab until the element matching `selector` has focus: proves it is reachable by keyboard. */
export async function tabTo(page: Page, selector: string, maxTabs = 80): Promise<number> {
  for (let i = 1; i <= maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  throw new Error(`${selector} could not be reached with the Tab key`);
}
