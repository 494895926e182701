import { createUser } from '../../src/auth/users';
import { Sender } from '../../src/messages/sender';
import { smtpTransport } from '../../src/messages/transport';
import { logIn, makeApp, PASSWORD, smallPanel, snapshot, submit } from '../helpers';
import { mailServer } from './mail-server';

jest.setTimeout(30_000);

describe("the panel's messages, for its organisers", () => {
  let smtp: Awaited<ReturnType<typeof mailServer>>;
  beforeEach(async () => {
    smtp = await mailServer();
  });
  afterEach(() => smtp.close());

  test('each message and its state; a refusal in words; sent again on request; the personal link never shown', async () => {
    const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
    const { panelId } = smallPanel(t.db, t.clock);
    const base = `/admin/panels/${panelId}/messages`;
    for (const [n, email] of [[1, 'ada@example.org'], [2, 'nobody@example.org']] as const) {
      await submit(t.agent(), '/register/test-panel', '/register/test-panel', { name: `Resident Number${n}`, email, address: `${n} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Man', q_age: '65+', consent: 'yes' });
    }
    const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    let page = (await organiser.get(base)).text;
    expect(page).toContain('<strong id="queued">2</strong> waiting to go');
    expect(page).toContain('No mail server is set up');

    // One a minute: the first goes; the mail server refuses the second for good.
    const sender = new Sender(t.ctx, smtpTransport(smtp.url), 1);
    await sender.tick();
    const refused = t.db.prepare("SELECT id FROM messages WHERE to_address = 'nobody@example.org'").pluck().get() as number;
    smtp.mood = 'refuse';
    t.clock.advance(60_000);
    await sender.tick();
    page = (await organiser.get(`${base}?state=failed`)).text;
    expect(page).toContain('<strong id="failed">1</strong> failed');
    expect(page).toContain('nobody@example.org');
    expect(page).not.toContain('ada@example.org');
    expect(page).toContain('The mail server refused it (550 5.1.1 No such mailbox here). Check the address');

    // Read as it went: the link is not on the page.
    const one = (await organiser.get(`${base}/${refused}`)).text;
    expect(one).toContain('Thank you for registering for Test Panel.');
    expect(one).toContain('(their personal link)');
    expect(one).not.toMatch(/\/confirm\/[A-Za-z0-9_-]{20,}/);

    // Sent again, once the mail server takes it.
    expect((await submit(organiser, base, `${base}/${refused}/resend`, {})).status).toBe(303);
    smtp.mood = 'accept';
    t.clock.advance(60_000);
    await sender.tick();
    expect(t.db.prepare('SELECT state FROM messages WHERE id = ?').pluck().get(refused)).toBe('sent');
    expect(smtp.received.map((m) => m.subject)).toEqual(['You are registered for Test Panel', 'You are registered for Test Panel']);
    // A message on its way cannot be resent twice over; and every look at the messages is in the audit trail.
    t.db.prepare("UPDATE messages SET state = 'queued' WHERE id = ?").run(refused);
    const before = snapshot(t.db);
    expect((await submit(organiser, base, `${base}/${refused}/resend`, {})).status).toBe(404);
    expect(snapshot(t.db)).toEqual(before);
    const views = t.db.prepare("SELECT detail FROM audit_log WHERE action = 'personal_data.view'").pluck().all() as string[];
    expect(views.map((v) => JSON.parse(v).what)).toEqual(expect.arrayContaining(['messages', 'message']));
    await sender.stop();
  });

  test('not for the facilitator, nor for an organiser of another panel', async () => {
    const t = makeApp();
    const { panelId } = smallPanel(t.db, t.clock);
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    expect((await facilitator.get(`/admin/panels/${panelId}/messages`)).status).toBe(403);
    createUser(t.db, t.clock, { email: 'other@example.org', name: 'Other', role: 'organiser', admin: false, password: PASSWORD });
    const other = t.agent();
    await submit(other, '/login', '/login', { email: 'other@example.org', password: PASSWORD });
    expect([403, 404]).toContain((await other.get(`/admin/panels/${panelId}/messages`)).status);
  });
});
