import { type Agent, makeApp, snapshot, submit } from '../helpers';

jest.setTimeout(120_000);

/**
 * Issue 23, the intersection picture's population: an organiser uploads the census's own crossings of age and
 * gender (as the paper's replication data carry them); bad files are refused line by line and change nothing; the
 * draw page then takes that crossing's population from the file, and multiplies the shares for the others.
 */
const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
const admin = `/admin/panels/${panelId}`;
let organiser: Agent;

const AGES: [string, number, number][] = [
  ['16-24', 9.0, 10.3],
  ['25-34', 10.4, 9.7],
  ['35-44', 8.1, 7.9],
  ['45-54', 7.0, 6.9],
  ['55-64', 6.7, 6.5],
  ['65+', 9.8, 7.7],
];
const GOOD = `category,value,share\n${AGES.flatMap(([age, woman, man]) => [`age & gender,${age} & Woman,${woman}`, `age & gender,${age} & Man,${man}`]).join('\n')}\n`;

async function upload(csv: string) {
  const token = /name="_csrf" value="([^"]+)"/.exec((await organiser.get(`${admin}/quotas`)).text)?.[1] ?? '';
  return organiser.post(`${admin}/quotas/crossings`).field('_csrf', token).attach('file', Buffer.from(csv), 'intersections.csv');
}

beforeAll(async () => {
  organiser = t.agent();
  await submit(organiser, '/login', '/login', { email: t.demo?.organiser.email ?? '', password: t.demo?.organiser.password ?? '' });
});

test('a crossings file that names no pair of the panel’s categories, misses cells or does not add up is refused, and changes nothing', async () => {
  const before = snapshot(t.db);
  const cases: [string, string][] = [
    ['category,value,share\nage & income,16-24 & low,10\n', '"age & income" is not two of this panel\'s categories joined by "&"'],
    ['category,value,share\nage & gender,16-24 & Girl,10\n', '"16-24 & Girl" is not a value of "age" and one of "gender" joined by "&"'],
    ['category,value,share\nage & gender,16-24 & Woman,110\n', '"110" is not a share from 0 to 100'],
    [GOOD.split('\n').slice(0, 5).join('\n'), '"age & gender" gives 4 of its 12 cells; give every pair of values, 0 for none'],
    [GOOD.replace('16-24 & Woman,9', '16-24 & Woman,19'), 'the shares of "age & gender" add up to 110.0%, not 100%'],
    ['category,value,pct\nage & gender,16-24 & Woman,9\n', 'the header must be category,value,share'],
  ];
  for (const [csv, message] of cases) {
    const res = await upload(csv);
    expect({ csv, status: res.status }).toEqual({ csv, status: 400 });
    expect(res.text.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&')).toContain(message);
  }
  expect(snapshot(t.db)).toEqual(before);
});

test('with the census’s age × gender in, the draw page takes that crossing from it and multiplies the others', async () => {
  // Gender first, then age: the same crossing, stored in the panel's order of categories.
  const flipped = GOOD.replace(/age & gender,([^ ]+) & (Woman|Man)/g, 'gender & age,$2 & $1');
  const res = await upload(flipped);
  expect(res.status).toBe(303);
  expect((await organiser.get(`${admin}/quotas`)).text).toContain('The census’s crossings are in for: <strong>age &amp; gender</strong>.');

  const trial = await organiser.post(`${admin}/draws`).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec((await organiser.get(`${admin}/selection`)).text)?.[1], algorithm: 'leximin', seed: 'crossings' });
  const id = Number(/\/draws\/(\d+)$/.exec(trial.headers.location)?.[1]);
  await t.runner.settled(id);
  const page = (await organiser.get(`${admin}/draws/${id}`)).text;
  expect(page).toContain('<summary>age &amp; gender (census)</summary>');
  // The 16-24 women: 9.0% in the file, not 19.3% × 50.3% = 9.7%.
  expect(page).toMatch(/<tr><td>16-24 &amp; Woman<\/td><td>9\.0%<\/td>/);
  // Another crossing multiplies: gender × disability, Woman and Disabled, 50.3% × 20.4% = 10.3%.
  expect(page).toContain('<summary>gender &amp; disability</summary>');
  expect(page).toMatch(/<tr><td>Woman &amp; Disabled<\/td><td>10\.3%<\/td>/);

  const token = /name="_csrf" value="([^"]+)"/.exec((await organiser.get(`${admin}/quotas`)).text)?.[1] ?? '';
  expect((await organiser.post(`${admin}/quotas/crossings/remove`).type('form').send({ _csrf: token })).status).toBe(303);
  expect((await organiser.get(`${admin}/quotas`)).text).not.toContain('The census’s crossings are in for');
  expect((await organiser.get(`${admin}/draws/${id}`)).text).toMatch(/<tr><td>16-24 &amp; Woman<\/td><td>9\.7%<\/td>/);
});
