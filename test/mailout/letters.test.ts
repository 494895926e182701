import { PassThrough, Writable } from 'node:stream';
import { householdCode } from '../../src/mailout/codes';
import { DEFAULT_LETTER } from '../../src/mailout/letter-text';
import { type Addressed, registrationLink, writeLetters } from '../../src/mailout/letters';
import { NO_DETAILS, type Panel } from '../../src/panels/repo';
import { codeOn, readLetters } from './read-letters';

const panel: Panel = {
  id: 1, slug: 'coventry-culture', title: 'Coventry Cultural Strategy Citizens’ Panel', question: 'How should culture be part of everyday life?',
  panelSize: 40, closesAt: 0, quotaTolerance: 2, createdAt: 0, openedAt: 0, closedAt: null, confirmedOnly: false,
  details: { ...NO_DETAILS, dates: 'Saturdays 6, 13 and 20 March 2027, 10am to 4pm', expenses: '£300 thank-you payment, travel paid', contactPhone: '024 7697 0000', contactName: 'Sam' },
};
const key = Buffer.alloc(32, 3);
const letters: Addressed[] = ['Flat 2|10 Demo Street|CV1 2AB', '7 Sample Road||CV6 5DE', 'Rose Cottage|Mill Lane|CV7 9XY'].map((a, i) => {
  const [line1, line2, postcode] = a.split('|');
  return { uprn: String(900 + i), line1, line2, town: 'Coventry', postcode, ward: 'Foleshill', code: householdCode(key, 1, String(900 + i)) };
});

async function pdfOf(largePrint: boolean, pages: Addressed[][]) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  async function* source() { yield* pages; }
  const count = await writeLetters(out, { panel, letter: { ...DEFAULT_LETTER, sender: 'Coventry City Council' }, site: 'https://panel.example.org', closes: '31 January 2027', householdLimit: 2, largePrint, letters: 6000 }, source());
  return { count, pdf: Buffer.concat(chunks) };
}

describe('letters to households', () => {
  test('one page per household, with its address, its code, and a QR code a phone reads as its registration link', async () => {
    const { count, pdf } = await pdfOf(false, [letters.slice(0, 2), letters.slice(2)]);
    expect(count).toBe(3);
    const read = await readLetters(pdf);
    expect(read.numPages).toBe(3);
    read.pages.forEach((page, i) => {
      const l = letters[i];
      expect(page.text).toContain(l.line1);
      expect(page.text).toContain(l.postcode);
      expect(codeOn(page)).toBe(l.code);
      expect(page.text).toContain('Coventry City Council');
      expect(page.text).toContain('£300 thank-you payment');
      expect(page.text).toContain('Polski: Jeśli potrzebujesz pomocy');
      expect(page.qr).toBe(registrationLink('https://panel.example.org', panel, l.code));
      expect(page.qr).toBe(`https://panel.example.org/register/coventry-culture?code=${l.code}`);
    });
    // Nobody's code is on another's letter.
    expect(read.pages.map(codeOn)).toEqual(letters.map((l) => l.code));
  });

  test('large print: bigger type over more pages; each letter’s code, QR code and phone line on one page, its own', async () => {
    const normal = await readLetters((await pdfOf(false, [letters.slice(0, 1)])).pdf);
    const { count, pdf } = await pdfOf(true, [letters.slice(0, 2), letters.slice(2)]);
    const large = await readLetters(pdf);
    expect(count).toBe(3);
    const perLetter = large.numPages / 3;
    expect(perLetter).toBeGreaterThan(normal.numPages);
    expect(Number.isInteger(perLetter)).toBe(true);
    letters.forEach((l, i) => {
      const own = large.pages.slice(i * perLetter, (i + 1) * perLetter);
      expect(own[0].text).toContain(l.line1);
      const withCode = own.filter((p) => codeOn(p) === l.code);
      expect(withCode).toHaveLength(1);
      expect(withCode[0].qr).toBe(registrationLink('https://panel.example.org', panel, l.code));
      expect(withCode[0].text).toContain('Or call Sam on 024 7697 0000');
      expect(own.filter((p) => p.qr).length).toBe(1);
    });
  });
  test('a cancelled download stops the printing, and nothing is left failing behind it', async () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ ...letters[i % 3], uprn: String(1000 + i), code: householdCode(key, 1, String(1000 + i)) }));
    const pages = Array.from({ length: 6 }, (_, i) => many.slice(i * 100, (i + 1) * 100));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let bytes = 0;
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > 150_000) this.destroy(); // the organiser closes the tab
        done();
      },
    });
    async function* source() { yield* pages; }
    const count = await writeLetters(out, { panel, letter: DEFAULT_LETTER, site: 'https://panel.example.org', closes: '31 January 2027', householdLimit: 2, largePrint: false, letters: 600 }, source());
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.off('unhandledRejection', onUnhandled);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(600);
    expect(unhandled).toEqual([]);
  });
});
