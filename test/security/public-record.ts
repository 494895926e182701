import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import request from 'supertest';
import { type DisclosureReport, type GroupCount, type PublishedCounts, type PublishedTable, type Row, worstCase } from '../../src/disclosure';

/**
 * What anyone can learn from the public site without logging in (issue 17): it walks every page and file the site
 * links to from its public pages, plus the draw files it serves unlinked, and measures them with the disclosure
 * tool. Returns figures; test/security/reidentification.test.ts asserts the rule on them.
 */

const PSEUDONYM = /\bR-[0-9A-Z]{8}\b/g;
/** Where crawling stops: pages behind a login, forms, and static files. */
const NOT_PUBLIC = /^\/(admin|login|logout|invite|register|css|js|img|images|fonts)(\/|$)|\.(css|js|png|svg|ico|woff2?)$/;

export interface Fetched {
  url: string;
  status: number;
  type: 'html' | 'csv' | 'json' | 'other';
  text: string;
}

export interface PublicRecordFigures {
  /** Every URL fetched, its status and kind, and the columns or attributes it carries. */
  fetched: { url: string; status: number; type: Fetched['type']; carries: string[]; pseudonyms: number }[];
  /** The screens given, with how many pseudonyms each shows. */
  screens: { name: string; pseudonyms: number }[];
  report: DisclosureReport;
  pseudonyms: {
    /** On a public HTML page (and on an observer screen, when given). */
    onPages: string[];
    /** In the published record of a session: its JSON and CSV files. */
    inRecord: string[];
    /** In a public file that gives demographics beside them (the pool files). */
    withDemographics: string[];
    /** In the pool but left out of a later draw's pool: the drawn and their housemates, revealed by the difference. */
    droppedFromLaterPools: number;
    /** Shown on a page, in the record, or revealed by the pools' difference, and found in a file with demographics: their answers are public. */
    linked: string[];
    /** Of those, alone in the pool on their answers (the household code left out). */
    linkedUniqueInPool: number;
    /** Of those, alone among the linked on their answers: the panel itself, as page and pool together give it. */
    linkedUniqueAmongLinked: number;
  };
}

export interface ExtraScreens {
  /** Screens served outside HTTP that the public sees (an observer screen on a projector): name and text. */
  screens?: { name: string; text: string }[];
  /** Draw ids to try for unlinked draw files; by default 1 to 20. */
  drawIds?: number[];
  /** Public pages to start from besides the home page and the outcomes (one no outcome links to yet). */
  start?: string[];
}

export async function measurePublicRecord(app: Express, extra: ExtraScreens = {}): Promise<PublicRecordFigures> {
  const fetched = await crawl(app, ['/', '/outcomes', ...(extra.start ?? [])]);
  for (const slug of selectionSlugs(fetched)) {
    for (const id of extra.drawIds ?? range(1, 20)) {
      for (const file of ['pool.csv', 'quotas.csv']) {
        const url = `/panels/${slug}/selection/draws/${id}/${file}`;
        if (!fetched.some((f) => f.url === url)) await fetchInto(app, fetched, url);
      }
    }
  }
  const ok = fetched.filter((f) => f.status === 200);
  const tables = ok.filter((f) => f.type === 'csv').flatMap(personTable);
  const pages = [...ok.filter((f) => f.type === 'html').map((f) => f.text), ...(extra.screens ?? []).map((s) => s.text)];
  const record = ok.filter((f) => f.url.startsWith('/outcomes/') && f.type !== 'html').map((f) => f.text);
  const { pseudonyms, derived } = pseudonymFigures(tables, pages, record);
  return {
    fetched: fetched.map((f) => ({ url: f.url, status: f.status, type: f.type, carries: carries(f), pseudonyms: pseudonymsIn([f.text]).length })),
    screens: (extra.screens ?? []).map((s) => ({ name: s.name, pseudonyms: pseudonymsIn([s.text]).length })),
    report: worstCase([...tables.map((t) => t.table), ...derived], ok.flatMap(groupCounts)),
    pseudonyms,
  };
}

/** Which pseudonyms the public can tie to a row of answers, and the table of those rows (the panel, in effect). */
function pseudonymFigures(tables: PersonTable[], pages: string[], record: string[]): { pseudonyms: PublicRecordFigures['pseudonyms']; derived: PublishedTable[] } {
  const onPages = pseudonymsIn(pages);
  const inRecord = pseudonymsIn(record);
  const withDemographics = [...new Set(tables.flatMap((t) => t.ids))].sort();
  const pool = tables.find((t) => /\/selection\/pool\.csv$/.test(t.table.name)) ?? tables[0];
  const dropped = pool ? tables.filter((t) => t !== pool && t.ids.length).flatMap((t) => pool.ids.filter((id) => !t.ids.includes(id))) : [];
  const linked = [...new Set([...onPages, ...inRecord, ...dropped])].filter((p) => withDemographics.includes(p)).sort();
  const linkedRows = pool ? pool.table.rows.filter((r) => linked.includes(r.id ?? '')) : [];
  const answers = pool ? pool.table.columns.filter((c) => c !== 'household') : [];
  return {
    pseudonyms: {
      onPages,
      inRecord,
      withDemographics,
      droppedFromLaterPools: new Set(dropped).size,
      linked,
      linkedUniqueInPool: pool ? uniqueAmong(pool.table.rows, linkedRows, answers) : 0,
      linkedUniqueAmongLinked: uniqueAmong(linkedRows, linkedRows, answers),
    },
    derived: pool && linkedRows.length ? [{ name: `${pool.table.name} joined with the pseudonyms revealed in public`, rows: linkedRows, columns: pool.table.columns }] : [],
  };
}

/** Every public page and file reachable by links from `start`, with its text. */
export async function crawl(app: Express, start: string[]): Promise<Fetched[]> {
  const fetched: Fetched[] = [];
  const queue = [...start];
  while (queue.length) {
    const url = queue.shift() as string;
    if (fetched.some((f) => f.url === url)) continue;
    const page = await fetchInto(app, fetched, url);
    if (page.type !== 'html') continue;
    for (const [, href] of page.text.matchAll(/href="(\/[^"#?]*)/g)) {
      const link = href.replace(/&amp;/g, '&');
      if (!NOT_PUBLIC.test(link) && !fetched.some((f) => f.url === link) && !queue.includes(link)) queue.push(link);
    }
  }
  return fetched;
}

async function fetchInto(app: Express, fetched: Fetched[], url: string): Promise<Fetched> {
  const res = await request(app).get(url).buffer(true);
  const contentType = String(res.headers['content-type'] ?? '');
  const type = contentType.includes('html') ? 'html' : contentType.includes('csv') ? 'csv' : contentType.includes('json') ? 'json' : 'other';
  const page: Fetched = { url, status: res.status, type, text: res.text ?? '' };
  fetched.push(page);
  return page;
}

function selectionSlugs(fetched: Fetched[]): string[] {
  return [...new Set(fetched.flatMap((f) => /^\/panels\/([^/]+)\/selection$/.exec(f.url)?.[1] ?? []))];
}

function readRows(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Row[];
}

/**
 * A CSV of people: one with a column of pseudonyms, or any draw input but the quotas and the dropout table (rows of
 * values, set by the organiser: nobody's row) however its ids look. Its
 * columns of people are all but the id (named `id`, or holding pseudonyms), which is unique by design: what it
 * links to is measured apart, as `pseudonyms`. A column `count` makes each row that many people (a table of types).
 */
interface PersonTable {
  table: PublishedTable;
  ids: string[];
}

function personTable(f: Fetched): PersonTable[] {
  const rows = readRows(f.text);
  const header = rows.length ? Object.keys(rows[0]) : [];
  const idColumn = header.find((c) => rows.every((r) => /^R-[0-9A-Z]{8}$/.test(r[c] ?? ''))) ?? (header.includes('id') ? 'id' : undefined);
  if (!idColumn && !(/\/selection\/.*\.csv$/.test(f.url) && !/(quotas|dropout)\.csv$/.test(f.url))) return [];
  const people = header.includes('count') ? rows.flatMap((r) => Array.from({ length: Number(r.count) || 0 }, () => r)) : rows;
  const ids = idColumn ? people.map((r) => r[idColumn] ?? '').filter((id) => /^R-[0-9A-Z]{8}$/.test(id)) : [];
  const renamed = idColumn ? people.map((r) => ({ ...r, id: r[idColumn] })) : people;
  return [{ table: { name: f.url, rows: renamed, columns: header.filter((c) => c !== idColumn && c !== 'count') }, ids }];
}

/** The counts of people a page or file publishes per group: members, those who took part, and those who did not. */
function groupCounts(f: Fetched): PublishedCounts[] {
  const counts: GroupCount[] = [];
  const add = (group: string, members: number, attended?: number) => {
    counts.push({ group: `${group}: members`, count: members });
    if (attended !== undefined) counts.push({ group: `${group}: took part`, count: attended }, { group: `${group}: did not`, count: members - attended });
  };
  if (f.type === 'csv') {
    const rows = readRows(f.text);
    for (const r of rows) {
      if (r.members === undefined || !/^\d+$/.test(r.members)) continue;
      const attended = r.attended !== undefined && /^\d+$/.test(r.attended) ? Number(r.attended) : undefined;
      add(`${r.category} ${r.group}`, Number(r.members), attended);
    }
  } else if (f.type === 'json') {
    for (const [part, groups] of Object.entries(recordGroups(f.text))) {
      for (const g of groups) add(`${part} ${g.categoryLabel} ${g.label}`, g.members, part === 'attendance' && g.figure !== null ? g.figure : undefined);
    }
  } else if (f.type === 'html') {
    // Charts count people too: "12 people with a chance of 2.0% to 2.5%".
    for (const [, n, band] of f.text.matchAll(/<title>(\d+) people with a chance (?:of|from) ([^<]+)<\/title>/g)) counts.push({ group: `chance ${unescapeHtml(band)}`, count: Number(n) });
    for (const [, table] of f.text.matchAll(/<table class="(?:makeup|compact)(?: [^"]*)?">([\s\S]*?)<\/table>/g)) {
      const caption = unescapeHtml(/<caption>([^<]*)<\/caption>/.exec(table)?.[1] ?? '');
      for (const [, escaped, cell] of table.matchAll(/<th scope="row">([^<]*)<\/th><td(?: data-label="[^"]*")?>([^<]*)<\/td>/g)) {
        const label = unescapeHtml(escaped);
        const of = /^(\d+) of (\d+)$/.exec(cell);
        if (of) add(`${caption} ${label}`, Number(of[2]), Number(of[1]));
        else if (/^\d+$/.test(cell)) add(`${caption} ${label}`, Number(cell));
      }
    }
  }
  return counts.length ? [{ name: f.url, counts }] : [];
}

interface JsonGroup {
  categoryLabel: string;
  label: string;
  members: number;
  figure: number | null;
}

function recordGroups(text: string): Record<string, JsonGroup[]> {
  const doc = JSON.parse(text) as { record?: { attendance?: { groups?: JsonGroup[] }; airtime?: { groups?: JsonGroup[] } } };
  return { attendance: doc.record?.attendance?.groups ?? [], airtime: doc.record?.airtime?.groups ?? [] };
}

/** What a page or file tells about people: a CSV's columns, or for pages the kinds of figure found. */
function carries(f: Fetched): string[] {
  const found: string[] = [];
  if (f.status !== 200) return found;
  if (f.type === 'csv') found.push(...Object.keys(readRows(f.text)[0] ?? {}));
  if (f.type !== 'csv' && pseudonymsIn([f.text]).length) found.push('pseudonyms');
  const counts = groupCounts(f)[0]?.counts ?? [];
  if (counts.length) found.push(`counts per group (${counts.length})`);
  return found;
}

function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : named[e.toLowerCase()],
  );
}

function pseudonymsIn(texts: string[]): string[] {
  return [...new Set(texts.flatMap((t) => t.match(PSEUDONYM) ?? []))].sort();
}

/** How many of `chosen` are alone, on `columns`, among `among`. */
function uniqueAmong(among: Row[], chosen: Row[], columns: string[]): number {
  const key = (r: Row) => JSON.stringify(columns.map((c) => r[c] ?? ''));
  const sizes = new Map<string, number>();
  for (const r of among) sizes.set(key(r), (sizes.get(key(r)) ?? 0) + 1);
  return chosen.filter((r) => sizes.get(key(r)) === 1).length;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

