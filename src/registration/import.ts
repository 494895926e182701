import { type CsvProblem, CsvError, readCsv } from '../csv';
import type { Category } from '../panels/repo';
import { emailKey, personSchema, phoneKey, type Person } from './person';

/**
 * Turns a CSV of registrations into people with their category value ids, or a list of every problem
 * with its line and column. Pure apart from `isRegistered`, which asks whether a contact is taken.
 */

export interface ImportedPerson extends Person {
  line: number;
  valueIds: number[];
}

export interface ImportResult {
  people: ImportedPerson[];
  ignoredColumns: string[];
}

const PERSONAL: Record<keyof Person, string[]> = {
  name: ['name', 'fullname'],
  email: ['email', 'emailaddress'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilenumber', 'telephone'],
  address: ['address', 'addressline1', 'streetaddress', 'primaryaddress1'],
  postcode: ['postcode', 'postalcode', 'zip', 'primaryzip'],
};

/** Loose form for matching headers and values: case, spaces and punctuation ignored, any script kept. */
const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}+]/gu, '');

/** The value a cell names: exactly (ignoring case) if possible, else loosely, but only if that is unambiguous. */
function matchValue(category: Category, cell: string) {
  const exact = category.values.find((v) => [v.value, v.label].some((x) => x.toLowerCase() === cell.toLowerCase()));
  if (exact || !norm(cell)) return exact;
  const loose = category.values.filter((v) => norm(v.value) === norm(cell) || norm(v.label) === norm(cell));
  return loose.length === 1 ? loose[0] : undefined;
}

export function parsePoolCsv(
  input: string | Buffer,
  categories: Category[],
  isRegistered: (key: { email?: string; phone?: string }) => 'email' | 'phone' | undefined,
): ImportResult {
  const file = readPoolFile(input, categories);
  return checked(file, registeredProblems(file.people, file.contactColumns, isRegistered));
}

/**
 * The file's people and every problem but one: whether a contact is registered already, which needs the database.
 * Pure, so it can run in a worker thread (parse-worker.ts). Throws CsvError only for a file it cannot read at all.
 */
export interface PoolFile {
  people: ImportedPerson[];
  problems: CsvProblem[];
  /** The columns of email and phone, to name in a problem. */
  contactColumns: Partial<Record<'email' | 'phone', string>>;
  ignoredColumns: string[];
}

export function readPoolFile(input: string | Buffer, categories: Category[]): PoolFile {
  const { header, rows } = readCsv(input);
  const columns = matchColumns(header, categories);
  const problems: CsvProblem[] = [];
  const seen = new Map<string, number>();
  const people: ImportedPerson[] = [];

  for (const { line, cells } of rows) {
    const field = (name: keyof Person) => (columns.personal[name] ? cells[columns.personal[name]] : undefined);
    const parsed = personSchema.safeParse({
      name: field('name'),
      email: field('email'),
      phone: field('phone'),
      address: field('address'),
      postcode: field('postcode'),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const name = String(issue.path[0]) as keyof Person;
        // "email or phone" is reported against whichever of the two columns the file has.
        const column = columns.personal[name] ?? (name === 'email' ? columns.personal.phone : undefined) ?? name;
        problems.push({ line, column, message: issue.message });
      }
    }
    const valueIds = categories.flatMap((c) => {
      const column = columns.categories.get(c.id) ?? c.key;
      const cell = cells[column] ?? '';
      const value = matchValue(c, cell);
      if (!cell) problems.push({ line, column, message: `is empty; give one of: ${c.values.map((v) => v.value).join(', ')}` });
      else if (!value) problems.push({ line, column, message: `"${cell}" is not one of: ${c.values.map((v) => v.value).join(', ')}` });
      return value ? [value.id] : [];
    });
    if (!parsed.success) continue;
    const person = parsed.data;
    sameInFile(person, line, columns.personal, seen, problems);
    people.push({ ...person, line, valueIds });
  }
  return { people, problems, contactColumns: { email: columns.personal.email, phone: columns.personal.phone }, ignoredColumns: columns.ignored };
}

/** For each person whose email or phone is registered already: the problem, on their line. */
export function registeredProblems(people: ImportedPerson[], columns: PoolFile['contactColumns'], isRegistered: (key: { email?: string; phone?: string }) => 'email' | 'phone' | undefined): CsvProblem[] {
  return people.flatMap((p) => {
    const taken = isRegistered({ email: p.email, phone: p.phone });
    return taken ? [{ line: p.line, column: columns[taken], message: `this ${taken} is already registered for this panel` }] : [];
  });
}

/** The import, or every problem in line order (a line's own problems first, then whether it is registered). */
export function checked(file: PoolFile, registered: CsvProblem[]): ImportResult {
  const problems = [...file.problems, ...registered].sort((a, b) => a.line - b.line);
  if (problems.length) throw new CsvError(problems);
  if (file.people.length === 0) throw new CsvError([{ line: 2, message: 'the file has a header row but no registrations' }]);
  return { people: file.people, ignoredColumns: file.ignoredColumns };
}

function matchColumns(header: string[], categories: Category[]) {
  const used = new Set<string>();
  const find = (names: string[]) => {
    const column = header.find((h) => names.includes(norm(h)) && !used.has(h));
    if (column) used.add(column);
    return column;
  };
  const personal: Partial<Record<keyof Person, string>> = {};
  for (const key of Object.keys(PERSONAL) as (keyof Person)[]) personal[key] = find(PERSONAL[key]);
  const byCategory = new Map<number, string>();
  for (const c of categories) {
    const column = find([norm(c.key), norm(c.label)]);
    if (column) byCategory.set(c.id, column);
  }
  const missing = [
    ...(['name', 'address', 'postcode'] as const).filter((k) => !personal[k]),
    ...(!personal.email && !personal.phone ? ['email or phone'] : []),
    ...categories.filter((c) => !byCategory.has(c.id)).map((c) => c.key),
  ];
  if (missing.length) {
    throw new CsvError(
      missing.map((m) => ({ line: 1, column: m, message: `this required column is missing from the header row` })),
    );
  }
  return { personal, categories: byCategory, ignored: header.filter((h) => !used.has(h)) };
}

function sameInFile(person: Person, line: number, columns: Partial<Record<keyof Person, string>>, seen: Map<string, number>, problems: CsvProblem[]): void {
  const keys: ['email' | 'phone', string | undefined][] = [
    ['email', person.email && `email:${emailKey(person.email)}`],
    ['phone', person.phone && `phone:${phoneKey(person.phone)}`],
  ];
  for (const [field, key] of keys) {
    if (!key) continue;
    const earlier = seen.get(key);
    if (earlier) problems.push({ line, column: columns[field], message: `the same ${field} as line ${earlier}` });
    else seen.set(key, line);
  }
}
