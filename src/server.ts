import fs from 'node:fs';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig, mailDir, publicUrl } from './config';
import { resumeInterrupted, Sender } from './messages/sender';
import { remindTomorrow } from './room/session-days';
import { folderTransport, smtpTransport } from './messages/transport';
import { closeDb, openDb } from './db';
import { keysBesideDatabase } from './keys';
import { seedDemo } from './demo/seed';
import { seedDemoStory } from './demo/story';
import { holdServerLock } from './server-lock';
import { type Log, serverLog } from './logger';

async function main(): Promise<void> {
  // Every file the server makes (the database, its backups, the keys, the demo's logins) is its owner's alone.
  process.umask(0o077);
  const config = loadConfig();
  const log = serverLog(config);
  const lock = secondServerAllowed() ? undefined : holdServerLock(config.DATABASE);
  const db = openDb(config.DATABASE, { migrated: (file) => log(`Database ${config.DATABASE}: applied migration ${file}`, 'info', { migration: file }) });
  const beside = keysBesideDatabase(db, config.KEYS_DIR);
  if (beside) log(`Note: ${beside} (For the demo on one machine, that is fine.)`, 'warn');
  const ctx = { db, clock: systemClock, config };
  if (config.SEED_DEMO) {
    const demo = seedDemo(ctx);
    if (demo) {
      // The logins come last, just above the address, and even if the story stops: they are shown only now.
      try {
        await seedDemoStory(ctx, demo.panelId, (line) => log(line));
      } catch (err) {
        log(`The demo's story stopped: ${(err as Error).message}\nThe demo's panel and pool are ready, but not all of its story. To tell it again, stop the server, delete ${config.DATABASE} and start again.`, 'error');
      } finally {
        if (config.production) writeDemoLogins(`${config.DATABASE}.demo-logins.txt`, [demo.organiser, demo.facilitator], log);
        else printDemoLogins(demo.organiser, demo.facilitator);
      }
    }
  }
  const { server, io } = createApp({ ...ctx, log });
  // Messages go out in the background, through the mail server or, without one, into a folder of .eml files.
  const transport = config.SMTP_URL ? smtpTransport(config.SMTP_URL) : folderTransport(mailDir(config));
  const sender = new Sender(ctx, transport);
  const resumed = resumeInterrupted(db);
  if (resumed) log(`${resumed} message${resumed === 1 ? ' was' : 's were'} being sent when the server last stopped: sending again.`, 'warn');
  sender.start();
  // The day-before reminders of sessions (room/session-days.ts), checked every minute; each goes once.
  const reminders = setInterval(() => {
    try {
      remindTomorrow(ctx);
    } catch (err) {
      log(`Session reminders could not be queued this minute: ${(err as Error).message}. They are tried again next minute.`, 'error');
    }
  }, 60_000);
  reminders.unref();
  log(`Messages go to ${transport.where}${config.SMTP_URL ? '' : ' (no SMTP_URL is set)'}.`);
  server.once('error', (err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${config.PORT} on ${config.HOST} is already in use. Stop the other program, or choose another port: PORT=3001 npm start`
        : err.code === 'EACCES'
          ? `port ${config.PORT} needs extra privileges. Choose a port above 1023: PORT=3000 npm start`
          : err.message;
    log(`The server could not start: ${why}`, 'fatal');
    closeDb(db);
    lock?.release();
    process.exit(1);
  });
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.HOST) ? 'localhost' : config.HOST;
    const reached = config.PUBLIC_URL ? ` for ${publicUrl(config)}` : '';
    log(`Citizens' Panel Toolkit running at http://${host}:${port}${reached} (database: ${config.DATABASE})`);
  });
  const stop = () => {
    log('Shutting down...');
    void io.close();
    // A message being handed to the mail server is let finish (up to 2 s), so its row says 'sent'.
    const sent = Promise.race([sender.stop(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    const done = () =>
      void sent.then(() => {
        closeDb(db);
        lock?.release();
        process.exit(0);
      });
    server.close(done);
    setTimeout(done, 3000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function printDemoLogins(...logins: { email: string; password: string }[]): void {
  console.log('\nThe Coventry demo has been set up. These logins are shown once only: note them now.');
  for (const { email, password } of logins) console.log(`  ${email}  password: ${password}`);
  console.log('  (Lost them? Create another account: npx citizens-panel user add --role organiser --admin --email you@example.org)\n');
}

/** In production the demo's logins are never printed: they go to a file only its owner can read. */
function writeDemoLogins(file: string, logins: { email: string; password: string }[], log: Log): void {
  fs.writeFileSync(file, logins.map(({ email, password }) => `${email}  password: ${password}\n`).join(''), { mode: 0o600 });
  log(`The Coventry demo has been set up. Its logins are in ${file} (readable by this user only): read them, then delete the file.`);
}

/** Fault tests start a second server on purpose, to show the version check still refuses lost updates (test/faults). */
function secondServerAllowed(): boolean {
  return process.env.NODE_ENV === 'test' && process.env.ALLOW_SECOND_SERVER === 'true';
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
