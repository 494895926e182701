import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { Membership } from '../../src/membership/lifecycle';
import { Sender } from '../../src/messages/sender';
import { folderTransport } from '../../src/messages/transport';
import { csrfToken, logIn, makeApp, seatMembers, smallPanel, submit } from '../helpers';

/**
 * The organiser's own words in other languages (issue 22): entered per language beside the English, shown to
 * residents in their language, the English shown (and marked as English) where there is none or the English has
 * changed since, and used in the member's messages.
 */
async function setUp() {
  const t = makeApp();
  const { panelId, slug } = smallPanel(t.db, t.clock);
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const admin = `/admin/panels/${panelId}/translations`;
  const form = async () => (await organiser.get(`${admin}/pl`)).text;
  const fieldFor = async (english: string) => {
    const page = await form();
    const at = page.indexOf(`lang="en-GB">${english}</p>`);
    return /name="(text_\d+)"/.exec(page.slice(at))?.[1] ?? '';
  };
  return { t, panelId, slug, organiser, admin, fieldFor };
}
const saved = (t: ReturnType<typeof makeApp>) => t.db.prepare('SELECT field, text, english, state FROM panel_translations ORDER BY field').all();

test('an organiser translates the question and an answer into Polish; a resident reading Polish sees them, and the rest marked as English', async () => {
  const { t, slug, organiser, admin, fieldFor } = await setUp();
  const list = await organiser.get(admin);
  expect(list.status).toBe(200);
  expect(list.text).toMatch(/Polski<\/span><\/th>\s*<td data-label="Translated">0 of \d+<\/td>/);

  const question = await fieldFor('What next?');
  const woman = await fieldFor('Woman');
  const res = await submit(organiser, `${admin}/pl`, `${admin}/pl`, { [question]: 'Co dalej?', [woman]: 'Kobieta', [woman.replace('text', 'reviewed')]: 'on' });
  expect(res.status).toBe(303);
  expect(saved(t)).toEqual([
    { field: 'category.gender.value.Woman', text: 'Kobieta', english: 'Woman', state: 'reviewed' },
    { field: 'question', text: 'Co dalej?', english: 'What next?', state: 'draft' },
  ]);

  const page = (await t.agent().get(`/register/${slug}?lang=pl`)).text;
  expect(page).toContain('<strong>Co dalej?</strong>');
  expect(page).toContain('<label for="q_gender_0">Kobieta</label>');
  expect(page).toContain('<label for="q_gender_1"><span lang="en-GB" dir="ltr">Man</span></label>');
  expect(page).toContain('<h1><span lang="en-GB" dir="ltr">Test Panel</span></h1>');
  expect(page).toContain('Część słów organizatorów na tej stronie nie jest jeszcze przetłumaczona');
  // In English nothing is marked, and nothing is said about translations.
  const english = (await t.agent().get(`/register/${slug}?lang=en`)).text;
  expect(english).toContain('<strong>What next?</strong>');
  expect(english).not.toContain('<span lang="en-GB"');
  expect(english).not.toContain('not translated yet');
});

test('when the English changes, its translation is set aside until someone checks it', async () => {
  const { t, panelId, slug, organiser, admin, fieldFor } = await setUp();
  await submit(organiser, `${admin}/pl`, `${admin}/pl`, { [await fieldFor('What next?')]: 'Co dalej?' });
  t.db.prepare("UPDATE panels SET question = 'What should happen next?' WHERE id = ?").run(panelId); // as the edit page saves it
  const page = (await t.agent().get(`/register/${slug}?lang=pl`)).text;
  expect(page).not.toContain('Co dalej?');
  expect(page).toContain('<span lang="en-GB" dir="ltr">What should happen next?</span>');
  const form = (await organiser.get(`${admin}/pl`)).text;
  expect(form).toContain('The English has changed since this was translated (it was: “What next?”)');
  expect((await organiser.get(admin)).text).toMatch(/English changed since">\s*<strong>1<\/strong>/);
});

test('a translation too long, or with markup, is refused by name and nothing is saved; an unknown language is a 404', async () => {
  const { t, organiser, admin, fieldFor } = await setUp();
  const question = await fieldFor('What next?');
  const title = await fieldFor('Test Panel');
  const res = await submit(organiser, `${admin}/pl`, `${admin}/pl`, { [question]: 'Co dalej?', [title]: 'x'.repeat(201) });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Title: keep the translation to 200 characters or fewer (it has 201).');
  expect(res.text).toContain('>Co dalej?</textarea>'); // what was typed is kept for correcting
  const markup = await submit(organiser, `${admin}/pl`, `${admin}/pl`, { [question]: '<script>alert(1)</script>' });
  expect(markup.status).toBe(400);
  expect(markup.text).toContain('The question: use words and ordinary punctuation, without &lt; or &gt;.');
  expect(saved(t)).toEqual([]);
  for (const lang of ['en', 'xx']) {
    expect((await organiser.get(`${admin}/${lang}`)).status).toBe(404);
    const token = await csrfToken(organiser, `${admin}/pl`);
    expect((await organiser.post(`${admin}/${lang}`).type('form').send({ _csrf: token, [question]: 'x' })).status).toBe(404);
  }
  expect(saved(t)).toEqual([]);
});

test("a member who reads Polish is invited in Polish, with the organiser's words in Polish where they are translated", async () => {
  const { t, panelId, organiser, admin, fieldFor } = await setUp();
  await submit(organiser, `${admin}/pl`, `${admin}/pl`, { [await fieldFor('What next?')]: 'Co dalej?', [await fieldFor('Test Panel')]: 'Panel testowy' });
  await submit(t.agent(), '/register/test-panel?lang=pl', '/register/test-panel', { name: 'Marta Nowak', email: 'marta@example.org', address: '1 Demo Street', postcode: 'CV1 2AB', q_gender: 'Woman', q_age: '16-39', consent: 'yes' });
  expect(t.db.prepare('SELECT language FROM registrants WHERE email = ?').pluck().get('marta@example.org')).toBe('pl');
  seatMembers(t.db, panelId, t.db.prepare('SELECT public_id FROM registrants').pluck().all() as string[], t.clock.now(), 'selected');
  new Membership(t.ctx).inviteDrawn(panelId, null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mail-'));
  await new Sender(t.ctx, folderTransport(dir)).tick();
  const mails = await Promise.all(fs.readdirSync(dir).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
  const received = mails.find((m) => m.text?.includes('Panel testowy') && m.text.includes('/confirm/'));
  const invitation = mails.find((m) => m.text?.includes('/invite/'));
  expect(received?.subject).toContain('Panel testowy');
  expect(invitation?.text).toContain('Co dalej?');
  expect(invitation?.html).toContain('<html lang="pl" dir="ltr">');
  fs.rmSync(dir, { recursive: true });
});
