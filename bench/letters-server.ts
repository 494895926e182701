import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { testConfig } from '../src/config';
import { openDb } from '../src/db';
import { seedDemo } from '../src/demo/seed';
import { serveUsage } from './bare-server';

/** The app for bench/letters.ts, run by fork: `letters-server.js DIR`. The demo panel, then it listens and tells the parent its port and login. */
function main(): void {
  const file = path.join(process.argv[2], 'letters.db');
  const db = openDb(file);
  const ctx = { db, clock: systemClock, config: testConfig({ DATABASE: file, PUBLIC_URL: 'https://panel.example.org' }) };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('the demo was not seeded into the fresh database');
  // Letters print only with a number to call for help (mailout-routes.ts).
  db.prepare('UPDATE panels SET contact_phone = ? WHERE id = ?').run('024 7683 1234', demo.panelId);
  const { server, io } = createApp({ ...ctx, log: () => {} });
  serveUsage(async () => {
    await io.close();
    db.close();
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port, panelId: demo.panelId, email: demo.organiser.email, password: demo.organiser.password }));
}

main();
