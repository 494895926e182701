import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { testConfig } from '../src/config';
import { openDb } from '../src/db';
import { seedDemo } from '../src/demo/seed';
import { seedDemoStory } from '../src/demo/story';

/** The app for bench/pages.ts, run by fork: `pages-server.js DIR`. The demo with its whole story, then it listens and tells the parent its port and session. */
async function main(): Promise<void> {
  const file = path.join(process.argv[2], 'pages.db');
  const db = openDb(file);
  const ctx = { db, clock: systemClock, config: testConfig({ DATABASE: file }) };
  const demo = seedDemo(ctx);
  if (!demo) throw new Error('the demo was not seeded into the fresh database');
  const { sessionId } = await seedDemoStory(ctx, demo.panelId, (line) => console.error(line));
  const { server } = createApp({ ...ctx, log: () => {} });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port, sessionId }));
}

void main();
