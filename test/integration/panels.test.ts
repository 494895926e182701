import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { csrfToken, logIn, makeApp, PASSWORD, snapshot, submit } from '../helpers';

const validPanel = {
  title: 'Foleshill Parks Panel',
  question: 'How should the parks in Foleshill change?',
  panelSize: '24',
  closesAt: '2027-03-01',
  quotaTolerance: '1',
};

async function organiser() {
  const app = makeApp();
  const a = await logIn(app.db, app.clock, app.agent(), 'organiser');
  return { ...app, a };
}

describe('creating a panel', () => {
  test('a new panel is a hidden draft until the organiser opens registration', async () => {
    const { a, agent } = await organiser();
    const res = await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
    expect(res.status).toBe(303);
    const url = res.headers.location as string;
    const page = await a.get(url);
    expect(page.text).toContain('Foleshill Parks Panel');
    expect(page.text).toContain('This panel is a draft.');
    expect((await agent().get('/register/foleshill-parks-panel')).status).toBe(404);
    expect((await agent().get('/')).text).not.toContain('Foleshill Parks Panel');

    // Opening needs a category, so the lottery has something to balance.
    const early = await submit(a, url, `${url}/open`, {});
    expect(early.status).toBe(409);
    expect(early.text).toContain('Add at least one category');

    await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'How old are you?', values: 'Under 40\n40 or over' });
    const opened = await submit(a, url, `${url}/open`, {});
    expect(opened.status).toBe(303);
    expect((await a.get(opened.headers.location)).text).toContain('Registration is open.');
    expect((await agent().get('/register/foleshill-parks-panel')).status).toBe(200);
    expect((await agent().get('/')).text).toContain('Foleshill Parks Panel');
    expect((await submit(a, url, `${url}/open`, {})).status).toBe(409);
  });

  test('a registration for a draft panel is refused and stores nothing', async () => {
    const { a, agent, db } = await organiser();
    await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
    const before = snapshot(db);
    const res = await agent().post('/register/foleshill-parks-panel').type('form').send({ name: 'X' });
    expect([403, 404]).toContain(res.status);
    const withToken = await submit(agent(), '/login', '/register/foleshill-parks-panel', {
      name: 'Ada Testwell', email: 'ada@example.org', address: '1 Demo Street', postcode: 'CV6 5AA', consent: 'yes',
    });
    expect(withToken.status).toBe(404);
    expect(snapshot(db)).toEqual(before);
  });

  test.each([
    [{ title: '' }, 'Title is required.'],
    [{ panelSize: 'twelve' }, 'Panel size must be a number.'],
    [{ panelSize: '1' }, 'Panel size must be at least 2.'],
    [{ panelSize: '12.5' }, 'Panel size must be a whole number.'],
    [{ closesAt: '31/01/2027' }, 'Closing date must be a date like 2027-01-31.'],
    [{ closesAt: '2027-02-30' }, 'Closing date is not a real date.'],
    [{ closesAt: '2027-13-01' }, 'Closing date is not a real date.'],
    [{ slug: 'Bad Slug!' }, 'Web address may use only lower-case letters'],
    [{ quotaTolerance: '-1' }, 'Quota tolerance cannot be negative.'],
  ])('bad input %j is refused with "%s" and nothing is stored', async (change, message) => {
    const { a, db } = await organiser();
    const before = snapshot(db);
    const res = await submit(a, '/admin/panels/new', '/admin/panels', { ...validPanel, ...change });
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(snapshot(db)).toEqual(before);
  });

  test('two panels cannot share a web address', async () => {
    const { a, db } = await organiser();
    await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
    const before = snapshot(db);
    const res = await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
    expect(res.status).toBe(400);
    expect(res.text).toContain('already uses the web address');
    expect(snapshot(db)).toEqual(before);
  });
});

describe('categories', () => {
  async function withPanel() {
    const app = await organiser();
    const res = await submit(app.a, '/admin/panels/new', '/admin/panels', validPanel);
    return { ...app, url: res.headers.location as string };
  }

  test('an organiser defines categories, and the registration form asks them', async () => {
    const { a, url, agent, db } = await withPanel();
    const res = await submit(a, url, `${url}/categories`, {
      key: 'age',
      label: 'Age band',
      question: 'How old are you?',
      values: '16-29 | 30\n30-59 | 50\n\n60+ | 20\n',
    });
    expect(res.status).toBe(303);
    const values = db.prepare('SELECT value, share FROM category_values ORDER BY position').all();
    expect(values).toEqual([
      { value: '16-29', share: 30 },
      { value: '30-59', share: 50 },
      { value: '60+', share: 20 },
    ]);
    await submit(a, url, `${url}/open`, {});
    const form = await agent().get('/register/foleshill-parks-panel');
    expect(form.text).toContain('How old are you?');
    expect(form.text).toMatch(/<input type="radio" id="q_age_2" name="q_age" value="60\+"/);
  });

  test.each([
    [{ key: 'Age Band' }, 'Key must start with a letter'],
    [{ values: 'only one' }, 'at least two values'],
    [{ values: 'a | 50\nA | 50' }, 'is listed twice.'],
    [{ values: 'a | lots\nb' }, 'is not a percentage between 0 and 100'],
    [{ label: '' }, 'Label is required.'],
  ])('a bad category %j is refused with "%s"', async (change, message) => {
    const { a, url, db } = await withPanel();
    const before = snapshot(db);
    const res = await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'Age?', values: 'a\nb', ...change });
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(snapshot(db)).toEqual(before);
  });

  test('categories are fixed once registration opens', async () => {
    const { a, url, db } = await withPanel();
    await submit(a, url, `${url}/categories`, { key: 'gender', label: 'Gender', question: 'Gender?', values: 'Woman\nMan' });
    await submit(a, url, `${url}/open`, {});
    const before = snapshot(db);
    const res = await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'Age?', values: 'a\nb' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('after registration has opened');
    const id = (db.prepare('SELECT id FROM categories').get() as { id: number }).id;
    expect((await submit(a, url, `${url}/categories/${id}/delete`, {})).status).toBe(409);
    expect(snapshot(db)).toEqual(before);
  });

  test('categories are fixed once people are imported into a draft', async () => {
    const { a, url, db } = await withPanel();
    await submit(a, url, `${url}/categories`, { key: 'gender', label: 'Gender', question: 'Gender?', values: 'Woman\nMan' });
    const token = await csrfToken(a, `${url}/pool`);
    const csv = 'name,email,address,postcode,gender\nAda Testwell,ada@example.org,1 Demo Street,CV6 5AA,Woman\n';
    const imported = await a.post(`${url}/pool/import`).field('_csrf', token).field('consentConfirmed', 'yes').attach('file', Buffer.from(csv), 'p.csv');
    expect(imported.status).toBe(303);
    const before = snapshot(db);
    const res = await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'Age?', values: 'a\nb' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('it already holds 1');
    expect(snapshot(db)).toEqual(before);
  });

  test('a draft copies another panel’s categories with their census shares, not its quotas', async () => {
    const { a, url, db, clock, agent } = await withPanel();
    await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age band', question: 'How old are you?', values: '16-39 | 45\n40+ | 55' });
    await submit(a, url, `${url}/categories`, { key: 'ward', label: 'Ward', question: 'Your ward?', values: 'Foleshill | 60\nHillfields | 40' });
    const first = Number(url.split('/').pop());
    db.prepare('UPDATE category_values SET quota_min = 3, quota_max = 5').run();
    const second = (await submit(a, '/admin/panels/new', '/admin/panels', { ...validPanel, title: 'Foleshill Parks, second round' })).headers.location as string;
    const page = await a.get(second);
    expect(page.text).toContain('Foleshill Parks Panel (2 categories)');
    const res = await submit(a, second, `${second}/categories/copy`, { from: String(first) });
    expect(res.status).toBe(303);
    expect((await a.get(res.headers.location)).text).toContain('Categories copied, with their census shares.');
    const copied = db.prepare(
      `SELECT c.key, c.question, v.value, v.share, v.quota_min AS quotaMin FROM categories c JOIN category_values v ON v.category_id = c.id
       WHERE c.panel_id = ? ORDER BY c.position, v.position`,
    ).all(Number(second.split('/').pop()));
    expect(copied).toEqual([
      { key: 'age', question: 'How old are you?', value: '16-39', share: 45, quotaMin: null },
      { key: 'age', question: 'How old are you?', value: '40+', share: 55, quotaMin: null },
      { key: 'ward', question: 'Your ward?', value: 'Foleshill', share: 60, quotaMin: null },
      { key: 'ward', question: 'Your ward?', value: 'Hillfields', share: 40, quotaMin: null },
    ]);

    // Copying again clashes by key: refused in words, nothing changes.
    const before = snapshot(db);
    const again = await submit(a, second, `${second}/categories/copy`, { from: String(first) });
    expect(again.status).toBe(400);
    expect(again.text).toContain('This panel already has &quot;age&quot;, &quot;ward&quot;. Remove them first');
    expect(snapshot(db)).toEqual(before);

    // Another organiser, not on the first panel's team, cannot copy from it.
    createUser(db, clock, { email: 'stranger@example.org', name: 'Stranger', role: 'organiser', admin: false, password: PASSWORD });
    const stranger = agent();
    await submit(stranger, '/login', '/login', { email: 'stranger@example.org', password: PASSWORD });
    const theirs = Number(second.split('/').pop());
    addToTeam(db, theirs, (db.prepare("SELECT id FROM users WHERE email = 'stranger@example.org'").get() as { id: number }).id, clock.now());
    db.prepare('DELETE FROM categories WHERE panel_id = ?').run(theirs);
    const refused = await submit(stranger, second, `${second}/categories/copy`, { from: String(first) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Choose one of your panels that has categories.');
    expect(db.prepare('SELECT COUNT(*) FROM categories WHERE panel_id = ?').pluck().get(theirs)).toBe(0);
  });

  test('an unknown or malformed panel id is a 404 with a clear page', async () => {
    const { a } = await organiser();
    for (const url of ['/admin/panels/999', '/admin/panels/abc', '/admin/panels/1e3/pool']) {
      const res = await a.get(url);
      expect(res.status).toBe(404);
      expect(res.text).toContain('was not found');
    }
  });
});

describe('the activity log', () => {
  test('records who created the panel and its categories', async () => {
    const { a, db } = await organiser();
    const res = await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
    await submit(a, res.headers.location, `${res.headers.location}/categories`, { key: 'g', label: 'G', question: 'G?', values: 'x\ny' });
    // The panel's own entries: the sign-in before them belongs to no panel (issue 20).
    const rows = db.prepare('SELECT action, subject FROM audit_log WHERE panel_id IS NOT NULL ORDER BY id').all();
    expect(rows).toEqual([
      { action: 'panel.create', subject: 'foleshill-parks-panel' },
      { action: 'category.add', subject: 'g' },
    ]);
    expect((await a.get(res.headers.location)).text).toContain(`href="${res.headers.location}/audit"`);
    expect((await a.get(`${res.headers.location}/audit`)).text).toContain('organiser@example.org');
  });
});
