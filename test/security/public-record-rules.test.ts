import seedrandom from 'seedrandom';
import { seedDemo } from '../../src/demo/seed';
import { MIN_GROUP } from '../../src/disclosure';
import type { GroupFigure, SessionRecord } from '../../src/outcomes/record';
import { publicRecord } from '../../src/outcomes/small-groups';
import { exampleAgenda } from '../../src/room/agenda';
import { chanceBands } from '../../src/selection/charts';
import { percent } from '../../src/sortition/report';
import { closeRegistration, findPanel, type Panel } from '../../src/panels/repo';
import { commitmentFields, commitmentHash } from '../../src/selection/commitment';
import { insertCommitment } from '../../src/selection/repo';
import { snapshot } from '../../src/selection/snapshot';
import { ENGINE_VERSION } from '../../src/sortition/draw';
import { sha256 } from '../../src/tokens';
import { logIn, makeApp, seatMembers } from '../helpers';
import { type Client, RoomHarness } from '../room/harness';

/**
 * Issue 17, one step further than the re-identification test: the same attacker, with what the public record now
 * carries, tries the next moves. Adding up published figures to find the few that were left out; reading a
 * chance chart's bars and labels; and, from a seat in the hall, reading every phone's and screen's room for ids.
 */

const few = (n: number) => n > 0 && n < MIN_GROUP;

/** A session's record with random group sizes and attendance, as a small or unusual panel would give. */
function randomRecord(seed: string): SessionRecord {
  const random = seedrandom(seed);
  const members = 8 + Math.floor(random() * 40);
  const categories = Array.from({ length: 3 }, (_, c) => ({ key: `c${c}`, values: 2 + Math.floor(random() * 8) }));
  const attendance: GroupFigure[] = [];
  const airtime: GroupFigure[] = [];
  for (const c of categories) {
    // Split the members across the values at random, some values empty.
    const sizes = new Array<number>(c.values).fill(0);
    for (let i = 0; i < members; i++) sizes[Math.floor(random() ** 2 * c.values)]++;
    sizes.forEach((n, v) => {
      const base = { category: c.key, categoryLabel: c.key, value: `v${v}`, label: `value ${v}`, members: n, panelShare: n / members };
      attendance.push({ ...base, figure: n - Math.floor(random() * Math.min(n + 1, 3)) });
      airtime.push({ ...base, figure: random() / c.values });
    });
  }
  const attended = attendance.filter((g) => g.category === 'c0').reduce((sum, g) => sum + (g.figure ?? 0), 0);
  return { attendance: { members, attended, groups: attendance }, airtime: { minutes: 60, spoke: members, groups: airtime } } as SessionRecord;
}

describe('group figures, added up the way an attacker would', () => {
  const seeds = Array.from({ length: 300 }, (_, i) => `record-${i}`);

  test('no published group has 1 to 4 members, and each category still adds up to the members it covers', () => {
    for (const seed of seeds) {
      const raw = randomRecord(seed);
      const shown = publicRecord(raw);
      for (const part of ['attendance', 'airtime'] as const) {
        const small = shown[part].groups.filter((g) => few(g.members));
        expect({ seed, part, small }).toEqual({ seed, part, small: [] });
        for (const key of new Set(raw[part].groups.map((g) => g.category))) {
          const total = shown[part].groups.filter((g) => g.category === key).reduce((sum, g) => sum + g.members, 0);
          // Either every member is in a shown group, or the whole category was too small to show.
          expect([0, raw.attendance.members]).toContain(total);
        }
      }
    }
  });

  test('attendance by group tells nothing about fewer than 5: where any group would, the whole category is withheld', () => {
    let withheld = 0;
    for (const seed of seeds) {
      const shown = publicRecord(randomRecord(seed)).attendance.groups;
      for (const key of new Set(shown.map((g) => g.category))) {
        const groups = shown.filter((g) => g.category === key);
        const figures = groups.map((g) => g.figure);
        if (figures.some((f) => f === null)) {
          withheld++;
          // All or nothing: one withheld figure could be worked out from the others and the total.
          expect(figures.every((f) => f === null)).toBe(true);
        } else {
          for (const g of groups) expect({ seed, came: few(g.figure ?? 0), away: few(g.members - (g.figure ?? 0)) }).toEqual({ seed, came: false, away: false });
        }
      }
    }
    expect(withheld).toBeGreaterThan(0); // the random records do reach the rule
  });

  test('a combined group is still a share of the panel: never above 1, even when it is the whole panel', () => {
    for (const seed of seeds) {
      const shown = publicRecord(randomRecord(seed));
      for (const g of [...shown.attendance.groups, ...shown.airtime.groups]) expect(g.panelShare).toBeLessThanOrEqual(1);
      for (const g of shown.airtime.groups) expect(g.figure ?? 0).toBeLessThanOrEqual(1);
    }
  });

  test('publishing twice changes nothing (old versions are combined again when shown)', () => {
    for (const seed of seeds.slice(0, 50)) {
      const once = publicRecord(randomRecord(seed));
      expect(publicRecord(once)).toEqual(once);
    }
  });
});

describe("the chart of everyone's chance", () => {
  test('every band holds at least 5 people, the bands hold everyone, and no label is the highest chance', () => {
    for (let s = 0; s < 200; s++) {
      const random = seedrandom(`chances-${s}`);
      const n = 5 + Math.floor(random() * 300);
      // Most people near the lowest chance, a few far above it: the rare groups a quota protects.
      const chances = Array.from({ length: n }, () => 0.02 + (random() < 0.05 ? random() * 0.3 : random() * 0.01));
      const { bars } = chanceBands(chances);
      expect(bars.filter((b) => b.n < MIN_GROUP)).toEqual([]);
      expect(bars.reduce((sum, b) => sum + b.n, 0)).toBe(n);
      const top = percent(Math.max(...chances));
      expect(bars.map((b) => b.label).join(' ')).not.toContain(top);
    }
    expect(chanceBands([0.5, 0.5, 0.5, 0.5]).bars).toEqual([]); // fewer than 5 people: no chart at all
  });
});

describe('the room names members by handle to everyone but its facilitators', () => {
  const h = new RoomHarness();
  let members: string[];
  let phones: Client[];
  let observer: Client;
  let facilitator: Client;

  beforeAll(async () => {
    const panelId = seedDemo(h.app.ctx)?.panelId ?? 0;
    members = h.app.db.prepare('SELECT public_id FROM registrants ORDER BY id LIMIT 6').pluck().all() as string[];
    seatMembers(h.app.db, panelId, members, h.clock.now());
    const sessionId = h.app.room.createSession(panelId, exampleAgenda(), members, null, h.clock.now());
    await h.listen();
    const pass = (actor: Parameters<typeof h.app.room.issuePass>[1]) => h.app.room.issuePass(sessionId, actor, h.clock.now());
    facilitator = (await h.join(pass({ role: 'facilitator' }))).socket;
    observer = (await h.join(pass({ role: 'observer' }))).socket;
    phones = await Promise.all(members.map(async (member) => (await h.join(pass({ role: 'panellist', member }))).socket));
    const discussion = exampleAgenda().rounds.findIndex((r) => r.type === 'discussion');
    await h.do(facilitator, 'round:open', { round: discussion }, [observer, ...phones]);
    for (const phone of phones.slice(0, 3)) await h.do(phone, 'queue:raise', {}, [observer, ...phones]);
  });
  afterAll(() => h.close());

  test('no phone and no screen holds a pseudonym; each phone knows itself by its handle', async () => {
    for (const client of [observer, ...phones]) {
      const text = JSON.stringify(h.state(client));
      for (const m of members) expect(text).not.toContain(m);
    }
    expect(h.state(observer).queue).toEqual(['Member 1', 'Member 2', 'Member 3']);
    const mine = await new Promise<{ you: unknown }>((resolve) => phones[1].emit('room:sync', {}, (r) => r.ok && resolve(r.data)));
    expect(mine.you).toEqual({ role: 'panellist', member: 'Member 2' });
  });

  test("a member naming another by handle still cannot lower that member's hand; naming their own lowers it", async () => {
    const other = await h.send(phones[1], 'queue:lower', { member: 'Member 1' });
    expect(other).toMatchObject({ ok: false, error: 'forbidden' });
    expect(h.app.room.state(h.app.room.list()[0].id)?.queue).toEqual(members.slice(0, 3));
    await h.do(phones[1], 'queue:lower', { member: 'Member 2' }, [observer]);
    expect(h.state(observer).queue).toEqual(['Member 1', 'Member 3']);
    // The facilitator's room keeps the ids its pages use.
    expect(h.state(facilitator).queue).toEqual([members[0], members[2]]);
  });
});

describe('a commitment published before tickets existed', () => {
  const t = makeApp({ demo: true });
  afterAll(() => t.db.close());

  test('still verifies: the auditors get the file it fingerprinted, and the public page shows its fingerprint and text', async () => {
    const panel = findPanel(t.db, t.demo?.panelId ?? 0) as Panel;
    closeRegistration(t.db, panel.id, t.clock.now());
    // As the toolkit committed before issue 17: the pool's fingerprint taken over the file with pseudonyms.
    const input = await snapshot(t.ctx, panel);
    const fields = commitmentFields({ panel: panel.slug, algorithm: 'leximin', engineVersion: ENGINE_VERSION, panelSize: panel.panelSize, randomness: 'The Lotto on Saturday', ...input });
    insertCommitment(t.db, { panelId: panel.id, ...fields, alternates: null, algorithm: 'leximin', poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, hash: commitmentHash(fields), committedAt: t.clock.now() }, 1);
    const organiser = t.agent();
    await logIn(t.db, t.clock, organiser, 'organiser');
    const pool = (await organiser.get(`/admin/panels/${panel.id}/auditors/pool.csv`)).text;
    expect(sha256(pool)).toBe(fields.poolSha256);
    const page = (await t.agent().get(`/panels/${panel.slug}/selection`)).text;
    expect(page).toContain(`id="pool-sha256">${fields.poolSha256}<`);
    expect(page).toContain(`id="fingerprint">${commitmentHash(fields)}<`);
  });
});
