/**
 * How much a published table or figure gives away about the people in it (issue 17: "a public record that
 * identifies nobody"). PURE: it takes rows and counts and returns plain data, so tests, pages and the CLI can all
 * measure what the site publishes before it does.
 *
 * The rule it measures against (DESIGN rule 9): no group of fewer than `k` (5) people in any public file or figure,
 * and no special-category value (disability, ethnicity, religion) inferable for a group under `k`.
 *
 * A missing or blank value counts as a value of its own: a blank is published too, and singles a row out as well as
 * any answer does.
 */

export const MIN_GROUP = 5;

/** The answers the law calls special-category data, by the keys panels give them. */
export const SPECIAL_CATEGORIES = ['disability', 'ethnicity', 'religion'];

export type Row = Record<string, string | undefined>;

/** Rows with the same values in every given column: an equivalence class. */
export interface EquivalenceClass {
  key: Record<string, string>;
  rows: Row[];
}

/** The rows grouped by their values in `columns`, in the order each class first appears. */
export function equivalenceClasses(rows: Row[], columns: string[]): EquivalenceClass[] {
  const classes = new Map<string, EquivalenceClass>();
  for (const row of rows) {
    const key = Object.fromEntries(columns.map((c) => [c, row[c] ?? '']));
    const id = JSON.stringify(columns.map((c) => key[c]));
    const found = classes.get(id);
    if (found) found.rows.push(row);
    else classes.set(id, { key, rows: [row] });
  }
  return [...classes.values()];
}

export interface SmallestGroup {
  /** The size of the smallest class: the table is k-anonymous for this k. Infinity for an empty table, which singles out nobody. */
  k: number;
  /** The values of the smallest class (the first in row order when several tie); null for an empty table. */
  key: Record<string, string> | null;
  /** Rows alone in their class: anyone who knows their values finds their row. */
  uniques: number;
  /** Rows in classes smaller than the threshold: the rows the rule says must not be published as they are. */
  atRisk: number;
  rows: number;
  classes: number;
}

/** The k-anonymity of a table over the given quasi-identifier columns. */
export function smallestGroup(rows: Row[], columns: string[], threshold = MIN_GROUP): SmallestGroup {
  const classes = equivalenceClasses(rows, columns);
  let smallest: EquivalenceClass | null = null;
  for (const c of classes) if (!smallest || c.rows.length < smallest.rows.length) smallest = c;
  const sizes = classes.map((c) => c.rows.length);
  return {
    k: smallest ? smallest.rows.length : Infinity,
    key: smallest ? smallest.key : null,
    uniques: sizes.filter((n) => n === 1).length,
    atRisk: sizes.filter((n) => n < threshold).reduce((a, b) => a + b, 0),
    rows: rows.length,
    classes: classes.length,
  };
}

/** Every non-empty combination of the columns, smallest first: what an attacker who knows some of them can use. */
export function everyCombination(columns: string[]): string[][] {
  const all: string[][] = [];
  for (let mask = 1; mask < 1 << columns.length; mask++) all.push(columns.filter((_, i) => mask & (1 << i)));
  return all.sort((a, b) => a.length - b.length);
}

/** A blank or a refusal reveals nothing about the category itself. */
const NO_ANSWER = new Set(['', 'prefer not to say']);

export interface Inference {
  key: Record<string, string>;
  /** The sensitive value every row of the class holds. */
  value: string;
  size: number;
  /** 'small': a class under k; 'rare': a class of any size that all hold a value other than the most common. */
  reason: 'small' | 'rare';
}

export interface InferenceReport {
  quasi: string[];
  sensitive: string;
  /** The most common answers in the column (several when tied): what anyone would guess without the table. */
  common: string[];
  /** Rows whose sensitive value is fixed by their quasi values, in classes of any size (the attacker's headline figure). */
  homogeneousRows: number;
  flagged: Inference[];
  /** Rows in flagged classes. */
  flaggedRows: number;
}

/**
 * Which classes over `quasi` give away their members' `sensitive` answer. A class is flagged when every row in it
 * holds the same answer (blank and "prefer not to say" are no answer) and either
 *  - the class has fewer than k rows ('small'): the group under k the rule forbids, or
 *  - that answer is not the column's most common ('rare'), whatever the size of the class.
 * Why the second: size protects people only when their group is mixed. Fifty people who all say "Not disabled"
 * reveal what anyone would have guessed of each of them; seven who all say "Disabled" tell whoever knows one of
 * them by age, gender and ward something they could not have guessed, and it is no less true of each for there
 * being seven. Only certainty is flagged (a class where 19 of 20 share an answer is not): keep it simple.
 */
export function inferences(rows: Row[], quasi: string[], sensitive: string, k = MIN_GROUP): InferenceReport {
  const common = mostCommon(rows.map((r) => r[sensitive] ?? '').filter((v) => !NO_ANSWER.has(v.toLowerCase())));
  const flagged: Inference[] = [];
  let homogeneousRows = 0;
  for (const c of equivalenceClasses(rows, quasi)) {
    const values = new Set(c.rows.map((r) => r[sensitive] ?? ''));
    const [value] = values;
    if (values.size !== 1 || NO_ANSWER.has(value.toLowerCase())) continue;
    homogeneousRows += c.rows.length;
    if (c.rows.length < k) flagged.push({ key: c.key, value, size: c.rows.length, reason: 'small' });
    else if (!common.includes(value)) flagged.push({ key: c.key, value, size: c.rows.length, reason: 'rare' });
  }
  return { quasi, sensitive, common, homogeneousRows, flagged, flaggedRows: flagged.reduce((a, f) => a + f.size, 0) };
}

function mostCommon(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  return [...counts].filter(([, n]) => n === top && n > 0).map(([v]) => v);
}

/** A published count of people: members of a group, those who attended, those who did not. */
export interface GroupCount {
  group: string;
  count: number;
}

/**
 * The published counts of people below k. A count of 0 is no group of people and is not flagged; a count from 1
 * to k-1 is. Publish the complement too (members less attended) when both are derivable from what is shown.
 */
export function smallCounts(counts: GroupCount[], k = MIN_GROUP): GroupCount[] {
  return counts.filter((c) => c.count > 0 && c.count < k);
}

/** A published table, with the columns that describe people (not the pseudonym). */
export interface PublishedTable {
  name: string;
  rows: Row[];
  columns: string[];
}

/** The published counts of people in one page or file. */
export interface PublishedCounts {
  name: string;
  counts: GroupCount[];
}

export interface TableReport {
  name: string;
  rows: number;
  /** Every combination of the table's columns, with its smallest group. */
  combinations: (SmallestGroup & { columns: string[] })[];
  /** Over all the columns at once: the finest split, so the smallest k of any combination. */
  worst: SmallestGroup & { columns: string[] };
  /** For each special-category column: what the table's other columns give away about it. */
  inferences: InferenceReport[];
}

export interface DisclosureReport {
  k: number;
  tables: TableReport[];
  smallCounts: { name: string; counts: GroupCount[] }[];
  /** One line per breach of the rule, for a test to assert empty and a page to print. */
  breaches: string[];
}

export function measureTable(table: PublishedTable, k = MIN_GROUP): TableReport {
  const combinations = everyCombination(table.columns).map((columns) => ({ columns, ...smallestGroup(table.rows, columns, k) }));
  const worst = { columns: table.columns, ...smallestGroup(table.rows, table.columns, k) };
  const special = table.columns.filter((c) => SPECIAL_CATEGORIES.includes(c));
  return {
    name: table.name,
    rows: table.rows.length,
    combinations,
    worst,
    inferences: special.map((s) => inferences(table.rows, table.columns.filter((c) => c !== s), s, k)),
  };
}

/** The whole published record measured against the rule: every table, every count, and the breaches found. */
export function worstCase(tables: PublishedTable[], counts: PublishedCounts[] = [], k = MIN_GROUP): DisclosureReport {
  const measured = tables.map((t) => measureTable(t, k));
  const small = counts.map((c) => ({ name: c.name, counts: smallCounts(c.counts, k) })).filter((c) => c.counts.length);
  const breaches = [
    ...measured.flatMap((t) =>
      t.worst.k < k ? [`${t.name}: smallest group ${t.worst.k} over ${t.worst.columns.join(', ')}; ${t.worst.atRisk} of ${t.rows} rows in groups under ${k}, ${t.worst.uniques} unique`] : [],
    ),
    ...measured.flatMap((t) =>
      t.inferences.filter((i) => i.flagged.length).map((i) => `${t.name}: ${i.sensitive} given away for ${i.flaggedRows} rows in ${i.flagged.length} groups by ${i.quasi.join(', ')}`),
    ),
    ...small.map((c) => `${c.name}: ${c.counts.length} ${c.counts.length === 1 ? 'count' : 'counts'} under ${k} (${c.counts.slice(0, 5).map((g) => `${g.group}: ${g.count}`).join('; ')}${c.counts.length > 5 ? '; ...' : ''})`),
  ];
  return { k, tables: measured, smallCounts: small, breaches };
}
