import { equivalenceClasses, everyCombination, inferences, measureTable, type Row, smallCounts, smallestGroup, worstCase } from '../../src/disclosure';

/**
 * 18 people, worked by hand, in five classes over (age, ward):
 *   a  7 x young North, all "No"                     homogeneous, 7 >= 5, the common answer: not flagged
 *   b  5 x old North,   all "Yes"                    homogeneous, 5 >= 5, not the common answer: flagged 'rare'
 *   c  2 x old South,   all "No"                     homogeneous, 2 < 5: flagged 'small'
 *   d  3 x young South, "No", "Yes", "No"            mixed: nothing inferred (but a group under 5)
 *   e  1 x young East,  no answer                    a blank infers nothing (but a unique)
 * "No" is held by 7 + 2 + 2 = 11, "Yes" by 5 + 1 = 6.
 */
const person = (age: string, ward: string, disability: string): Row => ({ age, ward, disability });
const times = (n: number, row: Row): Row[] => Array.from({ length: n }, () => ({ ...row }));
const table: Row[] = [
  ...times(7, person('young', 'North', 'No')),
  ...times(5, person('old', 'North', 'Yes')),
  ...times(2, person('old', 'South', 'No')),
  person('young', 'South', 'No'),
  person('young', 'South', 'Yes'),
  person('young', 'South', 'No'),
  person('young', 'East', ''),
];

describe('smallestGroup', () => {
  test('over age and ward: five classes of 7, 5, 2, 3 and 1', () => {
    expect(smallestGroup(table, ['age', 'ward'])).toEqual({ k: 1, key: { age: 'young', ward: 'East' }, uniques: 1, atRisk: 2 + 3 + 1, rows: 18, classes: 5 });
  });

  test('over age alone: young 11, old 7, so the table is 7-anonymous', () => {
    expect(smallestGroup(table, ['age'])).toEqual({ k: 7, key: { age: 'old' }, uniques: 0, atRisk: 0, rows: 18, classes: 2 });
  });

  test('over one column that singles one out: North 12, South 5, East 1', () => {
    expect(smallestGroup(table, ['ward'])).toMatchObject({ k: 1, key: { ward: 'East' }, uniques: 1, atRisk: 1, classes: 3 });
  });

  test('over every column: d splits into 2 "No" and 1 "Yes"; the first smallest class in row order is the key', () => {
    expect(smallestGroup(table, ['age', 'ward', 'disability'])).toEqual({
      k: 1,
      key: { age: 'young', ward: 'South', disability: 'Yes' },
      uniques: 2,
      atRisk: 2 + 2 + 1 + 1,
      rows: 18,
      classes: 6,
    });
  });

  test('the threshold for rows at risk can be changed: under 3, only the classes of 2 and 1', () => {
    expect(smallestGroup(table, ['age', 'ward'], 3).atRisk).toBe(2 + 1);
  });

  test('an empty table singles out nobody: k is Infinity, with no key', () => {
    expect(smallestGroup([], ['age'])).toEqual({ k: Infinity, key: null, uniques: 0, atRisk: 0, rows: 0, classes: 0 });
  });

  test('no columns: everyone is in one class', () => {
    expect(smallestGroup(table, [])).toMatchObject({ k: 18, key: {}, uniques: 0, classes: 1 });
  });

  test('a missing value is the same as a blank, and a class of its own', () => {
    const rows: Row[] = [{ a: 'x' }, { a: '' }, {}, { a: undefined }];
    expect(smallestGroup(rows, ['a'])).toEqual({ k: 1, key: { a: 'x' }, uniques: 1, atRisk: 4, rows: 4, classes: 2 });
    expect(equivalenceClasses(rows, ['a']).map((c) => c.rows.length)).toEqual([1, 3]);
  });

  test('values that would join into the same text stay apart', () => {
    const rows: Row[] = [{ a: 'x,y', b: 'z' }, { a: 'x', b: 'y,z' }];
    expect(smallestGroup(rows, ['a', 'b']).classes).toBe(2);
  });
});

describe('inferences', () => {
  test('over age and ward: b is given away as rare, c as small; d is mixed and e unanswered', () => {
    expect(inferences(table, ['age', 'ward'], 'disability')).toEqual({
      quasi: ['age', 'ward'],
      sensitive: 'disability',
      common: ['No'],
      homogeneousRows: 7 + 5 + 2,
      flagged: [
        { key: { age: 'old', ward: 'North' }, value: 'Yes', size: 5, reason: 'rare' },
        { key: { age: 'old', ward: 'South' }, value: 'No', size: 2, reason: 'small' },
      ],
      flaggedRows: 7,
    });
  });

  test('a class of 2 is not small when k is 2; the rare class of 5 still is given away', () => {
    expect(inferences(table, ['age', 'ward'], 'disability', 2).flagged.map((f) => f.key)).toEqual([{ age: 'old', ward: 'North' }]);
  });

  test('over age alone every class is mixed: nothing follows', () => {
    expect(inferences(table, ['age'], 'disability')).toMatchObject({ homogeneousRows: 0, flagged: [], flaggedRows: 0 });
  });

  test('a class that all said "prefer not to say", or left it blank, gives nothing away', () => {
    const rows = [...times(2, person('old', 'West', 'Prefer not to say')), person('young', 'East', '')];
    expect(inferences(rows, ['age', 'ward'], 'disability')).toMatchObject({ common: [], homogeneousRows: 0, flagged: [] });
  });

  test('answers tied for most common are all common: a large class holding either is not rare', () => {
    const rows = [...times(5, person('old', 'North', 'Yes')), ...times(5, person('young', 'North', 'No'))];
    expect(inferences(rows, ['age'], 'disability')).toMatchObject({ common: ['Yes', 'No'], homogeneousRows: 10, flagged: [] });
  });

  test('an empty table gives nothing away', () => {
    expect(inferences([], ['age'], 'disability')).toEqual({ quasi: ['age'], sensitive: 'disability', common: [], homogeneousRows: 0, flagged: [], flaggedRows: 0 });
  });
});

test('smallCounts: 1 to 4 people are a small group; none is no group; 5 is enough', () => {
  const counts = [0, 1, 4, 5, 40].map((count) => ({ group: `g${count}`, count }));
  expect(smallCounts(counts)).toEqual([{ group: 'g1', count: 1 }, { group: 'g4', count: 4 }]);
  expect(smallCounts(counts, 2)).toEqual([{ group: 'g1', count: 1 }]);
  expect(smallCounts([])).toEqual([]);
});

test('everyCombination: every non-empty subset, smallest first', () => {
  expect(everyCombination(['a', 'b', 'c'])).toEqual([['a'], ['b'], ['c'], ['a', 'b'], ['a', 'c'], ['b', 'c'], ['a', 'b', 'c']]);
  expect(everyCombination([])).toEqual([]);
});

describe('measureTable and worstCase', () => {
  const published = { name: 'pool.csv', rows: table, columns: ['age', 'ward', 'disability'] };

  test('measureTable: seven combinations, the worst over all columns, and disability measured against the rest', () => {
    const m = measureTable(published);
    expect(m.combinations.map((c) => [c.columns.join('+'), c.k])).toEqual([
      ['age', 7], ['ward', 1], ['disability', 1], ['age+ward', 1], ['age+disability', 1], ['ward+disability', 1], ['age+ward+disability', 1],
    ]);
    expect(m.worst).toMatchObject({ columns: ['age', 'ward', 'disability'], k: 1, uniques: 2, atRisk: 6 });
    expect(m.inferences).toHaveLength(1);
    expect(m.inferences[0]).toMatchObject({ quasi: ['age', 'ward'], sensitive: 'disability', flaggedRows: 7 });
  });

  test('worstCase: one line per breach, small counts listed', () => {
    const report = worstCase([published], [{ name: 'airtime.csv', counts: [{ group: 'ward North', count: 12 }, { group: 'ward East', count: 1 }] }]);
    expect(report.k).toBe(5);
    expect(report.smallCounts).toEqual([{ name: 'airtime.csv', counts: [{ group: 'ward East', count: 1 }] }]);
    expect(report.breaches).toEqual([
      'pool.csv: smallest group 1 over age, ward, disability; 6 of 18 rows in groups under 5, 2 unique',
      'pool.csv: disability given away for 7 rows in 2 groups by age, ward',
      'airtime.csv: 1 count under 5 (ward East: 1)',
    ]);
  });

  test('a table of five alike and counts of five or none: no breach', () => {
    const report = worstCase([{ name: 'ok.csv', rows: times(5, person('old', 'North', 'No')), columns: ['age', 'ward', 'disability'] }], [{ name: 'ok', counts: [{ group: 'a', count: 5 }, { group: 'b', count: 0 }] }]);
    expect(report.breaches).toEqual([]);
    expect(report.tables[0].worst.k).toBe(5);
  });

  test('an empty table and no counts: no breach', () => {
    expect(worstCase([{ name: 'empty.csv', rows: [], columns: ['age'] }]).breaches).toEqual([]);
  });
});
