import { parse, type Options } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** A problem found in a CSV file: `line` is the file's line number (the header is line 1). */
export interface CsvProblem {
  line: number;
  column?: string;
  message: string;
}

const MAX_COLUMNS = 200;

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
 * Reads a CSV with a header row into trimmed cells keyed by header. Accepts a UTF-8 BOM and any line
 * endings; skips blank lines. Broken quoting or a ragged row is a CsvError naming the line where the
 * row starts, as a spreadsheet would number it.
 */
export function readCsv(input: string | Buffer): CsvTable {
  // One line ending throughout: csv-parse guesses the ending from the first line only.
  const buffer = Buffer.from(decode(input).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  const lineAt = lineCounter(buffer);
  let lastEnd = 0;
  let records: { record: string[]; line: number }[];
  try {
    const options = {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
      on_record: ({ record }: { record: string[] }, context: { bytes: number }) => {
        const line = lineAt(lastEnd);
        lastEnd = context.bytes;
        return { record, line };
      },
    };
    // With info: true, on_record receives { record, info }; the library's types do not say so.
    records = parse(buffer, options as unknown as Options) as unknown as typeof records;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0].replace(/^Invalid[^:]*: /, '');
    throw new CsvError([{ line: lineAt(lastEnd), message: `this row is not valid CSV (${reason})` }]);
  }
  if (records.length === 0) throw new CsvError([{ line: 1, message: 'the file is empty: it needs a header row' }]);
  const header = records[0].record;
  const problems: CsvProblem[] = [];
  if (header.length > MAX_COLUMNS) {
    throw new CsvError([{ line: 1, message: `the header has ${header.length} columns; at most ${MAX_COLUMNS} are allowed` }]);
  }
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (!h) problems.push({ line: 1, message: `column ${i + 1} has no name in the header row` });
    else if (seen.has(h)) problems.push({ line: 1, column: h, message: 'this column name appears twice' });
    seen.add(h);
  });
  // Spreadsheets often leave rows of empty cells at the end: they are blank lines too.
  const rows = records.slice(1).filter(({ record }) => record.some((cell) => cell !== '')).map(({ record, line }) => {
    if (record.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} cells, found ${record.length}` });
    }
    const cells: Record<string, string> = {};
    header.forEach((h, i) => (cells[h] = unescapeCell(record[i] ?? '')));
    return { line, cells };
  });
  if (problems.length) throw new CsvError(problems);
  return { header, rows };
}

/** Line number (from 1) of the first non-blank line at or after a byte offset. */
function lineCounter(buffer: Buffer): (offset: number) => number {
  const newlines: number[] = [];
  buffer.forEach((byte, i) => {
    if (byte === 0x0a) newlines.push(i);
  });
  return (offset) => {
    let start = offset;
    while (buffer[start] === 0x0a) start++;
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

function decode(input: string | Buffer): string {
  if (typeof input === 'string') return input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new CsvError([{ line: 1, message: 'the file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again' }]);
  }
}

/** Undoes writeCsv's guard, so an exported file imports back unchanged. */
function unescapeCell(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Writes CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote mark. */
export function writeCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return stringify([header, ...rows.map((r) => r.map(safeCell))]);
}

function safeCell(cell: string | number | null | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  const harmless = /^-?\d+(\.\d+)?$/.test(text) || /^\+\d[\d ]*$/.test(text); // numbers, phone numbers
  return /^[=+\-@\t\r]/.test(text) && !harmless ? `'${text}` : text;
}
