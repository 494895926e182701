import { listAudit } from '../../src/audit';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { oneAtATime } from '../../src/panels/busy';
import { closeRegistration, findPanel, insertCategory, listCategories, openPanel } from '../../src/panels/repo';
import { insertRegistrant } from '../../src/registration/repo';
import { insertCommitment } from '../../src/selection/repo';
import { type Agent, logIn, makeApp, PASSWORD, snapshot, submit } from '../helpers';

/**
 * Issue 19: an organiser keeps a panel up to date (its settings and the event's details for the invitation),
 * within what its commitment and registration have fixed; an administrator deletes a draft that has gathered
 * nothing; the pool can be searched; shares that do not add up are flagged.
 */

const validPanel = {
  title: 'Foleshill Parks Panel',
  question: 'How should the parks in Foleshill change?',
  panelSize: '24',
  closesAt: '2027-03-01',
  quotaTolerance: '1',
};

const details = {
  dates: 'Saturdays 6 and 13 March 2027, 10am to 4pm',
  venue: 'Foleshill Community Centre, Broad Street',
  expenses: '£150 thank-you payment, travel paid, childcare and carer costs covered',
  access: 'Step-free, hearing loop, BSL interpreter on request',
  contactName: 'Priya Organiser',
  contactEmail: 'panel@coventry.example.org',
  contactPhone: '024 7683 1234',
};

async function organiser() {
  const app = makeApp();
  const a = await logIn(app.db, app.clock, app.agent(), 'organiser');
  const created = await submit(a, '/admin/panels/new', '/admin/panels', validPanel);
  const url = created.headers.location as string;
  const id = Number(url.split('/').pop());
  return { ...app, a, url, id };
}

/** The edit form as the page fills it, with some fields changed. */
async function edit(a: Agent, url: string, change: Record<string, string>) {
  const page = await a.get(`${url}/edit`);
  const value = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page.text)?.[1] ?? new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`).exec(page.text)?.[1] ?? '';
  const fields = ['title', 'question', 'panelSize', 'closesAt', 'quotaTolerance', ...Object.keys(details)];
  const unescape = (s: string) => s.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const form = Object.fromEntries(fields.map((f) => [f, unescape(value(f))]));
  return submit(a, `${url}/edit`, `${url}/edit`, { ...form, ...change });
}

describe('editing a panel', () => {
  test('an organiser changes the settings and the event details; the panel page shows them and the audit says what changed', async () => {
    const { a, db, url, id } = await organiser();
    const page = await a.get(`${url}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="Foleshill Parks Panel"');
    expect(page.text).toContain('value="2027-03-01"');

    const res = await edit(a, url, { title: 'Foleshill Parks and Play Panel', panelSize: '30', closesAt: '2027-04-15', ...details });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${url}?edited=1`);
    const panel = findPanel(db, id);
    expect(panel).toMatchObject({ title: 'Foleshill Parks and Play Panel', panelSize: 30, closesAt: Date.parse('2027-04-15T23:59:59Z'), details });

    const shown = await a.get(res.headers.location);
    expect(shown.text).toContain('Changes saved.');
    expect(shown.text).toContain('Foleshill Parks and Play Panel');
    for (const text of ['Saturdays 6 and 13 March 2027, 10am to 4pm', 'Foleshill Community Centre', 'BSL interpreter on request', 'panel@coventry.example.org', '024 7683 1234']) expect(shown.text).toContain(text);

    const line = listAudit(db, id, 5).find((e) => e.action === 'panel.edit');
    const detail = JSON.parse(line?.detail ?? '{}');
    expect(detail.fields).toEqual(['title', 'panelSize', 'closesAt', 'dates', 'venue', 'expenses', 'access', 'contactName', 'contactEmail', 'contactPhone']);
    expect(detail.panelSize).toEqual({ from: 24, to: 30 });
    // The audit never holds the contact's details.
    expect(line?.detail).not.toContain('Priya');
    expect(line?.detail).not.toContain('panel@coventry');
  });

  test('the details can be given when the panel is created, and are empty strings when not', async () => {
    const { a, db, id } = await organiser();
    expect(findPanel(db, id)?.details).toEqual({ dates: '', venue: '', expenses: '', access: '', contactName: '', contactEmail: '', contactPhone: '' });
    const res = await submit(a, '/admin/panels/new', '/admin/panels', { ...validPanel, slug: 'with-details', ...details });
    expect(res.status).toBe(303);
    expect(findPanel(db, Number(res.headers.location.split('/').pop()))?.details).toEqual(details);
  });

  test.each([
    [{ contactEmail: 'not an email' }, 'The contact’s email must look like name@example.org.'],
    [{ contactPhone: 'call reception' }, 'The contact’s phone must be a phone number'],
    [{ venue: 'x'.repeat(301) }, 'The venue must be at most 300 characters.'],
    [{ title: '' }, 'Title is required.'],
    [{ panelSize: '1' }, 'Panel size must be at least 2.'],
    [{ closesAt: '2027-02-30' }, 'Closing date is not a real date.'],
    [{ closesAt: '2026-01-01' }, 'The closing date is in the past: choose a later date'],
  ])('a bad edit %j is refused with "%s" and changes nothing', async (change, message) => {
    const { a, db, url } = await organiser();
    const before = snapshot(db);
    const res = await edit(a, url, change);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(snapshot(db)).toEqual(before);
  });

  test('a closing date that has passed may stay as it is; the draft panel warns about it', async () => {
    const { db, url, id, clock, agent } = await organiser();
    clock.advance(Date.parse('2027-03-02T00:00:00Z') - clock.now());
    // Months later: a new login.
    const a = await logIn(db, clock, agent(), 'organiser');
    expect((await a.get(url)).text).toContain('Its closing date, 2027-03-01, has passed:');
    const res = await edit(a, url, { title: 'Renamed while the date has passed' });
    expect(res.status).toBe(303);
    expect(findPanel(db, id)?.title).toBe('Renamed while the date has passed');
    // A new date must still be in the future.
    const before = snapshot(db);
    const refused = await edit(a, url, { closesAt: '2027-02-15' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The closing date is in the past: choose a later date');
    expect(snapshot(db)).toEqual(before);
  });

  test('once a commitment is published the panel size and closing date cannot change, and the page says why', async () => {
    const { a, db, url, id, clock } = await organiser();
    insertCategory(db, id, { key: 'age', label: 'Age', question: 'Age?', values: [{ value: 'Young', label: 'Young' }, { value: 'Old', label: 'Old' }] });
    openPanel(db, id, clock.now());
    closeRegistration(db, id, clock.now());
    const admin = db.prepare('SELECT id FROM users').pluck().get() as number;
    insertCommitment(db, { panelId: id, algorithm: 'leximin', engineVersion: 'test', panelSize: 24, poolCsv: '', quotasCsv: '', randomness: 'The Lotto on Saturday', hash: 'a'.repeat(64), committedAt: clock.now() }, admin);
    expect((await a.get(`${url}/edit`)).text).toContain('Fixed by the published commitment');

    const before = snapshot(db);
    const size = await edit(a, url, { panelSize: '30' });
    expect(size.status).toBe(400);
    expect(size.text).toContain('The panel size cannot change now: the published commitment fixes it at 24');
    const date = await edit(a, url, { closesAt: '2027-05-01' });
    expect(date.status).toBe(400);
    expect(date.text).toContain('The closing date cannot change now');
    expect(snapshot(db)).toEqual(before);

    // Everything else still can.
    expect((await edit(a, url, { question: 'How should the parks change, and for whom?', ...details })).status).toBe(303);
    expect(findPanel(db, id)).toMatchObject({ panelSize: 24, question: 'How should the parks change, and for whom?', details });
  });

  test('the size and closing date do not move while a commitment is being checked (or an import runs)', async () => {
    const { a, db, url, id } = await organiser();
    let finish = () => {};
    const running = oneAtATime(id, 'A commitment', () => new Promise<void>((resolve) => (finish = resolve)));
    const before = snapshot(db);
    const res = await edit(a, url, { panelSize: '30' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('A commitment is still running on this panel.');
    expect(snapshot(db)).toEqual(before);
    // The rest may change meanwhile.
    expect((await edit(a, url, { venue: 'The Foleshill library' })).status).toBe(303);
    finish();
    await running;
    expect((await edit(a, url, { panelSize: '30' })).status).toBe(303);
  });

  test('registration closed by hand fixes the closing date', async () => {
    const { a, db, url, id, clock } = await organiser();
    openPanel(db, id, clock.now());
    closeRegistration(db, id, clock.now());
    const before = snapshot(db);
    const res = await edit(a, url, { closesAt: '2027-06-01' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('registration was closed by hand on 2026-11-23, and cannot open again');
    expect(snapshot(db)).toEqual(before);
  });

  test('a new size with quotas set says to check them', async () => {
    const { a, db, url, id } = await organiser();
    insertCategory(db, id, { key: 'age', label: 'Age', question: 'Age?', values: [{ value: 'Young', label: 'Young', share: 50 }, { value: 'Old', label: 'Old', share: 50 }] });
    db.prepare('UPDATE category_values SET quota_min = 10, quota_max = 14').run();
    const res = await edit(a, url, { panelSize: '40' });
    expect(res.headers.location).toBe(`${url}?edited=1&quotas=check`);
    expect((await a.get(res.headers.location)).text).toContain('The panel size changed, and the quotas were set for the old size.');
  });

  test('someone not on the panel’s team cannot see or change it; a facilitator on it cannot either', async () => {
    const { db, url, id, clock, agent } = await organiser();
    createUser(db, clock, { email: 'elsewhere@example.org', name: 'Elsewhere', role: 'organiser', password: PASSWORD });
    const outsider = await logIn(db, clock, agent(), 'organiser', 'elsewhere@example.org');
    const facilitator = await logIn(db, clock, agent(), 'facilitator');
    addToTeam(db, id, db.prepare("SELECT id FROM users WHERE email = 'facilitator@example.org'").pluck().get() as number, clock.now());
    const before = snapshot(db);
    for (const who of [outsider, facilitator]) {
      expect((await who.get(`${url}/edit`)).status).toBe(403);
      const res = await submit(who, '/admin', `${url}/edit`, { ...validPanel, title: 'Taken over' });
      expect(res.status).toBe(403);
      expect((await submit(who, '/admin', `${url}/delete`, { confirm: 'yes' })).status).toBe(403);
    }
    expect(snapshot(db)).toEqual(before);
    expect(findPanel(db, id)?.title).toBe('Foleshill Parks Panel');
  });
});

describe('creating a panel with a closing date in the past', () => {
  test('is refused, and nothing is stored', async () => {
    const { a, db } = await organiser();
    const before = snapshot(db);
    const res = await submit(a, '/admin/panels/new', '/admin/panels', { ...validPanel, slug: 'late', closesAt: '2026-11-22' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('The closing date is in the past: choose a later date');
    expect(snapshot(db)).toEqual(before);
    // Today is not in the past: registration closes at the end of it.
    expect((await submit(a, '/admin/panels/new', '/admin/panels', { ...validPanel, slug: 'today', closesAt: '2026-11-23' })).status).toBe(303);
  });
});

describe('deleting a draft panel', () => {
  test('needs the tick; then the panel goes with its categories and quotas, in one step', async () => {
    const { a, db, url, id } = await organiser();
    await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'How old are you?', values: 'Under 40 | 55\n40 or over | 45' });
    db.prepare('UPDATE category_values SET quota_min = 5, quota_max = 15').run();
    expect((await a.get(url)).text).toContain('Delete the draft panel “Foleshill Parks Panel”');

    const before = snapshot(db);
    const unticked = await submit(a, url, `${url}/delete`, {});
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Tick “I understand this cannot be undone” to go ahead. Nothing was changed.');
    expect(unticked.text).toContain('id="confirm-delete-error"');
    expect(snapshot(db)).toEqual(before);

    const res = await submit(a, url, `${url}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin?deleted=foleshill-parks-panel');
    expect(findPanel(db, id)).toBeUndefined();
    const left = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
    expect([left('categories'), left('category_values'), left('panel_team')]).toEqual([0, 0, 0]);
    const line = db.prepare("SELECT panel_id AS panelId, subject, detail FROM audit_log WHERE action = 'panel.delete'").get();
    expect(line).toEqual({ panelId: null, subject: 'foleshill-parks-panel', detail: JSON.stringify({ panel: id, categories: 1 }) });
    expect((await a.get(res.headers.location)).text).toContain('The draft panel <code>foleshill-parks-panel</code> was deleted');
    expect((await a.get(url)).status).toBe(404);
  });

  test('a panel that opened registration, or holds people, is refused in words and kept', async () => {
    const { a, db, url, id, clock } = await organiser();
    const categoryId = insertCategory(db, id, { key: 'age', label: 'Age', question: 'Age?', values: [{ value: 'Young', label: 'Young' }, { value: 'Old', label: 'Old' }] });
    const value = listCategories(db, id)[0].values[0].id;
    for (let i = 0; i < 2; i++) {
      insertRegistrant(db, id, { name: `Imported ${i}`, email: `imported${i}@example.org`, address: '1 Street', postcode: 'CV1 5RR', valueIds: [value], source: 'import', consentAt: clock.now() }, clock.now());
    }
    let before = snapshot(db);
    const people = await submit(a, url, `${url}/delete`, { confirm: 'yes' });
    expect(people.status).toBe(409);
    expect(people.text).toContain('This panel has 2 people in its pool. A panel holding people’s data cannot be deleted here: erase them first');
    expect(snapshot(db)).toEqual(before);
    expect(categoryId).toBeGreaterThan(0);

    openPanel(db, id, clock.now());
    before = snapshot(db);
    const open = await submit(a, url, `${url}/delete`, { confirm: 'yes' });
    expect(open.status).toBe(409);
    expect(open.text).toContain('This panel opened registration on 2026-11-23, so it is part of the public record and cannot be deleted.');
    expect(snapshot(db)).toEqual(before);
    expect((await a.get(url)).text).not.toContain('Delete the draft panel');
  });

  test('only an administrator may delete one: an organiser on the team is refused', async () => {
    const { db, url, id, clock, agent } = await organiser();
    const teamOrganiser = createUser(db, clock, { email: 'team@example.org', name: 'Team', role: 'organiser', password: PASSWORD });
    addToTeam(db, id, teamOrganiser.id, clock.now());
    const them = await logIn(db, clock, agent(), 'organiser', 'team@example.org');
    expect((await them.get(url)).text).not.toContain('Delete the draft panel');
    const before = snapshot(db);
    expect((await submit(them, url, `${url}/delete`, { confirm: 'yes' })).status).toBe(403);
    expect(snapshot(db)).toEqual(before);
    // They may still edit it.
    expect((await edit(them, url, { title: 'Edited by the team' })).status).toBe(303);
  });
});

describe('searching the pool', () => {
  async function pool() {
    const app = await organiser();
    const { db, id, clock } = app;
    insertCategory(db, id, { key: 'age', label: 'Age', question: 'Age?', values: [{ value: 'Young', label: 'Young' }, { value: 'Old', label: 'Old' }] });
    const [young, old] = listCategories(db, id)[0].values.map((v) => v.id);
    const add = (name: string, contact: { email?: string; phone?: string }, valueId = young) =>
      insertRegistrant(db, id, { name, ...contact, address: '1 Demo Street', postcode: 'CV1 5RR', valueIds: [valueId], source: 'import', consentAt: clock.now() }, clock.now());
    const ids = {
      ada: add('Ada Lovelace', { email: 'ada@example.org', phone: '07700 900123' }, old),
      grace: add('Grace Hopper', { email: 'fifty_fifty@example.org' }),
      zoe: add('Zoë Ünal', { phone: '+44 24 7683 9999' }),
      percent: add('Pat 100% Percival', { email: 'pat@example.org' }),
    };
    for (let i = 0; i < 150; i++) add(`Bulk Person ${i}`, { email: `bulk${i}@example.org` });
    const search = (q: string, page?: number) => app.a.get(`${app.url}/pool`).query({ q, ...(page ? { page } : {}) });
    return { ...app, ids, search };
  }

  const idsIn = (html: string) => [...html.matchAll(/<td><code>(R-[0-9A-Z]{8})<\/code><\/td>/g)].map((m) => m[1]);

  test('by name, email, phone or pseudonym, whatever the case, in part; the answers come with each', async () => {
    const { search, ids } = await pool();
    const cases: [string, string[]][] = [
      ['LOVELACE', [ids.ada]],
      ['velac', [ids.ada]],
      ['ADA@EXAMPLE', [ids.ada]],
      ['07700900', [ids.ada]],
      ['0770 0900 123', [ids.ada]],
      ['+44 7700 900123', [ids.ada]],
      ['02476839999', [ids.zoe]],
      [ids.grace.toLowerCase(), [ids.grace]],
      [ids.zoe.slice(2, 7), [ids.zoe]],
      ['zoë', [ids.zoe]],
      ['ÜNAL', [ids.zoe]],
    ];
    for (const [q, expected] of cases) {
      const res = await search(q);
      expect([q, res.status, idsIn(res.text)]).toEqual([q, 200, expected]);
      expect(res.text).toContain(`1 person matches “${q.replace(/&/g, '&amp;')}”`);
    }
    expect((await search('Lovelace')).text).toMatch(/<td>Ada Lovelace<\/td><td>CV1 5RR<\/td>\s*<td>Old<\/td>/);
  });

  test('% and _ are taken as themselves, not as wildcards', async () => {
    const { search, ids } = await pool();
    expect(idsIn((await search('%')).text)).toEqual([ids.percent]);
    expect(idsIn((await search('100%')).text)).toEqual([ids.percent]);
    expect(idsIn((await search('_')).text)).toEqual([ids.grace]);
    expect(idsIn((await search('fifty_f')).text)).toEqual([ids.grace]);
    expect(idsIn((await search('\\')).text)).toEqual([]);
  });

  test('many matches are paged like the pool, with their count, and the pager keeps the search', async () => {
    const { search } = await pool();
    const first = await search('bulk person');
    expect(first.text).toContain('150 people match “bulk person”');
    expect(idsIn(first.text)).toHaveLength(100);
    expect(first.text).toContain('Page 1 of 2');
    expect(first.text).toContain('href="?q=bulk%20person&amp;page=2"');
    const second = await search('bulk person', 2);
    expect(idsIn(second.text)).toHaveLength(50);
    expect(second.text).toContain('Page 2 of 2');
    // A page past the last shows the last.
    expect((await search('bulk person', 9)).text).toContain('Page 2 of 2');
  });

  test('no match says so; a search too long is refused beside the box; an empty one lists everyone', async () => {
    const { search, a, url } = await pool();
    const none = await search('nobody-like-this');
    expect(none.status).toBe(200);
    expect(none.text).toContain('No one in the pool matches “nobody-like-this”.');
    expect(idsIn(none.text)).toEqual([]);
    const long = await search('x'.repeat(101));
    expect(long.status).toBe(400);
    expect(long.text).toContain('A search must be at most 100 characters.');
    const everyone = await a.get(`${url}/pool`).query({ q: '  ' });
    expect(everyone.text).toContain('Page 1 of 2');
    expect(everyone.text).not.toContain('id="matches"');
  });
});

describe('population shares that do not add up to 100%', () => {
  test('are flagged beside the category on the panel page and on the quotas page, within a point of rounding', async () => {
    const { a, url } = await organiser();
    await submit(a, url, `${url}/categories`, { key: 'age', label: 'Age', question: 'How old are you?', values: '16-39 | 45\n40-64 | 40\n65+ | 23' });
    await submit(a, url, `${url}/categories`, { key: 'gender', label: 'Gender', question: 'Your gender?', values: 'Woman | 50.6\nMan | 48.9' });
    await submit(a, url, `${url}/categories`, { key: 'tenure', label: 'Tenure', question: 'Do you rent?', values: 'Rent | 40\nOwn' });
    const page = (await a.get(url)).text;
    expect(page).toContain('The shares of Age add up to 108%: they should add up to 100%.');
    expect(page).not.toContain('The shares of Gender');
    expect(page).toContain('The shares of Tenure add up to 40% (1 of its 2 values has no share yet): they should add up to 100%.');
    const quotas = (await a.get(`${url}/quotas`)).text;
    expect(quotas).toContain('The shares of Age add up to 108%: they should add up to 100%.');
  });
});
