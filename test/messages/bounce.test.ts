import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/run';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { enqueue, findMessage } from '../../src/messages/outbox';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { snapshot } from '../helpers';
import { smallPanel } from '../helpers';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (s) => out.push(s), err: (s) => err.push(s), env });
  return { code, out: out.join(''), err: err.join('') };
}

/** A delivery status notification as a receiving server sends one back (RFC 3464), quoting our message's headers. */
const report = (messageId: string, action: string, status: string, diagnostic: string) => `From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: no-reply@panel.example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.net. I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ada@example.net
Action: ${action}
Status: ${status}
Diagnostic-Code: smtp; ${diagnostic.replace(/^(.{20,}?) /, '$1\n ')}

--B
Content-Type: text/rfc822-headers

From: "Citizens' Panel" <no-reply@panel.example.org>
To: ada@example.net
Subject: You are registered for Test Panel
Message-ID: ${messageId}

--B--
`;

test('a bounce that comes back after sending marks the message failed, in the receiving server’s words; a delay or a stranger’s email changes nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bounce-'));
  const database = path.join(dir, 'panel.db');
  const clock = new ManualClock();
  const ctx = { db: openDb(database), clock, config: testConfig({ DATABASE: database, KEYS_DIR: path.join(dir, 'keys') }) };
  const { panelId } = smallPanel(ctx.db, clock);
  const id = enqueue(ctx, { panelId, kind: 'registration-received', to: 'ada@example.net', subject: 'You are registered for Test Panel', text: 'Hello', html: '<p>Hello</p>' }, clock.now());
  await new Sender(ctx, folderTransport(path.join(dir, 'mail')), 600).tick();
  const { messageId } = findMessage(ctx.db, id)!;
  expect(findMessage(ctx.db, id)?.state).toBe('sent');
  closeDb(ctx.db);

  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const env = { DATABASE: database, KEYS_DIR: path.join(dir, 'keys') };
  const state = () => {
    const db = openDb(database);
    try {
      return { message: findMessage(db, id), all: snapshot(db) };
    } finally {
      closeDb(db);
    }
  };

  // A stranger's email, and a delay notice: nothing changes.
  const before = state().all;
  const stranger = await cli(['bounce', write('other.eml', 'From: someone@example.net\nSubject: Hello\n\nNot a bounce.\n')], env);
  expect(stranger.code).toBe(2);
  expect(stranger.err).toContain("names none of this toolkit's messages");
  const delayed = await cli(['bounce', write('delay.eml', report(messageId, 'delayed', '4.4.1', 'Connection timed out while talking to the mailbox'))], env);
  expect(delayed.code).toBe(0);
  expect(delayed.out).toContain('a delay notice for the registration-received message to ada@example.net; nothing changed.');
  expect(state().all).toEqual(before);
  expect((await cli(['bounce', path.join(dir, 'missing.eml')], env)).err).toContain('there is no file');

  // The real bounce: the message is failed, saying what the receiving server said (its folded line joined).
  const bounced = await cli(['bounce', write('bounce.eml', report(messageId, 'failed', '5.1.1', '550 5.1.1 <ada@example.net>: Recipient address rejected: User unknown'))], env);
  expect(bounced.code).toBe(0);
  expect(bounced.out).toContain('the registration-received message to ada@example.net is marked failed: 550 5.1.1 <ada@example.net>: Recipient address rejected: User unknown');
  expect(state().message).toMatchObject({
    state: 'failed',
    lastError: 'Bounced: the receiving mail server refused it after it was sent, saying "550 5.1.1 <ada@example.net>: Recipient address rejected: User unknown" (status 5.1.1). Check the address with the person; resend once it is right.',
  });
  fs.rmSync(dir, { recursive: true, force: true });
});
