import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { enqueue, LINK } from '../../src/messages/outbox';
import { startServerProcess, tempDbFile } from '../e2e/server-process';
import { mailServer } from '../messages/mail-server';

jest.setTimeout(120_000);

const MESSAGES = 300;
const until = async (what: string, check: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

test('a SIGKILL of the server mid-batch loses no message; only the one being handed over can arrive twice, with one Message-ID', async () => {
  const smtp = await mailServer();
  const dbFile = tempDbFile();
  const db = openDb(dbFile);
  const ids: string[] = db.transaction(() =>
    Array.from({ length: MESSAGES }, (_, i) => {
      const id = enqueue({ db, config: testConfig() }, { panelId: null, kind: 'test', to: `person${i}@example.org`, subject: `Message ${i}`, text: `Yours: ${LINK}`, html: `<p>${LINK}</p>`, link: `https://panel.example.org/x/${i}` }, Date.now());
      return db.prepare('SELECT message_id FROM messages WHERE id = ?').pluck().get(id) as string;
    }),
  )();
  closeDb(db);

  const server = await startServerProcess({ dbFile, env: { SMTP_URL: smtp.url, MAIL_PER_MINUTE: '3000' } });
  await until('a third of the messages', () => smtp.received.length >= MESSAGES / 3);
  await server.kill9();
  const atKill = smtp.received.length;
  expect(atKill).toBeLessThan(MESSAGES);
  await server.restart();
  await until('every message', () => new Set(smtp.received.map((m) => m.messageId)).size >= MESSAGES);
  await new Promise((resolve) => setTimeout(resolve, 500)); // anything doubled after the last one would show now
  await server.stop();
  await smtp.close();

  const counts = new Map<string, number>();
  for (const m of smtp.received) counts.set(m.messageId!, (counts.get(m.messageId!) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual([...ids].sort());
  const twice = [...counts].filter(([, n]) => n > 1);
  expect(twice.length).toBeLessThanOrEqual(1);
  expect(twice.every(([, n]) => n === 2)).toBe(true);
  // Each went with its own link, put in as it was sent.
  for (const m of smtp.received) expect(m.text?.trim()).toBe(`Yours: https://panel.example.org/x/${/Message (\d+)/.exec(m.subject ?? '')![1]}`);
  const after = openDb(dbFile);
  expect(after.prepare("SELECT state, COUNT(*) AS n FROM messages GROUP BY state").all()).toEqual([{ state: 'sent', n: MESSAGES }]);
  closeDb(after);
});
