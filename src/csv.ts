import { isUtf8 } from 'node:buffer';
import { parse, type Options } from 'csv-parse/sync';

/** A problem found in a CSV file: `line` is the file's line number (the header is line 1). */
export interface CsvProblem {
  line: number;
  column?: string;
  message: string;
}

const MAX_COLUMNS = 200;

/** Separators spreadsheets use instead of commas (semicolons where the comma is the decimal point). */
const SEPARATORS = [
  [';', 'semicolons (;)'],
  ['\t', 'tabs'],
  ['|', 'vertical bars (|)'],
] as const;

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
 * row starts, as a spreadsheet would number it; so is a file that is not UTF-8 text (UTF-16, Latin-1,
 * a workbook, a NUL byte), saying how to save it as CSV.
 */
export function readCsv(input: string | Buffer): CsvTable {
  // One line ending throughout: csv-parse guesses the ending from the first line only.
  const text = decode(input).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  rejectNul(text);
  const buffer = Buffer.from(text);
  const lineAt = lineCounter(buffer);
  let lastEnd = 0;
  let first: string[] | undefined;
  let records: { record: string[]; line: number }[];
  try {
    const options = {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      on_record: (record: string[], context: { bytes: number }) => {
        const line = lineAt(lastEnd);
        lastEnd = context.bytes;
        first ??= record;
        return { record, line };
      },
    };
    // on_record may return any value; the library's types say it returns a record of strings.
    records = parse(buffer, options as unknown as Options) as unknown as typeof records;
  } catch (err) {
    throw new CsvError([{ line: lineAt(lastEnd), message: `this row is not valid CSV: ${quotingProblem(err, first)}` }]);
  }
  if (records.length === 0) throw new CsvError([{ line: 1, message: 'the file is empty: it needs a header row' }]);
  const header = records[0].record;
  const separator = header.length === 1 ? SEPARATORS.find(([s]) => header[0].includes(s)) : undefined;
  if (separator) {
    throw new CsvError([{ line: 1, message: `the columns are separated by ${separator[1]}, not commas. Save the file with commas between the columns, as "CSV UTF-8 (comma delimited)" does, and upload it again.` }]);
  }
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

/** What csv-parse found wrong, in words that say how to fix the file; `header` names the column if known. */
function quotingProblem(err: unknown, header: string[] | undefined): string {
  const { code, column } = err as { code?: string; column?: unknown };
  const where = typeof column === 'number' ? ` in column ${header?.[column] ? `"${header[column]}"` : column + 1}` : '';
  const fix = 'Put the whole cell in quote marks and double each quote mark inside it ("Flat 2, ""The Mill"""), or remove the stray quote mark.';
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return `a cell${where} opens with a quote mark (") that is never closed, so the rest of the file would be read as that one cell. Add the closing quote mark, or remove the opening one.`;
  }
  if (code === 'INVALID_OPENING_QUOTE') return `a quote mark (")${where} comes in the middle of a cell. ${fix}`;
  if (code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') {
    return `a quoted cell${where} has more text after its closing quote mark. ${fix}`;
  }
  return `${(err as Error).message.split('\n')[0].replace(/^Invalid[^:]*: /, '')}.`;
}

const SAVE_AS = 'save it as "CSV UTF-8 (comma delimited)" and upload it again.';
const SAVE_AS_CSV = `S${SAVE_AS.slice(1)}`;

/** The bytes as text, or a CsvError naming what the file is instead: UTF-16, a workbook, Latin-1 and so on. */
function decode(input: string | Buffer): string {
  if (typeof input === 'string') return input;
  const kind = notTextKind(input);
  if (kind) throw new CsvError([{ line: 1, message: `${kind}, not a CSV file in UTF-8. ${SAVE_AS_CSV}` }]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new CsvError([{ line: 1, message: binary(input) ? BINARY : notUtf8(input) }]);
  }
}

/** Recognises what spreadsheets save when asked for "Unicode text" or a workbook. */
function notTextKind(bytes: Buffer): string | undefined {
  const starts = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return 'the file is saved as UTF-16 ("Unicode text")';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'the file is an Excel workbook (.xlsx) or another zipped file';
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'the file is an old Excel workbook (.xls)';
  // UTF-16 without a byte order mark: Latin letters leave a zero byte in every other place.
  const sample = bytes.subarray(0, 4096);
  let even = 0;
  let odd = 0;
  sample.forEach((b, i) => {
    if (b === 0) i % 2 ? odd++ : even++;
  });
  if (sample.length >= 2 && Math.max(even, odd) >= sample.length / 4) return 'the file is saved as UTF-16 ("Unicode text")';
  return undefined;
}

const BINARY = `the file is not UTF-8 text, nor text at all: it holds control bytes that only images, workbooks and other binary files have. Check that you chose the right file, or open it in your spreadsheet and ${SAVE_AS}`;

/** Control bytes other than tab, line feed, form feed and carriage return: no text file has them. */
function binary(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d);
}

/** Says which line first holds a byte that is not UTF-8: usually a Windows-1252 or Latin-1 letter such as é or £. */
function notUtf8(bytes: Buffer): string {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end + 1;
    if (!isUtf8(bytes.subarray(start, stop))) break;
    start = stop;
  }
  return `the file is not UTF-8 text: line ${line} is the first with a character stored another way, as Excel's plain "CSV" stores letters such as é or £ (Windows-1252). ${SAVE_AS_CSV}`;
}

/** A NUL character is never in a text file: the file is binary, damaged, or another encoding. */
function rejectNul(text: string): void {
  const at = text.indexOf('\u0000');
  if (at === -1) return;
  const line = text.slice(0, at).split('\n').length;
  throw new CsvError([{ line, message: `this line has a NUL character (code 0), which no CSV file holds: the file is damaged or not text. Remove it, or open the file in your spreadsheet and ${SAVE_AS}` }]);
}

/** Starts a cell a spreadsheet would run as a formula (OWASP's list): = + - @ tab, carriage return. */
const FORMULA = /^[=+\-@\t\r]/;
/**
 * A cell that starts with quote marks and then a formula character (or a line break, which CR becomes on
 * reading): the guard adds one more quote mark to these too, so that reading removes exactly what it added.
 */
const QUOTED_FORMULA = /^'+[=+\-@\t\r\n]/;

/** Undoes writeCsv's guard, so an exported file imports back unchanged. */
function unescapeCell(cell: string): string {
  return QUOTED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** Writes CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote mark. */
export function writeCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  let out = `${header.map(quoted).join(',')}\n`;
  for (const row of rows) out += `${row.map((cell) => quoted(safeCell(cell))).join(',')}\n`;
  return out;
}

/** A cell as RFC 4180 writes it: in quotes, with quotes doubled, when it holds a comma, a quote or a line break. */
function quoted(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function safeCell(cell: string | number | null | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  const harmless = /^-?\d+(\.\d+)?$/.test(text) || /^\+\d[\d ]*$/.test(text); // numbers, phone numbers
  return (FORMULA.test(text) && !harmless) || QUOTED_FORMULA.test(text) ? `'${text}` : text;
}
