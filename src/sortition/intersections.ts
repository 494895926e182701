import type { Person, Quota } from './types';

/**
 * Two-way quotas (issue 23): a quota whose category names two categories joined by " & " ("age & gender") is on
 * their intersection, its value the two values joined the same way ("16-29 & woman"). Such quotas may cover only
 * some of the intersection's cells (at least 2 young women), so a person whose cell has no quota is not held by
 * one; a quota on one category must still cover each of its values.
 */
export const JOIN = ' & ';

/** The categories an intersection joins, or undefined for a plain category. */
export function componentsOf(category: string): string[] | undefined {
  const parts = category.split(JOIN).map((p) => p.trim());
  return parts.length > 1 ? parts : undefined;
}

/** A person's value in a category, plain or an intersection. */
export function valueOf(person: Person, category: string): string | undefined {
  const parts = componentsOf(category);
  if (!parts) return person.features[category];
  const values = parts.map((c) => person.features[c]);
  return values.every((v) => v !== undefined) ? values.join(JOIN) : undefined;
}

/** The plain categories the quotas need from each person (an intersection's parts among them). */
export function plainCategories(quotas: Pick<Quota, 'category'>[]): string[] {
  return [...new Set(quotas.flatMap((q) => componentsOf(q.category) ?? [q.category]))];
}

/** What is wrong with the quotas' intersections, in words: each part must be a category of its own quotas. */
export function intersectionProblems(quotas: Pick<Quota, 'category' | 'value'>[]): string[] {
  const plain = new Set(quotas.map((q) => q.category).filter((c) => !componentsOf(c)));
  const problems: string[] = [];
  for (const q of quotas) {
    const parts = componentsOf(q.category);
    if (!parts) continue;
    const unknown = parts.filter((p) => !plain.has(p));
    if (unknown.length) problems.push(`the two-way quota "${q.category}: ${q.value}" names ${unknown.map((u) => `"${u}"`).join(' and ')}, which has no quotas of its own; add them, or check the spelling`);
    else if (q.value.split(JOIN).length !== parts.length) problems.push(`the two-way quota "${q.category}: ${q.value}" needs one value for each of its ${parts.length} categories, joined by "${JOIN.trim()}", such as "16-29${JOIN}woman"`);
  }
  return [...new Set(problems)];
}
