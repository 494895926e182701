import { householdCode, formatCode } from '../../src/mailout/codes';
import { drawHouseholds } from '../../src/mailout/draw';
import { readRegister, registerFingerprint } from '../../src/mailout/register';
import { seedFrom } from '../../src/public-numbers';
import { sha256 } from '../../src/tokens';
import { keyStore } from '../../src/keys';
import { createUser } from '../../src/auth/users';
import { logIn, PASSWORD, snapshot, submit } from '../helpers';
import { register, settled, setUp, upload } from './setup';
import { codeOn, readLetters } from './read-letters';

jest.setTimeout(120_000);

describe('letters to households, from the register to the PDF', () => {
  test('import, plan, commit, draw with public numbers, then letters a resident can act on', async () => {
    const { db, organiser, base, panelId } = await setUp();
    const uploaded = await upload(organiser, base, register);
    expect([uploaded.status, uploaded.status === 303 ? "" : uploaded.text.slice(0, 3000)]).toEqual([303, ""]);
    const page = await settled(organiser, base);
    expect(page).toContain('Imported 3000 households');
    expect(page).toContain('3000 households</strong>');

    // Plan: 600 letters, the two most deprived deciles twice as likely to get one.
    expect((await submit(organiser, base, `${base}/plan`, { letters: '600', factor: '2', deprived: '2', rate_1: '3', rate_none: '4' })).status).toBe(303);
    const planned = (await organiser.get(base)).text;
    expect(planned).toContain('600 letters, about');
    const strata = db.prepare('SELECT decile, COUNT(*) AS n FROM households GROUP BY decile').all() as { decile: number; n: number }[];
    expect(strata.length).toBeGreaterThan(3);

    // Commit; a second commitment before the draw is refused.
    expect((await submit(organiser, base, `${base}/waves`, { randomness: 'the UK Lotto draw of Saturday 16 January 2027' })).status).toBe(303);
    const committed = (await organiser.get(base)).text;
    const hash = /before<\/strong> the public numbers are drawn:<\/p>\s*<p><code class="hash">([0-9a-f]{64})/.exec(committed)?.[1];
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await submit(organiser, base, `${base}/waves`, { randomness: 'the UK Lotto draw of Saturday 23 January 2027' })).status).toBe(409);

    // Bad numbers change nothing; good ones draw.
    const before = snapshot(db);
    const bad = await submit(organiser, base, `${base}/waves/1/draw`, { numbers: 'seven, nineteen' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('whole numbers');
    expect(snapshot(db)).toEqual(before);
    expect((await submit(organiser, base, `${base}/waves/1/draw`, { numbers: '07, 19, 23, 31, 40, 52' })).status).toBe(303);
    const letters = db.prepare('SELECT h.uprn, h.decile FROM letters l JOIN households h ON h.id = l.household_id ORDER BY l.position').all() as { uprn: string; decile: number }[];
    expect(letters).toHaveLength(600);
    // Deprived households got letters at about twice the rate of others.
    const rate = (f: (d: number) => boolean) => letters.filter((l) => f(l.decile)).length / strata.filter((s) => f(s.decile)).reduce((a, s) => a + s.n, 0);
    expect(rate((d) => d <= 2) / rate((d) => d > 2)).toBeCloseTo(2, 1);

    // Anyone holding the register re-runs the draw from the commitment and gets the same households.
    const commitmentText = (await organiser.get(`${base}/waves/1/commitment.json`)).text.trim();
    expect(sha256(commitmentText)).toBe(hash);
    const commitment = JSON.parse(commitmentText);
    expect(commitment.registerSha256).toBe(registerFingerprint(readRegister(register).households));
    const seed = db.prepare('SELECT seed FROM mailout_waves WHERE number = 1').pluck().get() as string;
    expect(seed).toBe(seedFrom(hash!, '7 19 23 31 40 52'));
    expect(drawHouseholds(readRegister(register).households, commitment.strata, new Set(), seed)).toEqual(letters.map((l) => l.uprn));

    // The letters: one page each, the address, the code, and a QR code carrying the registration link.
    const pdf = await organiser.get(`${base}/waves/1/letters.pdf`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const read = await readLetters(pdf.body as Buffer, 3);
    expect(read.numPages).toBe(600);
    const key = keyStore(db).key('letters');
    const byUprn = new Map(readRegister(register).households.map((h) => [h.uprn, h]));
    for (const page of read.pages) {
      const code = codeOn(page);
      expect(code).toMatch(/^[0-9A-Z]{9}$/);
      expect(page.qr).toBe(`https://panel.example.org/register/test-panel?code=${code}`);
      const household = [...byUprn.values()].find((h) => householdCode(key, panelId, h.uprn) === code)!;
      expect(letters.map((l) => l.uprn)).toContain(household.uprn);
      expect(page.text).toContain(household.line1);
      expect(page.text).toContain(household.postcode);
    }

    // The print house's CSV: the same 600 households, with their codes.
    const csv = (await organiser.get(`${base}/waves/1/letters.csv`)).text.trim().split('\n');
    expect(csv[0]).toBe('sequence,uprn,addressee,line1,line2,town,postcode,code,qr_link');
    expect(csv).toHaveLength(601);
    const row = csv[1].split(',');
    expect(row[7]).toBe(formatCode(householdCode(key, panelId, row[1])));

    // No code is in the database: only HMACs under the key kept outside it.
    const everything = JSON.stringify(db.prepare('SELECT * FROM household_codes').all()) + JSON.stringify(db.prepare('SELECT * FROM mailout_waves').all());
    expect(everything).not.toContain(row[7].replace(/-/g, ''));
    expect(db.prepare('SELECT COUNT(*) FROM household_codes').pluck().get()).toBe(600);

    // Every download is in the audit trail.
    const downloads = db.prepare("SELECT detail FROM audit_log WHERE action = 'personal_data.download'").pluck().all() as string[];
    expect(downloads.map((d) => JSON.parse(d).what)).toEqual(['letters.pdf', 'letters.csv']);
  });

  test('no letter is printed without a phone number to call for help, and the page says so before', async () => {
    const { db, organiser, base, panelId } = await setUp();
    await upload(organiser, base, register);
    await settled(organiser, base);
    await submit(organiser, base, `${base}/plan`, { letters: '100', factor: '1', deprived: '2' });
    await submit(organiser, base, `${base}/waves`, { randomness: 'the UK Lotto draw of Saturday 16 January 2027' });
    await submit(organiser, base, `${base}/waves/1/draw`, { numbers: '7 19 23 31 40 52' });
    db.prepare("UPDATE panels SET contact_phone = '' WHERE id = ?").run(panelId);
    expect((await organiser.get(base)).text).toContain('The letters cannot be printed without a phone number');
    const pdf = await organiser.get(`${base}/waves/1/letters.pdf`);
    expect(pdf.status).toBe(409);
    expect(pdf.text).toContain('Add a contact phone number (Edit the panel, under Contact), then print the letters.');
    // Nothing was downloaded, so nothing is in the audit trail as a download.
    expect(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'personal_data.download'").pluck().get()).toBe(0);
  });

  test('a register with problems is refused whole, line by line, and the one in use stays', async () => {
    const { db, organiser, base } = await setUp();
    await upload(organiser, base, register);
    await settled(organiser, base);
    const before = snapshot(db);
    const lines = register.toString().split('\n');
    const broken = [lines[0], lines[1], lines[1], lines[2].replace(/,CV\d [0-9A-Z]+,/, ',NOT A CODE,'), lines[3].replace(/,\d+$/, ',11')].join('\n');
    expect((await upload(organiser, base, Buffer.from(broken), 'broken.csv')).status).toBe(303);
    const page = await settled(organiser, base);
    expect(page).toContain('broken.csv: nothing was imported');
    expect(page).toMatch(/<td>3<\/td><td>uprn<\/td><td>the same UPRN as line 2/);
    expect(page).toContain('is not a UK postcode');
    expect(page).toContain('is not a decile');
    expect(snapshot(db)).toEqual(before);
    expect(page).toContain('3000 households</strong>');
  });

  test('a plan in bad numbers is refused in words and changes nothing', async () => {
    const { db, organiser, base } = await setUp();
    const before = snapshot(db);
    const res = await submit(organiser, base, `${base}/plan`, { letters: 'lots', factor: '0.5', deprived: '2', rate_3: '-1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Letters: give a whole number.');
    expect(res.text).toContain('Oversampling: 1 (none) or more.');
    expect(res.text).toContain('Response rates: at least 0.1 per 100 letters.');
    expect(snapshot(db)).toEqual(before);
  });

  test('a help line the letter cannot print is refused, naming the characters', async () => {
    const { db, organiser, base } = await setUp();
    const before = snapshot(db);
    const res = await submit(organiser, base, `${base}/letter`, { sender: 'Coventry City Council', help: 'ਪੰਜਾਬੀ: ਮਦਦ ਲਈ {phone} ਤੇ ਫ਼ੋਨ ਕਰੋ', householdLimit: '2', openRegistration: 'yes' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('the letter&#x27;s font cannot print ਪ');
    expect(snapshot(db)).toEqual(before);
  });

  test('only the panel’s organisers: not its facilitator, not another panel’s organiser', async () => {
    const { db, clock, agent, base } = await setUp();
    const facilitator = await logIn(db, clock, agent(), 'facilitator');
    expect((await facilitator.get(base)).status).toBe(403);
    createUser(db, clock, { email: 'other@example.org', name: 'Other', role: 'organiser', admin: false, password: PASSWORD });
    const other = agent();
    await submit(other, '/login', '/login', { email: 'other@example.org', password: PASSWORD });
    expect([403, 404]).toContain((await other.get(base)).status);
    expect([403, 404]).toContain((await other.get(`${base}/waves/1/letters.csv`)).status);
  });
});
