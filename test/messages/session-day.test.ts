import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { Membership } from '../../src/membership/lifecycle';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { exampleAgenda } from '../../src/room/agenda';
import { RoomRepo } from '../../src/room/repo';
import { londonTime } from '../../src/room/session-day-routes';
import { remindTomorrow } from '../../src/room/session-days';
import { logIn, makeApp, seatMembers, smallPanel, submit } from '../helpers';

/**
 * A session's day (issue 22): saved by its team, emailed to the confirmed members in their language with their own
 * link (again only if the time changes), and a reminder the day before, once each, whenever the check runs.
 */
async function setUp() {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  t.db.prepare("UPDATE panels SET details_access = 'Step-free, with a hearing loop' WHERE id = ?").run(panelId);
  const people: [string, Record<string, string>][] = [['', { email: 'ada@example.org' }], ['?lang=pl', { email: 'cy@example.org' }], ['', { phone: '07700 900123' }]];
  for (const [i, [lang, contact]] of people.entries()) {
    await submit(t.agent(), `/register/test-panel${lang}`, '/register/test-panel', { name: `Resident Number${i}`, address: `${i} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '16-39', consent: 'yes', ...contact });
  }
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants ORDER BY id').pluck().all() as string[], t.clock.now(), 'selected');
  const links = new Membership(t.ctx).inviteDrawn(panelId, null);
  for (const { token } of links) await submit(t.agent(), `/invite/${token}`, `/invite/${token}`, { answer: 'confirm', roomName: 'Someone' });
  const sessionId = new RoomRepo(t.db).createSession(panelId, exampleAgenda(), links.map((l) => l.member.publicId), null, t.clock.now());
  const staff = await logIn(t.db, t.clock, t.agent(), 'facilitator');
  const page = `/admin/sessions/${sessionId}/day`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  const sender = new Sender(t.ctx, folderTransport(dir), 6000);
  const read = async () => {
    await sender.tick();
    const files = fs.readdirSync(dir);
    const mails = await Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
    files.forEach((f) => fs.rmSync(path.join(dir, f)));
    return mails.map((m) => ({ to: (Array.isArray(m.to) ? m.to[0] : m.to)?.text ?? '', subject: m.subject ?? '', text: m.text ?? '' }));
  };
  await read(); // the registration and invitation messages
  const tokenOf = (email: string) => links.find((l) => l.member.email === email)?.token;
  const title = t.db.prepare('SELECT title FROM room_sessions WHERE id = ?').pluck().get(sessionId) as string;
  return { t, sessionId, staff, page, read, tokenOf, title };
}

test('saving the day emails each confirmed member the details in their language, with their own link; again only for a new time', async () => {
  const { t, staff, page, read, tokenOf, title } = await setUp();
  const res = await submit(staff, page, page, { date: '2027-03-06', time: '10:00', place: 'Foleshill Community Centre', bring: 'Nothing: lunch is provided' });
  expect(res.status).toBe(303);
  expect((await staff.get(res.headers.location)).text).toContain('Saved. 2 members are being emailed the details');
  const mails = await read();
  const ada = mails.find((m) => m.to === 'ada@example.org');
  expect(ada?.subject).toBe(`Test Panel: ${title} is on Saturday 6 March at 10:00`);
  expect(ada?.text).toContain('Where: Foleshill Community Centre');
  expect(ada?.text).toContain('Care and access: Step-free, with a hearing loop');
  expect(ada?.text).toContain(`https://panel.example.org/invite/${tokenOf('ada@example.org')}`);
  expect(mails.find((m) => m.to === 'cy@example.org')?.text).toContain('sobota, 6 marca');
  expect(mails).toHaveLength(2); // the member with a phone number only is not emailed

  // The same time again tells nobody again; a new time tells everyone.
  await submit(staff, page, page, { date: '2027-03-06', time: '10:00', place: 'Foleshill Community Centre', bring: '' });
  expect(await read()).toEqual([]);
  await submit(staff, page, page, { date: '2027-03-06', time: '11:00', place: 'Foleshill Community Centre', bring: '' });
  expect((await read()).map((m) => m.subject)).toContain(`Test Panel: ${title} is on Saturday 6 March at 11:00`);
  expect((await staff.get(page)).text).toContain('value="11:00"');
  expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'session.day'").pluck().get()).toBe(3);
});

test('a day that is not real, a time in the past, or an empty form is refused in words, and nothing changes', async () => {
  const { t, sessionId, staff, page, read } = await setUp();
  const startsAt = () => t.db.prepare('SELECT starts_at FROM room_sessions WHERE id = ?').pluck().get(sessionId);
  for (const [form, words] of [
    [{ date: '2027-02-30', time: '10:00' }, 'That day is not a real date.'],
    [{ date: '2027-03-06', time: '25:00' }, 'Give the time it starts on the 24-hour clock, like 10:00.'],
    [{ date: '2026-01-01', time: '10:00' }, 'That time has passed'],
    [{}, 'Give the day'],
  ] as const) {
    const res = await submit(staff, page, page, form);
    expect({ status: res.status, says: res.text.includes(words) }).toEqual({ status: 400, says: true });
  }
  expect(startsAt()).toBeNull();
  expect(await read()).toEqual([]);
});

test('the day before, each member is reminded once, however often the check runs', async () => {
  const { t, staff, page, read, title } = await setUp();
  await submit(staff, page, page, { date: '2026-11-26', time: '10:00', place: 'The Herbert', bring: '' });
  await read();
  expect(remindTomorrow(t.ctx)).toBe(0); // three days ahead: not yet
  t.clock.advance(2 * 24 * 3600_000 + 3 * 3600_000); // the day before, at noon
  expect(remindTomorrow(t.ctx)).toBe(2);
  expect(remindTomorrow(t.ctx)).toBe(0);
  const reminders = await read();
  expect(reminders.map((m) => m.subject).sort()).toEqual([`Jutro: ${title} (Test Panel)`, `Tomorrow: ${title} (Test Panel)`]);
  expect(reminders.find((m) => m.to === 'ada@example.org')?.text).toContain('meets tomorrow, Thursday 26 November at 10:00');
});

test('a Coventry time is read in British Summer Time when it applies', () => {
  expect(new Date(londonTime('2027-07-01', '10:00')).toISOString()).toBe('2027-07-01T09:00:00.000Z');
  expect(new Date(londonTime('2027-01-15', '10:00')).toISOString()).toBe('2027-01-15T10:00:00.000Z');
  expect(new Date(londonTime('2027-03-28', '12:00')).toISOString()).toBe('2027-03-28T11:00:00.000Z'); // the day the clocks go forward
});
