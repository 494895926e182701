import { findPanel } from '../../src/panels/repo';
import { drawInput } from '../../src/selection/runner';
import { snapshot as drawSnapshot } from '../../src/selection/snapshot';
import { draw } from '../../src/sortition/draw';
import { logIn, makeApp, snapshot, submit } from '../helpers';

/**
 * Issue 23, balance across intersections: the organiser adds a two-way quota (age 16-24 and Woman) on the demo
 * panel's quotas page; the draw's quota file carries it, and the panel drawn keeps to it.
 */
test('an age × gender quota, added on the quotas page, is in the draw’s quotas and every panel drawn keeps to it', async () => {
  const t = makeApp({ demo: true });
  const panelId = t.demo!.panelId;
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const page = `/admin/panels/${panelId}/quotas`;
  const id = (key: string, value: string) =>
    t.db.prepare('SELECT v.id FROM category_values v JOIN categories c ON c.id = v.category_id WHERE c.panel_id = ? AND c.key = ? AND v.value = ?').pluck().get(panelId, key, value) as number;
  const [young, woman, man] = [id('age', '16-24'), id('gender', 'Woman'), id('gender', 'Man')];

  // Refused, in words, changing nothing: two values of one category, a minimum above the maximum, a value of no panel.
  const before = snapshot(t.db);
  for (const [form, words] of [
    [{ a: String(woman), b: String(man), min: '1', max: '2' }, 'Choose a value of another category than Gender'],
    [{ a: String(young), b: String(woman), min: '5', max: '3' }, 'The minimum 5 is more than the maximum 3.'],
    [{ a: '999999', b: String(woman), min: '1', max: '3' }, 'Choose the first value from the list.'],
    [{ a: String(young), b: String(woman), min: 'many', max: '3' }, 'The minimum must be a whole number from 0 to the panel size, 40; "many" is not.'],
  ] as const) {
    const res = await submit(organiser, page, `${page}/two-way`, form);
    expect(res.status).toBe(400);
    expect(res.text.replace(/&quot;/g, '"').replace(/&#x27;/g, "'")).toContain(words);
  }
  expect(snapshot(t.db)).toEqual(before);

  // Order does not matter: woman first, then age, is the same quota.
  expect((await submit(organiser, page, `${page}/two-way`, { a: String(woman), b: String(young), min: '4', max: '8' })).status).toBe(303);
  const shown = (await organiser.get(page)).text;
  expect(shown).toMatch(/<th scope="row">Age band 16 to 24 &amp; Gender Woman<\/th>\s*<td data-label="Min">4<\/td><td data-label="Max">8<\/td>\s*<td data-label="In pool">\d+/);
  const csv = (await organiser.get(`${page.replace('/quotas', '/quotas.csv')}`)).text;
  expect(csv).toContain('age & gender,16-24 & Woman,4,8');

  // The draw's input carries it, and the panel drawn holds at least 4 young women.
  const files = await drawSnapshot(t.ctx, findPanel(t.db, panelId)!);
  const input = drawInput(files.poolCsv, files.quotasCsv);
  expect(input.quotas).toContainEqual({ category: 'age & gender', value: '16-24 & Woman', min: 4, max: 8 });
  const result = await draw(input.people, input.quotas, { panelSize: 40, seed: 'two-way' });
  const chosen = input.people.filter((p) => result.selected.includes(p.id));
  const youngWomen = chosen.filter((p) => p.features.age === '16-24' && p.features.gender === 'Woman').length;
  expect(youngWomen).toBeGreaterThanOrEqual(4);
  expect(youngWomen).toBeLessThanOrEqual(8);

  // Saving the same two values again changes it; removing it takes it out of the draw.
  await submit(organiser, page, `${page}/two-way`, { a: String(young), b: String(woman), min: '5', max: '8' });
  expect(t.db.prepare('SELECT COUNT(*) FROM two_way_quotas').pluck().get()).toBe(1);
  const qid = t.db.prepare('SELECT id FROM two_way_quotas').pluck().get() as number;
  expect((await submit(organiser, page, `${page}/two-way/${qid}/remove`, {})).status).toBe(303);
  expect((await organiser.get(`${page.replace('/quotas', '/quotas.csv')}`)).text).not.toContain(' & ');
  expect((await submit(organiser, page, `${page}/two-way/${qid}/remove`, {})).status).toBe(404);
  expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'quotas.two-way%'").pluck().get()).toBe(3);
}, 60_000);

test('two-way quotas come in the same quota file: imported with the others, refused in words when they name no two categories of the panel', async () => {
  const t = makeApp({ demo: true });
  const panelId = t.demo!.panelId;
  const organiser = await logIn(t.db, t.clock, t.agent(), 'organiser');
  const page = `/admin/panels/${panelId}/quotas`;
  const upload = async (csv: string) => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await organiser.get(page)).text)![1];
    return organiser.post(`${page}/import`).field('_csrf', token).attach('file', Buffer.from(csv), 'quotas.csv');
  };
  const before = snapshot(t.db);
  const bad = await upload('category,value,min,max\ngender,Woman,18,22\nage & gender,16-24 & Wman,2,6\nage & age,16-24 & 65+,1,2\n');
  expect(bad.status).toBe(400);
  expect(bad.text.replace(/&quot;/g, '"').replace(/&amp;/g, '&')).toContain('"age & gender: 16-24 & Wman" is not two categories of this panel and one value of each');
  expect(bad.text.replace(/&quot;/g, '"').replace(/&amp;/g, '&')).toContain('"age & age: 16-24 & 65+" is not two categories');
  expect(snapshot(t.db)).toEqual(before);
  expect((await upload('category,value,min,max\ngender,Woman,18,22\nAge band & Gender,16-24 & Woman,2,6\n')).status).toBe(303);
  expect((await organiser.get(`${page.replace('/quotas', '/quotas.csv')}`)).text).toContain('age & gender,16-24 & Woman,2,6');
});
