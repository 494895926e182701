import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** A problem found in a CSV file: `line` is the file's line number (the header is line 1). */
export interface CsvProblem {
  line: number;
  column?: string;
  message: string;
}

export interface CsvTable {
  header: string[];
  rows: { line: number; cells: Record<string, string> }[];
}

export class CsvError extends Error {
  constructor(readonly problems: CsvProblem[]) {
    super(problems.map(describeProblem).join('\n'));
  }
}

export function describeProblem(p: CsvProblem): string {
  return `line ${p.line}${p.column ? `, column "${p.column}"` : ''}: ${p.message}`;
}

/**
 * Reads a CSV with a header row into trimmed cells keyed by header. Accepts a UTF-8 BOM and CRLF;
 * skips blank lines. Broken quoting or a ragged row is a CsvError naming the line.
 */
export function readCsv(input: string | Buffer): CsvTable {
  const text = decode(input);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new CsvError([{ line: e.lines ?? 1, message: `the file is not valid CSV (${e.message.split('\n')[0]})` }]);
  }
  if (records.length === 0) throw new CsvError([{ line: 1, message: 'the file is empty: it needs a header row' }]);
  const header = records[0].record.map((h) => h.trim());
  const problems: CsvProblem[] = [];
  header.forEach((h, i) => {
    if (!h) problems.push({ line: 1, message: `column ${i + 1} has no name in the header row` });
    else if (header.indexOf(h) !== i) problems.push({ line: 1, column: h, message: 'this column name appears twice' });
  });
  const rows = records.slice(1).map(({ record, info }) => {
    if (record.length !== header.length) {
      problems.push({ line: info.lines, message: `expected ${header.length} cells, found ${record.length}` });
    }
    const cells: Record<string, string> = {};
    header.forEach((h, i) => (cells[h] = record[i] ?? ''));
    return { line: info.lines, cells };
  });
  if (problems.length) throw new CsvError(problems);
  return { header, rows };
}

function decode(input: string | Buffer): string {
  if (typeof input === 'string') return input;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.includes('\uFFFD')) {
    throw new CsvError([{ line: 1, message: 'the file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again' }]);
  }
  return text;
}

/** Writes CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote mark. */
export function writeCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return stringify([header, ...rows.map((r) => r.map(safeCell))]);
}

function safeCell(cell: string | number | null | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}
