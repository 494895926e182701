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
