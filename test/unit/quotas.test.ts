import fs from 'node:fs';
import path from 'node:path';
import { checkQuotaSums, parseQuotasCsv, quotasFromShares } from '../../src/sortition/quotas';

import { fixturesDir } from '../../src/paths';
import { problemsOf } from '../csv-problems';

const BENCHMARKS = path.join(fixturesDir, 'sortition-benchmarks');

describe('parseQuotasCsv', () => {
  test('reads category,value,min,max', () => {
    expect(parseQuotasCsv('category,value,min,max\nage,16-29,3,5\nage,30+,4,6\n')).toEqual([
      { category: 'age', value: '16-29', min: 3, max: 5, line: 2 },
      { category: 'age', value: '30+', min: 4, max: 6, line: 3 },
    ]);
  });

  test('reads the category,feature,min,max file of the replication data', () => {
    const quotas = parseQuotasCsv(fs.readFileSync(`${BENCHMARKS}/example_small_20/categories.csv`));
    expect(quotas).toEqual([
      { category: 'gender', value: 'female', min: 9, max: 20, line: 2 },
      { category: 'gender', value: 'male', min: 9, max: 20, line: 3 },
      { category: 'leaning', value: 'liberal', min: 9, max: 20, line: 4 },
      { category: 'leaning', value: 'conservative', min: 9, max: 20, line: 5 },
    ]);
  });

  test('reads the Sortition Foundation feature,value,min,max,min_flex,max_flex file', () => {
    const quotas = parseQuotasCsv(fs.readFileSync(`${BENCHMARKS}/sa_fixture_150/categories.csv`));
    expect(quotas).toHaveLength(20);
    expect(quotas[0]).toEqual({ category: 'Gender', value: 'Female', min: 11, max: 12, line: 2 });
    expect(quotas).toContainEqual({ category: 'Gender', value: 'Non-binary or other', min: 0, max: 1, line: 4 });
    expect(quotas).toContainEqual({ category: 'age_bracket', value: '0-15', min: 0, max: 0, line: 5 });
    expect(new Set(quotas.map((q) => q.category))).toEqual(new Set(['Gender', 'age_bracket', 'edu_level', 'geo_bucket']));
  });

  test('header names are matched case-insensitively', () => {
    expect(parseQuotasCsv('Category,Value,MIN,Max\nage,young,1,2\n')).toEqual([{ category: 'age', value: 'young', min: 1, max: 2, line: 2 }]);
  });

  test('non-integers and negative numbers are reported with line and column', () => {
    const problems = problemsOf(() => parseQuotasCsv('category,value,min,max\nage,young,1.5,3\nage,old,-1,x\n'));
    expect(problems).toEqual([
      { line: 2, column: 'min', message: '"1.5" is not a whole number of people (0 or more)' },
      { line: 3, column: 'min', message: '"-1" is not a whole number of people (0 or more)' },
      { line: 3, column: 'max', message: '"x" is not a whole number of people (0 or more)' },
    ]);
  });

  test('min more than max is reported on the min column', () => {
    const problems = problemsOf(() => parseQuotasCsv('category,value,min,max\nage,young,1,2\nage,old,5,4\n'));
    expect(problems).toEqual([{ line: 3, column: 'min', message: 'min 5 is more than max 4' }]);
  });

  test('a category and value listed twice is reported on the second line', () => {
    const problems = problemsOf(() => parseQuotasCsv('category,value,min,max\nage,young,1,2\nage,old,1,2\nage,young,0,3\n'));
    expect(problems).toEqual([{ line: 4, message: '"age: young" is listed twice' }]);
  });

  test('empty category or value cells are reported', () => {
    const problems = problemsOf(() => parseQuotasCsv('category,value,min,max\n,young,1,2\nage,,1,2\n'));
    expect(problems).toEqual([
      { line: 2, column: 'category', message: 'is empty' },
      { line: 3, column: 'value', message: 'is empty' },
    ]);
  });

  test('missing columns are named on line 1', () => {
    const problems = problemsOf(() => parseQuotasCsv('category,value,minimum\nage,young,1\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(1);
    expect(problems[0].message).toMatch(/missing columns "min", "max"/);
  });

  test('a header with no quotas is an error', () => {
    expect(problemsOf(() => parseQuotasCsv('category,value,min,max\n'))).toEqual([
      { line: 2, message: 'the file has a header but no quotas' },
    ]);
  });
});

describe('quotasFromShares', () => {
  const sumOfTargets = (targets: { target: number }[]) => targets.reduce((s, t) => s + t.target, 0);
  const equalThirds = [{ category: 'ward', values: ['A', 'B', 'C'].map((value) => ({ value, share: 1 })) }];

  test.each([10, 40, 7, 1])('three equal shares still add up to a panel of %i', (size) => {
    const targets = quotasFromShares(equalThirds, size, 1);
    expect(sumOfTargets(targets)).toBe(size);
    expect(Math.max(...targets.map((t) => t.target)) - Math.min(...targets.map((t) => t.target))).toBeLessThanOrEqual(1);
  });

  test('every category adds up to the panel size even with awkward percentages', () => {
    const categories = [
      { category: 'age', values: [33.3, 33.3, 33.4].map((share, i) => ({ value: `a${i}`, share })) },
      { category: 'ward', values: [0.1, 0.2, 0.7, 12.9, 86.1].map((share, i) => ({ value: `w${i}`, share })) },
    ];
    for (const size of [10, 23, 40, 99]) {
      const targets = quotasFromShares(categories, size, 2);
      for (const category of ['age', 'ward']) {
        expect(sumOfTargets(targets.filter((t) => t.category === category))).toBe(size);
      }
    }
  });

  test('the leftover seats go to the largest remainders, not the largest shares', () => {
    // Exact: 4.05, 3.15, 1.8 -> floors 4, 3, 1 (sum 8); the one seat left goes to the 0.8 remainder.
    const targets = quotasFromShares(
      [{ category: 'sex', values: [{ value: 'f', share: 45 }, { value: 'm', share: 35 }, { value: 'x', share: 20 }] }],
      9,
      0,
    );
    expect(targets.map((t) => t.target)).toEqual([4, 3, 2]);
  });

  test('min and max are target -/+ tolerance, clipped to 0 and the panel size', () => {
    const targets = quotasFromShares(
      [{ category: 'tenure', values: [{ value: 'own', share: 90 }, { value: 'rent', share: 10 }] }],
      10,
      2,
    );
    expect(targets).toEqual([
      { category: 'tenure', value: 'own', target: 9, min: 7, max: 10 },
      { category: 'tenure', value: 'rent', target: 1, min: 0, max: 3 },
    ]);
  });

  test('a category with no shares yields no targets', () => {
    expect(quotasFromShares([{ category: 'x', values: [{ value: 'a', share: 0 }] }], 10, 2)).toEqual([]);
  });
});

describe('checkQuotaSums', () => {
  test('accepts quotas that leave room for the panel', () => {
    const quotas = [
      { category: 'age', value: 'young', min: 4, max: 6 },
      { category: 'age', value: 'old', min: 4, max: 6 },
    ];
    expect(checkQuotaSums(quotas, 10)).toEqual([]);
  });

  test('names the category and by how much the minimums or maximums are off', () => {
    const quotas = [
      { category: 'age', value: 'young', min: 7, max: 8 },
      { category: 'age', value: 'old', min: 6, max: 8 },
      { category: 'ward', value: 'north', min: 1, max: 3 },
      { category: 'ward', value: 'south', min: 1, max: 4 },
    ];
    const problems = checkQuotaSums(quotas, 10);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^age: the minimums add up to 13, more than the panel size 10\. Lower some minimums by 3/);
    expect(problems[1]).toMatch(/^ward: the maximums add up to 7, fewer than the panel size 10\. Raise some maximums by 3/);
  });
});

describe('checkQuotaSums with unconstrained values', () => {
  test('does not call the maximums too low when some value of the category has no maximum', () => {
    const quotas = [
      { category: 'age', value: 'young', min: 0, max: 3 },
      { category: 'age', value: 'middle', min: 0, max: 3 },
    ];
    expect(checkQuotaSums(quotas, 10)).toHaveLength(1);
    expect(checkQuotaSums(quotas, 10, new Set(['age']))).toEqual([]);
  });
});
