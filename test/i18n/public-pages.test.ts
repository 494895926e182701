import type { Express } from 'express';
import request from 'supertest';
import { DEMO_ORGANISER } from '../../src/demo/seed';
import { seedDemoStory } from '../../src/demo/story';
import { roomSummaryHtml } from '../../src/outcomes/room-summary';
import { Summaries } from '../../src/outcomes/summaries';
import { findPanel, listCategories, type Panel } from '../../src/panels/repo';
import { saveTranslations, translatable } from '../../src/panels/translations';
import { RoomRepo } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';
import { readSummary } from '../../src/room/summary-read';
import { findCommitment, findDraw } from '../../src/selection/repo';
import { flatten, languageOf, readLocale } from '../../src/web/i18n';
import { makeApp } from '../helpers';

/**
 * Issue 22 on the public pages: the outcomes index, a panel's outcomes, a published summary and the page on how
 * the panel was chosen speak the reader's language (the words from views/locales/<code>/public.json), right to
 * left for Arabic, with no English heading of ours left, and their figures and dates formatted for the language
 * by Intl. The organiser's own words are theirs: translated where the organiser translated them, else marked
 * as English.
 */
const SLUG = 'coventry-cultural-strategy';
const t = makeApp({ demo: true });
const english = flatten(readLocale('en'));
const strings = { pl: flatten(readLocale('pl')), ar: flatten(readLocale('ar')) };
let sessionId = 0;
let panel: Panel;
const POLISH_TITLE = 'Obywatelski panel o strategii kulturalnej Coventry';

/** Each page's headings, by key. */
const HEADINGS: Record<string, string[]> = {
  index: ['outcomes.index.title'],
  panel: ['outcomes.panel.recommended', 'outcomes.panel.who', 'outcomes.panel.chosen', 'outcomes.panel.sessions'],
  summary: ['outcomes.record.narrative', 'outcomes.record.recommendations', 'outcomes.record.agenda', 'outcomes.record.tookPart', 'outcomes.record.votes', 'outcomes.record.spoke', 'outcomes.summary.downloads', 'outcomes.summary.versions'],
  selection: ['chosen.heading', 'chosen.checkHeading', 'chosen.commitmentHeading', 'chosen.numbersHeading', 'chosen.drawHeading'],
};
const ENGLISH_HEADINGS = Object.values(HEADINGS).flat().map((key) => english.get(key) as string);

const url = (page: string) =>
  ({ index: '/outcomes', panel: `/outcomes/${SLUG}`, summary: `/outcomes/${SLUG}/sessions/${sessionId}`, selection: `/panels/${SLUG}/selection` })[page] as string;

beforeAll(async () => {
  const panelId = t.demo?.panelId ?? 0;
  ({ sessionId } = await seedDemoStory(t.ctx, panelId)); // a real draw, the day replayed and its summary published
  panel = findPanel(t.db, panelId) as Panel;
  // The organiser has translated the panel's title into Polish, not into Arabic.
  const organiser = t.db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(DEMO_ORGANISER) as number;
  saveTranslations(t.db, panelId, 'pl', translatable(panel, listCategories(t.db, panelId)), [{ field: 'title', text: POLISH_TITLE, reviewed: false }], organiser, t.clock.now());
}, 60_000);
afterAll(() => t.db.close());

const decode = (html: string) =>
  html.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The text of the page's main part, leaving out what is marked as in another language (the organiser's and the tallies' English). */
function ourText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
  const out: string[] = [];
  const skipping: boolean[] = [];
  const VOID = new Set(['br', 'hr', 'img', 'input', 'link', 'meta', 'rect', 'source', 'wbr']);
  for (const [, text, close, name, attrs, selfClosing] of main.matchAll(/([^<]+)|<(\/?)([a-zA-Z0-9]+)([^>]*?)(\/?)>/g)) {
    if (text !== undefined) {
      if (!skipping.some(Boolean)) out.push(text);
    } else if (close) skipping.pop();
    else if (!VOID.has(name.toLowerCase()) && !selfClosing) skipping.push(/\slang="/.test(attrs) || name === 'script');
  }
  return decode(out.join(' ').replace(/\s+/g, ' '));
}

const headingsOf = (html: string) => [...html.matchAll(/<h[123][^>]*>([\s\S]*?)<\/h[123]>/g)].map((m) => decode(m[1].replace(/<[^>]+>/g, '')).trim());

describe.each(['pl', 'ar'] as const)('in %s', (code) => {
  const lang = languageOf(code);
  const words = strings[code];
  const number = (n: number, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(lang.tag, options).format(n);

  test.each(Object.keys(HEADINGS))('the %s page speaks the language, with none of our English headings', async (page) => {
    const res = await request(t.app).get(`${url(page)}?lang=${code}`);
    expect(res.status).toBe(200);
    expect(/<html lang="([^"]+)" dir="([^"]+)">/.exec(res.text)?.slice(1)).toEqual([lang.tag, lang.dir]);
    const headings = headingsOf(res.text);
    for (const key of HEADINGS[page]) {
      const heading = words.get(key) as string;
      expect(heading).not.toBe(english.get(key)); // translated, so the test can tell
      expect({ key, found: headings.includes(heading) }).toEqual({ key, found: true });
    }
    const text = ourText(res.text);
    expect(ENGLISH_HEADINGS.filter((heading) => text.includes(heading))).toEqual([]);
  });

  test('the figures and dates on the pages are formatted for the language by Intl', async () => {
    const commitment = findCommitment(t.db, panel.id);
    const draw = commitment?.drawId ? findDraw(t.db, panel.id, commitment.drawId) : undefined;
    const lowest = draw?.outcome?.minProbability as number;
    const pool = (commitment?.poolCsv.trim().split('\n').length ?? 1) - 1;
    expect(pool).toBeGreaterThan(999); // a number with thousands, which languages write differently

    const selection = (await request(t.app).get(`${url('selection')}?lang=${code}`)).text;
    expect(/id="lowest-chance">([^<]+)</.exec(selection)?.[1]).toBe(number(lowest, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    expect(/<p class="lead">([\s\S]*?)<\/p>/.exec(selection)?.[1]).toContain(number(pool));

    const summary = (await request(t.app).get(`${url('summary')}?lang=${code}`)).text;
    const version = new Summaries(t.ctx, new RoomRepo(t.db)).versions(sessionId)[0];
    const published = new Intl.DateTimeFormat(lang.tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(version.publishedAt);
    expect(/<p class="version">([\s\S]*?)<\/p>/.exec(summary)?.[1]).toContain(published);
    const { attended, members } = version.content.record.attendance;
    expect(ourText(summary)).toContain(number(attended / members, { style: 'percent', maximumFractionDigits: 1 }));

    // A recommendation's support, a share with a decimal place (94.1% in English).
    const support = version.content.record.recommendations.find((r) => r.status === 'adopted')?.vote?.support as number;
    expect(support % 1).not.toBe(0);
    const outcomes = ourText((await request(t.app).get(`${url('panel')}?lang=${code}`)).text);
    expect(outcomes).toContain(number(support / 100, { style: 'percent', maximumFractionDigits: 1 }));
    expect(outcomes).not.toContain(`${support}%`);
  });
});

test('the numbers differ from the English where the language writes them differently', async () => {
  const pl = (await request(t.app).get(`${url('selection')}?lang=pl`)).text;
  const en = (await request(t.app).get(`${url('selection')}?lang=en`)).text;
  const lowest = (html: string) => /id="lowest-chance">([^<]+)</.exec(html)?.[1];
  expect(lowest(en)).toMatch(/^\d+\.\d\d%$/);
  expect(lowest(pl)).toMatch(/^\d+,\d\d\s?%$/); // a decimal comma
  expect(lowest(pl)?.replace(/\s/g, '')).toBe(lowest(en)?.replace('.', ','));
});

test("the organiser's words: translated where they have been, else marked as English", async () => {
  const pl = (await request(t.app).get(`${url('panel')}?lang=pl`)).text;
  expect(pl).toContain(`<h1>${POLISH_TITLE}</h1>`);
  expect(pl).toContain(`<p class="lead"><span lang="en-GB" dir="ltr">${panel.question.replace(/'/g, '&#x27;')}</span></p>`);
  const ar = (await request(t.app).get(`${url('panel')}?lang=ar`)).text;
  expect(ar).toContain(`<h1><span lang="en-GB" dir="ltr">${panel.title.replace(/'/g, '&#x27;')}</span></h1>`);
  // English as it was: no marks.
  const en = (await request(t.app).get(`${url('panel')}?lang=en`)).text;
  expect(en).toContain(`<h1>${panel.title.replace(/'/g, '&#x27;')}</h1>`);
});

test('the summary members read in the room is in the language of their room page', async () => {
  const summaries = new Summaries(t.ctx, new RoomRepo(t.db));
  const revision = summaries.versions(sessionId)[0].revision;
  const html = (await roomSummaryHtml(t.app as Express, summaries, sessionId, revision, 'ar')) ?? '';
  expect(headingsOf(html)).toEqual(expect.arrayContaining([strings.ar.get('outcomes.record.votes'), strings.ar.get('outcomes.record.tookPart')]));
  expect(ENGLISH_HEADINGS.filter((heading) => ourText(`<main>${html}</main>`).includes(heading))).toEqual([]);
  // By the page's tag as well as its code; English when it names no language of ours.
  expect(await roomSummaryHtml(t.app as Express, summaries, sessionId, revision, 'pa-Guru')).toContain(flatten(readLocale('pa')).get('outcomes.record.votes'));
  expect(await roomSummaryHtml(t.app as Express, summaries, sessionId, revision, 'xx')).toContain(`<h2>${english.get('outcomes.record.votes')}</h2>`);
});

test("the room asks for the summary in its page's language (summary:read's `lang`), and gets it in that language", async () => {
  const summaries = new Summaries(t.ctx, new RoomRepo(t.db));
  const revision = summaries.versions(sessionId)[0].revision;
  const asked: (string | undefined)[] = [];
  const reader = (id: number, rev: number, lang?: string) => (asked.push(lang), roomSummaryHtml(t.app as Express, summaries, id, rev, lang));
  const state = { votes: [{ approves: revision }] } as unknown as RoomState;
  const read = (payload: unknown) => new Promise<{ ok: boolean; data?: { html: string } }>((resolve) => void readSummary(reader, () => {}, sessionId, state, { role: 'observer' }, payload, resolve));
  const polish = await read({ revision, lang: 'pl' });
  expect(polish.data?.html).toContain(`<h2>${strings.pl.get('outcomes.record.votes')}</h2>`);
  expect((await read({ revision })).data?.html).toContain(`<h2>${english.get('outcomes.record.votes')}</h2>`);
  expect(asked).toEqual(['pl', undefined]);
  expect(await read({ revision, lang: 7 })).toMatchObject({ ok: false });
});
