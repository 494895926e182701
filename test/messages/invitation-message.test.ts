import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { logIn, makeApp, seatMembers, smallPanel, submit } from '../helpers';

test('the people drawn are emailed their own invitation link, once per link; someone with no email address is left to the organisers', async () => {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  t.db.prepare("UPDATE panels SET details_dates = 'Saturdays 6, 13 and 20 March 2027', details_expenses = 'A £300 thank-you payment', contact_phone = '024 7697 0000' WHERE id = ?").run(panelId);
  const contacts: Record<string, string>[] = [{ email: 'ada@example.org' }, { email: 'bo@example.org' }, { phone: '07700 900123' }];
  for (const [i, contact] of contacts.entries()) {
    await submit(t.agent(), '/register/test-panel', '/register/test-panel', { name: `Resident Number${i}`, address: `${i} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '16-39', consent: 'yes', ...contact });
  }
  t.db.prepare("DELETE FROM messages WHERE kind = 'registration-received'").run();
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants ORDER BY id').pluck().all() as string[], t.clock.now(), 'selected');

  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const admin = `/admin/panels/${panelId}`;
  const page = await submit(organiser, `${admin}/selection`, `${admin}/invitations`, {});
  expect(page.status).toBe(200);
  expect(page.text).toContain('<strong id="emailed">2 of 3</strong> are being emailed theirs');
  expect(page.text).toContain('Give the 1 without an email address their link yourself');
  const shown = new Map([...page.text.matchAll(/<td>([^<]*@example\.org)<\/td><td>[^<]*<\/td><td class="link"><code class="wrap-anywhere">([^<]+)<\/code>/g)].map((m) => [m[1], m[2]]));
  expect(shown.size).toBe(2);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  const sender = new Sender(t.ctx, folderTransport(dir));
  expect(await sender.tick()).toBe(2);
  for (const file of fs.readdirSync(dir)) {
    const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
    const to = (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.text;
    expect(mail.subject).toBe('You have been chosen for Test Panel');
    expect(mail.text).toContain('When: Saturdays 6, 13 and 20 March 2027');
    expect(mail.text).toContain('What is offered: A £300 thank-you payment');
    expect(mail.text).toContain(shown.get(to)!); // the same link the organiser was shown
    const link = new URL(shown.get(to)!);
    expect((await t.agent().get(link.pathname)).status).toBe(200);
  }

  // A new link for Ada: a new message with it; the old link no longer opens.
  const ada = t.db.prepare("SELECT m.id FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE r.email = 'ada@example.org'").pluck().get() as number;
  await submit(organiser, `${admin}/selection`, `${admin}/members/${ada}/invitation`, {});
  expect(t.db.prepare("SELECT COUNT(*) FROM messages WHERE kind = 'invitation' AND to_address = 'ada@example.org'").pluck().get()).toBe(2);
  expect((await t.agent().get(new URL(shown.get('ada@example.org')!).pathname)).status).toBe(404);
  await sender.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
