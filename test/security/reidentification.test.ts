import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePool, poolToCsv } from '../../fixtures/generate-pool';
import { seedDemoStory } from '../../src/demo/story';
import { fixturesDir } from '../../src/paths';
import { MIN_GROUP } from '../../src/disclosure';
import { sharedView } from '../../src/room/state';
import { makeApp } from '../helpers';
import { measurePublicRecord, type PublicRecordFigures } from './public-record';

/**
 * Issue 17, "a public record that identifies nobody": the demo's whole public site, measured the way an attacker
 * would read it, against the rule (DESIGN rule 9): no group under 5 in any public file or figure, no
 * special-category answer inferable for a group under 5, no pseudonym shown in public that opens a row of answers.
 * Before issue 17's fix every one of these failed (the figures measured then are in docs/security.md); they are
 * the acceptance test of the public record, and docs/verification.md says what each public file may carry.
 */

/** The demo, and a pool generated afresh (another seed, fewer people, so more small groups), each drawn and run. */
const scenarios = [
  { name: 'the Coventry demo', pool: undefined },
  { name: 'a generated pool of 500', pool: poolToCsv(generatePool({ seed: 'reidentification-check', size: 500 })) },
];

describe.each(scenarios)('$name', ({ pool }) => {
  let figures: PublicRecordFigures;
  let dir: string | undefined;

  beforeAll(async () => {
    if (pool) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-reid-'));
      fs.copyFileSync(path.join(fixturesDir, 'coventry', 'panel.json'), path.join(dir, 'panel.json'));
      fs.writeFileSync(path.join(dir, 'pool.csv'), pool);
    }
    const t = makeApp({ demo: true, demoDir: dir });
    try {
      await seedDemoStory(t.ctx, t.demo?.panelId ?? 0); // a real LEXIMIN draw and a replayed day: several seconds
      // The observer screen is a projector in the room: whatever it shows, the public sees.
      const screens = t.room.list().flatMap((s) => {
        const state = t.room.state(s.id);
        return state ? [{ name: `observer screen of session ${s.id}`, text: JSON.stringify(sharedView(state)) }] : [];
      });
      figures = await measurePublicRecord(t.app, { screens });
    } finally {
      t.db.close();
    }
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const served = (pattern: RegExp) => figures.fetched.filter((f) => f.status === 200 && pattern.test(f.url));

  test('the measurement reaches the public record: the selection, the outcomes and a session with its downloads', () => {
    expect(served(/^\/panels\/[^/]+\/selection$/)).toHaveLength(1);
    expect(served(/^\/outcomes\/[^/]+$/)).toHaveLength(1);
    expect(served(/^\/outcomes\/[^/]+\/sessions\/\d+\/v\/\d+$/).length).toBeGreaterThanOrEqual(1);
    expect(served(/\/summary\.json$/).length).toBeGreaterThanOrEqual(1);
    expect(served(/\/(attendance|airtime)\.csv$/).length).toBeGreaterThanOrEqual(2);
    // Counts are read from the pages' tables: if the markup changes, this says the pages are no longer measured.
    expect(served(/^\/outcomes\/[^/]+$/)[0].carries.join()).toMatch(/counts per group/);
    expect(served(/\/summary\.json$/)[0].carries.join()).toMatch(/counts per group/);
    expect(served(/\/attendance\.csv$/)[0].carries.join()).toMatch(/counts per group/);
  });

  test(`every public table of people is ${MIN_GROUP}-anonymous over every combination of its columns`, () => {
    const small = figures.report.tables.flatMap((table) => {
      const under = table.combinations.filter((c) => c.k < MIN_GROUP);
      if (!under.length) return [];
      const { k, columns, atRisk, uniques } = table.worst;
      return [`${table.name}: ${under.length} of ${table.combinations.length} combinations under ${MIN_GROUP}; over ${columns.join(', ')}: k ${k}, ${uniques} unique, ${atRisk} of ${table.rows} rows in groups under ${MIN_GROUP}`];
    });
    expect(small).toEqual([]);
  });

  test(`no disability, ethnicity or religion answer can be inferred for a group under ${MIN_GROUP}`, () => {
    const given = figures.report.tables.flatMap((table) =>
      table.inferences.filter((i) => i.flagged.length).map((i) => `${table.name}: ${i.sensitive} of ${i.flaggedRows} rows (${i.flagged.length} groups) follows from ${i.quasi.join(', ')}`),
    );
    expect(given).toEqual([]);
  });

  test(`no public count of people is under ${MIN_GROUP} (members, those who took part, those who did not)`, () => {
    const small = figures.report.smallCounts.map((c) => `${c.name}: ${c.counts.map((g) => `${g.group} ${g.count}`).join('; ')}`);
    expect(small).toEqual([]);
  });

  test('no pseudonym on a public page, on the observer screen or in the published record', () => {
    const shown = [
      ...figures.fetched.filter((f) => f.pseudonyms && !/\/selection\/.*\.csv$/.test(f.url)).map((f) => `${f.url}: ${f.pseudonyms}`),
      ...figures.screens.filter((s) => s.pseudonyms).map((s) => `${s.name}: ${s.pseudonyms}`),
    ];
    expect(shown).toEqual([]);
  });

  test('no pseudonym revealed in public (shown, or missing from a later pool) opens a row of answers in a public file', () => {
    const { linked, droppedFromLaterPools, linkedUniqueInPool } = figures.pseudonyms;
    expect({ linked: linked.length, droppedFromLaterPools, linkedUniqueInPool }).toEqual({ linked: 0, droppedFromLaterPools: 0, linkedUniqueInPool: 0 });
  });
});
