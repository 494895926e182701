import { normalisePostcode, personSchema, phoneKey } from '../../src/registration/person';

describe('phoneKey', () => {
  test('one UK mobile written four ways gives one key', () => {
    const keys = ['07700 900123', '+44 7700 900123', '(07700) 900-123', '0044 7700 900123', '+44 (0)7700 900123'].map(phoneKey);
    expect(new Set(keys)).toEqual(new Set(['07700900123']));
  });

  test('different numbers give different keys', () => {
    expect(phoneKey('07700 900123')).not.toBe(phoneKey('07700 900124'));
    expect(phoneKey('+33 6 12 34 56 78')).not.toBe(phoneKey('06 12 34 56 78'));
  });
});

describe('normalisePostcode', () => {
  test.each([
    ['cv1 5rr', 'CV1 5RR'],
    ['CV15RR', 'CV1 5RR'],
    ['  cv1   5rr ', 'CV1 5RR'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
  ])('%j -> %j', (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  test.each(['', 'CV1', '12345', 'CV1 5RRR', 'CV1-5RR', '1CV 5RR'])('%j is not a postcode', (input) => {
    expect(normalisePostcode(input)).toBeUndefined();
  });
});

describe('personSchema', () => {
  const base = { name: 'Asha Patel', address: '1 High St', postcode: 'cv1 5rr' };
  const errors = (input: object) => {
    const result = personSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  test('accepts a person with an email only or a phone only, trimming and normalising', () => {
    const withEmail = personSchema.parse({ ...base, name: ' Asha Patel ', email: ' asha@example.org ', phone: '' });
    expect(withEmail).toEqual({ name: 'Asha Patel', email: 'asha@example.org', address: '1 High St', postcode: 'CV1 5RR' });
    expect(personSchema.parse({ ...base, phone: '07700 900123' }).phone).toBe('07700 900123');
  });

  test('needs an email or a phone, and says so on the email field', () => {
    for (const contact of [{}, { email: '', phone: '  ' }]) {
      expect(errors({ ...base, ...contact })).toEqual([
        { path: 'email', message: expect.stringMatching(/email address or a phone number/) },
      ]);
    }
  });

  test('rejects a malformed email', () => {
    expect(errors({ ...base, email: 'asha@' })).toEqual([{ path: 'email', message: 'Email must look like name@example.org.' }]);
  });

  test('rejects a phone that is not a UK or international number', () => {
    for (const phone of ['12345', '07700 9001', 'call me']) {
      expect(errors({ ...base, phone })).toEqual([{ path: 'phone', message: expect.stringMatching(/^Phone must be a UK number/) }]);
    }
  });

  test('a bad postcode is reported with the postcode in the message', () => {
    expect(errors({ ...base, email: 'a@example.org', postcode: 'CV99' })).toEqual([
      { path: 'postcode', message: 'Postcode "CV99" is not a UK postcode like CV1 5RR.' },
    ]);
  });

  test('missing name, address and postcode are each reported', () => {
    const paths = errors({ email: 'a@example.org', name: '', address: ' ' }).map((e) => e.path);
    expect(paths).toEqual(['name', 'address', 'postcode']);
  });

  test('reports a missing contact alongside other problems, not only after they are fixed', () => {
    expect(errors({ ...base, name: '' }).map((e) => e.path)).toEqual(['name', 'email']);
    expect(errors({ ...base, postcode: 'CV99' }).map((e) => e.path)).toEqual(['postcode', 'email']);
  });
});
