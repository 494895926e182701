import { categorySchema, panelSchema, slugify } from '../../src/panels/schemas';

const messages = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('panelSchema', () => {
  const form = { title: ' Culture in Coventry ', question: 'What should the strategy do?', panelSize: '40', closesAt: '2027-01-31' };

  test('parses a form: trims, coerces numbers, closes at the end of the day, defaults the tolerance', () => {
    expect(panelSchema.parse(form)).toEqual({
      title: 'Culture in Coventry',
      question: 'What should the strategy do?',
      panelSize: 40,
      closesAt: Date.parse('2027-01-31T23:59:59Z'),
      quotaTolerance: 2,
    });
  });

  test.each([
    [{ panelSize: '1' }, 'panelSize: Panel size must be at least 2.'],
    [{ panelSize: '12.5' }, 'panelSize: Panel size must be a whole number.'],
    [{ panelSize: 'forty' }, 'panelSize: Panel size must be a number.'],
    [{ quotaTolerance: '-1' }, 'quotaTolerance: Quota tolerance cannot be negative.'],
    [{ closesAt: '31/01/2027' }, 'closesAt: Closing date must be a date like 2027-01-31.'],
    [{ closesAt: '2027-13-01' }, 'closesAt: Closing date is not a real date.'],
    [{ title: '  ' }, 'title: Title is required.'],
    [{ slug: 'Culture--2027' }, 'slug: Web address may use only lower-case letters, digits and single hyphens.'],
  ])('%j is rejected with a message naming the field', (change, message) => {
    // The form shows the first message for each field.
    expect(messages(panelSchema.safeParse({ ...form, ...change }))[0]).toBe(message);
  });

  test('a day that does not exist in its month is not a real date', () => {
    expect(messages(panelSchema.safeParse({ ...form, closesAt: '2027-02-30' }))).toEqual(['closesAt: Closing date is not a real date.']);
  });
});

describe('categorySchema', () => {
  const form = { key: 'age', label: 'Age band', question: 'How old are you?' };
  const values = (text: string) => categorySchema.safeParse({ ...form, values: text });

  test('reads one value per line with an optional percentage share, skipping blank lines', () => {
    const result = categorySchema.parse({ ...form, values: '16-29 | 12.5\r\n\n  30-64|60%  \n65+\n' });
    expect(result.values).toEqual([
      { value: '16-29', label: '16-29', share: 12.5 },
      { value: '30-64', label: '30-64', share: 60 },
      { value: '65+', label: '65+', share: null },
    ]);
  });

  test('a value listed twice (in any case) is named with its line number', () => {
    expect(messages(values('Foleshill\n\nEarlsdon\nfoleshill'))).toEqual(['values: Values, line 4: "foleshill" is listed twice.']);
  });

  test.each(['lots', '120', '-5'])('a share of %j is rejected with its line number', (share) => {
    expect(messages(values(`A | 10\nB | ${share}`))).toEqual([`values: Values, line 2: "${share}" is not a percentage between 0 and 100.`]);
  });

  test('more than one | on a line is rejected', () => {
    expect(messages(values('A | 10 | x\nB'))).toEqual(['values: Values, line 1: use at most one "|", between the value and its share.']);
  });

  test('a category needs at least two values', () => {
    expect(messages(values('Only one | 100'))).toEqual(['values: Values: a category needs at least two values, one per line.']);
    expect(messages(values(' \n \n'))).toEqual(['values: Values are required.']);
  });

  test('the key must be a lower-case identifier', () => {
    expect(messages(categorySchema.safeParse({ ...form, key: 'Age band', values: 'a\nb' }))).toEqual([
      'key: Key must start with a letter and use only lower-case letters, digits and _.',
    ]);
  });

  test.each(['id', 'household'])('the key %j is refused: the published pool has a column of that name', (key) => {
    expect(messages(categorySchema.safeParse({ ...form, key, values: 'a\nb' }))[0]).toContain('Key cannot be "id" or "household"');
  });
});

describe('slugify', () => {
  test.each([
    ["Coventry's Cultural Strategy 2027!", 'coventry-s-cultural-strategy-2027'],
    ['  Café culture — what next?  ', 'cafe-culture-what-next'],
    ['***', ''],
  ])('%j -> %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  test('is at most 60 characters and never ends in a hyphen', () => {
    const slug = slugify(`${'a'.repeat(59)} b`);
    expect(slug).toBe('a'.repeat(59));
    expect(slugify('word '.repeat(30)).length).toBeLessThanOrEqual(60);
    expect(slugify('word '.repeat(30))).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
