import { loadConfig } from '../../src/config';
import { exampleAgenda } from '../../src/room/agenda';
import { logIn, makeApp, submit } from '../helpers';

/** Issue 20: production's safe defaults, and PUBLIC_URL in every link the app hands out. */
describe('configuration', () => {
  test('production: no demo unless asked, PUBLIC_URL required, Secure cookies when it is https', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('PUBLIC_URL: required when NODE_ENV=production');
    const prod = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://panel.example.org' });
    expect(prod).toMatchObject({ production: true, SEED_DEMO: false, SECURE_COOKIES: true });
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://panel.example.org', SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'http://intranet.example' }).SECURE_COOKIES).toBe(false);
  });

  test('development keeps the demo and plain cookies; a bad value names the variable', () => {
    expect(loadConfig({})).toMatchObject({ production: false, SEED_DEMO: true, SECURE_COOKIES: false });
    expect(() => loadConfig({ PUBLIC_URL: 'panel.example.org' })).toThrow('PUBLIC_URL: must be the web address people use');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN: must be at least 16 characters');
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow('TRUST_PROXY: must be true or false');
  });
});

test('with PUBLIC_URL set, join links use it, whatever Host the request came with', async () => {
  const t = makeApp({ demo: true, config: { PUBLIC_URL: 'https://panel.example.org/' } });
  const id = t.room.createSession(t.demo?.panelId ?? 0, exampleAgenda(), ['R-LINK01'], null, t.clock.now());
  const agent = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const page = await submit(agent, '/admin/sessions', `/admin/sessions/${id}/links`, {});
  expect(page.status).toBe(200);
  const links = [...page.text.matchAll(/(https?:\/\/[^"<\s]+)\/room\/\d+#pass/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(0);
  expect(new Set(links)).toEqual(new Set(['https://panel.example.org']));
});

test('with https PUBLIC_URL, the login cookie is Secure', async () => {
  const t = makeApp({ config: loadConfig({ PUBLIC_URL: 'https://panel.example.org' }) });
  const agent = t.agent();
  const res = await submit(agent, '/login', '/login', { email: 'nobody@example.org', password: 'x' });
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  expect(cookies.length).toBeGreaterThan(0);
  for (const cookie of cookies) expect(cookie).toMatch(/;\s*Secure/i);
});
