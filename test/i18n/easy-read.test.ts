import request from 'supertest';
import { renderMessage } from '../../src/messages/templates';
import { flatten, readLocale } from '../../src/web/i18n';
import { makeApp, smallPanel } from '../helpers';
import { readingAge } from './readability';

/**
 * Easy read (issue 22): the registration page and the invitation, in our words, at a reading age of about 9–11,
 * as the Sortition Foundation advises for invitations. Measured with the Flesch–Kincaid grade (reading age is
 * grade + 5). The organiser's own words (the panel's title, question and categories) are theirs to write, so
 * they are taken out before measuring.
 */
const READING_AGE = 11;

const mainText = (html: string) =>
  (html.match(/<main[\s\S]*<\/main>/)?.[0] ?? '')
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<\/(p|h1|h2|h3|li|label|legend|button|dt|dd)>/g, '.\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&[a-z]+;/g, ' ');

test('the registration page reads at a reading age of 11 or under', async () => {
  const { app, db, clock } = makeApp();
  const { slug } = smallPanel(db, clock);
  const page = await request(app).get(`/register/${slug}`);
  const organisers = ['Test Panel', 'What next?', 'Your gender?', 'Your age band?', 'Woman', 'Man', '16-39', '40-64', '65+'];
  const ours = organisers.reduce((text, words) => text.split(words).join(' '), mainText(page.text));
  const measured = readingAge(ours);
  expect(measured.words).toBeGreaterThan(200); // the whole page was measured, not an error page
  expect(measured.age).toBeLessThanOrEqual(READING_AGE);
});

test('the invitation email, and the words of the invitation pages (invite.* in en.json), read at a reading age of 11 or under', () => {
  const pages = [...flatten(readLocale('en'))].filter(([key]) => key.startsWith('invite.')).map(([, text]) => text).join('\n');
  expect(readingAge(pages).age).toBeLessThanOrEqual(READING_AGE);
  const message = renderMessage('invitation', 'en', { name: 'Ada', panel: 'the panel', question: 'what next', dates: '', venue: '', expenses: '', access: '', contact: 'call us', site: 'https://example.org' });
  const measured = readingAge(message.text.replace(/\[\[link\]\]/g, ''));
  expect(measured.words).toBeGreaterThan(60);
  expect(measured.age).toBeLessThanOrEqual(READING_AGE);
});

test('the measure tells plain words from hard ones', () => {
  expect(readingAge('We pick people by lottery. You can say yes or no. It is free.').age).toBeLessThan(8);
  expect(readingAge('Notwithstanding the aforementioned considerations, participation necessitates comprehensive demographic categorisation.').age).toBeGreaterThan(16);
});
