import fc from 'fast-check';
import { readCsv, writeCsv } from '../../src/csv';
import { problemsOf } from '../csv-problems';

describe('readCsv', () => {
  test('reads the header and trimmed cells, numbering rows by file line (header is line 1)', () => {
    const table = readCsv('name, ward\nAsha , Foleshill\nBen,Earlsdon\n');
    expect(table.header).toEqual(['name', 'ward']);
    expect(table.rows).toEqual([
      { line: 2, cells: { name: 'Asha', ward: 'Foleshill' } },
      { line: 3, cells: { name: 'Ben', ward: 'Earlsdon' } },
    ]);
  });

  test('accepts a UTF-8 BOM (string or bytes) and CRLF line ends', () => {
    for (const input of ['\uFEFFname,ward\r\nAsha,Foleshill\r\n', Buffer.from('\uFEFFname,ward\r\nAsha,Foleshill\r\n')]) {
      const table = readCsv(input);
      expect(table.header).toEqual(['name', 'ward']);
      expect(table.rows).toEqual([{ line: 2, cells: { name: 'Asha', ward: 'Foleshill' } }]);
    }
  });

  test('skips blank lines but keeps counting them', () => {
    const table = readCsv('a,b\n\n1,2\n\n\n3,4\n');
    expect(table.rows.map((r) => r.line)).toEqual([3, 6]);
  });

  test('quoted cells may hold commas and newlines; later rows keep their true line numbers', () => {
    const table = readCsv('a,b\r\n1,"Flat 2,\nHigh St"\r\n3,4\r\n5,6\r\n');
    expect(table.rows[0].cells.b).toBe('Flat 2,\nHigh St');
    expect(table.rows.slice(1).map((r) => r.line)).toEqual([4, 5]);
  });

  test('a CRLF inside a quoted cell counts as one line, not two', () => {
    // Browsers submit textarea line breaks as CRLF, so exported addresses often hold them.
    const table = readCsv('a,b\r\n1,"Flat 2,\r\nHigh St"\r\n3,4\r\n5,6\r\n');
    // Line endings are normalised to \n, inside cells too.
    expect(table.rows[0].cells.b).toBe('Flat 2,\nHigh St');
    expect(table.rows.slice(1).map((r) => r.line)).toEqual([4, 5]);
  });

  test('a row whose quoted cell spans lines 2-3 is reported at line 2, where it starts', () => {
    const problems = problemsOf(() => readCsv('a,b\n1,"x\ny",extra\n3,4\n'));
    expect(problems).toEqual([{ line: 2, message: 'expected 2 cells, found 3' }]);
  });

  test('an unclosed quote is a CsvError naming the line where the quote opens', () => {
    const problems = problemsOf(() => readCsv('a,b\n1,2\n3,"4\n5,6\n7,8\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(3);
    expect(problems[0].message).toMatch(/not valid CSV/);
  });

  test('a stray quote inside a cell is a CsvError naming its line', () => {
    const problems = problemsOf(() => readCsv('a,b\n1,2\n3,4"x"\n'));
    expect(problems[0].line).toBe(3);
  });

  test('every ragged row is reported with its own line', () => {
    const problems = problemsOf(() => readCsv('a,b\n1,2\n3\n\n5,6,7\n'));
    expect(problems).toEqual([
      { line: 3, message: 'expected 2 cells, found 1' },
      { line: 5, message: 'expected 2 cells, found 3' },
    ]);
  });

  test('duplicate and empty header names are reported on line 1', () => {
    const problems = problemsOf(() => readCsv('email,name, email,\nx,y,z,w\n'));
    expect(problems).toEqual([
      { line: 1, column: 'email', message: 'this column name appears twice' },
      { line: 1, message: 'column 4 has no name in the header row' },
    ]);
  });

  test('bytes that are not UTF-8 give a clear error saying so', () => {
    const problems = problemsOf(() => readCsv(Buffer.from([0xff, 0xfe, 0x41])));
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('UTF-8') }]);
  });

  test('an empty file (or only blank lines) asks for a header row', () => {
    for (const input of ['', '\n\r\n\n', Buffer.alloc(0)]) {
      expect(problemsOf(() => readCsv(input))).toEqual([{ line: 1, message: expect.stringMatching(/empty.*header/) }]);
    }
  });

  test('the error message lists each problem with its line and column', () => {
    expect(() => readCsv('a,a\n1\n')).toThrow('line 1, column "a": this column name appears twice\nline 2: expected 2 cells, found 1');
  });
});

describe('writeCsv', () => {
  test('round-trips commas, quotes, newlines and empty cells through readCsv', () => {
    const rows = [
      ['Flat 2, 10 High St', 'She said "hello"'],
      ['line one\nline two', ''],
      [42, null],
    ];
    const table = readCsv(writeCsv(['address', 'note'], rows));
    expect(table.header).toEqual(['address', 'note']);
    expect(table.rows.map((r) => r.cells)).toEqual([
      { address: 'Flat 2, 10 High St', note: 'She said "hello"' },
      { address: 'line one\nline two', note: '' },
      { address: '42', note: '' },
    ]);
  });

  test('round-trips any text through readCsv (property)', () => {
    // readCsv trims cells and refuses NUL bytes, as it does for any upload; the rest must come back as written.
    const cell = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\0/g, '').trim());
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 8 }), (rows) => {
        const back = readCsv(writeCsv(['a', 'b'], rows)).rows.map((r) => [r.cells.a, r.cells.b]);
        const expected = rows.filter(([a, b]) => a !== '' || b !== ''); // a row of empty cells is a blank line
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('prefixes cells a spreadsheet would run as a formula with a quote mark', () => {
    const csv = writeCsv(['x'], [['=SUM(A1:A9)'], ['+1+1'], ['-cmd'], ['@SUM(A1)']]);
    expect(csv.split('\n').slice(1, 5)).toEqual(["'=SUM(A1:A9)", "'+1+1", "'-cmd", "'@SUM(A1)"]);
    // ...and reading the file back undoes the guard, so an export imports unchanged.
    expect(readCsv(csv).rows.map((r) => r.cells.x)).toEqual(['=SUM(A1:A9)', '+1+1', '-cmd', '@SUM(A1)']);
  });

  test('leaves negative numbers alone, whether given as numbers or text', () => {
    const csv = writeCsv(['a', 'b', 'c'], [[-3, '-3', '-2.5']]);
    expect(csv).toBe('a,b,c\n-3,-3,-2.5\n');
  });
});
