import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { io as connect, type Socket } from 'socket.io-client';
import { Membership } from '../../src/membership/lifecycle';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { findPanel, type Panel } from '../../src/panels/repo';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { seedDemoStory } from '../../src/demo/story';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession, joinLink } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { flatten, readLocale } from '../../src/web/i18n';
import { seatMembers } from '../helpers';
import { launch, logIn, screenshot, startServer } from './browser';

/**
 * Issue 22's "Done means", in Chromium: a resident registers in Arabic on a phone (right to left, nothing wider
 * than the screen, axe-clean) and confirms their email address from the message the sender wrote to the mail
 * folder; is drawn; opens the invitation email in Arabic and its link, which opens in Arabic in a browser that
 * asked for none; confirms, and joins the room in Arabic. A member who chooses Polish on their page gets the room
 * in Polish. And every resident page in the pseudo-locale has no English words of ours left in it, nor does the
 * hall's screen (the observer's view of the room), nor any public page: the outcomes, a panel's outcomes, a
 * session's summary and how the panel was chosen.
 */
// bypassCSP: the pages' Content-Security-Policy rightly refuses injected scripts, and axe is one.
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true };
const SLUG = 'coventry-cultural-strategy';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ar = flatten(readLocale('ar'));
const pl = flatten(readLocale('pl'));

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let mailDir: string;
let sender: Sender;
let panel: Panel;

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-e2e-mail-'));
  sender = new Sender(server.ctx, folderTransport(mailDir), 6000);
  panel = findPanel(server.db, server.demo.panelId) as Panel;
});
afterAll(async () => {
  await sender?.stop();
  await browser?.close();
  await server?.stop();
  fs.rmSync(mailDir, { recursive: true, force: true });
});

/** The messages the sender wrote to the folder, read as a mail program reads them, for one address. */
async function mailTo(address: string) {
  await sender.tick();
  const files = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
  const mails = await Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(mailDir, f)))));
  return mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.text.includes(address));
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (d: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations'] })).violations;
  })) as { id: string; nodes: { target: string[] }[] }[];
  return violations.map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Registers on the open form in whatever language the page is in, answering each question with its first answer. */
async function register(page: Page, who: { name: string; email: string }) {
  await page.fill('#name', who.name);
  await page.fill('#email', who.email);
  await page.fill('#address', '12 Lockhurst Lane');
  await page.fill('#postcode', 'CV6 5PD');
  for (const group of await page.$$eval('fieldset[id^="q_"]', (sets) => sets.map((s) => s.id))) await page.check(`input[name="${group}"] >> nth=0`);
  await page.check('#consent');
  await page.click('form.stack button[type="submit"]');
  await page.waitForURL(/\/thanks$/);
}

test('a resident registers in Arabic on a phone, confirms their address, is drawn, and joins the room in Arabic', async () => {
  const context = await browser.newContext({ ...PHONE, locale: 'ar' });
  const page = await context.newPage();
  await page.goto(`${server.url}/register/${SLUG}`);

  // Arabic, guessed from the browser's language; right to left; nothing wider than the phone; axe-clean.
  expect(await page.getAttribute('html', 'lang')).toBe('ar');
  expect(await page.getAttribute('html', 'dir')).toBe('rtl');
  expect(await page.textContent('button[type="submit"]:not(.link)')).toBe(ar.get('register.submit'));
  expect(await page.locator('form.stack label[for="name"]').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, 'register-arabic-phone');

  // A mistake is answered in Arabic too.
  await page.click('form.stack button[type="submit"]');
  expect(await page.textContent('.error-summary h2')).toBe(ar.get('problem.heading'));
  expect(await page.textContent('#name-error')).toContain(ar.get('register.errors.name'));

  await register(page, { name: 'Layla Haddad', email: 'layla.haddad@example.org' });
  expect(await page.textContent('h1')).toBe(ar.get('thanks.heading'));
  const stored = server.db.prepare('SELECT id, public_id AS publicId, language, email_confirmed_at AS confirmed FROM registrants WHERE email = ?').get('layla.haddad@example.org') as { id: number; publicId: string; language: string; confirmed: number | null };
  expect(stored).toMatchObject({ language: 'ar', confirmed: null });

  // The message arrives in Arabic, right to left, with the confirmation link; opening it and pressing the button confirms.
  const [received] = await mailTo('layla.haddad@example.org');
  expect(received.subject).toMatch(/[\u0600-\u06FF]/); // in Arabic script
  expect(received.html).toContain('dir="rtl"');
  await page.setContent(received.html as string);
  await page.click(`a[href^="${server.url}/confirm/"]`);
  expect(await page.textContent('button[type="submit"]:not(.link)')).toBe(ar.get('confirm.button'));
  await page.click('button[type="submit"]:not(.link)');
  expect(await page.textContent('h1')).toBe(ar.get('confirm.doneTitle'));
  expect(server.db.prepare('SELECT email_confirmed_at FROM registrants WHERE id = ?').pluck().get(stored.id)).not.toBeNull();

  // Drawn: the invitation is emailed in Arabic. Its link opens in Arabic in a browser that asks for English.
  seatMembers(server.db, panel.id, [stored.publicId], Date.now(), 'selected');
  new Membership(server.ctx).inviteDrawn(panel.id, null);

  // Meanwhile the organiser watches every message's state: with no mail server set up, the page says where they go.
  const desk = await browser.newPage();
  await logIn(desk, server.url, server.demo.organiser);
  const laylas = async () => {
    await desk.goto(`${server.url}/admin/panels/${panel.id}/messages`);
    const rows = await desk.locator('tbody tr', { hasText: 'layla.haddad@example.org' }).all();
    return Promise.all(rows.map(async (r) => `${await r.locator('.hint').textContent()}: ${(await r.locator('td:nth-child(4)').innerText()).replace(/ \(.*$/s, '').trim()}`));
  };
  expect(await laylas()).toEqual(['invitation: waiting to go', 'registration-received: sent']);
  expect(await desk.textContent('.notice')).toContain('No mail server is set up');
  const invitation = (await mailTo('layla.haddad@example.org')).find((m) => m.text?.includes('/invite/'));
  expect(await laylas()).toEqual(['invitation: sent', 'registration-received: sent']);
  // A message as it went, its personal link left out.
  await desk.locator('tbody tr', { hasText: 'layla.haddad@example.org' }).first().locator('a').click();
  expect(await desk.textContent('main')).toContain('(their personal link)');
  await desk.close();
  expect(invitation?.subject).toContain(panel.title);
  expect(invitation?.html).toContain('lang="ar"');
  const link = (invitation?.text ?? '').match(/https?:\/\/\S+\/invite\/\S+/)?.[0] ?? '';
  const english = await browser.newContext({ ...PHONE, locale: 'en-GB' });
  const member = await english.newPage();
  await member.goto(link);
  expect(await member.getAttribute('html', 'dir')).toBe('rtl');
  expect(await member.textContent('h1')).toBe(ar.get('invite.heading'));
  expect(await overflow(member)).toBeLessThanOrEqual(0);
  expect(await axeViolations(member)).toEqual([]);
  await member.fill('#roomName', 'ليلى');
  await member.click('button[value="confirm"]');
  expect(await member.textContent('h1')).toBe(ar.get('invite.thankYou'));

  // The room opens in Arabic from the member's page.
  createSession(server.db, server.ctx.clock, new RoomRepo(server.db), panel, exampleAgenda(), null);
  await member.goto(link);
  await member.click('a.button[href^="/room/"]');
  await member.waitForSelector(`#status:text("${ar.get('room.live.connected')}")`);
  expect(await member.getAttribute('html', 'dir')).toBe('rtl');
  expect(await member.textContent('#hand')).toBe(ar.get('room.live.raise'));
  expect(await member.textContent('#round')).toBe(ar.get('room.live.waiting'));
  await screenshot(member, 'room-arabic-phone');
  await context.close();
  await english.close();
});

test("a member who chooses Polish on their page gets their messages and the room in Polish", async () => {
  const row = server.db.prepare("SELECT public_id FROM registrants WHERE panel_id = ? AND email IS NOT NULL AND public_id NOT IN (SELECT r.public_id FROM members m JOIN registrants r ON r.id = m.registrant_id) LIMIT 1").pluck().get(panel.id) as string;
  seatMembers(server.db, panel.id, [row], Date.now(), 'selected');
  const [{ token }] = new Membership(server.ctx).inviteDrawn(panel.id, null);
  const context = await browser.newContext({ ...PHONE, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.url}/invite/${token}`);
  expect(await page.getAttribute('html', 'lang')).toBe('en-GB');
  await page.click('nav.languages a[lang="pl"]');
  expect(await page.getAttribute('html', 'lang')).toBe('pl');
  expect(await page.textContent('h1')).toBe(pl.get('invite.heading'));
  expect(server.db.prepare('SELECT language FROM registrants WHERE public_id = ?').pluck().get(row)).toBe('pl');
  await page.fill('#roomName', 'Marek');
  await page.click('button[value="confirm"]');
  createSession(server.db, server.ctx.clock, new RoomRepo(server.db), panel, exampleAgenda(), null);
  await page.goto(`${server.url}/invite/${token}`);
  await page.click('a.button[href^="/room/"] >> nth=-1');
  await page.waitForSelector(`#status:text("${pl.get('room.live.connected')}")`);
  expect(await page.textContent('#hand')).toBe(pl.get('room.live.raise'));
  expect(await page.textContent('#queue-empty')).toBe(pl.get('room.noHands'));
  await context.close();
});

/** A socket on a room pass (the facilitator's, or another member's), resolved once it has the room. */
async function joinRoom(pass: string): Promise<Socket> {
  const socket = connect(server.url, { auth: { pass }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('room:state', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

let commands = 0;
/** Sends a room command on a socket, as the room's page would, and expects it to go through. */
async function command(socket: Socket, event: string, fields: object = {}): Promise<void> {
  const reply = (await socket.timeout(5000).emitWithAck(event, { ...fields, clientId: `pseudo-${++commands}` })) as { ok: boolean; message?: string };
  expect({ event, ...reply }).toMatchObject({ event, ok: true });
}

/**
 * Text of ours left in English on a page in the pseudo-locale (every word of ours accented and in ⟦brackets⟧).
 * The organiser's own words are marked with their own `lang` and are theirs to translate; hidden text is skipped.
 */
function untranslated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // Hidden parts marked before the copy (a copy has no layout); then the organiser's words and scripts taken out.
    document.body.querySelectorAll('*').forEach((el) => !el.checkVisibility() && el.setAttribute('data-hidden', ''));
    const copy = document.body.cloneNode(true) as HTMLElement;
    document.body.querySelectorAll('[data-hidden]').forEach((el) => el.removeAttribute('data-hidden'));
    copy.querySelectorAll('[data-hidden], [lang], script, style').forEach((el) => el.remove());
    const rest = (copy.textContent ?? '').replace(/⟦[^⟧]*⟧/g, ' ');
    return rest.split(/\s{2,}|\n/).map((s) => s.trim()).filter((s) => /[A-Za-z]{2,}/.test(s));
  });
}

test('in the pseudo-locale, no resident page has English words of ours left in it', async () => {
  const context = await browser.newContext({ ...PHONE, locale: 'en-GB' });
  const page = await context.newPage();
  const seen: Record<string, string[]> = {};
  const check = async (name: string, on = page) => {
    expect(await on.getAttribute('html', 'lang')).toBe('en-XA');
    seen[name] = await untranslated(on);
  };
  await page.goto(`${server.url}/?lang=qps`);
  await check('home');
  await page.goto(`${server.url}/register/${SLUG}`);
  await check('register');
  await page.click('form.stack button[type="submit"]');
  await check('register with errors');
  await register(page, { name: 'Pseudo Resident', email: 'pseudo.resident@example.org' });
  await check('registered');
  const [received] = await mailTo('pseudo.resident@example.org');
  await page.goto((received.text ?? '').match(/https?:\/\/\S+\/confirm\/\S+/)?.[0] ?? '');
  await check('confirm address');
  await page.click('button[type="submit"]:not(.link)');
  await check('address confirmed');
  await page.goto(`${server.url}/privacy`);
  await check('privacy notice');
  await page.goto(`${server.url}/no-such-page`);
  await check('page not found');
  await page.goto(`${server.url}/invite/not-a-real-link`);
  await check('invitation link not found');

  const publicId = server.db.prepare('SELECT public_id FROM registrants WHERE email = ?').pluck().get('pseudo.resident@example.org') as string;
  seatMembers(server.db, panel.id, [publicId], Date.now(), 'selected');
  const [{ token }] = new Membership(server.ctx).inviteDrawn(panel.id, null);
  await page.goto(`${server.url}/invite/${token}`);
  await check('invitation');
  await page.click('button[value="decline"]');
  await check('decline: are you sure');
  await page.goto(`${server.url}/invite/${token}`);
  await page.fill('#roomName', 'Pseudo');
  await page.click('button[value="confirm"]');
  await check('invitation answered');
  // Another member in the session, whose idea the pseudo member can support.
  const another = server.db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? AND public_id NOT IN (SELECT r.public_id FROM members m JOIN registrants r ON r.id = m.registrant_id) LIMIT 1').pluck().get(panel.id) as string;
  seatMembers(server.db, panel.id, [another], Date.now());
  const agenda = exampleAgenda();
  const made = createSession(server.db, server.ctx.clock, new RoomRepo(server.db), panel, agenda, null);
  await page.goto(`${server.url}/invite/${token}`);
  await check('member page');
  await page.click(`a.button[href^="/room/${made.sessionId}?"]`);
  await page.waitForSelector('#status:text("⟦Çöññéçtéd⟧")');
  await check('room');
  // The hall's screen, from the observer's link, in the same browser (so in the pseudo-locale too).
  const screen = await context.newPage();
  await screen.goto(joinLink(server.url, made.sessionId, made.observer));
  await screen.waitForSelector('#status:text("⟦Çöññéçtéd⟧")');
  await check('observer screen', screen);

  // The member's day in the room, moved on by the facilitator (and another member) through the socket: their
  // table, the ideas board, a draft recommendation, two votes with their ballots, receipt and results. Our words
  // only: the organiser's and members' own are in Arabic here, and the tallies' English is marked as English.
  const round = (type: string) => agenda.rounds.findIndex((r) => r.type === type);
  const host = await joinRoom(made.facilitator);
  const other = await joinRoom(made.panellists.find((p) => p.member === another)?.token ?? '');
  await command(host, 'round:open', { round: round('tables') });
  await command(host, 'tables:propose', { members: [publicId] });
  await page.waitForSelector('#my-table-card h3');
  await check('room: my table');
  await command(host, 'round:open', { round: round('ideas') });
  await command(other, 'idea:post', { text: 'حافلات مجانية في المساء' });
  await page.waitForSelector('#ideas li button');
  await check('room: the ideas board');
  await screen.waitForSelector('#ideas li');
  await check('observer screen: the ideas board', screen);
  await command(host, 'rec:draft', { text: 'مكتبات مفتوحة في المساء' });
  await page.waitForSelector('#rec-list h3');
  await check('room: a draft recommendation');
  await command(host, 'round:open', { round: round('vote') });
  await command(host, 'vote:open', { question: 'هل نلتقي مرة أخرى؟', settings: { method: 'scale', scale: 'likert5', quorum: 0 }, secret: false, live: true });
  await page.waitForSelector('#ballot:visible');
  await check('room: a ballot');
  await page.check('#ballot-fields input[value="4"]');
  await page.click('#ballot-cast');
  await page.waitForSelector('.vote-card .facts');
  await check('room: a result so far');
  await command(host, 'vote:close', { vote: 1 });
  await page.waitForSelector('.result > p.lead[lang]');
  await check('room: the result');
  await screen.waitForSelector('.result > p.lead[lang]');
  await check('observer screen: the result', screen);
  await command(host, 'vote:open', { question: 'هل نبدأ؟', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 }, secret: true, live: false });
  await page.check('#ballot-fields input[value="agree"]');
  await page.click('#ballot-cast');
  await page.waitForSelector('.receipt');
  await check('room: a receipt');
  await command(host, 'vote:close', { vote: 2 });
  await page.waitForSelector('.vote-card > p.lead');
  await check('room: a result withheld');
  host.disconnect();
  other.disconnect();
  await context.close();
  expect(Object.entries(seen).filter(([, left]) => left.length)).toEqual([]);
});

test('in the pseudo-locale, no public page has English words of ours left in it', async () => {
  // A server of its own with the demo's whole story told (a draw, the day, its summary published): the other
  // tests change the demo panel as they go.
  const site = await startServer();
  try {
    const slug = 'coventry-cultural-strategy';
    const { sessionId } = await seedDemoStory({ db: site.db, clock: systemClock, config: testConfig() }, site.demo.panelId);
    const context = await browser.newContext({ ...PHONE, locale: 'en-GB' });
    const page = await context.newPage();
    const seen: Record<string, string[]> = {};
    for (const [name, url] of [
      ['outcomes', '/outcomes?lang=qps'],
      ["a panel's outcomes", `/outcomes/${slug}`],
      ["a session's summary", `/outcomes/${slug}/sessions/${sessionId}`],
      ['how the panel was chosen', `/panels/${slug}/selection`],
    ]) {
      await page.goto(site.url + url);
      expect(await page.getAttribute('html', 'lang')).toBe('en-XA');
      seen[name] = await untranslated(page);
    }
    // The pages were all there to read: the summary's record and the draw's chart among them.
    expect(await page.locator('#chance-bands rect').count()).toBeGreaterThan(0);
    await context.close();
    expect(Object.entries(seen).filter(([, left]) => left.length)).toEqual([]);
  } finally {
    await site.stop();
  }
}, 120_000);
