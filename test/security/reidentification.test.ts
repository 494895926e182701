import { seedDemoStory } from '../../src/demo/story';
import { MIN_GROUP } from '../../src/outcomes/disclosure';
import { sharedView } from '../../src/room/state';
import { makeApp } from '../helpers';
import { measurePublicRecord, type PublicRecordFigures } from './public-record';

/**
 * Issue 17, "a public record that identifies nobody": the demo's whole public site, measured the way an attacker
 * would read it, against the rule (DESIGN rule 9): no group under 5 in any public file or figure, no
 * special-category answer inferable for a group under 5, no pseudonym shown in public that opens a row of answers.
 * These tests fail on today's code, which breaks every rule (the measured figures are in docs/security.md): they
 * are marked `test.failing` so the suite says so on every run, and each flips to a failure, to be made a plain
 * test, the moment the public record keeps its rule. They are the acceptance test of issue 17's public record.
 */

const t = makeApp({ demo: true });
let figures: PublicRecordFigures;

beforeAll(async () => {
  await seedDemoStory(t.ctx, t.demo?.panelId ?? 0); // a real LEXIMIN draw and a replayed day: several seconds
  // The observer screen is a projector in the room: whatever it shows, the public sees.
  const screens = t.room.list().flatMap((s) => {
    const state = t.room.state(s.id);
    return state ? [{ name: `observer screen of session ${s.id}`, text: JSON.stringify(sharedView(state)) }] : [];
  });
  figures = await measurePublicRecord(t.app, { screens });
}, 120_000);

afterAll(() => t.db.close());

const served = (pattern: RegExp) => figures.fetched.filter((f) => f.status === 200 && pattern.test(f.url));

test('the measurement reaches the public record: the selection, the outcomes and a session with its downloads', () => {
  expect(served(/^\/panels\/[^/]+\/selection$/)).toHaveLength(1);
  expect(served(/^\/outcomes\/[^/]+$/)).toHaveLength(1);
  expect(served(/^\/outcomes\/[^/]+\/sessions\/\d+\/v\/\d+$/).length).toBeGreaterThanOrEqual(1);
  expect(served(/\/summary\.json$/).length).toBeGreaterThanOrEqual(1);
  expect(served(/\/(attendance|airtime)\.csv$/).length).toBeGreaterThanOrEqual(2);
  // Counts are read from the pages' tables: if the markup changes, this says the pages are no longer measured.
  expect(served(/^\/outcomes\/[^/]+$/)[0].carries.join()).toMatch(/counts per group/);
  expect(served(/^\/outcomes\/[^/]+\/sessions\/\d+$/)[0].carries.join()).toMatch(/counts per group/);
});

test.failing(`every public table of people is ${MIN_GROUP}-anonymous over every combination of its columns`, () => {
  const small = figures.report.tables.flatMap((table) => {
    const under = table.combinations.filter((c) => c.k < MIN_GROUP);
    if (!under.length) return [];
    const { k, columns, atRisk, uniques } = table.worst;
    return [`${table.name}: ${under.length} of ${table.combinations.length} combinations under ${MIN_GROUP}; over ${columns.join(', ')}: k ${k}, ${uniques} unique, ${atRisk} of ${table.rows} rows in groups under ${MIN_GROUP}`];
  });
  expect(small).toEqual([]);
});

test.failing(`no disability, ethnicity or religion answer can be inferred for a group under ${MIN_GROUP}`, () => {
  const given = figures.report.tables.flatMap((table) =>
    table.inferences.filter((i) => i.flagged.length).map((i) => `${table.name}: ${i.sensitive} of ${i.flaggedRows} rows (${i.flagged.length} groups) follows from ${i.quasi.join(', ')}`),
  );
  expect(given).toEqual([]);
});

test.failing(`no public count of people is under ${MIN_GROUP} (members, those who took part, those who did not)`, () => {
  const small = figures.report.smallCounts.map((c) => `${c.name}: ${c.counts.map((g) => `${g.group} ${g.count}`).join('; ')}`);
  expect(small).toEqual([]);
});

test.failing('no pseudonym on a public page, on the observer screen or in the published record', () => {
  const shown = [
    ...figures.fetched.filter((f) => f.pseudonyms && !/\/selection\/.*\.csv$/.test(f.url)).map((f) => `${f.url}: ${f.pseudonyms}`),
    ...figures.screens.filter((s) => s.pseudonyms).map((s) => `${s.name}: ${s.pseudonyms}`),
  ];
  expect(shown).toEqual([]);
});

test.failing('no pseudonym revealed in public (shown, or missing from a later pool) opens a row of answers in a public file', () => {
  const { linked, droppedFromLaterPools, linkedUniqueInPool } = figures.pseudonyms;
  expect({ linked: linked.length, droppedFromLaterPools, linkedUniqueInPool }).toEqual({ linked: 0, droppedFromLaterPools: 0, linkedUniqueInPool: 0 });
});
