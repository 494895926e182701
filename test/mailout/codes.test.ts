import fc from 'fast-check';
import { checkCharacter, CODE_ALPHABET, CODE_LENGTH, codeLookup, formatCode, householdCode, readCode } from '../../src/mailout/codes';

const key = Buffer.alloc(32, 7);
const data = fc.array(fc.constantFrom(...CODE_ALPHABET), { minLength: 8, maxLength: 8 }).map((cs) => cs.join(''));
const code = data.map((d) => d + checkCharacter(d));

describe('letter codes', () => {
  test('a household always gets the same code, other households and panels others, all readable back', () => {
    const a = householdCode(key, 1, '10070001');
    expect(householdCode(key, 1, '10070001')).toBe(a);
    expect(householdCode(key, 2, '10070001')).not.toBe(a);
    expect(householdCode(Buffer.alloc(32, 8), 1, '10070001')).not.toBe(a);
    const codes = new Set(Array.from({ length: 5000 }, (_, i) => householdCode(key, 1, String(10_000_000 + i))));
    expect(codes.size).toBe(5000);
    for (const c of codes) expect(readCode(c)).toEqual({ ok: true, code: c });
  });

  test('typed in any case, with spaces, dashes or dots, it reads back as printed', () => {
    fc.assert(fc.property(code, (c) => {
      const printed = formatCode(c);
      expect(printed).toMatch(/^[^-]{3}-[^-]{3}-[^-]{3}$/);
      for (const typed of [printed, printed.toLowerCase(), c.split('').join(' '), ` ${printed.replace(/-/g, '.')} `]) {
        expect(readCode(typed)).toEqual({ ok: true, code: c });
      }
    }));
  });

  test('the alphabet has no look-alikes, and a look-alike typed is named in the error', () => {
    expect(CODE_ALPHABET).not.toMatch(/[01258BILOSUVZ]/);
    expect(new Set(CODE_ALPHABET).size).toBe(23);
    const c = householdCode(key, 1, '1');
    const typed = 'O' + c.slice(1);
    const result = readCode(typed);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('never contain O') });
  });

  test('every single wrong character is caught', () => {
    fc.assert(fc.property(code, fc.nat(CODE_LENGTH - 1), fc.constantFrom(...CODE_ALPHABET), (c, at, ch) => {
      fc.pre(c[at] !== ch);
      const typo = c.slice(0, at) + ch + c.slice(at + 1);
      expect(readCode(typo)).toEqual({ ok: false, message: expect.stringContaining('mistake') });
    }));
  });

  test('every swap of two neighbouring characters is caught', () => {
    fc.assert(fc.property(code, fc.nat(CODE_LENGTH - 2), (c, at) => {
      fc.pre(c[at] !== c[at + 1]);
      const swapped = c.slice(0, at) + c[at + 1] + c[at] + c.slice(at + 2);
      expect(readCode(swapped).ok).toBe(false);
    }));
  });

  test('a missing or extra character, or none at all, is explained', () => {
    const c = householdCode(key, 1, '2');
    expect(readCode(c.slice(1))).toEqual({ ok: false, message: expect.stringContaining('9 characters') });
    expect(readCode(c + '3')).toEqual({ ok: false, message: expect.stringContaining('this has 10') });
    expect(readCode('  - ')).toEqual({ ok: false, message: 'Enter the code from your letter.' });
    expect(readCode('K7M-4QX-R9€')).toEqual({ ok: false, message: expect.stringContaining('only letters and numbers') });
  });

  test('the example codes shown to residents are real codes', () => {
    for (const example of ['K7M-4QX-R9E', '4CX-7KD-9MT']) expect(readCode(example).ok).toBe(true);
  });

  test('what is stored is not the code, and needs the key to make', () => {
    const c = householdCode(key, 1, '3');
    const stored = codeLookup(key, c);
    expect(stored).not.toContain(c);
    expect(stored).toBe(codeLookup(key, c));
    expect(codeLookup(Buffer.alloc(32, 9), c)).not.toBe(stored);
  });
});
