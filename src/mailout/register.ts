import { type CsvProblem, CsvError, readCsv } from '../csv';
import { sha256 } from '../tokens';
import { postcodeKey } from './address';

/**
 * An address register as a CSV (issue 21): one household per row, by its unique property reference (UPRN), with
 * its address, postcode and ward, and optionally its small area (LSOA) and that area's deprivation decile (1 the
 * most deprived tenth of England, 10 the least). Pure, so it runs in a worker thread (register-worker.ts).
 */
export interface Household {
  uprn: string;
  line1: string;
  line2: string;
  town: string;
  postcode: string;
  ward: string;
  lsoa: string;
  decile: number | null;
}

/** Header names each field answers to, compared without case, spaces or punctuation. */
const COLUMNS: Record<keyof Household, string[]> = {
  uprn: ['uprn', 'propertyreference', 'propertyref'],
  line1: ['line1', 'address1', 'addressline1', 'address'],
  line2: ['line2', 'address2', 'addressline2', 'street'],
  town: ['town', 'posttown', 'city', 'locality'],
  postcode: ['postcode', 'postalcode'],
  ward: ['ward', 'wardname', 'electoralward'],
  lsoa: ['lsoa', 'lsoacode', 'lsoa21cd', 'lsoa11cd'],
  decile: ['decile', 'imddecile', 'deprivationdecile', 'imd'],
};
const REQUIRED: (keyof Household)[] = ['uprn', 'line1', 'postcode', 'ward'];
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
/** A UK postcode's shape: outward code, then a digit and two letters. */
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;
const MAX_PROBLEMS = 200;

export interface RegisterFile {
  households: Household[];
  ignoredColumns: string[];
}

/** The households of a register file, or every problem (up to 200) with its line; nothing half-read. */
export function readRegister(input: string | Buffer): RegisterFile {
  const { header, rows } = readCsv(input);
  const columns = {} as Record<keyof Household, string | undefined>;
  const used = new Set<string>();
  for (const field of Object.keys(COLUMNS) as (keyof Household)[]) {
    columns[field] = header.find((h) => !used.has(h) && COLUMNS[field].includes(norm(h)));
    if (columns[field]) used.add(columns[field]);
  }
  const missing = REQUIRED.filter((f) => !columns[f]);
  if (missing.length) {
    throw new CsvError(missing.map((f) => ({ line: 1, column: f, message: `this required column is missing from the header row (it may be called ${COLUMNS[f].join(', ')})` })));
  }
  const problems: CsvProblem[] = [];
  const problem = (p: CsvProblem) => problems.length < MAX_PROBLEMS && problems.push(p);
  const seen = new Map<string, number>();
  const households: Household[] = [];
  for (const { line, cells } of rows) {
    const cell = (f: keyof Household) => (columns[f] ? (cells[columns[f]] ?? '').trim() : '');
    const h: Household = { uprn: cell('uprn'), line1: cell('line1'), line2: cell('line2'), town: cell('town'), postcode: cell('postcode').toUpperCase(), ward: cell('ward'), lsoa: cell('lsoa'), decile: null };
    for (const f of REQUIRED) if (!h[f]) problem({ line, column: columns[f], message: 'is empty' });
    if (h.uprn && !/^[0-9]{1,12}$/.test(h.uprn)) problem({ line, column: columns.uprn, message: `"${h.uprn}" is not a UPRN (up to 12 digits)` });
    if (h.postcode && !POSTCODE.test(postcodeKey(h.postcode))) problem({ line, column: columns.postcode, message: `"${h.postcode}" is not a UK postcode` });
    const decile = cell('decile');
    if (decile) {
      if (/^(10|[1-9])$/.test(decile)) h.decile = Number(decile);
      else problem({ line, column: columns.decile, message: `"${decile}" is not a decile: give a whole number from 1 (most deprived) to 10, or leave it empty` });
    }
    const earlier = seen.get(h.uprn);
    if (h.uprn && earlier) problem({ line, column: columns.uprn, message: `the same UPRN as line ${earlier}: each household once` });
    else if (h.uprn) seen.set(h.uprn, line);
    households.push(h);
  }
  if (problems.length) {
    if (problems.length === MAX_PROBLEMS) problems.push({ line: problems[problems.length - 1].line, message: `and perhaps more: only the first ${MAX_PROBLEMS} problems are listed. Fix these and upload the file again` });
    throw new CsvError(problems);
  }
  if (!households.length) throw new CsvError([{ line: 2, message: 'the file has a header row but no households' }]);
  return { households, ignoredColumns: header.filter((h) => !used.has(h)) };
}

/**
 * The register's fingerprint, as the draw sees it: SHA-256 of one line per household, "uprn,ward,decile", in
 * UPRN order (as text). Reformatting the file, reordering it or correcting an address leaves it alone; adding,
 * removing or moving a household to another stratum changes it. `citizens-panel invite-draw` computes the same.
 */
export function registerFingerprint(households: Pick<Household, 'uprn' | 'ward' | 'decile'>[]): string {
  const lines = households.map((h) => `${h.uprn},${h.ward},${h.decile ?? ''}`);
  lines.sort((a, b) => {
    const ua = a.slice(0, a.indexOf(',')), ub = b.slice(0, b.indexOf(','));
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  });
  return sha256(lines.join('\n'));
}
