import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { enqueue, findMessage, LINK, resend } from '../../src/messages/outbox';
import { backoffMs, Sender } from '../../src/messages/sender';
import { emlName, folderTransport, smtpTransport } from '../../src/messages/transport';
import { mailServer } from './mail-server';

jest.setTimeout(30_000);

const LINK_URL = 'https://panel.example.org/confirm/Secret-Token-0123456789';

function setUp() {
  const db = openDb(':memory:');
  const clock = new ManualClock();
  const ctx = { db, clock, config: testConfig() };
  const queue = (to = 'amrit@example.org') =>
    db.transaction(() =>
      enqueue(ctx, { panelId: null, kind: 'registration-received', to, language: 'pl', subject: 'Dziękujemy', text: `Potwierdź: ${LINK}`, html: `<p><a href="${LINK}">Potwierdź</a></p>`, link: LINK_URL }, clock.now()),
    )();
  return { db, clock, ctx, queue };
}

describe('the outbox and its sender, against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof mailServer>>;
  beforeEach(async () => {
    smtp = await mailServer();
  });
  afterEach(() => smtp.close());

  test('a queued message arrives once, in its language, with its link; the database holds no working link', async () => {
    const { db, ctx, queue } = setUp();
    const id = queue();
    expect(db.serialize().toString('latin1')).not.toContain('Secret-Token');
    const sender = new Sender(ctx, smtpTransport(smtp.url));
    expect(await sender.tick()).toBe(1);
    expect(await sender.tick()).toBe(0);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.subject).toBe('Dziękujemy');
    expect(mail.text?.trim()).toBe(`Potwierdź: ${LINK_URL}`);
    expect(mail.html).toContain(`href="${LINK_URL}"`);
    expect(mail.headers.get('content-language')).toBe('pl');
    expect(mail.messageId).toBe(findMessage(db, id)!.messageId);
    expect(findMessage(db, id)).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    await sender.stop();
  });

  test('an address the server refuses fails at once, in words, and is not tried again until resent', async () => {
    const { db, clock, ctx, queue } = setUp();
    const id = queue('nobody@example.org');
    smtp.mood = 'refuse';
    const sender = new Sender(ctx, smtpTransport(smtp.url));
    await sender.tick();
    expect(findMessage(db, id)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(findMessage(db, id)!.lastError).toMatch(/^The mail server refused it \(550 5\.1\.1 No such mailbox here\)\. Check the address/);
    clock.advance(24 * 3600_000);
    await sender.tick();
    expect(findMessage(db, id)!.state).toBe('failed');
    // Resent by the organiser once the address is right: it goes.
    smtp.mood = 'accept';
    expect(resend(db, id, clock.now())).toBe(true);
    await sender.tick();
    expect(findMessage(db, id)!.state).toBe('sent');
    expect(smtp.received).toHaveLength(1);
    await sender.stop();
  });

  test('a server that asks to try later, then one that does not answer, then one that is back: sent once, after backoff', async () => {
    const { db, clock, ctx, queue } = setUp();
    const id = queue();
    const sender = new Sender(ctx, smtpTransport(smtp.url, 500));
    smtp.mood = 'later';
    await sender.tick();
    expect(findMessage(db, id)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(findMessage(db, id)!.lastError).toContain('The mail server asked to try later (451 4.2.2 Mailbox full, try later)');
    expect(findMessage(db, id)!.nextAttemptAt).toBe(clock.now() + backoffMs(1));
    // Not yet due: nothing is sent.
    clock.advance(backoffMs(1) - 1000);
    expect(await sender.tick()).toBe(0);
    clock.advance(1000);
    smtp.mood = 'hang';
    await sender.tick();
    expect(findMessage(db, id)).toMatchObject({ state: 'queued', attempts: 2 });
    expect(findMessage(db, id)!.lastError).toMatch(/did not answer in time|could not be reached/);
    clock.advance(backoffMs(2));
    smtp.mood = 'accept';
    expect(await sender.tick()).toBe(1);
    expect(findMessage(db, id)).toMatchObject({ state: 'sent', attempts: 3 });
    expect(smtp.received).toHaveLength(1);
    await sender.stop();
  });

  test('the rate: at most MAIL_PER_MINUTE, a bucket refilled as time passes', async () => {
    const { clock, ctx, queue } = setUp();
    for (let i = 0; i < 5; i++) queue(`person${i}@example.org`);
    const sender = new Sender(ctx, smtpTransport(smtp.url), 60);
    expect(await sender.tick()).toBe(1);
    expect(await sender.tick()).toBe(0);
    clock.advance(3000);
    expect(await sender.tick()).toBe(3);
    clock.advance(60_000);
    expect(await sender.tick()).toBe(1);
    expect(smtp.received.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `person${i}@example.org`));
    await sender.stop();
  });
});

test('with no mail server, each message is a .eml file only this user can read, the same file on every attempt', async () => {
  const { db, ctx, queue } = setUp();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  const id = queue();
  const sender = new Sender(ctx, folderTransport(path.join(dir, 'mail')));
  await sender.tick();
  const file = path.join(dir, 'mail', emlName(findMessage(db, id)!.messageId));
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const mail = await simpleParser(fs.readFileSync(file));
  expect(mail.subject).toBe('Dziękujemy');
  expect(mail.text?.trim()).toBe(`Potwierdź: ${LINK_URL}`);
  expect(fs.readdirSync(path.join(dir, 'mail'))).toHaveLength(1);
  await sender.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
