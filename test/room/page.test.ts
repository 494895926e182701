import { exampleAgenda } from '../../src/room/agenda';
import { makeApp } from '../helpers';

test('the room page carries no room data and no pass; an unknown session is a clear 404', async () => {
  const t = makeApp({ demo: true });
  const agenda = exampleAgenda();
  const id = t.room.createSession(t.demo?.panelId ?? 0, agenda, ['R-SECRET01'], null, t.clock.now());
  const page = await t.agent().get(`/room/${id}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`data-session="${id}"`);
  expect(page.text).toMatch(/<script src="\/js\/room\.js\?v=[0-9a-f]{12}" defer><\/script>/);
  expect(page.text).not.toContain('R-SECRET01'); // the state arrives only over an authorised socket
  for (const url of [`/room/${id + 1}`, '/room/abc']) {
    const missing = await t.agent().get(url);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('That session was not found');
  }
});
