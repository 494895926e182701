import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createUser } from '../../src/auth/users';
import { findMessage, withLink } from '../../src/messages/outbox';
import { Sender } from '../../src/messages/sender';
import { folderTransport, smtpTransport } from '../../src/messages/transport';
import { logIn, makeApp, PASSWORD, submit } from '../helpers';
import { mailServer } from './mail-server';

jest.setTimeout(30_000);

/** Issue 22, for the panel's team: the set-up and reset links really arrive, and really work. */
const SITE = 'https://panel.example.org';

test('a forgotten password: the email arrives through a real SMTP server, and its link sets a password that signs in', async () => {
  const smtp = await mailServer();
  const t = makeApp({ config: { PUBLIC_URL: SITE } });
  createUser(t.db, t.clock, { email: 'fran@example.org', name: 'Fran Facilitator', role: 'facilitator', password: PASSWORD });
  const fran = t.agent();
  const asked = await submit(fran, '/password/forgot', '/password/forgot', { email: 'fran@example.org' });
  expect(asked.status).toBe(200);

  const sender = new Sender(t.ctx, smtpTransport(smtp.url));
  expect(await sender.tick()).toBe(1);
  await sender.stop();
  await smtp.close();
  const [mail] = smtp.received;
  expect(mail.subject).toBe('Choose a new password');
  expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text).toBe('fran@example.org');
  expect(mail.text).toContain('Hello Fran Facilitator,');
  expect(mail.text).toContain('The link works once, for 30 minutes.');
  const link = new RegExp(`${SITE}(/password/reset/[\\w-]{43})`).exec(mail.text ?? '')?.[1] ?? '';
  expect(link).not.toBe('');
  expect(mail.html).toContain(`<a href="${SITE}${link}">`);

  const saved = await submit(fran, link, link, { password: 'a passphrase of my own', confirm: 'a passphrase of my own' });
  expect([saved.status, saved.headers.location]).toEqual([303, '/login?password=set']);
  expect((await fran.get('/login?password=set')).text).toContain('Your password is saved');
  const login = await submit(fran, '/login', '/login', { email: 'fran@example.org', password: 'a passphrase of my own' });
  expect([login.status, login.headers.location]).toEqual([303, '/admin']);
});

test('a new account: the administrator sees no password; the person is emailed a link, chooses a password and logs in', async () => {
  const t = makeApp({ config: { PUBLIC_URL: SITE } });
  const admin = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const created = await submit(admin, '/admin/people', '/admin/people', { email: 'Kiran@Example.org', name: 'Kiran', role: 'facilitator' });
  expect(created.status).toBe(201);
  expect(created.text).toContain('We have emailed kiran@example.org a link to set their password. It works once, for 7 days.');
  expect(created.text).not.toContain('<code>');
  const kiran = t.db.prepare("SELECT id FROM users WHERE email = 'kiran@example.org'").pluck().get() as number;
  // Queued with the account, for no panel; the trail says who made it and who set it up.
  expect(t.db.prepare('SELECT kind, to_address AS "to", panel_id AS panelId, user_id AS userId, state FROM messages').all()).toEqual([
    { kind: 'account-setup', to: 'kiran@example.org', panelId: null, userId: kiran, state: 'queued' },
  ]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  const sender = new Sender(t.ctx, folderTransport(dir));
  expect(await sender.tick()).toBe(1);
  await sender.stop();
  const [file] = fs.readdirSync(dir);
  const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
  fs.rmSync(dir, { recursive: true, force: true });
  expect(mail.subject).toBe("Your account for the citizens' panel");
  expect(mail.text).toContain('Test organiser has made you an account on the citizens\' panel website, as a facilitator. You log in with this email address: kiran@example.org');
  const link = new RegExp(`${SITE}(/account/setup/[\\w-]{43})`).exec(mail.text ?? '')?.[1] ?? '';
  expect(link).not.toBe('');

  const person = t.agent();
  const page = await person.get(link);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Choose your password');
  const saved = await submit(person, link, link, { password: 'kiran chose this one', confirm: 'kiran chose this one' });
  expect([saved.status, saved.headers.location]).toEqual([303, '/login?password=set']);
  const login = await submit(person, '/login', '/login', { email: 'kiran@example.org', password: 'kiran chose this one' });
  expect([login.status, login.headers.location]).toEqual([303, '/admin']);
  expect((await person.get('/admin')).status).toBe(200);
  expect(t.db.prepare("SELECT action FROM audit_log WHERE action IN ('user.create', 'account.setup') ORDER BY id").pluck().all()).toEqual(['user.create', 'account.setup']);
  expect(t.db.prepare("SELECT user_id FROM audit_log WHERE action = 'account.setup'").pluck().get()).toBe(kiran);

  // The link is spent, and says so; a week later an unused one says it has expired.
  const again = await t.agent().get(link);
  expect([again.status, again.text.includes('This link has been used already')]).toEqual([410, true]);
  await submit(admin, '/admin/people', '/admin/people', { email: 'late@example.org', name: 'Late', role: 'organiser' });
  t.clock.advance(7 * 86400_000);
  const queued = findMessage(t.db, t.db.prepare("SELECT id FROM messages WHERE to_address = 'late@example.org'").pluck().get() as number)!;
  const late = await t.agent().get(new URL(/https:\S+/.exec(withLink(t.ctx, queued).text)![0]).pathname);
  expect(late.status).toBe(410);
  expect(late.text).toContain('This link has expired: it worked for 7 days.');
});


test('an account and its set-up message are stored together or not at all', async () => {
  const t = makeApp({ config: { PUBLIC_URL: SITE } });
  const admin = await logIn(t.db, t.clock, t.agent(), 'organiser');
  t.db.exec("CREATE TEMP TRIGGER no_mail BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'the outbox is broken'); END");
  const refused = await submit(admin, '/admin/people', '/admin/people', { email: 'kiran@example.org', name: 'Kiran', role: 'facilitator' });
  expect(refused.status).toBe(500);
  expect(t.db.prepare("SELECT COUNT(*) FROM users WHERE email = 'kiran@example.org'").pluck().get()).toBe(0);
  expect(t.db.prepare('SELECT COUNT(*) FROM password_links').pluck().get()).toBe(0);
});
