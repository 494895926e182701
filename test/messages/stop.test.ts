import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enqueue, findMessage, LINK } from '../../src/messages/outbox';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { makeApp, smallPanel, snapshot, submit } from '../helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-stop-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a reminder carries List-Unsubscribe with one click; after it, reminders and news stop and an invitation still goes', async () => {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  const form = '/register/test-panel';
  await submit(t.agent(), form, form, { name: 'Ada Okafor', address: '1 Demo Street', postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '40-64', consent: 'yes', email: 'ada@example.org' });
  const ada = t.db.prepare("SELECT id FROM registrants WHERE email = 'ada@example.org'").pluck().get() as number;
  const queue = (kind: string) =>
    enqueue(t.ctx, { panelId, registrantId: ada, kind, to: 'ada@example.org', subject: `A ${kind}`, text: `Your link: ${LINK}`, html: `<p>${LINK}</p>`, link: 'https://panel.example.org/invite/x' }, t.clock.now());
  const outbox = path.join(dir, 'one');
  const sender = new Sender(t.ctx, folderTransport(outbox), 600);
  const rawOf = (id: number) => fs.readFileSync(path.join(outbox, fs.readdirSync(outbox).find((f) => f.startsWith(findMessage(t.db, id)!.messageId.replace(/[<>]/g, '').split('@')[0]))!), 'utf8');
  const header = (raw: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw.split('\n\n')[0].replace(/\n[ \t]+/g, ' '))?.[1];

  const reminder = queue('reminder');
  t.db.prepare("UPDATE messages SET state = 'sent' WHERE kind = 'registration-received'").run();
  expect(await sender.tick()).toBe(1);
  const raw = rawOf(reminder);
  const stop = /^<https:\/\/panel\.example\.org(\/messages\/stop\/\S+)>$/.exec(header(raw, 'List-Unsubscribe') ?? '')?.[1] ?? '';
  expect(stop).toMatch(/^\/messages\/stop\/\d+-[A-Za-z0-9_-]{32}$/);
  expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

  // Opening the link stops nothing (a mail scanner follows links); a forged or altered link is refused and changes nothing.
  const before = snapshot(t.db);
  expect((await t.agent().get(stop)).text).toContain('Stop reminders and news');
  const forged = stop.replace(/\d+-/, `${ada + 1}-`);
  expect((await t.agent().post(forged).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
  expect((await t.agent().post(`${stop.slice(0, -1)}${stop.endsWith('A') ? 'B' : 'A'}`).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
  expect(snapshot(t.db)).toEqual(before);

  // The mail program's one-click POST: no form token, no cookie.
  const clicked = await t.agent().post(stop).type('form').send('List-Unsubscribe=One-Click');
  expect(clicked.status).toBe(200);
  expect(clicked.text).toContain('Done: no more reminders or news');
  expect(t.db.prepare('SELECT messages_stopped_at FROM registrants WHERE id = ?').pluck().get(ada)).toBe(t.clock.now());
  expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'messages.stopped'").pluck().get()).toBe(1);

  // The next reminder and the outcome are not sent, and say why; an invitation still goes, with no stop header.
  const [again, news, invitation] = [queue('reminder'), queue('outcome'), queue('invitation')];
  expect(await sender.tick()).toBe(1);
  for (const id of [again, news]) expect(findMessage(t.db, id)).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/^Not sent: on \d{4}-\d\d-\d\d they asked for no more reminders or news by email\.$/) });
  expect(findMessage(t.db, invitation)?.state).toBe('sent');
  expect(header(rawOf(invitation), 'List-Unsubscribe')).toBeUndefined();
});

test('the stop page is in the person’s language', async () => {
  const t = makeApp();
  smallPanel(t.db, t.clock);
  const form = '/register/test-panel';
  await submit(t.agent(), form, form, { name: 'Ewa Nowak', address: '2 Demo Street', postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '40-64', consent: 'yes', email: 'ewa@example.org' });
  const id = t.db.prepare("SELECT id FROM registrants WHERE email = 'ewa@example.org'").pluck().get() as number;
  const { stopToken } = await import('../../src/messages/stop');
  const page = await t.agent().get(`/messages/stop/${stopToken(t.ctx, id)}?lang=pl`);
  const polish = JSON.parse(fs.readFileSync(path.join(__dirname, '../../views/locales/pl/pages.json'), 'utf8')).stop;
  expect(page.text).toContain(`<html lang="pl"`);
  expect(page.text).toContain(polish.button);
});
