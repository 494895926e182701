import type { Category } from '../../src/panels/repo';
import { parsePoolCsv } from '../../src/registration/import';
import { problemsOf } from '../csv-problems';

const value = (id: number, v: string, label: string) => ({ id, value: v, label, share: null, quotaMin: null, quotaMax: null });

const categories: Category[] = [
  {
    id: 1,
    key: 'age',
    label: 'Age band',
    question: 'How old are you?',
    values: [value(11, '16-29', '16 to 29'), value(12, '30-64', '30 to 64'), value(13, '65+', '65 and over')],
  },
  {
    id: 2,
    key: 'ward',
    label: 'Ward',
    question: 'Which ward do you live in?',
    values: [value(21, 'foleshill', 'Foleshill'), value(22, 'earlsdon', 'Earlsdon')],
  },
];

const nobodyRegistered = () => undefined;
const HEADER = 'name,email,phone,address,postcode,age,ward';

test('a clean file imports every person with their value ids and file line', () => {
  const csv = [HEADER, 'Asha Patel,asha@example.org,,1 High St,cv1 5rr,16-29,foleshill', 'Ben Ode,,07700 900123,2 Low Rd,CV5 6AA,65+,earlsdon'].join('\n');
  const { people, ignoredColumns } = parsePoolCsv(csv, categories, nobodyRegistered);
  expect(people).toEqual([
    { line: 2, name: 'Asha Patel', email: 'asha@example.org', address: '1 High St', postcode: 'CV1 5RR', valueIds: [11, 21] },
    { line: 3, name: 'Ben Ode', phone: '07700 900123', address: '2 Low Rd', postcode: 'CV5 6AA', valueIds: [13, 22] },
  ]);
  expect(ignoredColumns).toEqual([]);
});

test('category columns match by key or label, and values by value or label, ignoring case', () => {
  for (const ageHeader of ['Age band', 'AGE', 'age_band']) {
    const csv = `Name,Email,Address,Postcode,${ageHeader},WARD\nAsha,a@example.org,1 High St,CV1 5RR,65 AND OVER,FOLESHILL\n`;
    expect(parsePoolCsv(csv, categories, nobodyRegistered).people[0].valueIds).toEqual([13, 21]);
  }
});

test('accepts the usual alternative names for the personal columns', () => {
  const csv = 'Full Name,Email Address,mobile_number,primary_address1,primary_zip,age,ward\nAsha,a@example.org,07700 900123,1 High St,CV1 5RR,30-64,Earlsdon\n';
  const [person] = parsePoolCsv(csv, categories, nobodyRegistered).people;
  expect(person).toMatchObject({ name: 'Asha', email: 'a@example.org', phone: '07700 900123', address: '1 High St', postcode: 'CV1 5RR' });
});

test('missing required columns are each named on line 1', () => {
  const problems = problemsOf(() => parsePoolCsv('name,address,age\nAsha,1 High St,65+\n', categories, nobodyRegistered));
  expect(problems.map((p) => [p.line, p.column])).toEqual([
    [1, 'postcode'],
    [1, 'email or phone'],
    [1, 'ward'],
  ]);
  expect(problems[0].message).toMatch(/missing/);
});

test('bad cells are reported with their file line and the column as written in the file', () => {
  const csv = [
    'Name,Email,Address,Postcode,Age band,Ward',
    'Asha,asha@example.org,1 High St,CV1 5RR,16-29,Foleshill',
    '',
    'Ben,ben@,2 Low Rd,CV5 6AA,16-29,Foleshill',
    ',cy@example.org,3 Mid Rd,CV5 6AB,ninety,',
  ].join('\n');
  const problems = problemsOf(() => parsePoolCsv(csv, categories, nobodyRegistered));
  expect(problems).toEqual([
    { line: 4, column: 'Email', message: 'Email must look like name@example.org.' },
    { line: 5, column: 'Name', message: 'Name is required.' },
    { line: 5, column: 'Age band', message: '"ninety" is not one of: 16-29, 30-64, 65+' },
    { line: 5, column: 'Ward', message: 'is empty; give one of: foleshill, earlsdon' },
  ]);
});

test('a repeated email or phone within the file names the earlier line', () => {
  const csv = [
    HEADER,
    'Asha,asha@example.org,07700 900123,1 High St,CV1 5RR,16-29,foleshill',
    'Ben,ben@example.org,,2 Low Rd,CV5 6AA,16-29,foleshill',
    'Asha again,ASHA@example.org ,+44 7700 900123,1 High St,CV1 5RR,16-29,foleshill',
  ].join('\n');
  expect(problemsOf(() => parsePoolCsv(csv, categories, nobodyRegistered))).toEqual([
    { line: 4, column: 'email', message: 'the same email as line 2' },
    { line: 4, column: 'phone', message: 'the same phone as line 2' },
  ]);
});

test('a contact already registered for the panel is reported on its line', () => {
  const csv = `${HEADER}\nAsha,asha@example.org,,1 High St,CV1 5RR,16-29,foleshill\nBen,ben@example.org,,2 Low Rd,CV5 6AA,65+,earlsdon\n`;
  const isRegistered = (key: { email?: string }) => (key.email === 'ben@example.org' ? ('email' as const) : undefined);
  expect(problemsOf(() => parsePoolCsv(csv, categories, isRegistered))).toEqual([
    { line: 3, column: 'email', message: 'this email is already registered for this panel' },
  ]);
});

test('a row with an empty name and no contact details reports both problems at once', () => {
  const csv = `${HEADER}\n,,,1 High St,CV1 5RR,16-29,foleshill\n`;
  const problems = problemsOf(() => parsePoolCsv(csv, categories, nobodyRegistered));
  expect(problems.map((p) => p.column)).toEqual(['name', 'email']);
});

test('a row with a bad postcode and no contact details reports both problems at once', () => {
  const csv = `${HEADER}\nAsha,,,1 High St,CV99,16-29,foleshill\n`;
  const problems = problemsOf(() => parsePoolCsv(csv, categories, nobodyRegistered));
  expect(problems.map((p) => p.column)).toEqual(['postcode', 'email']);
});

test('columns it does not use are listed as ignored', () => {
  const csv = 'name,email,address,postcode,age,ward,Notes,Signed up\nAsha,a@example.org,1 High St,CV1 5RR,65+,earlsdon,likes tea,2026-10-01\n';
  expect(parsePoolCsv(csv, categories, nobodyRegistered).ignoredColumns).toEqual(['Notes', 'Signed up']);
});

test('a header with no rows is an error', () => {
  expect(problemsOf(() => parsePoolCsv(`${HEADER}\n`, categories, nobodyRegistered))).toEqual([
    { line: 2, message: 'the file has a header row but no registrations' },
  ]);
});

test('values written in a non-Latin script are told apart', () => {
  const language: Category = {
    id: 3,
    key: 'language',
    label: 'Language',
    question: 'Main language at home?',
    values: [value(31, 'ਪੰਜਾਬੀ', 'ਪੰਜਾਬੀ'), value(32, 'العربية', 'العربية')],
  };
  const csv = 'name,email,address,postcode,language\nAsha,a@example.org,1 High St,CV1 5RR,العربية\n';
  expect(parsePoolCsv(csv, [language], nobodyRegistered).people[0].valueIds).toEqual([32]);
});
