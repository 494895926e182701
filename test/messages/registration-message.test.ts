import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { panelMessages } from '../../src/messages/outbox';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { eraseRegistrant } from '../../src/registration/repo';
import { logIn, makeApp, smallPanel, snapshot, submit } from '../helpers';

const person = (n: number, contact: Record<string, string>) => ({
  name: `Resident Number${n}`, address: `${n} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '40-64', consent: 'yes', ...contact,
});

describe('registration received: the message, and the link that confirms the email address', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a registration queues its message in the same step; the link in it confirms the address once a button is pressed', async () => {
    const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
    const { panelId } = smallPanel(t.db, t.clock);
    const form = '/register/test-panel';
    expect((await submit(t.agent(), form, form, person(1, { email: 'amrit@example.org' }))).status).toBe(303);
    const [queued] = panelMessages(t.db, panelId);
    expect(queued).toMatchObject({ kind: 'registration-received', to: 'amrit@example.org', state: 'queued', language: 'en', subject: 'You are registered for Test Panel' });
    const unconfirmed = () => t.db.prepare('SELECT email_confirmed_at FROM registrants WHERE email = ?').pluck().get('amrit@example.org');
    expect(unconfirmed()).toBeNull();

    // A phone-only registration has no message to send.
    expect((await submit(t.agent(), form, form, person(2, { phone: '07700 900123' }))).status).toBe(303);
    expect(panelMessages(t.db, panelId)).toHaveLength(1);

    const sender = new Sender(t.ctx, folderTransport(dir));
    expect(await sender.tick()).toBe(1);
    const [file] = fs.readdirSync(dir);
    const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
    expect(mail.text).toContain('Hello Resident Number1,');
    const link = /https:\/\/panel\.example\.org(\/confirm\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(mail.html).toContain(`<a href="https://panel.example.org${link}">`);
    // The database holds the link's hash, not the link.
    expect(t.db.serialize().toString('latin1')).not.toContain(link!.slice('/confirm/'.length));

    // The pool page marks an address not yet confirmed (and says when there is none).
    const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const emailStates = async () => [...(await organiser.get(`/admin/panels/${panelId}/pool`)).text.matchAll(/<td>(Resident Number\d)<\/td>[\s\S]*?<td class="email-state">(.*?)<\/td>/g)].map((m) => `${m[1]}: ${m[2].replace(/<[^>]+>/g, '')}`);
    expect(await emailStates()).toEqual(['Resident Number1: not confirmed', 'Resident Number2: none']);

    // Opening the link (as a mail scanner might) confirms nothing; the button does.
    const opened = await t.agent().get(link!);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('Confirm my email address');
    expect(unconfirmed()).toBeNull();
    const resident = t.agent();
    const pressed = await submit(resident, link!, link!, {});
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain('Your email address is confirmed');
    expect(unconfirmed()).toBe(t.clock.now());
    expect((await submit(resident, link!, link!, {})).text).toContain('Your email address is confirmed');
    expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'registrant.email-confirmed'").pluck().get()).toBe(1);
    await sender.stop();

    expect(await emailStates()).toEqual(['Resident Number1: confirmed', 'Resident Number2: none']);

    // The resident's subject access export lists the message; erasure takes it away with the rest.
    const rid = t.db.prepare('SELECT id FROM registrants WHERE email = ?').pluck().get('amrit@example.org') as number;
    const exported = JSON.parse((await organiser.get(`/admin/panels/${panelId}/registrants/${rid}/subject-access.json`)).text);
    expect(exported.registration).toMatchObject({ emailConfirmed: new Date(t.clock.now()).toISOString(), language: 'en' });
    expect(exported.messages).toEqual([expect.objectContaining({ kind: 'registration-received', to: 'amrit@example.org', subject: 'You are registered for Test Panel', state: 'sent' })]);
    eraseRegistrant(t.db, rid, t.clock.now());
    expect(t.db.prepare('SELECT COUNT(*) FROM messages WHERE registrant_id = ?').pluck().get(rid)).toBe(0);
    expect(t.db.prepare('SELECT language, email_confirmed_at, confirm_hash FROM registrants WHERE id = ?').get(rid)).toEqual({ language: null, email_confirmed_at: null, confirm_hash: null });
  });

  test('a wrong link is a clear 404 and changes nothing', async () => {
    const t = makeApp();
    smallPanel(t.db, t.clock);
    await submit(t.agent(), '/register/test-panel', '/register/test-panel', person(3, { email: 'kiran@example.org' }));
    const before = snapshot(t.db);
    const wrong = '/confirm/not-a-real-link-0123456789012345678901234567';
    const opened = await t.agent().get(wrong);
    expect(opened.status).toBe(404);
    expect(opened.text).toContain('That confirmation link was not found');
    expect((await submit(t.agent(), '/register/test-panel', wrong, {})).status).toBe(404);
    expect(snapshot(t.db)).toEqual(before);
  });
});
