/**
 * Issue 2, item 3: the public registration form at /register/:slug.
 * What a resident notices: the questions, the consent box, the message next to each field they got
 * wrong, the "already registered" refusal, the closed page; and what the organiser finds stored.
 */
import { csrfToken, logIn, makeApp, smallPanel, snapshot, submit, type Agent } from '../helpers';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Fields = Record<string, string>;

const FORM = '/register/test-panel';

/** A complete, valid answer to the small panel's form, as a browser sends it. */
function validForm(overrides: Fields = {}): Fields {
  return {
    name: 'Ada Testperson',
    email: 'ada.testperson@example.org',
    phone: '07700 900123',
    address: '1 Test Street, Coventry',
    postcode: 'cv1  5rr',
    q_gender: 'Woman',
    q_age: '40-64',
    consent: 'yes',
    ...overrides,
  };
}

function without(fields: Fields, ...names: string[]): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !names.includes(k)));
}

/** The small test panel on a fresh in-memory app, and a browser for it. */
function setup() {
  const t = makeApp();
  const panel = smallPanel(t.db, t.clock);
  return { ...t, ...panel, browser: t.agent() };
}

/** Fills in the form the way a browser does: load the page (for the token), then post. */
function register(browser: Agent, fields: Fields, slug = 'test-panel') {
  return submit(browser, `/register/${slug}`, `/register/${slug}`, fields);
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', '#x27': "'", '#39': "'", '#x3D': '=', '#x60': '`', nbsp: ' ' };
const decode = (s: string) => s.replace(/&(#x?[0-9a-fA-F]+|\w+);/g, (m, e: string) => ENTITIES[e] ?? m);

/** The error summary at the top of the form: field id (the link target) -> message. */
function errorSummary(html: string): Record<string, string> {
  const box = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  return Object.fromEntries([...box.matchAll(/<a href="#([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => [m[1], decode(m[2])]));
}

/** The message printed next to a field (`<p class="field-error" id="FIELD-error">`). */
function fieldError(html: string, field: string): string | undefined {
  const m = new RegExp(`<p class="field-error" id="${field}-error">([\\s\\S]*?)</p>`).exec(html);
  return m ? decode(m[1].replace(/<span[^>]*>[\s\S]*?<\/span>/, '')).trim() : undefined;
}

type Db = ReturnType<typeof makeApp>['db'];

interface StoredPerson {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  address: string;
  postcode: string;
  email_key: string | null;
  phone_key: string | null;
  source: string;
  consent_at: number | null;
}

function people(db: Db, panelId: number): StoredPerson[] {
  return db
    .prepare(
      `SELECT id, name, email, phone, address, postcode, email_key, phone_key, source, consent_at
       FROM registrants WHERE panel_id = ? ORDER BY id`,
    )
    .all(panelId) as StoredPerson[];
}

/** A registrant's answers: category key -> value. */
function answers(db: Db, registrantId: number): Record<string, string> {
  const rows = db
    .prepare(
      `SELECT c.key, v.value FROM registrant_values rv
       JOIN categories c ON c.id = rv.category_id JOIN category_values v ON v.id = rv.value_id
       WHERE rv.registrant_id = ?`,
    )
    .all(registrantId) as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** A second panel with the same questions, made by an organiser through the admin pages. */
async function secondPanelThroughPages(t: ReturnType<typeof setup>): Promise<string> {
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const created = await submit(organiser, '/admin/panels/new', '/admin/panels', {
    title: 'Another Panel',
    question: 'What else?',
    panelSize: '10',
    closesAt: '2027-03-31',
    quotaTolerance: '1',
    slug: 'another-panel',
  });
  expect(created.status).toBe(303);
  const page = created.headers.location as string;
  for (const [key, label, values] of [
    ['gender', 'Gender', 'Woman\nMan'],
    ['age', 'Age band', '16-39\n40-64\n65+'],
  ]) {
    const res = await submit(organiser, page, `${page}/categories`, { key, label, question: `Your ${key}?`, values });
    expect(res.status).toBe(303);
  }
  expect((await submit(organiser, page, `${page}/open`, {})).status).toBe(303);
  return 'another-panel';
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('the registration form page', () => {
  test('asks every category question as labelled radio buttons, with consent and the privacy summary', async () => {
    const t = setup();
    const res = await t.browser.get(FORM);

    expect(res.status).toBe(200);
    expect(res.text).toContain('Test Panel');
    for (const field of ['name', 'email', 'phone', 'address', 'postcode']) {
      expect(res.text).toMatch(new RegExp(`<label for="${field}">[^<]+</label>`));
      expect(res.text).toMatch(new RegExp(`<input id="${field}" name="${field}"`));
    }
    // One fieldset per category, its question as the legend, one labelled radio per value.
    const questions: [string, string, string[]][] = [
      ['q_gender', 'Your gender?', ['Woman', 'Man']],
      ['q_age', 'Your age band?', ['16-39', '40-64', '65+']],
    ];
    for (const [field, question, values] of questions) {
      expect(res.text).toMatch(new RegExp(`<fieldset class="field" id="${field}"[^>]*>\\s*<legend>${question.replace('?', '\\?')}</legend>`));
      values.forEach((value, i) => {
        const id = `${field}_${i}`;
        expect(res.text).toContain(`<input type="radio" id="${id}" name="${field}" value="${value}"`);
        expect(res.text).toContain(`<label for="${id}">${value}</label>`);
      });
    }
    expect(res.text).toMatch(/<input type="checkbox" id="consent" name="consent" value="yes"[^>]*aria-describedby="privacy-summary"/);
    expect(res.text).toMatch(/<label for="consent">I agree/);
    expect(res.text).toContain('id="privacy-summary"');
    expect(res.text).toContain('What we do with your details, in short.');
    expect(res.text).toContain('href="/privacy"');
    expect(res.text).toMatch(/name="_csrf" value="[^"]+"/);
  });

  test('the full privacy notice is one click away', async () => {
    const t = setup();
    const res = await t.browser.get('/privacy');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Privacy notice');
    expect(res.text).toContain('have them erased');
  });

  test('an unknown panel is a 404, for the form and for a post', async () => {
    const t = setup();
    const before = snapshot(t.db);

    const page = await t.browser.get('/register/no-such-panel');
    expect(page.status).toBe(404);
    expect(page.text).toContain('That panel was not found');

    const _csrf = await csrfToken(t.browser, FORM);
    const post = await t.browser.post('/register/no-such-panel').type('form').send({ _csrf, ...validForm() });
    expect(post.status).toBe(404);
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('a valid registration', () => {
  test('is stored with a normalised postcode and the answers, then the thanks page', async () => {
    const t = setup();
    const res = await register(t.browser, validForm());

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/register/test-panel/thanks');
    const thanks = await t.browser.get(res.headers.location as string);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('Thank you, you are registered');
    expect(thanks.text).toContain('Test Panel');

    const [person, ...others] = people(t.db, t.panelId);
    expect(others).toEqual([]);
    expect(person).toMatchObject({
      name: 'Ada Testperson',
      email: 'ada.testperson@example.org',
      phone: '07700 900123',
      address: '1 Test Street, Coventry',
      postcode: 'CV1 5RR',
      source: 'form',
      consent_at: t.clock.now(),
    });
    expect(answers(t.db, person.id)).toEqual({ gender: 'Woman', age: '40-64' });
    const log = t.db.prepare("SELECT subject, detail FROM audit_log WHERE action = 'registrant.register'").all() as { subject: string; detail: string }[];
    expect(log).toHaveLength(1);
    expect(log[0].subject).toMatch(/^R-[0-9A-Z]{8}$/);
    expect(JSON.stringify(log)).not.toMatch(/Ada|example\.org|07700|CV1/);
  });

  test('an email alone, or a phone alone, is enough', async () => {
    const t = setup();
    expect((await register(t.browser, without(validForm(), 'phone'))).status).toBe(303);
    expect((await register(t.browser, without(validForm({ phone: '+44 7700 900999' }), 'email'))).status).toBe(303);
    expect(people(t.db, t.panelId).map((p) => [p.email, p.phone])).toEqual([
      ['ada.testperson@example.org', null],
      [null, '+44 7700 900999'],
    ]);
  });

  test('the same email on a different panel is fine', async () => {
    const t = setup();
    const otherSlug = await secondPanelThroughPages(t);
    expect((await register(t.browser, validForm())).status).toBe(303);

    const res = await register(t.browser, validForm(), otherSlug);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/register/${otherSlug}/thanks`);
    const rows = t.db.prepare('SELECT panel_id FROM registrants WHERE email = ?').all('ada.testperson@example.org');
    expect(rows).toHaveLength(2);
  });
});

describe('a registration with mistakes is refused with a message naming each field', () => {
  const cases: { what: string; fields: Fields; field: string; message: RegExp }[] = [
    { what: 'no name', fields: without(validForm(), 'name'), field: 'name', message: /^Name is required\.$/ },
    { what: 'a blank name', fields: validForm({ name: '   ' }), field: 'name', message: /^Name is required\.$/ },
    { what: 'no address', fields: validForm({ address: '' }), field: 'address', message: /^Address is required\.$/ },
    { what: 'no postcode', fields: validForm({ postcode: '' }), field: 'postcode', message: /^Postcode is required\.$/ },
    {
      what: 'a postcode that is not one',
      fields: validForm({ postcode: 'XYZ 123' }),
      field: 'postcode',
      message: /^Postcode "XYZ 123" is not a UK postcode like CV1 5RR\.$/,
    },
    { what: 'neither email nor phone', fields: validForm({ email: '', phone: '' }), field: 'email', message: /Give an email address or a phone number/ },
    { what: 'a bad email', fields: validForm({ email: 'ada@' }), field: 'email', message: /^Email must look like name@example\.org\.$/ },
    { what: 'a bad phone', fields: validForm({ phone: '12345' }), field: 'phone', message: /^Phone must be a UK number/ },
    { what: 'an unanswered question', fields: without(validForm(), 'q_gender'), field: 'q_gender', message: /^Gender: choose one answer\.$/ },
    { what: 'an answer not offered', fields: validForm({ q_age: '99+' }), field: 'q_age', message: /^Age band: choose one of the answers given\.$/ },
    { what: 'no consent', fields: without(validForm(), 'consent'), field: 'consent', message: /^Tick the box to say you agree/ },
    { what: 'consent other than yes', fields: validForm({ consent: 'no' }), field: 'consent', message: /^Tick the box to say you agree/ },
  ];

  test.each(cases)('$what -> 400, message at $field, nothing stored', async ({ fields, field, message }) => {
    const t = setup();
    const before = snapshot(t.db);
    const res = await register(t.browser, fields);

    expect(res.status).toBe(400);
    const summary = errorSummary(res.text);
    expect(Object.keys(summary)).toEqual([field]);
    expect(summary[field]).toMatch(message);
    expect(fieldError(res.text, field)).toMatch(message);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('the form comes back filled in, so only the mistake needs fixing', async () => {
    const t = setup();
    const res = await register(t.browser, validForm({ email: 'ada@' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="Ada Testperson"');
    expect(res.text).toContain('value="ada@"');
    expect(res.text).toMatch(/<input type="radio" id="q_gender_0" name="q_gender" value="Woman" checked/);
    expect(res.text).toMatch(/<input type="checkbox" id="consent"[^>]* checked/);
    expect(res.text).toMatch(/<input id="email"[^>]*aria-invalid="true"/);
  });

  test('an empty form, as a browser sends it, names every missing field at once', async () => {
    const t = setup();
    const before = snapshot(t.db);
    // A browser sends empty text inputs and leaves out unticked radios and boxes.
    const res = await register(t.browser, { name: '', email: '', phone: '', address: '', postcode: '' });

    expect(res.status).toBe(400);
    const summary = errorSummary(res.text);
    expect(summary).toEqual({
      name: 'Name is required.',
      email: expect.stringMatching(/^Give an email address or a phone number/),
      address: 'Address is required.',
      postcode: 'Postcode is required.',
      q_gender: 'Gender: choose one answer.',
      q_age: 'Age band: choose one answer.',
      consent: expect.stringMatching(/^Tick the box/),
    });
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('a duplicate registration', () => {
  // Issue 17: the form must not tell anyone whether an address or number is registered, so a duplicate gets exactly
  // the answer a new registration gets; it stores nothing, and the organiser's log counts it, naming nobody.
  const againLooksNew = async (changes: Record<string, string>) => {
    const t = setup();
    const first = await register(t.browser, validForm());
    expect(first.status).toBe(303);
    const before = snapshot(t.db);
    const res = await register(t.browser, validForm(changes));
    expect([res.status, res.headers.location]).toEqual([first.status, first.headers.location]);
    const { audit_log: _log, ...rest } = snapshot(t.db);
    const { audit_log: _earlier, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    const logged = t.db.prepare("SELECT subject, detail FROM audit_log WHERE action = 'registrant.duplicate'").all();
    expect(logged).toEqual([{ subject: null, detail: '{}' }]);
  };

  test('the same email, in another case and with spaces, gets the answer a new registration gets, and stores nothing', () =>
    againLooksNew({ name: 'Ada Again', email: '  ADA.Testperson@Example.ORG ', phone: '07700 900555' }));

  test('the same phone, written in +44 form, gets the same answer too', () => againLooksNew({ email: 'someone.else@example.org', phone: '+44 (0)7700 900-123' }));
});

describe('after the closing date', () => {
  test('the form page says registration has closed (410), and a post is refused (410) and stores nothing', async () => {
    const t = setup();
    // The resident opened the form while it was open, and sends it after closing time.
    const _csrf = await csrfToken(t.browser, FORM);
    const closesAt = (t.db.prepare('SELECT closes_at AS c FROM panels WHERE id = ?').get(t.panelId) as { c: number }).c;
    t.clock.advance(closesAt - t.clock.now() + 1);
    const before = snapshot(t.db);

    const page = await t.browser.get(FORM);
    expect(page.status).toBe(410);
    expect(page.text).toContain('Registration for this panel closed on');
    expect(page.text).not.toContain(`action="${FORM}"`);

    const post = await t.browser.post(FORM).type('form').send({ _csrf, ...validForm() });
    expect(post.status).toBe(410);
    expect(post.text).toContain('Registration for this panel closed on');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('at the closing instant itself registration is closed; a millisecond before it is open', async () => {
    const t = setup();
    const closesAt = (t.db.prepare('SELECT closes_at AS c FROM panels WHERE id = ?').get(t.panelId) as { c: number }).c;
    t.clock.advance(closesAt - t.clock.now() - 1);
    expect((await t.browser.get(FORM)).status).toBe(200);
    t.clock.advance(1);
    expect((await t.browser.get(FORM)).status).toBe(410);
  });
});

describe('cross-site protection', () => {
  test('a post without the CSRF token is refused (403) and stores nothing', async () => {
    const t = setup();
    await t.browser.get(FORM); // the browser has the cookie, but the form field is missing
    const before = snapshot(t.db);

    const res = await t.browser.post(FORM).type('form').send(validForm());

    expect(res.status).toBe(403);
    expect(res.text).toContain('This form was not sent from this site');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a post with a token that does not match the cookie is refused (403)', async () => {
    const t = setup();
    await t.browser.get(FORM);
    const before = snapshot(t.db);
    const res = await t.browser.post(FORM).type('form').send({ _csrf: 'forged-token', ...validForm() });
    expect(res.status).toBe(403);
    expect(snapshot(t.db)).toEqual(before);
  });
});
