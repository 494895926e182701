import { formatCode } from '../../src/mailout/codes';
import { withLetters } from '../mailout/setup';

jest.setTimeout(60_000);

/**
 * Issue 21: a copy of the database does not give the letters' codes. They are made from the panel and the UPRN
 * under the `letters` key, which lives in the key folder; the database keeps a keyed fingerprint of each.
 */
test('no letter code, in any form, is in the database', async () => {
  const t = await withLetters(200);
  const bytes = t.db.serialize().toString('latin1');
  expect(t.invited).toHaveLength(200);
  const found = t.invited.filter((h) => bytes.includes(h.code) || bytes.includes(formatCode(h.code)) || bytes.includes(h.code.toLowerCase()));
  expect(found).toEqual([]);
  // And the codes do work: what is stored is enough to recognise one.
  const form = await t.agent().get(`/register/test-panel?code=${t.invited[0].code}`);
  expect(form.text).toContain(`value="${t.invited[0].code}"`);
  expect(t.db.prepare('SELECT COUNT(*) FROM household_codes').pluck().get()).toBe(200);
});
