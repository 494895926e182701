/**
 * Issue 2, items 4 and 6: the organiser's pool page. Importing registrations from a CSV (all or
 * nothing, every problem listed by line and column), exporting the pool as CSV, and erasing a person.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csrfToken, logIn, makeApp, smallPanel, snapshot, submit, type Agent } from '../helpers';
import { problemTable } from '../csv-problems';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type App = ReturnType<typeof makeApp>;
type Db = App['db'];

const HEADER = 'name,email,phone,address,postcode,gender,age';
const ADA = 'Ada One,ada.one@example.org,07700 900001,1 High Street,cv1 1aa,Woman,16-39';
const BEN = 'Ben Two,ben.two@example.org,,2 High Street,CV1 1AB,Man,40-64';
const CAT = 'Cat Three,,07700 900003,3 High Street,CV1 1AD,woman,65+';
const CLEAN_CSV = [HEADER, ADA, BEN, CAT].join('\n') + '\n';

/** The small test panel, and an organiser logged in to manage it. */
async function setup() {
  const t = makeApp();
  const { panelId } = smallPanel(t.db, t.clock);
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  return { ...t, panelId, organiser, poolPage: `/admin/panels/${panelId}/pool` };
}

/**
 * Uploads a CSV to the pool import form the way the browser does: multipart, with the token and
 * the consent box as fields. `tokenFrom` is the page the token is read from.
 */
async function importCsv(
  agent: Agent,
  panelId: number,
  csv: string | Buffer,
  options: { consent?: boolean; csrf?: boolean; tokenFrom?: string } = {},
) {
  const { consent = true, csrf = true, tokenFrom = `/admin/panels/${panelId}/pool` } = options;
  const token = csrf ? await csrfToken(agent, tokenFrom) : undefined;
  const req = agent.post(`/admin/panels/${panelId}/pool/import`);
  if (token) req.field('_csrf', token);
  if (consent) req.field('consentConfirmed', 'yes');
  return req.attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), 'pool.csv');
}

/** A panel made by an organiser through the admin pages, with categories given as `value | share` lines. */
async function panelThroughPages(
  organiser: Agent,
  panel: { title: string; slug: string; panelSize: number },
  categories: { key: string; label: string; question: string; values: string[] }[],
): Promise<number> {
  const created = await submit(organiser, '/admin/panels/new', '/admin/panels', {
    title: panel.title,
    question: 'What should happen next?',
    panelSize: String(panel.panelSize),
    closesAt: '2027-01-31',
    quotaTolerance: '2',
    slug: panel.slug,
  });
  expect(created.status).toBe(303);
  const page = created.headers.location as string;
  for (const c of categories) {
    const res = await submit(organiser, page, `${page}/categories`, { ...c, values: c.values.join('\n') });
    expect(res.status).toBe(303);
  }
  return Number(page.split('/').pop());
}

const SMALL_CATEGORIES = [
  { key: 'gender', label: 'Gender', question: 'Your gender?', values: ['Woman', 'Man'] },
  { key: 'age', label: 'Age band', question: 'Your age band?', values: ['16-39', '40-64', '65+'] },
];




/** The count at the top of the pool page: "N people registered." */
function poolCount(html: string): number {
  const m = /<p class="lead">(\d+) (?:person|people) registered\.<\/p>/.exec(html);
  if (!m) throw new Error('no pool count on the page');
  return Number(m[1]);
}

interface Stored {
  id: number;
  public_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
  email_key: string | null;
  phone_key: string | null;
  source: string;
  erased_at: number | null;
}

function stored(db: Db, panelId: number): Stored[] {
  return db
    .prepare(
      `SELECT id, public_id, name, email, phone, address, postcode, email_key, phone_key, source, erased_at
       FROM registrants WHERE panel_id = ? ORDER BY id`,
    )
    .all(panelId) as Stored[];
}

/** Everyone's answers on a panel: "name|category|value", sorted. */
function storedAnswers(db: Db, panelId: number): string[] {
  const rows = db
    .prepare(
      `SELECT r.name, c.key, v.value FROM registrant_values rv
       JOIN registrants r ON r.id = rv.registrant_id JOIN categories c ON c.id = rv.category_id
       JOIN category_values v ON v.id = rv.value_id WHERE r.panel_id = ?`,
    )
    .all(panelId) as { name: string; key: string; value: string }[];
  return rows.map((r) => `${r.name}|${r.key}|${r.value}`).sort();
}

function readExport(text: string): Record<string, string>[] {
  return parse(text, { columns: true }) as Record<string, string>[];
}

/** What identifies a person in an export, without the pseudonym, source and date. */
const personal = (rows: Record<string, string>[], categories: string[]) =>
  rows.map((r) => [r.name, r.email, r.phone, r.address, r.postcode, ...categories.map((c) => r[c])].join('|')).sort();

function registerByForm(agent: Agent, fields: Record<string, string>) {
  return submit(agent, '/register/test-panel', '/register/test-panel', {
    address: '9 Form Road',
    postcode: 'CV2 2BB',
    q_gender: 'Woman',
    q_age: '40-64',
    consent: 'yes',
    ...fields,
  });
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

describe('importing a clean CSV', () => {
  test('imports every row, says how many, and the pool page shows them', async () => {
    const t = await setup();
    const res = await importCsv(t.organiser, t.panelId, CLEAN_CSV);

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${t.poolPage}?imported=3`);
    const page = await t.organiser.get(res.headers.location as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Imported 3 registrations.');
    expect(poolCount(page.text)).toBe(3);
    for (const name of ['Ada One', 'Ben Two', 'Cat Three']) expect(page.text).toContain(`<td>${name}</td>`);

    expect(stored(t.db, t.panelId).map((p) => [p.name, p.email, p.phone, p.postcode, p.source])).toEqual([
      ['Ada One', 'ada.one@example.org', '07700 900001', 'CV1 1AA', 'import'],
      ['Ben Two', 'ben.two@example.org', null, 'CV1 1AB', 'import'],
      ['Cat Three', null, '07700 900003', 'CV1 1AD', 'import'],
    ]);
    // "woman" in lower case is matched to the value "Woman".
    expect(storedAnswers(t.db, t.panelId)).toEqual([
      'Ada One|age|16-39', 'Ada One|gender|Woman',
      'Ben Two|age|40-64', 'Ben Two|gender|Man',
      'Cat Three|age|65+', 'Cat Three|gender|Woman',
    ]);
    const log = t.db.prepare("SELECT detail FROM audit_log WHERE action = 'pool.import'").get() as { detail: string };
    expect(JSON.parse(log.detail)).toMatchObject({ rows: 3 });
  });

  test('columns are matched by category label as well as key, in any order, and extra columns are ignored', async () => {
    const t = await setup();
    const csv = [
      'Age band,Postcode,Full Name,Email Address,Address,Gender,Notes',
      '16-39,CV1 1AA,Ada One,ada.one@example.org,1 High Street,Woman,met at the library',
    ].join('\r\n');
    const res = await importCsv(t.organiser, t.panelId, '\uFEFF' + csv);
    expect(res.status).toBe(303);
    expect(storedAnswers(t.db, t.panelId)).toEqual(['Ada One|age|16-39', 'Ada One|gender|Woman']);
    const log = t.db.prepare("SELECT detail FROM audit_log WHERE action = 'pool.import'").get() as { detail: string };
    expect(JSON.parse(log.detail)).toMatchObject({ rows: 1, ignoredColumns: 1 });
  });

  test("the demo's own fixtures/coventry/pool.csv imports into a fresh panel made through the pages", async () => {
    const t = makeApp({ demo: true });
    const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
    const demo = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/coventry/panel.json'), 'utf8')) as {
      categories: { key: string; label: string; question: string; values: { value: string; share: number }[] }[];
    };
    const panelId = await panelThroughPages(
      organiser,
      { title: 'Coventry, again', slug: 'coventry-again', panelSize: 40 },
      demo.categories.map((c) => ({ ...c, values: c.values.map((v) => `${v.value} | ${v.share}`) })),
    );
    const csv = fs.readFileSync(path.join(__dirname, '../../fixtures/coventry/pool.csv'));
    const rows = csv.toString('utf8').trim().split('\n').length - 1;

    const res = await importCsv(organiser, panelId, csv);

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/panels/${panelId}/pool?imported=${rows}&ignored=id`);
    const page = await organiser.get(`/admin/panels/${panelId}/pool`);
    expect(poolCount(page.text)).toBe(rows);
    // The same people with the same answers as the seeded demo panel.
    const counts = (id: number) =>
      t.db
        .prepare(
          `SELECT c.key || '=' || v.value AS kv, COUNT(*) AS n FROM registrant_values rv
           JOIN categories c ON c.id = rv.category_id JOIN category_values v ON v.id = rv.value_id
           WHERE c.panel_id = ? GROUP BY kv ORDER BY kv`,
        )
        .all(id);
    expect(counts(panelId)).toEqual(counts(t.demo?.panelId ?? 0));
  });
});

describe('importing a CSV with problems: 400, every problem listed, nothing imported', () => {
  test('an invalid value, a malformed email and empty required fields are each listed by line and column', async () => {
    const t = await setup();
    const before = snapshot(t.db);
    const csv = [
      HEADER,
      ADA, // line 2 is fine, and still not imported
      'Bad Gender,bad.gender@example.org,,3 Road,CV1 1AA,Robot,16-39',
      'Bad Email,not-an-email,,4 Road,CV1 1AA,Man,40-64',
      ',no.name@example.org,,5 Road,CV1 1AA,Man,40-64',
      'No Age,no.age@example.org,,6 Road,CV1 1AA,Man,',
      'No Address,no.address@example.org,,,CV1 1AA,Woman,65+',
    ].join('\n');

    const res = await importCsv(t.organiser, t.panelId, csv);

    expect(res.status).toBe(400);
    expect(res.text).toContain('pool.csv: nothing was imported');
    expect(problemTable(res.text)).toEqual([
      { line: 3, column: 'gender', message: '"Robot" is not one of: Woman, Man' },
      { line: 4, column: 'email', message: 'Email must look like name@example.org.' },
      { line: 5, column: 'name', message: 'Name is required.' },
      { line: 6, column: 'age', message: 'is empty; give one of: 16-39, 40-64, 65+' },
      { line: 7, column: 'address', message: 'Address is required.' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
    expect(poolCount(res.text)).toBe(0);
  });

  test('a row with neither email nor phone, or a bad postcode, is listed', async () => {
    const t = await setup();
    const before = snapshot(t.db);
    const csv = [HEADER, 'No Contact,,,1 Road,CV1 1AA,Man,40-64', 'Bad Postcode,bp@example.org,,2 Road,NOT A CODE,Man,40-64'].join('\n');

    const res = await importCsv(t.organiser, t.panelId, csv);

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 2, column: 'email', message: expect.stringMatching(/^Give an email address or a phone number/) },
      { line: 3, column: 'postcode', message: 'Postcode "NOT A CODE" is not a UK postcode like CV1 5RR.' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });

  // App bug: an empty postcode cell gets two rows in the table, "Postcode is required." and
  // 'Postcode "" is not a UK postcode like CV1 5RR.', because the postcode refinement still runs
  // after the min(1) check has failed. See the report.
  test('an empty postcode is reported once', async () => {
    const t = await setup();
    const res = await importCsv(t.organiser, t.panelId, [HEADER, 'No Postcode,np@example.org,,1 Road,,Man,40-64'].join('\n'));
    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([{ line: 2, column: 'postcode', message: 'Postcode is required.' }]);
  });

  test.each([
    ['postcode', 'name,email,phone,address,gender,age\nAda,ada@example.org,,1 Road,Woman,16-39'],
    ['gender', 'name,email,phone,address,postcode,age\nAda,ada@example.org,,1 Road,CV1 1AA,16-39'],
    ['email or phone', 'name,address,postcode,gender,age\nAda,1 Road,CV1 1AA,Woman,16-39'],
  ])('a missing required column (%s) is reported on line 1', async (column, csv) => {
    const t = await setup();
    const before = snapshot(t.db);
    const res = await importCsv(t.organiser, t.panelId, csv);

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 1, column, message: 'this required column is missing from the header row' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a person already registered through the form is reported as a duplicate, however the email is written', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: 'Ada Form', email: 'ada.one@example.org' })).status).toBe(303);
    const before = snapshot(t.db);
    const csv = [HEADER, 'Ada One,  ADA.One@Example.org ,,1 High Street,CV1 1AA,Woman,16-39', BEN].join('\n');

    const res = await importCsv(t.organiser, t.panelId, csv);

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 2, column: 'email', message: 'this email is already registered for this panel' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a phone already registered, written differently, is a duplicate; so are two rows with one email', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: 'Ph One', phone: '+44 7700 900001' })).status).toBe(303);
    const before = snapshot(t.db);
    const csv = [HEADER, ADA, BEN, 'Ben Again,BEN.TWO@example.org,,2 High Street,CV1 1AB,Man,40-64'].join('\n');

    const res = await importCsv(t.organiser, t.panelId, csv);

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 2, column: 'phone', message: 'this phone is already registered for this panel' },
      { line: 4, column: 'email', message: 'the same email as line 3' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a file that is not CSV, or has only a header, is refused with a line number', async () => {
    const t = await setup();
    const before = snapshot(t.db);

    const headerOnly = await importCsv(t.organiser, t.panelId, HEADER + '\n');
    expect(headerOnly.status).toBe(400);
    expect(problemTable(headerOnly.text)).toEqual([{ line: 2, column: '', message: 'the file has a header row but no registrations' }]);

    const ragged = await importCsv(t.organiser, t.panelId, [HEADER, 'Ada One,ada@example.org'].join('\n'));
    expect(ragged.status).toBe(400);
    expect(problemTable(ragged.text)).toEqual([{ line: 2, column: '', message: 'expected 7 cells, found 2' }]);

    const notUtf8 = await importCsv(t.organiser, t.panelId, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xff, 0xfe, 0x00]));
    expect(notUtf8.status).toBe(400);
    expect(problemTable(notUtf8.text)[0]).toMatchObject({ line: 1, message: expect.stringMatching(/not UTF-8/) });

    expect(snapshot(t.db)).toEqual(before);
  });

  test('no file chosen is a 400 that says so', async () => {
    const t = await setup();
    const before = snapshot(t.db);
    const token = await csrfToken(t.organiser, t.poolPage);
    const res = await t.organiser
      .post(`${t.poolPage}/import`)
      .field('_csrf', token)
      .field('consentConfirmed', 'yes');
    expect(res.status).toBe(400);
    expect(res.text).toContain('No file was chosen');
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('who may import', () => {
  test('without the consent box ticked: 400 naming the box, nothing imported', async () => {
    const t = await setup();
    const before = snapshot(t.db);
    const res = await importCsv(t.organiser, t.panelId, CLEAN_CSV, { consent: false });

    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<a href="#consentConfirmed">Confirm that everyone in the file agreed to take part/);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('without the CSRF token: 403, nothing imported', async () => {
    const t = await setup();
    const before = snapshot(t.db);
    const res = await importCsv(t.organiser, t.panelId, CLEAN_CSV, { csrf: false });

    expect(res.status).toBe(403);
    expect(res.text).toContain('This form was not sent from this site');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a facilitator is refused (403) and nothing is imported', async () => {
    const t = await setup();
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const before = snapshot(t.db);

    expect((await facilitator.get(t.poolPage)).status).toBe(403);
    const res = await importCsv(facilitator, t.panelId, CLEAN_CSV, { tokenFrom: '/admin' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This needs an organiser account');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('someone logged out is sent to log in (GET) or refused (POST), and nothing is imported', async () => {
    const t = await setup();
    const anonymous = t.agent();
    const before = snapshot(t.db);

    const page = await anonymous.get(t.poolPage);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/login?next=${encodeURIComponent(t.poolPage)}`);
    const res = await importCsv(anonymous, t.panelId, CLEAN_CSV, { tokenFrom: '/login' });
    expect(res.status).toBe(401);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('an unknown panel id is a 404', async () => {
    const t = await setup();
    expect((await t.organiser.get('/admin/panels/999/pool')).status).toBe(404);
    expect((await t.organiser.get('/admin/panels/abc/pool')).status).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

describe('exporting the pool as CSV', () => {
  test('the organiser gets a header and one row per person, with the category columns', async () => {
    const t = await setup();
    expect((await importCsv(t.organiser, t.panelId, CLEAN_CSV)).status).toBe(303);

    const res = await t.organiser.get(`${t.poolPage}.csv`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?test-panel-pool\.csv"?$/);
    expect(res.text.split(/\r?\n/)[0]).toBe('id,name,email,phone,address,postcode,gender,age,source,registered');
    const rows = readExport(res.text);
    const publicIds = stored(t.db, t.panelId).map((p) => p.public_id);
    expect(rows.map((r) => [r.id, r.name, r.email, r.phone, r.address, r.postcode, r.gender, r.age, r.source])).toEqual([
      [publicIds[0], 'Ada One', 'ada.one@example.org', '07700 900001', '1 High Street', 'CV1 1AA', 'Woman', '16-39', 'import'],
      [publicIds[1], 'Ben Two', 'ben.two@example.org', '', '2 High Street', 'CV1 1AB', 'Man', '40-64', 'import'],
      [publicIds[2], 'Cat Three', '', '07700 900003', '3 High Street', 'CV1 1AD', 'Woman', '65+', 'import'],
    ]);
    expect(rows[0].registered).toBe(new Date(t.clock.now()).toISOString());
  });

  test('a name a spreadsheet would run as a formula is exported with a leading quote mark', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: '=HYPERLINK("http://evil.example","x")', email: 'f@example.org' })).status).toBe(303);
    expect((await registerByForm(t.agent(), { name: '@SUM(A1)', email: 'g@example.org' })).status).toBe(303);

    const rows = readExport((await t.organiser.get(`${t.poolPage}.csv`)).text);

    expect(rows.map((r) => r.name)).toEqual(["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(A1)"]);
  });

  test('names are shown escaped on the pool page, never as markup', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: '<script>alert(1)</script>', email: 'x@example.org' })).status).toBe(303);
    const page = await t.organiser.get(t.poolPage);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('re-importing an export into a new panel with the same categories gives the same people', async () => {
    const t = await setup();
    expect((await importCsv(t.organiser, t.panelId, CLEAN_CSV)).status).toBe(303);
    const awkward = { name: 'Dee "DJ" Form', email: 'dee@example.org', phone: '07700 900004', address: 'Flat 2, "The Mill",\nMill Lane' };
    expect((await registerByForm(t.agent(), awkward)).status).toBe(303);
    const first = (await t.organiser.get(`${t.poolPage}.csv`)).text;

    const copyId = await panelThroughPages(t.organiser, { title: 'Copy', slug: 'copy', panelSize: 10 }, SMALL_CATEGORIES);
    const res = await importCsv(t.organiser, copyId, first);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/panels/${copyId}/pool?imported=4&ignored=id%2C%20source%2C%20registered`);

    const second = (await t.organiser.get(`/admin/panels/${copyId}/pool.csv`)).text;
    const columns = ['gender', 'age'];
    expect(personal(readExport(second), columns)).toEqual(personal(readExport(first), columns));
    expect(storedAnswers(t.db, copyId)).toEqual(storedAnswers(t.db, t.panelId));
    expect(stored(t.db, copyId).find((p) => p.email === 'dee@example.org')).toMatchObject({ name: awkward.name, address: awkward.address });
  });

  test('re-importing an export keeps a phone number written as +44 and digits', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: 'Plus Phone', phone: '+44 7700 900123' })).status).toBe(303);
    const exported = (await t.organiser.get(`${t.poolPage}.csv`)).text;
    expect(readExport(exported)[0].phone).toBe('+44 7700 900123');

    const copyId = await panelThroughPages(t.organiser, { title: 'Copy', slug: 'copy', panelSize: 10 }, SMALL_CATEGORIES);
    const res = await importCsv(t.organiser, copyId, exported);
    expect(res.status).toBe(303);
    expect(stored(t.db, copyId).map((p) => p.phone)).toEqual(['+44 7700 900123']);
  });

  // App bug: the export puts a ' before a cell starting with "+" unless it is "+" then digits and
  // spaces, so "+44 (0)7700 900-123" (which the form accepts) is exported as "'+44 (0)7700 900-123",
  // and the import refuses that cell: "Phone must be a UK number ...". See the report.
  test('re-importing an export keeps a phone number written as +44 (0)7700 900-123', async () => {
    const t = await setup();
    expect((await registerByForm(t.agent(), { name: 'Plus Phone', phone: '+44 (0)7700 900-123' })).status).toBe(303);
    const exported = (await t.organiser.get(`${t.poolPage}.csv`)).text;

    const copyId = await panelThroughPages(t.organiser, { title: 'Copy', slug: 'copy', panelSize: 10 }, SMALL_CATEGORIES);
    const res = await importCsv(t.organiser, copyId, exported);

    expect(problemTable(res.text)).toEqual([]);
    expect(res.status).toBe(303);
  });

  test('a facilitator or a logged-out visitor cannot download it', async () => {
    const t = await setup();
    expect((await importCsv(t.organiser, t.panelId, CLEAN_CSV)).status).toBe(303);
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');

    const asFacilitator = await facilitator.get(`${t.poolPage}.csv`);
    expect(asFacilitator.status).toBe(403);
    expect(asFacilitator.text).not.toContain('ada.one@example.org');

    const asAnonymous = await t.agent().get(`${t.poolPage}.csv`);
    expect(asAnonymous.status).toBe(302);
    expect(asAnonymous.headers.location).toMatch(/^\/login\?next=/);
    expect(asAnonymous.text).not.toContain('ada.one@example.org');
  });
});

// ---------------------------------------------------------------------------------------------
// Erasure
// ---------------------------------------------------------------------------------------------

describe('erasing a registrant', () => {
  async function withPool() {
    const t = await setup();
    expect((await importCsv(t.organiser, t.panelId, CLEAN_CSV)).status).toBe(303);
    const ada = stored(t.db, t.panelId)[0];
    const confirmPage = `/admin/panels/${t.panelId}/registrants/${ada.id}/erase`;
    return { ...t, ada, confirmPage };
  }

  test('the pool page links to a confirmation page that names the person and their code', async () => {
    const t = await withPool();
    const pool = await t.organiser.get(t.poolPage);
    expect(pool.text).toContain(`href="${t.confirmPage}"`);

    const page = await t.organiser.get(t.confirmPage);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Erase Ada One?');
    expect(page.text).toContain(t.ada.public_id);
    expect(page.text).toContain(`action="${t.confirmPage}"`);
  });

  test('deletes their personal data and answers, keeps the pseudonym, and logs it without the data', async () => {
    const t = await withPool();
    const res = await submit(t.organiser, t.confirmPage, t.confirmPage, {});

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${t.poolPage}?erased=${t.ada.public_id}`);

    const row = stored(t.db, t.panelId).find((p) => p.id === t.ada.id);
    expect(row).toMatchObject({
      public_id: t.ada.public_id,
      name: null,
      email: null,
      phone: null,
      address: null,
      postcode: null,
      email_key: null,
      phone_key: null,
      erased_at: t.clock.now(),
    });
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM registrant_values WHERE registrant_id = ?').get(t.ada.id)).toEqual({ n: 0 });

    const log = t.db.prepare("SELECT user_id, subject, detail FROM audit_log WHERE action = 'registrant.erase'").all() as {
      user_id: number;
      subject: string;
      detail: string;
    }[];
    expect(log).toHaveLength(1);
    expect(log[0].subject).toBe(t.ada.public_id);
    expect(log[0].user_id).toBe((t.db.prepare("SELECT id FROM users WHERE role = 'organiser'").get() as { id: number }).id);
    // Nothing in the whole audit log can identify her.
    const everything = JSON.stringify(t.db.prepare('SELECT * FROM audit_log').all());
    for (const data of ['Ada', 'ada.one', '07700 900001', '07700900001', 'High Street', 'CV1 1AA']) {
      expect(everything).not.toContain(data);
    }
  });

  test('they vanish from the pool page, the count and the export', async () => {
    const t = await withPool();
    expect(poolCount((await t.organiser.get(t.poolPage)).text)).toBe(3);
    expect((await submit(t.organiser, t.confirmPage, t.confirmPage, {})).status).toBe(303);

    const page = await t.organiser.get(t.poolPage);
    expect(poolCount(page.text)).toBe(2);
    expect(page.text).not.toContain('Ada One');
    expect(page.text).not.toContain(t.ada.public_id);

    const exported = await t.organiser.get(`${t.poolPage}.csv`);
    expect(readExport(exported.text).map((r) => r.name)).toEqual(['Ben Two', 'Cat Three']);
    expect(exported.text).not.toContain('ada.one@example.org');

    const panel = await t.organiser.get(`/admin/panels/${t.panelId}`);
    expect(panel.text).toMatch(/<dt>Registrations<\/dt><dd>2<\/dd>/);
  });

  test('erasing again is a 404, for the page and the post, and changes nothing', async () => {
    const t = await withPool();
    expect((await submit(t.organiser, t.confirmPage, t.confirmPage, {})).status).toBe(303);
    const before = snapshot(t.db);

    expect((await t.organiser.get(t.confirmPage)).status).toBe(404);
    const again = await submit(t.organiser, t.poolPage, t.confirmPage, {});
    expect(again.status).toBe(404);
    expect(again.text).toContain('may already have been erased');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('the same email and phone can register again afterwards', async () => {
    const t = await withPool();
    expect((await submit(t.organiser, t.confirmPage, t.confirmPage, {})).status).toBe(303);

    const res = await registerByForm(t.agent(), { name: 'Ada One', email: 'ada.one@example.org', phone: '07700 900001' });
    expect(res.status).toBe(303);
    expect(poolCount((await t.organiser.get(t.poolPage)).text)).toBe(3);
  });

  test("a facilitator, a forged post, or another panel's address cannot erase anyone", async () => {
    const t = await withPool();
    const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
    const otherId = await panelThroughPages(t.organiser, { title: 'Other', slug: 'other', panelSize: 10 }, SMALL_CATEGORIES);
    const before = snapshot(t.db);

    expect((await facilitator.get(t.confirmPage)).status).toBe(403);
    expect((await submit(facilitator, '/admin', t.confirmPage, {})).status).toBe(403);
    expect((await t.organiser.post(t.confirmPage).type('form').send({})).status).toBe(403);
    const wrongPanel = `/admin/panels/${otherId}/registrants/${t.ada.id}/erase`;
    expect((await t.organiser.get(wrongPanel)).status).toBe(404);
    expect((await submit(t.organiser, t.poolPage, wrongPanel, {})).status).toBe(404);

    expect(snapshot(t.db)).toEqual(before);
    expect(stored(t.db, t.panelId).find((p) => p.id === t.ada.id)).toMatchObject({ name: 'Ada One', erased_at: null });
  });
});
