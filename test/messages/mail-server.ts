import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** How the test's mail server answers the next message. */
export type Mood = 'accept' | 'refuse' | 'later' | 'hang';

/**
 * A real SMTP server on a free port (the smtp-server package), holding what it accepted, parsed by mailparser.
 * Its mood decides each message: accept, refuse it for good (550), ask to try later (451), or never answer.
 */
export async function mailServer() {
  const received: ParsedMail[] = [];
  let mood: Mood = 'accept';
  const hung: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      const now = mood;
      if (now === 'hang') {
        stream.resume();
        hung.push(() => done());
        return;
      }
      simpleParser(stream).then((mail) => {
        if (now === 'refuse') return done(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
        if (now === 'later') return done(Object.assign(new Error('4.2.2 Mailbox full, try later'), { responseCode: 451 }));
        received.push(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    set mood(m: Mood) {
      mood = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        hung.forEach((h) => h());
        server.close(() => resolve());
      }),
  };
}
