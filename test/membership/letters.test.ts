import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, type Db, openDb } from '../../src/db';
import { unprintable } from '../../src/mailout/fonts';
import { listMembers } from '../../src/membership/members';
import { renderMessage } from '../../src/messages/templates';
import { findPanel, insertPanel, updatePanel } from '../../src/panels/repo';
import { saveTranslations, translatable } from '../../src/panels/translations';
import { insertRegistrant } from '../../src/registration/repo';
import { sha256 } from '../../src/tokens';
import { LANGUAGES } from '../../src/web/i18n';
import { readingAge } from '../i18n/readability';
import { readLetters } from '../mailout/read-letters';
import { type Agent, csrfToken, logIn, PASSWORD, seatMembers, smallPanel, snapshot } from '../helpers';

/**
 * Issue 22, letters by post: the people drawn who gave no email address get a printed invitation in their own
 * language, with their own link as text and as a QR code. Read back as a phone and eyes would (PDF.js and jsQR),
 * each letter's link is its member's, and opens their invitation.
 */
const messages = path.join(__dirname, '..', '..', 'views', 'messages');
const people = [
  { name: 'Ada Lovelace', email: null, language: 'en', address: '10 Demo Street\nFoleshill', postcode: 'CV1 2AB' },
  { name: 'Zofia Nowak', email: null, language: 'pl', address: '7 Sample Road', postcode: 'CV6 5DE' },
  { name: 'Amira Haddad', email: null, language: 'ar', address: 'Flat 3, 22 Mill Lane', postcode: 'CV7 9XY' },
  { name: 'Harpreet Kaur', email: null, language: 'pa', address: '5 Rose Close', postcode: 'CV2 4GH' },
  { name: 'Eve Emailed', email: 'eve@example.org', language: 'en', address: '1 Inbox Way', postcode: 'CV3 1AA' },
];
const withoutEmail = people.filter((p) => !p.email);

let dir: string;
let db: Db;
let clock: ManualClock;
let app: ReturnType<typeof createApp>;
let panelId: number;
let organiser: Agent;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-member-letters-'));
  db = openDb(path.join(dir, 'letters.db'));
  clock = new ManualClock();
  app = createApp({ db, clock, config: testConfig(), log: () => {} });
  ({ panelId } = smallPanel(db, clock));
  const panel = findPanel(db, panelId)!;
  updatePanel(db, panelId, { ...panel, details: { dates: 'Saturdays 6, 13 and 20 March 2027, 10am to 4pm', venue: 'The Council House, Coventry', expenses: '£300 thank-you payment, travel paid', access: 'Step-free, hearing loop', contactName: 'Sam', contactEmail: 'panel@example.org', contactPhone: '024 7697 0000' } });
  const ids = people.map((p) => insertRegistrant(db, panelId, { ...p, email: p.email ?? undefined, phone: undefined, valueIds: [], source: 'form', consentAt: 0 }, 0));
  seatMembers(db, panelId, ids, clock.now(), 'selected');
  organiser = await logIn(db, clock, request.agent(app.app), 'organiser');
});

afterAll(() => {
  app.io.close();
  closeDb(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

const lettersPage = () => `/admin/panels/${panelId}/letters`;
const replyBy = () => new Date(clock.now() + 21 * 86_400_000).toISOString().slice(0, 10);
async function download(agent: Agent, query = '', fields: Record<string, string> = { replyBy: replyBy() }) {
  const _csrf = await csrfToken(agent, lettersPage());
  return agent
    .post(`/admin/panels/${panelId}/letters.pdf${query}`)
    .type('form')
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .send({ _csrf, ...fields });
}
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
/** The link on a page, as printed (PDF.js reads a link broken over two lines as two pieces). */
const linkOn = (text: string) => /https?:\/\/\S+\/invite\/\s*[A-Za-z0-9_-]+/.exec(text)?.[0].replace(/\s+/g, '');
/** A paragraph of a language's letter with no placeholder in it: the template's own words. */
const ownWords = (language: string) =>
  fs.readFileSync(path.join(messages, language, 'invitation-letter.txt'), 'utf8').split(/\n{2,}/).slice(1).find((p) => !/\{\{|\[\[/.test(p))!.trim();

test('the letters page names who gets a letter, and what printing does to their links', async () => {
  const page = await organiser.get(lettersPage());
  expect(page.status).toBe(200);
  expect(flat(page.text)).toContain('4 people have no email address');
  expect(page.text).toContain('Printing makes a new invitation link for each letter');
  for (const p of withoutEmail) expect(page.text).toContain(p.name);
  expect(page.text).not.toContain('Eve Emailed');
  // The selection page links to it.
  const selection = (await organiser.get(`/admin/panels/${panelId}/selection`)).text;
  expect(selection).toContain(`href="/admin/panels/${panelId}/letters"`);
  expect(selection).toContain(`Letters by post, for members without an email address (${withoutEmail.length})`);
});

test('one page per member without email, each with their name, address and own link, its QR code the same link, which opens their invitation', async () => {
  const before = db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'personal_data.download'").pluck().get() as number;
  const res = await download(organiser);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/pdf/);
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?test-panel-invitation-letters\.pdf"?$/);
  const read = await readLetters(res.body as Buffer);
  expect(read.numPages).toBe(withoutEmail.length);
  const links = new Set<string>();
  for (const p of withoutEmail) {
    const pages = read.pages.filter((pg) => pg.text.includes(p.name));
    expect({ name: p.name, pages: pages.length }).toEqual({ name: p.name, pages: 1 });
    const [page] = pages;
    expect(page.text).toContain(p.postcode);
    const link = linkOn(page.text);
    expect(link).toBeDefined();
    expect(page.qr).toBe(link);
    links.add(link!);
    // The link is this member's: it opens their invitation, with the form to answer it.
    const token = link!.split('/invite/')[1];
    const member = listMembers(db, panelId).find((m) => m.name === p.name)!;
    expect(member.status).toBe('invited');
    const invitation = await request(app.app).get(`/invite/${token}`);
    expect(invitation.status).toBe(200);
    expect(invitation.text).toContain('name="answer" value="confirm"');
    expect(db.prepare('SELECT token_hash FROM members WHERE id = ?').pluck().get(member.id)).toBe(sha256(token));
  }
  expect(links.size).toBe(withoutEmail.length);
  expect(read.pages.some((pg) => pg.text.includes('Eve Emailed'))).toBe(false);
  // In their own language: the Polish letter has the Polish template's own words; the Arabic one, Arabic letters.
  const polish = read.pages.find((pg) => pg.text.includes('Zofia Nowak'))!;
  expect(flat(polish.text)).toContain(flat(ownWords('pl')));
  expect(flat(polish.text)).not.toContain(flat(ownWords('en')));
  const arabic = read.pages.find((pg) => pg.text.includes('Amira Haddad'))!;
  expect(arabic.text).toMatch(/[\u0600-\u06FF]{3}/);
  expect(read.pages.find((pg) => pg.text.includes('Harpreet Kaur'))!.text).toMatch(/[\u0A00-\u0A7F]{3}/);
  const english = read.pages.find((pg) => pg.text.includes('Ada Lovelace'))!;
  expect(flat(english.text)).toContain('By phone: call 024 7697 0000 and ask for Sam');
  expect(flat(english.text)).toContain('Saturdays 6, 13 and 20 March 2027');
  // The download is in the audit trail, with how many letters and no names.
  const audits = db.prepare("SELECT detail FROM audit_log WHERE action = 'personal_data.download'").pluck().all() as string[];
  expect(audits.length).toBe(before + 1);
  expect(JSON.parse(audits[audits.length - 1])).toEqual({ what: 'invitation letters.pdf', rows: withoutEmail.length });
});

test('one member’s letter on request: a new link for them, their old one stops working, and nobody else’s changes', async () => {
  const member = listMembers(db, panelId).find((m) => m.name === 'Zofia Nowak')!;
  const hashes = () => new Map(listMembers(db, panelId).map((m) => [m.id, db.prepare('SELECT token_hash FROM members WHERE id = ?').pluck().get(m.id)]));
  const was = hashes();
  const res = await download(organiser, `?member=${member.id}`);
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toContain(`-member-${member.id}.pdf`);
  const read = await readLetters(res.body as Buffer);
  expect(read.numPages).toBe(1);
  expect(read.pages[0].text).toContain('Zofia Nowak');
  const now = hashes();
  for (const [id, hash] of now) expect({ id, changed: hash !== was.get(id) }).toEqual({ id, changed: id === member.id });
  expect((await request(app.app).get(`/invite/${linkOn(read.pages[0].text)!.split('/invite/')[1]}`)).status).toBe(200);
  // Someone with an email address gets theirs by email: no letter.
  const eve = listMembers(db, panelId).find((m) => m.name === 'Eve Emailed')!;
  const before = snapshot(db);
  const refused = await download(organiser, `?member=${eve.id}`);
  expect(refused.status).toBe(409);
  expect(snapshot(db)).toEqual(before);
});

test('a day to answer by that is not a day, or has passed, is refused and changes nothing', async () => {
  const before = snapshot(db);
  for (const day of ['', '2027-02-30', new Date(clock.now() - 86_400_000).toISOString().slice(0, 10), 'soon']) {
    const res = await download(organiser, '', { replyBy: day });
    expect({ day, status: res.status }).toEqual({ day, status: 400 });
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  }
  expect(snapshot(db)).toEqual(before);
});

test('only the panel’s organisers: a facilitator and another panel’s organiser are refused, and someone signed out is sent to log in', async () => {
  const facilitator = await logIn(db, clock, request.agent(app.app), 'facilitator');
  const otherPanel = insertPanel(db, { slug: 'other-panel', title: 'Other', question: 'Q?', panelSize: 10, closesAt: clock.now() + 86_400_000, quotaTolerance: 1 }, clock.now());
  const other = createUser(db, clock, { email: 'other-organiser@example.org', name: 'Other organiser', role: 'organiser', password: PASSWORD });
  addToTeam(db, otherPanel, other.id, clock.now());
  const otherOrganiser = await logIn(db, clock, request.agent(app.app), 'organiser', 'other-organiser@example.org');
  const before = snapshot(db);
  for (const agent of [facilitator, otherOrganiser]) {
    expect([403, 404]).toContain((await agent.get(lettersPage())).status);
    const _csrf = await csrfToken(agent, '/admin');
    const res = await agent.post(`/admin/panels/${panelId}/letters.pdf`).type('form').send({ _csrf, replyBy: replyBy() });
    expect([403, 404]).toContain(res.status);
    expect(res.headers['content-type']).not.toMatch(/pdf/);
  }
  const anonymous = await request(app.app).get(lettersPage());
  expect(anonymous.status).toBe(302);
  expect(anonymous.headers.location).toMatch(/^\/login/);
  expect((await request(app.app).post(`/admin/panels/${panelId}/letters.pdf`).type('form').send({ replyBy: replyBy() })).status).toBeGreaterThanOrEqual(400);
  expect(snapshot(db)).toEqual(before);
});

test('a panel with no phone number to call prints no letter, and says what to do', async () => {
  const panel = findPanel(db, panelId)!;
  updatePanel(db, panelId, { ...panel, details: { ...panel.details, contactPhone: '' } });
  try {
    const before = snapshot(db);
    const res = await download(organiser);
    expect(res.status).toBe(409);
    expect(res.body.toString()).toContain('Add a contact phone number');
    expect(snapshot(db)).toEqual(before);
    expect((await organiser.get(lettersPage())).text).not.toContain('letters.pdf?member=');
  } finally {
    updatePanel(db, panelId, panel);
  }
});

test('a language whose words the fonts cannot print is printed in English, saying so, never as empty boxes', async () => {
  // The panel's own words in Polish, in a script none of the letter's fonts has.
  const panel = findPanel(db, panelId)!;
  const organiserId = db.prepare("SELECT id FROM users WHERE email = 'organiser@example.org'").pluck().get() as number;
  saveTranslations(db, panelId, 'pl', translatable(panel, []), [{ field: 'title', text: '公民小组', reviewed: false }], organiserId, clock.now());
  try {
    const member = listMembers(db, panelId).find((m) => m.name === 'Zofia Nowak')!;
    const read = await readLetters((await download(organiser, `?member=${member.id}`)).body as Buffer);
    expect(read.pages[0].text).toContain('We cannot print letters in your language yet, so this letter is in English.');
    expect(flat(read.pages[0].text)).toContain(flat(ownWords('en')));
    expect(read.pages[0].text).not.toContain('公民小组');
  } finally {
    saveTranslations(db, panelId, 'pl', translatable(panel, []), [{ field: 'title', text: '', reviewed: false }], organiserId, clock.now());
  }
});

test('every language’s letter can be set in the letter fonts, and the English reads at a reading age of 11 or under', () => {
  const vars = { name: 'Ada', panel: 'the panel', question: 'what next', dates: 'in March', venue: 'the hall', expenses: '£300', access: 'step-free', contact: 'Sam', phone: '024 7697 0000', contactName: 'Sam', replyBy: '1 March 2027', site: 'https://example.org' };
  for (const { code } of LANGUAGES) {
    const words = renderMessage('invitation-letter', code, vars);
    expect({ code, missing: unprintable(`${words.subject}\n${words.text}`) }).toEqual({ code, missing: [] });
  }
  expect(unprintable('公民')).toEqual(['公', '民']);
  const english = renderMessage('invitation-letter', 'en', vars).text.replace(/\[\[link\]\]|https?:\/\/\S+/g, '');
  const measured = readingAge(english);
  expect(measured.words).toBeGreaterThan(80);
  expect(measured.age).toBeLessThanOrEqual(11);
});

test("a panel's own wording of the letter, saved for Polish, is what the Polish member's letter says; the others keep the standard", async () => {
  const editor = `/admin/panels/${panelId}/message-wording/invitation-letter/pl`;
  const source = 'Subject: Zaproszenie do {{panel}}\n\nSzanowna Pani, szanowny Panie {{name}},\n\nTo list panelu napisany przez organizatorów. Odpowiedz do {{replyBy}}.\n\n[[link]]\n\nTelefon: {{phone}}\n';
  const _csrf = await csrfToken(organiser, editor);
  expect((await organiser.post(editor).type('form').send({ _csrf, action: 'save', source })).status).toBe(303);
  const read = await readLetters((await download(organiser)).body as Buffer);
  const polish = read.pages.find((pg) => pg.text.includes('Zofia Nowak'))!;
  expect(flat(polish.text)).toContain('To list panelu napisany przez organizatorów.');
  expect(flat(polish.text)).not.toContain(flat(ownWords('pl')));
  expect(polish.qr).toBe(linkOn(polish.text));
  expect(flat(read.pages.find((pg) => pg.text.includes('Ada Lovelace'))!.text)).toContain(flat(ownWords('en')));
});
