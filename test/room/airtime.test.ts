import { airtimeReport } from '../../src/room/airtime';

test('airtime by group: who has not spoken, and each group\'s share of the floor against its share of the panel', () => {
  const answers = new Map([
    ['A', { age: 'young' }],
    ['B', { age: 'young' }],
    ['C', { age: 'old' }],
    ['D', { age: 'old' }],
  ]);
  const report = airtimeReport(['A', 'B', 'C', 'D'], { C: 90_000, D: 30_000, A: 0 }, answers);
  expect(report.notSpoken).toEqual(['A', 'B']);
  expect(report.groups).toEqual([
    { category: 'age', value: 'young', members: 2, spoken: 0, memberShare: 0.5, airtimeShare: 0 },
    { category: 'age', value: 'old', members: 2, spoken: 2, memberShare: 0.5, airtimeShare: 1 },
  ]);
  expect(airtimeReport([], {}, new Map())).toEqual({ notSpoken: [], groups: [] });
});
