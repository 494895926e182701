/**
 * The Flesch–Kincaid grade of English text, and the reading age it implies (grade + 5, the usual UK reading of
 * a US school grade). Syllables are counted the usual rough way: groups of vowels, a silent final e dropped.
 */
export function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (!w) return 0;
  if (w.length <= 3) return 1;
  const trimmed = w.replace(/(?:[^laeiouy]es|ed|[^laeiouy]e)$/, '').replace(/^y/, '');
  return Math.max(1, (trimmed.match(/[aeiouy]{1,2}/g) ?? []).length);
}

export function readingAge(text: string): { grade: number; age: number; words: number; sentences: number } {
  const plain = text.replace(/<[^>]+>/g, ' ').replace(/\{[^}]*\}/g, 'it');
  const sentences = Math.max(1, plain.split(/[.!?]+(?:\s|$)|\n+/).filter((s) => /[a-z]/i.test(s)).length);
  const words = plain.split(/\s+/).filter((w) => /[a-z]/i.test(w));
  const syllableCount = words.reduce((n, w) => n + syllables(w), 0);
  const grade = 0.39 * (words.length / sentences) + 11.8 * (syllableCount / words.length) - 15.59;
  return { grade, age: grade + 5, words: words.length, sentences };
}
