import { checkCharacter, formatCode } from '../../src/mailout/codes';
import { snapshot as drawInputs } from '../../src/selection/snapshot';
import { findPanel, listCategories, updateValueQuota } from '../../src/panels/repo';
import { readCsv } from '../../src/csv';
import { snapshot, submit, type Agent } from '../helpers';
import { withLetters } from './setup';

jest.setTimeout(120_000);

/** A resident's answers, at the invited address unless told otherwise. */
function resident(n: number, home: { line1: string; line2: string; postcode: string }, code?: string) {
  return {
    name: `Resident Number${n}`,
    email: `resident${n}@example.org`,
    address: [home.line1, home.line2].filter(Boolean).join(', '),
    postcode: home.postcode,
    q_gender: 'Woman',
    q_age: '40-64',
    q_ward: 'Foleshill',
    consent: 'yes',
    ...(code === undefined ? {} : { code }),
  };
}

const registrant = (db: Parameters<typeof snapshot>[0], email: string) =>
  db.prepare('SELECT household_id AS householdId, wave, channel, address_flag AS addressFlag FROM registrants WHERE email = ?').get(email) as { householdId: number | null; wave: number | null; channel: string; addressFlag: string | null } | undefined;

describe('registering with the code from a letter', () => {
  let t: Awaited<ReturnType<typeof withLetters>>;
  let resident0: Agent;
  const form = '/register/test-panel';
  beforeAll(async () => {
    t = await withLetters();
    resident0 = t.agent();
  });

  test('the QR code’s link opens the form with the code filled in; registering ties them to the invited household and wave', async () => {
    const home = t.invited[0];
    const page = await resident0.get(`${form}?code=${home.code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${formatCode(home.code)}"`); // as the letter prints it
    const res = await submit(resident0, `${form}?code=${home.code}`, form, resident(1, home, home.code.toLowerCase().replace(/(...)(...)/, '$1 $2-')));
    expect(res.status).toBe(303);
    expect(registrant(t.db, 'resident1@example.org')).toEqual({ householdId: home.id, wave: 1, channel: 'online', addressFlag: null });
  });

  test('a mistyped code is caught on the spot, in words, and nothing is stored', async () => {
    const home = t.invited[1];
    const typo = (home.code[0] === 'A' ? 'C' : 'A') + home.code.slice(1);
    const before = snapshot(t.db);
    const res = await submit(t.agent(), form, form, resident(2, home, typo));
    expect(res.status).toBe(400);
    expect(res.text).toContain('That code has a mistake in it');
    expect(res.text).toContain(`value="${typo}"`); // what they typed comes back to correct
    expect(snapshot(t.db)).toEqual(before);
  });

  test('an address that is not the invited one is accepted and flagged for the organiser', async () => {
    const home = t.invited[2];
    const res = await submit(t.agent(), form, form, { ...resident(3, home, home.code), address: `99${home.line1.replace(/^\d+/, '')}` });
    expect(res.status).toBe(303);
    expect(registrant(t.db, 'resident3@example.org')?.addressFlag).toMatch(/house number|flat/);
  });

  test('a household registers as many people as the panel allows, then the code is refused', async () => {
    const home = t.invited[3];
    expect((await submit(t.agent(), form, form, resident(4, home, home.code))).status).toBe(303);
    // The second writes the address another way: the letter's code, not the words, makes them one household.
    expect((await submit(t.agent(), form, form, { ...resident(5, home, home.code), address: `${home.line2 || home.line1}, Coventry` })).status).toBe(303);
    const before = snapshot(t.db);
    const third = await submit(t.agent(), form, form, resident(6, home, home.code));
    expect(third.status).toBe(400);
    expect(third.text).toContain('2 people from this household have registered with this code already');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('the draw treats people registered with one letter as one household, however they wrote the address', async () => {
    const home = t.invited[3];
    const input = await drawInputs(t.ctx, findPanel(t.db, t.panelId)!, null);
    const rows = readCsv(input.poolCsv).rows.map((r) => r.cells);
    const ids = t.db.prepare('SELECT public_id FROM registrants WHERE household_id = ?').pluck().all(home.id) as string[];
    const households = rows.filter((r) => ids.includes(r.id)).map((r) => r.household);
    expect(households).toHaveLength(2);
    expect(households[0]).toMatch(/^H\d+$/);
    expect(households[1]).toBe(households[0]);
  });

  test('a code no letter carries is refused; ten wrong codes from one connection, and it must wait', async () => {
    const guesser = t.agent();
    // Well-formed codes (right length, right check character) that no letter carries.
    const guess = (i: number) => {
      const data = `${'XY'[i % 2]}679ACD${'EFGHJKMN'[i % 8]}`;
      return data + checkCharacter(data);
    };
    const first = await submit(guesser, form, form, resident(7, t.invited[4], guess(0)));
    expect(first.status).toBe(400);
    expect(first.text).toContain('We do not recognise that code');
    for (let i = 1; i < 10; i++) await submit(guesser, form, form, resident(7, t.invited[4], guess(i)));
    const blocked = await submit(guesser, form, form, resident(7, t.invited[4], t.invited[4].code));
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many codes that did not match a letter');
  });

  test('without a code: accepted and marked open, or refused, as the panel chooses', async () => {
    const open = await submit(t.agent(), form, form, resident(8, { line1: '1 Other Road', line2: '', postcode: 'CV2 1AB' }));
    expect(open.status).toBe(303);
    expect(registrant(t.db, 'resident8@example.org')).toMatchObject({ householdId: null, wave: null });
    await submit(t.organiser, t.base, `${t.base}/letter`, { sender: 'Coventry City Council', help: 'Call us.', householdLimit: '2', openRegistration: 'no' });
    const before = snapshot(t.db);
    const refused = await submit(t.agent(), form, form, resident(9, { line1: '2 Other Road', line2: '', postcode: 'CV2 1AB' }));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Enter the code from your letter. This panel is open only to households invited by letter');
    expect(snapshot(t.db)).toEqual(before);
  });

  test('staff register someone over the phone with their code: the channel is recorded', async () => {
    const home = t.invited[5];
    const page = `/admin/panels/${t.panelId}/registrations/by-staff`;
    expect((await t.organiser.get(page)).text).toContain('Over the phone');
    const res = await submit(t.organiser, page, page, { ...resident(10, home, home.code), channel: 'phone' });
    expect(res.status).toBe(303);
    expect(registrant(t.db, 'resident10@example.org')).toMatchObject({ householdId: home.id, channel: 'phone' });
    const entry = t.db.prepare("SELECT user_id, detail FROM audit_log WHERE action = 'registrant.register' ORDER BY id DESC").get() as { user_id: number; detail: string };
    expect(entry.user_id).not.toBeNull();
    expect(JSON.parse(entry.detail)).toEqual({ channel: 'phone', invited: true });
  });

  test('the dashboard shows the letters, codes used, open and staff registrations, response by ward and decile, and the pool against the quotas', async () => {
    const earlsdon = listCategories(t.db, t.panelId).find((c) => c.key === 'ward')!.values.find((v) => v.value === 'Earlsdon')!;
    updateValueQuota(t.db, earlsdon.id, { min: 2, max: 4 });
    const page = await t.organiser.get(`${t.base}/responses`);
    expect(page.status).toBe(200);
    const figure = (id: string) => Number(new RegExp(`id="${id}">(\\d+)<`).exec(page.text)?.[1]);
    // Registered above: residents 1, 3, 4 and 5 (one household), and 10 by phone, with codes from four letters; 8 without.
    expect(figure('letters-sent')).toBe(t.invited.length);
    expect(figure('codes-used')).toBe(4);
    expect(figure('invited-people')).toBe(5);
    expect(figure('open-people')).toBe(1);
    expect(figure('by-staff')).toBe(1);
    const table = (heading: string) => {
      const html = page.text.slice(page.text.indexOf(heading)).split('</table>')[0];
      return [...html.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/g)].map((m) => ({ label: m[1], lettered: Number(m[2]), households: Number(m[3]), people: Number(m[4]) }));
    };
    for (const rows of [table('Response by ward'), table('Response by deprivation decile')]) {
      expect(rows.reduce((n, r) => n + r.lettered, 0)).toBe(t.invited.length);
      expect(rows.reduce((n, r) => n + r.households, 0)).toBe(4);
      expect(rows.reduce((n, r) => n + r.people, 0)).toBe(5);
    }
    const wardOf = t.db.prepare('SELECT ward FROM households WHERE id = ?').pluck().get(t.invited[0].id) as string;
    expect(table('Response by ward').find((r) => r.label === wardOf)?.households).toBeGreaterThanOrEqual(1);
    // Every one of the six gave Foleshill as their ward: the pool has six there, and the other wards are short of their minimum.
    const quotas = page.text.slice(page.text.indexOf('against the quotas'));
    expect(quotas).toMatch(/<th scope="row">Foleshill<\/th><td>6<\/td>/);
    expect(quotas).toMatch(/<th scope="row">Earlsdon<\/th><td>0 <strong class="flag">below the minimum<\/strong><\/td><td>2–4<\/td>/);
    expect(page.text).toContain('<polyline');
  });

  test('a differing address is listed for the organiser to check, with the letter’s address; marking it checked clears the flag', async () => {
    const home = t.invited[2];
    const flagged = t.db.prepare("SELECT id, public_id AS publicId FROM registrants WHERE email = 'resident3@example.org'").get() as { id: number; publicId: string };
    const page = await t.organiser.get(`${t.base}/responses`);
    const row = page.text.slice(page.text.indexOf(`<th scope="row">${flagged.publicId}</th>`)).split('</tr>')[0];
    expect(row).toContain(home.line1);
    expect(row).toContain(home.postcode);
    const before = Number(/id="flagged">(\d+)</.exec(page.text)?.[1]);
    expect(before).toBeGreaterThanOrEqual(1);
    const res = await submit(t.organiser, `${t.base}/responses`, `${t.base}/responses/flags/${flagged.id}/checked`, {});
    expect(res.status).toBe(303);
    expect(registrant(t.db, 'resident3@example.org')?.addressFlag).toBeNull();
    const after = await t.organiser.get(`${t.base}/responses`);
    expect(Number(/id="flagged">(\d+)</.exec(after.text)?.[1])).toBe(before - 1);
    expect(t.db.prepare("SELECT subject FROM audit_log WHERE action = 'registrant.address-checked'").pluck().get()).toBe(flagged.publicId);
    // Twice is refused in words, and changes nothing.
    const again = await submit(t.organiser, `${t.base}/responses`, `${t.base}/responses/flags/${flagged.id}/checked`, {});
    expect(again.status).toBe(404);
  });

  test('their subject access export says which letter invited them and how they registered; erasing them removes the link to the household', async () => {
    const home = t.invited[0];
    const { id } = t.db.prepare("SELECT id FROM registrants WHERE email = 'resident1@example.org'").get() as { id: number };
    const panelBase = `/admin/panels/${t.panelId}/registrants/${id}`;
    const doc = (await t.organiser.get(`${panelBase}/subject-access.json`)).body;
    expect(doc.registration.channel).toBe('online, by themselves');
    expect(doc.registration.letter).toEqual({ wave: 1, sentTo: [home.line1, home.line2, home.postcode].filter(Boolean).join(', '), addressDiffers: null });
    expect((await t.organiser.get(`${panelBase}/subject-access`)).text).toContain(`Wave 1, sent to ${home.line1}`);
    expect((await submit(t.organiser, `${panelBase}/erase`, `${panelBase}/erase`, {})).status).toBe(303);
    expect(registrant(t.db, 'resident1@example.org')).toBeUndefined(); // the email went with the rest
    expect(t.db.prepare('SELECT household_id AS householdId, address_flag AS flag, wave FROM registrants WHERE id = ?').get(id)).toEqual({ householdId: null, flag: null, wave: 1 });
    const after = (await t.organiser.get(`${panelBase}/subject-access.json`)).body;
    expect(after.registration.letter).toEqual({ wave: 1, sentTo: null, addressDiffers: null });
  });
});
