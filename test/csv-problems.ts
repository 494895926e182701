import { CsvError, type CsvProblem } from '../src/csv';

/** The problems a CsvError carries, or fails the test if `read` did not throw one. */
export function problemsOf(read: () => unknown): CsvProblem[] {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(CsvError);
    return (err as CsvError).problems;
  }
  throw new Error('expected a CsvError');
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', '#x27': "'", '#39': "'", '#x3D': '=', '#x60': '`' };

/** Text from a page, with the entities Handlebars writes turned back into characters. */
export const decode = (s: string) => s.replace(/&(#x?[0-9a-fA-F]+|\w+);/g, (m, e: string) => ENTITIES[e] ?? m);

export interface Problem {
  line: number;
  column: string;
  message: string;
}

/** The "nothing was imported" table the pool and quotas pages show: one row per problem, as the user reads it. */
export function problemTable(html: string): Problem[] {
  const table = /<table class="problems">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => ({
    line: Number(m[1]),
    column: decode(m[2]),
    message: decode(m[3]),
  }));
}
