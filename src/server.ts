import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { closeDb, openDb } from './db';
import { keysBesideDatabase } from './keys';
import { seedDemo } from './demo/seed';
import { seedDemoStory } from './demo/story';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = openDb(config.DATABASE);
  const beside = keysBesideDatabase(db, config.KEYS_DIR);
  if (beside) console.warn(`Note: ${beside} (For the demo on one machine, that is fine.)`);
  const ctx = { db, clock: systemClock, config };
  if (config.SEED_DEMO) {
    const demo = seedDemo(ctx);
    if (demo) {
      // The logins come last, just above the address, and even if the story stops: they are shown only now.
      try {
        await seedDemoStory(ctx, demo.panelId, (line) => console.log(line));
      } catch (err) {
        console.error(`The demo's story stopped: ${(err as Error).message}\nThe demo's panel and pool are ready, but not all of its story. To tell it again, stop the server, delete ${config.DATABASE} and start again.`);
      } finally {
        printDemoLogins(demo.organiser, demo.facilitator);
      }
    }
  }
  const { server, io } = createApp(ctx);
  server.once('error', (err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${config.PORT} on ${config.HOST} is already in use. Stop the other program, or choose another port: PORT=3001 npm start`
        : err.code === 'EACCES'
          ? `port ${config.PORT} needs extra privileges. Choose a port above 1023: PORT=3000 npm start`
          : err.message;
    console.error(`The server could not start: ${why}`);
    closeDb(db);
    process.exit(1);
  });
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.HOST) ? 'localhost' : config.HOST;
    console.log(`Citizens' Panel Toolkit running at http://${host}:${port} (database: ${config.DATABASE})`);
  });
  const stop = () => {
    console.log('Shutting down...');
    void io.close();
    server.close(() => {
      closeDb(db);
      process.exit(0);
    });
    setTimeout(() => {
      closeDb(db);
      process.exit(0);
    }, 3000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function printDemoLogins(...logins: { email: string; password: string }[]): void {
  console.log('\nThe Coventry demo has been set up. These logins are shown once only: note them now.');
  for (const { email, password } of logins) console.log(`  ${email}  password: ${password}`);
  console.log('  (Lost them? Create another account: npx citizens-panel user add --role organiser --admin --email you@example.org)\n');
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
