import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { addMembers } from '../../src/membership/members';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { insertDraw } from '../../src/selection/repo';
import { logIn, makeApp, seatMembers, smallPanel, submit } from '../helpers';

/**
 * Reminders and replacements (issue 22): everyone invited who has not answered can be reminded by email, with the
 * same link as their invitation (their newest, if the organiser made them a new one); whoever cannot be reminded
 * by email is counted for the organiser to reach by hand. Someone drawn to fill a seat is told the seat came free.
 */
async function setUp() {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  const people: Record<string, string>[] = [{ email: 'ada@example.org' }, { email: 'bo@example.org' }, { email: 'cy@example.org' }, { phone: '07700 900123' }];
  for (const [i, contact] of people.entries()) {
    const lang = contact.email === 'cy@example.org' ? '?lang=pl' : '';
    await submit(t.agent(), `/register/test-panel${lang}`, '/register/test-panel', { name: `Resident Number${i}`, address: `${i} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '16-39', consent: 'yes', ...contact });
  }
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants ORDER BY id').pluck().all() as string[], t.clock.now(), 'selected');
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const admin = `/admin/panels/${panelId}`;
  await submit(organiser, `${admin}/selection`, `${admin}/invitations`, {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  const sender = new Sender(t.ctx, folderTransport(dir), 6000);
  const read = async () => {
    await sender.tick();
    const mails = await Promise.all(fs.readdirSync(dir).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
    fs.readdirSync(dir).forEach((f) => fs.rmSync(path.join(dir, f)));
    return mails.map((m) => ({ to: (Array.isArray(m.to) ? m.to[0] : m.to)?.text ?? '', subject: m.subject ?? '', link: m.text?.match(/https:\/\/panel\.example\.org\/invite\/\S+/)?.[0] }));
  };
  return { t, panelId, organiser, admin, read };
}

test('a reminder goes to each invited member who has not answered, with their own invitation link, in their language', async () => {
  const { t, organiser, admin, read } = await setUp();
  const invitations = (await read()).filter((m) => m.link);
  expect(invitations).toHaveLength(3);
  const linkOf = (to: string) => invitations.find((m) => m.to === to)?.link ?? '';
  // Ada answers yes; the others say nothing.
  await submit(t.agent(), new URL(linkOf('ada@example.org')).pathname, new URL(linkOf('ada@example.org')).pathname, { answer: 'confirm', roomName: 'Ada' });

  const res = await submit(organiser, `${admin}/selection`, `${admin}/invitations/remind`, {});
  expect(res.status).toBe(303);
  const page = await organiser.get(res.headers.location);
  expect(page.text).toContain('2 reminders are being emailed. 1 person has no emailed link to remind them of');
  const reminders = await read();
  expect(reminders.map((m) => m.to).sort()).toEqual(['bo@example.org', 'cy@example.org']);
  for (const r of reminders) expect(r.link).toBe(linkOf(r.to)); // the same link, which still works
  expect(reminders.find((m) => m.to === 'bo@example.org')?.subject).toBe('Can you take part in Test Panel?');
  expect(reminders.find((m) => m.to === 'cy@example.org')?.subject).toBe('Czy możesz wziąć udział w panelu „Test Panel”?');
  expect((await t.agent().get(new URL(linkOf('bo@example.org')).pathname)).status).toBe(200);
  expect(t.db.prepare("SELECT detail FROM audit_log WHERE action = 'invitations.remind'").pluck().get()).toBe(JSON.stringify({ reminded: 2, byHand: 1 }));
});

test('after a new link, the reminder carries the new one, never the link that stopped working', async () => {
  const { t, organiser, admin, read } = await setUp();
  const old = (await read()).find((m) => m.to === 'bo@example.org')?.link ?? '';
  const bo = t.db.prepare("SELECT m.id FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE r.email = 'bo@example.org'").pluck().get() as number;
  t.clock.advance(60_000);
  await submit(organiser, `${admin}/selection`, `${admin}/members/${bo}/invitation`, {});
  const fresh = (await read()).find((m) => m.to === 'bo@example.org')?.link ?? '';
  expect(fresh).not.toBe(old);
  await submit(organiser, `${admin}/selection`, `${admin}/invitations/remind`, {});
  expect((await read()).find((m) => m.to === 'bo@example.org')?.link).toBe(fresh);
});

test('with nobody waiting for an answer there is no reminder button, and pressing it anyway sends nothing', async () => {
  const { t, panelId, organiser, admin, read } = await setUp();
  await read();
  t.db.prepare("UPDATE members SET status = 'declined' WHERE panel_id = ?").run(panelId);
  expect((await organiser.get(`${admin}/selection`)).text).not.toContain('invitations/remind');
  const res = await submit(organiser, `${admin}/selection`, `${admin}/invitations/remind`, {});
  expect((await organiser.get(res.headers.location)).text).toContain('0 reminders are being emailed.');
  expect(await read()).toEqual([]);
});

test('someone drawn to fill a seat that came free is told so in their invitation', async () => {
  const { t, panelId, organiser, admin, read } = await setUp();
  await read();
  await submit(t.agent(), '/register/test-panel', '/register/test-panel', { name: 'Dee Late', email: 'dee@example.org', address: '9 Demo Street', postcode: 'CV1 2AB', q_gender: 'Man', q_age: '65+', consent: 'yes' });
  const drawId = insertDraw(t.db, { panelId, kind: 'replacement', algorithm: 'leximin', seed: 'test', panelSize: 1, poolCsv: '', quotasCsv: '' }, null, t.clock.now());
  addMembers(t.db, panelId, drawId, [t.db.prepare("SELECT public_id FROM registrants WHERE email = 'dee@example.org'").pluck().get() as string], 'selected');
  await submit(organiser, `${admin}/selection`, `${admin}/invitations`, {});
  const [mail] = (await read()).filter((m) => m.to === 'dee@example.org' && m.link);
  expect(mail.subject).toBe('A place on Test Panel is free, and you have been chosen');
  expect(t.db.prepare("SELECT kind FROM messages WHERE to_address = 'dee@example.org' AND kind LIKE '%invitation'").pluck().get()).toBe('replacement-invitation');
});
