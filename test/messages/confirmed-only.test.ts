import { linkOf, panelMessages } from '../../src/messages/outbox';
import { findPanel } from '../../src/panels/repo';
import { insertCommitment } from '../../src/selection/repo';
import { snapshot as drawInput } from '../../src/selection/snapshot';
import { logIn, makeApp, smallPanel, snapshot, submit } from '../helpers';

const person = (n: number, contact: Record<string, string>) => ({
  name: `Resident Number${n}`, address: `${n} Demo Street`, postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '40-64', consent: 'yes', ...contact,
});

test('a panel may draw only confirmed email addresses (and people who gave none): the count, the draw and the message agree', async () => {
  const t = makeApp({ config: { PUBLIC_URL: 'https://panel.example.org' } });
  const { panelId } = smallPanel(t.db, t.clock);
  const form = '/register/test-panel';
  for (const [n, contact] of [[1, { email: 'one@example.org' }], [2, { email: 'two@example.org' }], [3, { phone: '07700 900123' }]] as const) {
    expect((await submit(t.agent(), form, form, person(n, contact))).status).toBe(303);
  }
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const page = `/admin/panels/${panelId}/selection`;
  const told = async () => /<h2 id="step-pool">[\s\S]*?<p>([\s\S]*?)<\/p>/.exec((await organiser.get(page)).text)![1];
  expect(await told()).toBe('3 people go into the draw. Email addresses in the pool: 0 confirmed, 2 not confirmed, and 1 person gave none (registered by phone or on paper, or imported).');

  // Bad input is refused in words and changes nothing.
  const before = snapshot(t.db);
  const wrong = await submit(organiser, page, `/admin/panels/${panelId}/selection/confirmed-only`, { confirmedOnly: 'maybe' });
  expect(wrong.status).toBe(400);
  expect(wrong.text).toContain('Choose who goes into the draw: everyone, or only confirmed email addresses.');
  expect(snapshot(t.db)).toEqual(before);

  expect((await submit(organiser, page, `/admin/panels/${panelId}/selection/confirmed-only`, { confirmedOnly: 'yes' })).status).toBe(303);
  expect(findPanel(t.db, panelId)?.confirmedOnly).toBe(true);
  expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'draw.confirmed-only'").pluck().get()).toBe(1);
  expect(await told()).toMatch(/^1 person goes into the draw\./);

  // The first resident confirms: they are in; the second, who has not, stays out of the draw's pool.
  const one = t.db.prepare("SELECT id FROM registrants WHERE email = 'one@example.org'").pluck().get() as number;
  const link = new URL(linkOf(t.ctx, one, ['registration-received'], 0)!).pathname;
  await submit(t.agent(), link, link, {});
  expect(await told()).toMatch(/^2 people go into the draw\./);
  const ids = t.db.prepare('SELECT email, public_id AS id FROM registrants').all() as { email: string | null; id: string }[];
  const pool = (await drawInput(t.ctx, findPanel(t.db, panelId)!)).poolCsv;
  const inPool = ids.filter((r) => pool.includes(r.id)).map((r) => r.email);
  expect(inPool.sort()).toEqual([null, 'one@example.org'].sort());

  // Someone registering now is told they must confirm to be in the lottery; those before were not.
  expect((await submit(t.agent(), form, form, person(4, { email: 'four@example.org' }))).status).toBe(303);
  const rule = 'You are only in the lottery once you have confirmed your email address.';
  const messages = panelMessages(t.db, panelId).filter((m) => m.kind === 'registration-received');
  expect(messages.map((m) => [m.to, m.text.includes(rule)]).sort()).toEqual([['four@example.org', true], ['one@example.org', false], ['two@example.org', false]]);

  // Once a commitment has fixed the pool, the rule cannot change.
  insertCommitment(t.db, { panelId, algorithm: 'leximin', engineVersion: 'test', panelSize: 10, poolCsv: pool, quotasCsv: '', randomness: 'The Lotto draw of a Saturday', hash: 'a'.repeat(64), committedAt: t.clock.now() }, t.db.prepare("SELECT id FROM users WHERE email = 'organiser@example.org'").pluck().get() as number);
  const fixed = snapshot(t.db);
  const refused = await submit(organiser, page, `/admin/panels/${panelId}/selection/confirmed-only`, { confirmedOnly: 'no' });
  expect(refused.status).toBe(409);
  expect(refused.text).toContain('The commitment has fixed the pool: who goes into the draw can no longer change.');
  expect(snapshot(t.db)).toEqual(fixed);
  expect((await organiser.get(page)).text).toContain('Only confirmed email addresses (and people who gave none) went into the draw.');
});
