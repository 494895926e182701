import fs from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { viewsDir } from '../../src/paths';
import { flatten, LANGUAGES, localesDir, readLocale } from '../../src/web/i18n';
import { pseudoLocalise } from '../../src/web/pseudo-locale';
import { reviewOf } from '../../src/web/review';
import { scaleLabels } from '../../src/voting/scale';

/**
 * The locale files (views/locales) as a translator leaves them: every English key in every language and no
 * other, every message valid ICU with the English one's placeholders, every translation with a review state
 * that names the English it was made from. The message templates likewise (views/messages/<lang>).
 */
const english = flatten(readLocale('en'));
const others = LANGUAGES.filter((l) => l.code !== 'en');

/** The names a message fills in: its arguments, plurals and selects, at any depth. */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    if ('value' in el && typeof el.value === 'string') into.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) placeholders(o.value, into);
  }
  return into;
}
const parsed = (message: string) => parse(message, { ignoreTag: true });

test('English has a useful number of keys, and every one is a valid ICU message', () => {
  expect(english.size).toBeGreaterThan(150);
  const broken = [...english].filter(([, m]) => { try { parsed(m); return false; } catch { return true; } }).map(([k]) => k);
  expect(broken).toEqual([]);
});

test("the ballot's scale levels in English are the tallies' own labels", () => {
  for (const scale of ['likert5', 'gradients8'] as const) {
    expect(scaleLabels(scale).map((_, i) => english.get(`room.live.${scale}.${i + 1}`))).toEqual(scaleLabels(scale));
  }
});

describe.each(others.map((l) => [l.code, l] as const))('%s', (code) => {
  const strings = flatten(readLocale(code));

  test('has every English key, and no key English does not have', () => {
    expect([...english.keys()].filter((k) => !strings.has(k))).toEqual([]);
    expect([...strings.keys()].filter((k) => !english.has(k))).toEqual([]);
  });

  test('every message parses, with exactly the placeholders of the English', () => {
    const problems: string[] = [];
    for (const [key, message] of strings) {
      try {
        const want = [...placeholders(parsed(english.get(key) ?? ''))].sort();
        const have = [...placeholders(parsed(message))].sort();
        if (want.join() !== have.join()) problems.push(`${key}: has {${have.join(', ')}}, English has {${want.join(', ')}}`);
      } catch (err) {
        problems.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every plural has the "other" form, and keeps the English HTML tags', () => {
    const problems: string[] = [];
    const tags = (m: string) => (m.match(/<\/?[a-z][^>]*>/g) ?? []).sort().join('');
    for (const [key, message] of strings) {
      if (tags(message) !== tags(english.get(key) ?? '')) problems.push(`${key}: tags differ`);
      const walk = (els: MessageFormatElement[]): void => els.forEach((el) => {
        if (el.type === TYPE.plural || el.type === TYPE.select) {
          if (!el.options.other) problems.push(`${key}: no "other" form`);
          Object.values(el.options).forEach((o) => walk(o.value));
        }
      });
      walk(parsed(message));
    }
    expect(problems).toEqual([]);
  });

  test('every translation has a review state, made from the English as it is now', () => {
    const review = reviewOf(code);
    expect(review.missing).toEqual([]);
    expect(review.stale).toEqual([]);
    expect(review.draft + review.reviewed).toBe(english.size);
  });

  test('each message template exists, with the same fields and link as the English, and a review state made from the English as it is now', () => {
    const dir = (lang: string) => path.join(viewsDir, 'messages', lang);
    const fields = (text: string) => [...text.matchAll(/\{\{[^}]*\}\}|\[\[link\]\]/g)].map((m) => m[0].replace(/\s+/g, ' ')).sort();
    for (const file of fs.readdirSync(dir('en')).filter((f) => f.endsWith('.txt'))) {
      const theirs = path.join(dir(code), file);
      expect({ file, exists: fs.existsSync(theirs) }).toEqual({ file, exists: true });
      const ours = fs.readFileSync(path.join(dir('en'), file), 'utf8');
      const translated = fs.readFileSync(theirs, 'utf8');
      expect({ file, fields: fields(translated) }).toEqual({ file, fields: fields(ours) });
      expect(translated.split('\n')[0]).toMatch(/^Subject: \S/);
      // Its review state names the English it was made from (views/messages/<code>/review.json).
      const review = JSON.parse(fs.readFileSync(path.join(dir(code), 'review.json'), 'utf8')) as Record<string, { state: string; english: string }>;
      expect({ file, state: ['draft', 'reviewed'].includes(review[file]?.state), current: review[file]?.english === ours }).toEqual({ file, state: true, current: true });
    }
  });
});

test('the pseudo-locale changes every word of every message, and keeps it valid with the same placeholders', () => {
  for (const [key, message] of english) {
    const pseudo = pseudoLocalise(message);
    expect({ key, starts: pseudo.startsWith('⟦') && pseudo.endsWith('⟧') }).toEqual({ key, starts: true });
    expect({ key, names: [...placeholders(parsed(pseudo))].sort() }).toEqual({ key, names: [...placeholders(parsed(message))].sort() });
  }
});

test('a locale file that is not valid JSON, or a section in two files, is named when read', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cp-locale-'));
  fs.mkdirSync(path.join(dir, 'xx'));
  fs.writeFileSync(path.join(dir, 'xx', 'pages.json'), '{"a": ');
  expect(() => readLocale('xx', dir)).toThrow(/xx\/pages\.json: .*valid JSON/);
  fs.writeFileSync(path.join(dir, 'xx', 'pages.json'), '{"a": {"b": "c"}}');
  fs.writeFileSync(path.join(dir, 'xx', 'room.json'), '{"a": {"d": "e"}}');
  expect(() => readLocale('xx', dir)).toThrow(/section "a" is also in another file/);
  fs.rmSync(dir, { recursive: true });
  expect(localesDir).toBe(path.join(viewsDir, 'locales'));
});
