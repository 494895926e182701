import fs from 'node:fs';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { closeDb, openDb } from '../db';
import { readBounce, recordBounce } from '../messages/bounce';
import type { Io } from './run';

export const BOUNCE_USAGE = `citizens-panel bounce FILE... (or - for standard input)
      Records bounce reports that came back to MAIL_FROM after a message was sent (each FILE one email, as .eml):
      the message it names is marked failed on the panel's Messages page, with what the receiving server said.
      A mail system can pipe each bounce into "citizens-panel bounce -". Delay notices change nothing.
`;

/** citizens-panel bounce: bounce reports into the outbox, so the organisers see a refused address in words. */
export function bounceCommand(args: string[], io: Io): number {
  if (!args.length) {
    io.err(`citizens-panel bounce: give the bounce emails to read (files, or - for standard input).\n\n${BOUNCE_USAGE}`);
    return 2;
  }
  const missing = args.filter((f) => f !== '-' && !fs.existsSync(f));
  if (missing.length) {
    io.err(`citizens-panel bounce: there is no file ${missing.join(', ')}. Nothing was recorded.\n`);
    return 2;
  }
  const config = loadConfig(io.env ?? process.env);
  const db = openDb(config.DATABASE);
  let unread = 0;
  try {
    for (const file of args) {
      const bounce = readBounce(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
      const done = bounce && recordBounce(db, systemClock, bounce);
      const name = file === '-' ? 'standard input' : file;
      if (!bounce) io.err(`${name}: names none of this toolkit's messages (no Message-ID ending @citizens-panel): not a bounce of ours.\n`);
      else if (!done) io.err(`${name}: is about message ${bounce.messageId}, which is not in ${config.DATABASE} (erased, or another database).\n`);
      else io.out(done.changed ? `${name}: the ${done.kind} message to ${done.to} is marked failed: ${bounce.diagnostic ?? bounce.status ?? 'refused'}.\n` : `${name}: a delay notice for the ${done.kind} message to ${done.to}; nothing changed.\n`);
      if (!done) unread++;
    }
  } finally {
    closeDb(db);
  }
  return unread ? 2 : 0;
}
