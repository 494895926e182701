import crypto from 'node:crypto';

/**
 * The short code printed on each letter (issue 21). Nine characters, shown in threes (K7M-4QX-R9E): eight from
 * the household's HMAC under the `letters` key, and a check character. The alphabet has 23 symbols, none that
 * is easily mistaken for another (0, 1, 2, 5, 8, B, I, L, O, S, U, V and Z are left out). 23 is prime, so the
 * check (a weighted sum mod 23, weights 1 to 9) catches every single wrong character and every swap of two
 * neighbours. Codes are accepted in any case, with spaces, dashes or dots anywhere.
 *
 * Guessing: 23^8 = 78 billion codes. With 30,000 letters out, a guess hits some household's code once in about
 * 2.6 million tries; the form allows 10 wrong codes an hour from one address (form-routes.ts), so one address
 * needs about 30 years for one hit, and a thousand addresses about 11 days, for a registration that is then
 * flagged if its address is not the letter's.
 */
export const CODE_ALPHABET = '34679ACDEFGHJKMNPQRTWXY';
const BASE = BigInt(CODE_ALPHABET.length);
const DATA_LENGTH = 8;
export const CODE_LENGTH = DATA_LENGTH + 1;
/** The characters people may type for a look-alike, and what the code never contains. */
const NOT_IN_CODES = '0125BILOSUVZ8';

/** The check character that makes the weighted sum of all nine (weights 1 to 9) a multiple of 23. */
export function checkCharacter(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(data[i]);
  // Find c with sum + 9c ≡ 0 (mod 23): 9 × 18 = 162 = 7 × 23 + 1, so 18 is 9's inverse.
  const c = (((-sum * 18) % 23) + 23) % 23;
  return CODE_ALPHABET[c];
}

/** The household's code: the same for every letter it is sent, and only from the key. */
export function householdCode(key: Buffer, panelId: number, uprn: string): string {
  const mac = crypto.createHmac('sha256', key).update(`code ${panelId} ${uprn}`).digest();
  let n = mac.readBigUInt64BE(0) % BASE ** BigInt(DATA_LENGTH);
  let data = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    data = CODE_ALPHABET[Number(n % BASE)] + data;
    n /= BASE;
  }
  return data + checkCharacter(data);
}

/** What the database keeps of a code: an HMAC, so a copy of the files holds no code. */
export function codeLookup(key: Buffer, code: string): string {
  return crypto.createHmac('sha256', key).update(`lookup ${code}`).digest('hex');
}

/** K7M4QXR9E as printed: K7M-4QX-R9E. */
export const formatCode = (code: string): string => code.match(/.{1,3}/g)?.join('-') ?? code;

export type CodeCheck = { ok: true; code: string } | { ok: false; message: string };

/** A typed code in its one form, or what is wrong with it in words a resident can act on. */
export function readCode(typed: string): CodeCheck {
  const code = typed.toUpperCase().replace(/[\s\-.–—_]/g, '');
  if (!code) return { ok: false, message: 'Enter the code from your letter.' };
  const strange = [...code].filter((c) => !CODE_ALPHABET.includes(c));
  if (strange.length) {
    const lookalike = strange.filter((c) => NOT_IN_CODES.includes(c));
    return {
      ok: false,
      message: lookalike.length
        ? `Codes never contain ${[...new Set(lookalike)].join(', ')}: check that character on your letter (it may be a similar letter or number).`
        : `A code has only letters and numbers, like K7M-4QX-R9E. Check it against your letter.`,
    };
  }
  if (code.length !== CODE_LENGTH) return { ok: false, message: `The code on your letter has ${CODE_LENGTH} characters, like K7M-4QX-R9E; this has ${code.length}. Check it against your letter.` };
  if (checkCharacter(code.slice(0, DATA_LENGTH)) !== code[DATA_LENGTH]) {
    return { ok: false, message: 'That code has a mistake in it: check each character against your letter.' };
  }
  return { ok: true, code };
}
