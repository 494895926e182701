import { formatCode } from '../../src/mailout/codes';
import { submit } from '../helpers';
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
  const home = t.invited[0];
  const res = await submit(t.agent(), `/register/test-panel?code=${home.code}`, '/register/test-panel', {
    name: 'Resident Kept', email: 'kept@example.org', address: [home.line1, home.line2].filter(Boolean).join(', '), postcode: home.postcode,
    q_gender: 'Woman', q_age: '40-64', q_ward: 'Foleshill', consent: 'yes', code: home.code,
  });
  expect(res.status).toBe(303);
  expect(t.db.prepare('SELECT household_id FROM registrants WHERE email = ?').pluck().get('kept@example.org')).toBe(home.id);
  expect(t.db.prepare('SELECT COUNT(*) FROM household_codes').pluck().get()).toBe(200);
});
