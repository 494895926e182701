import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { openDb } from '../../src/db';
import { DEMO_ORGANISER, seedDemo } from '../../src/demo/seed';
import { fixturesDir } from '../../src/paths';
import { makeApp, submit } from '../helpers';

describe('the Coventry demo', () => {
  test('is seeded once, with its panel, categories, quotas and about 1,500 registrations', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-demo-'));
    const file = path.join(dir, 'demo.db');
    try {
      const first = openDb(file);
      const ctx = { db: first, clock: new ManualClock(), config: testConfig() };
      const logins = seedDemo(ctx);
      expect(logins?.organiser.email).toBe(DEMO_ORGANISER);
      first.close();

      // A restart on the same file finds the demo already there and prints no logins.
      const again = openDb(file);
      expect(seedDemo({ ...ctx, db: again })).toBeUndefined();
      expect(again.prepare('SELECT COUNT(*) AS n FROM panels').get()).toEqual({ n: 1 });
      expect(again.prepare('SELECT COUNT(*) AS n FROM registrants').get()).toEqual({ n: 1500 });
      const wards = again.prepare("SELECT COUNT(*) AS n FROM category_values v JOIN categories c ON c.id = v.category_id WHERE c.key = 'ward'").get();
      expect(wards).toEqual({ n: 18 });
      const unquoted = again.prepare('SELECT COUNT(*) AS n FROM category_values WHERE quota_min IS NULL').get();
      expect(unquoted).toEqual({ n: 0 });
      again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the printed organiser login works and shows the panel', async () => {
    const { agent, demo } = makeApp({ demo: true });
    const a = agent();
    const res = await submit(a, '/login', '/login', { email: demo?.organiser.email ?? '', password: demo?.organiser.password ?? '' });
    expect(res.status).toBe(303);
    const panel = await a.get(`/admin/panels/${demo?.panelId}`);
    expect(panel.text).toContain("Coventry Cultural Strategy Citizens&#x27; Panel");
    expect(panel.text).toContain('How should Coventry&#x27;s new cultural strategy make culture part of everyday life in every neighbourhood?');
    expect(panel.text).toMatch(/<dt>Registrations<\/dt><dd>1500<\/dd>/);
  });

  test("the organiser's quota export is the committed fixtures/coventry/quotas.csv (for the command line)", async () => {
    const { agent, demo } = makeApp({ demo: true });
    const a = agent();
    await submit(a, '/login', '/login', { email: demo?.organiser.email ?? '', password: demo?.organiser.password ?? '' });
    const res = await a.get(`/admin/panels/${demo?.panelId}/quotas.csv`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(fs.readFileSync(path.join(fixturesDir, 'coventry', 'quotas.csv'), 'utf8'));
  });

  test('the public home page lists the demo panel and its registration form', async () => {
    const { agent } = makeApp({ demo: true });
    const home = await agent().get('/');
    expect(home.text).toContain('/register/coventry-cultural-strategy');
    const form = await agent().get('/register/coventry-cultural-strategy');
    for (const ward of ['Bablake', 'Binley and Willenhall', 'Foleshill', 'St Michael&#x27;s', 'Wyken']) expect(form.text).toContain(ward);
  });
});

describe('the database', () => {
  test('migrations run once and record their version', () => {
    const db = openDb(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
