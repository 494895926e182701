import { seedDemoStory } from '../../src/demo/story';
import { type Agent, logIn, makeApp, personalDataIn, snapshot, submit } from '../helpers';

jest.setTimeout(120_000);

/**
 * Issue 24, the council's response: the organiser answers each recommendation the panel adopted in the demo's
 * published summary, publishes the response as version 1, and corrects it as version 2 with a note; the public
 * outcome page shows each answer beside its recommendation, and a published version can never change.
 */
const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
const admin = `/admin/panels/${panelId}/response`;
const PUBLIC = '/outcomes/coventry-cultural-strategy';
let organiser: Agent;
let adopted: { session: number; rec: number }[] = [];

beforeAll(async () => {
  await seedDemoStory(t.ctx, panelId, () => {}, { respond: false }); // the demo's draws and its day, without its response: about 10 s
  organiser = t.agent();
  await submit(organiser, '/login', '/login', { email: t.demo?.organiser.email ?? '', password: t.demo?.organiser.password ?? '' });
  const page = (await organiser.get(admin)).text;
  adopted = [...page.matchAll(/action="\/admin\/panels\/\d+\/response\/(\d+)\/(\d+)"/g)].map((m) => ({ session: Number(m[1]), rec: Number(m[2]) }));
});
afterAll(() => t.db.close());

const answer = (status: string, reasons: string) => ({ status, reasons, responsible: 'Culture Coventry, Head of Arts', due: '2027-03-31' });

test('the page lists every adopted recommendation in the panel’s words; the public page says no response yet', async () => {
  expect(adopted.length).toBeGreaterThan(1);
  const page = (await organiser.get(admin)).text;
  expect(page).toContain('<h1>The council’s response</h1>');
  expect((await t.agent().get(PUBLIC)).text).toContain('The council has not yet published its response to these recommendations.');
});

test('a bad answer is refused by field, keeps what was typed, and changes nothing', async () => {
  const [first] = adopted;
  const before = snapshot(t.db);
  const res = await submit(organiser, admin, `${admin}/${first.session}/${first.rec}`, { status: 'maybe', reasons: '', responsible: 'Culture Coventry', due: '31/03/2027' });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Choose the response: accepted, accepted in part, not accepted, or needs further work.');
  expect(res.text).toContain('Say why, in plain words: what the council will do, or why not.');
  expect(res.text).toContain('Give the date as a day, such as 2027-03-31, or leave it empty.');
  expect(res.text).toContain(`href="#reasons-${first.session}-${first.rec}"`);
  expect(res.text).toContain('value="Culture Coventry"');
  expect(snapshot(t.db)).toEqual(before);
  const missing = await submit(organiser, admin, `${admin}/${first.session}/999`, answer('accepted', 'Yes.'));
  expect(missing.status).toBe(404);
  expect(snapshot(t.db)).toEqual(before);
});

test('publishing needs every recommendation answered and the box ticked; then version 1 is on the public page', async () => {
  const [first, ...rest] = adopted;
  expect((await submit(organiser, admin, `${admin}/${first.session}/${first.rec}`, answer('accepted', 'We will fund two new community venues from April.'))).status).toBe(303);
  const early = await submit(organiser, admin, `${admin}/publish`, { confirm: 'yes' });
  expect(early.status).toBe(400);
  expect(early.text).toContain('Answer every recommendation before publishing');
  for (const r of rest) expect((await submit(organiser, admin, `${admin}/${r.session}/${r.rec}`, answer('further-work', 'The budget for 2027 is set in February; we will answer then.'))).status).toBe(303);
  const unticked = await submit(organiser, admin, `${admin}/publish`, {});
  expect(unticked.status).toBe(400);
  expect((await submit(organiser, admin, `${admin}/publish`, { confirm: 'yes' })).status).toBe(303);

  const page = (await t.agent().get(PUBLIC)).text;
  expect(page).toMatch(/The council’s response is beside each recommendation: version 1, published/);
  // Members hear back: each confirmed member with an email address is told, in their language, with the link.
  const told = t.db.prepare("SELECT language, text_body AS text FROM messages WHERE kind = 'response'").all() as { language: string; text: string }[];
  const confirmed = t.db.prepare("SELECT COUNT(*) FROM members m JOIN registrants r ON r.id = m.registrant_id WHERE m.panel_id = ? AND m.status = 'confirmed' AND r.email IS NOT NULL").pluck().get(panelId) as number;
  expect(confirmed).toBeGreaterThan(0);
  expect(told).toHaveLength(confirmed);
  const english = told.find((m) => m.language === 'en');
  expect(english?.text).toContain('The council has published its response to the panel’s recommendations.');
  expect(english?.text).toContain('/outcomes/coventry-cultural-strategy#recommended');
  expect(page).toContain(`id="response-${first.rec}"`);
  expect(page).toContain('The council’s response: accepted</strong>');
  expect(page).toContain('We will fund two new community venues from April.');
  expect(page).toContain('Responsible: Culture Coventry, Head of Arts.');
  expect(page).toContain('By 31 March 2027.');
  expect(page).toContain('The council’s response: needs further work</strong>');
});

test('a published version is fixed; a correction is version 2, which must say what changed and change something', async () => {
  const [first] = adopted;
  expect(() => t.db.prepare("UPDATE response_versions SET content = '[]' WHERE panel_id = ?").run(panelId)).toThrow('A published response is fixed: publish a correction as a new version.');
  const same = await submit(organiser, admin, `${admin}/publish`, { confirm: 'yes', note: 'Nothing really.' });
  expect(same.status).toBe(409);
  expect(same.text).toContain('Nothing changed since version 1');
  expect((await submit(organiser, admin, `${admin}/${first.session}/${first.rec}`, answer('in-part', 'One new venue from April; the second depends on the 2027 budget.'))).status).toBe(303);
  const silent = await submit(organiser, admin, `${admin}/publish`, { confirm: 'yes' });
  expect(silent.status).toBe(400);
  expect(silent.text).toContain('Say what changed since version 1');
  expect((await submit(organiser, admin, `${admin}/publish`, { confirm: 'yes', note: 'Recommendation 1 is now accepted in part: one venue, not two.' })).status).toBe(303);
  const page = (await t.agent().get(PUBLIC)).text;
  expect(page).toMatch(/version 2, published/);
  expect(page).toContain('What changed: Recommendation 1 is now accepted in part: one venue, not two.');
  expect(page).toContain('The council’s response: accepted in part</strong>');
  expect(page).not.toContain('We will fund two new community venues from April.');
  const audit = t.db.prepare("SELECT action FROM audit_log WHERE action LIKE 'response.%' ORDER BY id").pluck().all();
  expect(audit.filter((a) => a === 'response.publish')).toHaveLength(2);
});

test('milestones and their updates are public at once; a bad one is refused by field and changes nothing', async () => {
  const [first] = adopted;
  const milestones = `${admin}/${first.session}/${first.rec}/milestones`;
  const before = snapshot(t.db);
  const bad = await submit(organiser, admin, milestones, { title: '', due: 'next spring' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('Say what the step is');
  expect(bad.text).toContain('Give the date as a day, such as 2027-03-31.');
  expect(snapshot(t.db)).toEqual(before);
  expect((await submit(organiser, admin, milestones, { title: 'The Foleshill venue opens', due: '2027-01-31' })).status).toBe(303);
  const id = t.db.prepare('SELECT MAX(id) FROM milestones').pluck().get() as number;
  let page = (await t.agent().get(PUBLIC)).text;
  expect(page).toContain(`id="milestone-${id}"`);
  expect(page).toMatch(/<strong>The Foleshill venue opens<\/strong> · planned · due 31 January 2027/);

  const updates = `/admin/panels/${panelId}/milestones/${id}/updates`;
  const wrong = await submit(organiser, admin, updates, { status: 'nearly', progress: '140', text: '' });
  expect(wrong.status).toBe(400);
  expect(wrong.text).toContain('Choose where it stands: planned, in progress, done or dropped.');
  expect(wrong.text).toContain('The progress must be at most 100.');
  expect((await submit(organiser, admin, '/admin/panels/' + panelId + '/milestones/999999/updates', { status: 'done', text: 'Done.' })).status).toBe(404);
  const before2 = t.db.prepare("SELECT COUNT(*) FROM messages WHERE kind = 'response'").pluck().get() as number;
  expect((await submit(organiser, admin, updates, { status: 'in-progress', progress: '40', text: 'The lease is signed; building work starts in November.' })).status).toBe(303);
  const news = t.db.prepare("SELECT text_body FROM messages WHERE kind = 'response' AND language = 'en' ORDER BY id DESC LIMIT 1").pluck().get() as string;
  expect(t.db.prepare("SELECT COUNT(*) FROM messages WHERE kind = 'response'").pluck().get()).toBeGreaterThan(before2);
  expect(news).toContain(`There is news on recommendation ${first.rec}: “The Foleshill venue opens” is now in progress.`);
  page = (await t.agent().get(PUBLIC)).text;
  expect(page).toMatch(/<strong>The Foleshill venue opens<\/strong> · in progress · due 31 January 2027/);
  expect(page).toContain('aria-label="40% done"');
  expect(page).toContain('The lease is signed; building work starts in November.');
  expect(() => t.db.prepare("UPDATE milestone_updates SET text = 'Finished.'").run()).toThrow('A posted update is fixed');

  // Past its date and not done: overdue, on the page and in the exports.
  t.clock.advance(120 * 86_400_000);
  page = (await t.agent().get(PUBLIC)).text;
  expect(page).toContain('overdue: it was due 31 January 2027');
  const csv = (await t.agent().get(`${PUBLIC}/progress.csv`)).text;
  expect(csv).toMatch(/,The Foleshill venue opens,2027-01-31,in-progress,40,yes,/);
  const json = JSON.parse((await t.agent().get(`${PUBLIC}/progress.json`)).text) as { recommendations: { milestones: { overdue: boolean; updates: unknown[] }[] }[] };
  const steps = json.recommendations.flatMap((r) => r.milestones);
  expect(steps).toHaveLength(1);
  expect(steps[0]).toMatchObject({ overdue: true });
  expect(steps[0].updates).toHaveLength(2);
});

test('the Atom feed carries each version of the response and each update, newest first, as well-formed XML', async () => {
  const res = await t.agent().get(`${PUBLIC}/feed.atom`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
  const entries = [...res.text.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>[\s\S]*?<updated>([^<]+)<\/updated>/g)].map((m) => ({ title: m[1], updated: m[2] }));
  expect(entries.map((e) => e.title)).toEqual(expect.arrayContaining(['The council’s response, version 2', 'The council’s response, version 1']));
  expect(entries.some((e) => /The Foleshill venue opens \(in progress, 40%\)/.test(e.title))).toBe(true);
  const times = entries.map((e) => Date.parse(e.updated));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
  // Well formed: every element closed, no stray ampersand.
  const opened = [...res.text.matchAll(/<(entry|title|id|updated|content)\b/g)].length;
  const closed = [...res.text.matchAll(/<\/(entry|title|id|updated|content)>/g)].length;
  expect(opened).toBe(closed);
  expect(res.text).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
});

test('only the panel’s organisers draft and publish it: a facilitator and the public are refused', async () => {
  const facilitator = await logIn(t.db, t.clock, t.agent(), 'facilitator');
  expect((await facilitator.get(admin)).status).toBe(403);
  expect((await t.agent().get(admin)).status).toBe(302);
  expect((await submit(facilitator, '/admin', `/admin/panels/${panelId}/milestones/1/updates`, { status: 'done', text: 'Done.' })).status).toBe(403);
});

describe('the demo', () => {
  const demo = makeApp({ demo: true });
  afterAll(() => demo.db.close());

  test('shows the council’s response to each recommendation, with progress to follow by feed; nothing names a member', async () => {
    await seedDemoStory(demo.ctx, demo.demo?.panelId ?? 0);
    const page = (await demo.agent().get(PUBLIC)).text;
    expect(page).toMatch(/The council’s response is beside each recommendation: version 1, published/);
    expect(page.match(/class="response"/g)?.length).toBeGreaterThan(1);
    expect(page).toContain('Funding for the first year agreed by the cabinet');
    expect(page).toContain('The full council approved the budget: the first year is funded from April 2027.');
    expect(page).toContain('href="/outcomes/coventry-cultural-strategy/feed.atom"');
    const feed = (await demo.agent().get(`${PUBLIC}/feed.atom`)).text;
    expect(feed.match(/<entry>/g)?.length).toBe(1 + 2 + 4); // the response, two milestones planned, and four updates
    expect(personalDataIn(demo.db, [page, feed])).toEqual([]);
    expect(page).not.toMatch(/\bR-[0-9A-Z]{8}\b/);
  });
});
