import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CsvError, describeProblem, readCsv, writeCsv } from '../csv';
import { ADDRESS_DRAW_VERSION, drawHouseholds, excludedFingerprint, waveCommitmentText, type WaveCommitment } from '../mailout/draw';
import { readRegister, registerFingerprint } from '../mailout/register';
import { normaliseNumbers, seedFrom } from '../public-numbers';
import { sha256 } from '../tokens';
import { EXIT_INPUT } from './draw';
import type { Io } from './run';

/** The address draw did not match what the commitment fixed: the register, or the households excluded. */
export const EXIT_MISMATCH = 4;

export const INVITE_DRAW_USAGE = `citizens-panel invite-draw --register REGISTER.csv --commitment COMMITMENT.json --numbers "7 19 23 31 40 52"
                    [--exclude EARLIER.csv]... [--out CHOSEN.csv]
      Repeats a wave's address draw (stage one of the lottery), for whoever holds the address register: checks the
      register's fingerprint against the commitment (as published on the mail-out page), makes the seed from the
      commitment's hash and the public numbers, and lists the households chosen (uprn,ward,decile), to compare with
      the letters sent. For a later wave, give the earlier waves' letters.csv (or UPRNs, one per line) with --exclude.
      Without --out, the households go to standard output and the checks to standard error.
      Exit status: 0 drawn, 2 unusable input (the message says which), 4 the register or exclusions are not the
      ones committed to.
`;

const stratum = z.object({ ward: z.string(), decile: z.number().int().min(1).max(10).nullable(), letters: z.number().int().min(0) });
const commitmentSchema = z.object({
  panel: z.string(),
  wave: z.number().int().min(1),
  method: z.string(),
  registerSha256: z.string().regex(/^[0-9a-f]{64}$/),
  strata: z.array(stratum),
  excludedSha256: z.string().regex(/^[0-9a-f]{64}$/),
  randomness: z.string(),
});

class InputError extends Error {}

function read(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function csvOf<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof CsvError) throw new InputError(`${file}:\n${err.problems.slice(0, 20).map((p) => `  ${describeProblem(p)}`).join('\n')}`);
    throw err;
  }
}

function readCommitment(file: string): WaveCommitment {
  let json: unknown;
  try {
    json = JSON.parse(read(file).toString('utf8'));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file} is not JSON: download the wave's commitment.json from the mail-out page again`);
  }
  const parsed = commitmentSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${file} is not a wave's commitment (${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ')})`);
  if (parsed.data.method !== ADDRESS_DRAW_VERSION) throw new InputError(`${file} uses the draw method "${parsed.data.method}"; this toolkit repeats "${ADDRESS_DRAW_VERSION}"`);
  return parsed.data;
}

/** UPRNs from an earlier wave's letters.csv (its uprn column), or a plain list, one per line. */
function readExcluded(file: string): string[] {
  const text = read(file).toString('utf8');
  const first = text.split(/\r?\n/, 1)[0].trim().toLowerCase();
  if (/^[0-9]{1,12}$/.test(first)) return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const { rows, header } = csvOf(file, () => readCsv(text));
  const column = header.find((h) => h.trim().toLowerCase() === 'uprn');
  if (!column) throw new InputError(`${file} has no "uprn" column: give an earlier wave's letters.csv, or UPRNs one per line`);
  return rows.map((r) => (r.cells[column] ?? '').trim()).filter(Boolean);
}

export async function inviteDrawCommand(args: string[], io: Io): Promise<number> {
  const fail = (message: string, usage = false) => {
    io.err(`citizens-panel invite-draw: ${message}\n${usage ? `\n${INVITE_DRAW_USAGE}` : ''}`);
    return EXIT_INPUT;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { register: { type: 'string' }, commitment: { type: 'string' }, numbers: { type: 'string' }, exclude: { type: 'string', multiple: true }, out: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message, true);
  }
  if (!values.register) return fail('--register REGISTER.csv is required (the address register the wave was drawn from)');
  if (!values.commitment) return fail("--commitment COMMITMENT.json is required (the wave's commitment, from the mail-out page)");
  if (!values.numbers) return fail('--numbers is required: the public numbers, as drawn, such as "7 19 23 31 40 52"');
  let numbers: string;
  try {
    numbers = normaliseNumbers(values.numbers);
  } catch {
    return fail('--numbers must be whole numbers separated by spaces or commas, such as "7 19 23 31 40 52"');
  }
  if (!numbers) return fail('--numbers is empty: give the public numbers, as drawn');
  // The checks go where the households do not: standard error when the households are printed.
  const say = values.out ? io.out : io.err;
  try {
    const commitment = readCommitment(values.commitment);
    const hash = sha256(waveCommitmentText(commitment));
    const { households } = csvOf(values.register, () => readRegister(read(values.register ?? '')));
    const excluded = (values.exclude ?? []).flatMap(readExcluded);
    const checks = [
      { what: 'register fingerprint', got: registerFingerprint(households), want: commitment.registerSha256, fix: 'this is not the register the wave committed to (a household added, removed or moved to another ward or decile)' },
      { what: 'earlier letters', got: excludedFingerprint(excluded), want: commitment.excludedSha256, fix: `the households excluded are not those the commitment fixed: give every earlier wave's letters.csv with --exclude${commitment.wave === 1 ? ' (wave 1 excludes none)' : ''}` },
    ];
    say(`Wave ${commitment.wave} of ${commitment.panel}, ${commitment.strata.reduce((n, s) => n + s.letters, 0)} letters over ${commitment.strata.filter((s) => s.letters > 0).length} strata.\n`);
    for (const c of checks) say(`${c.got === c.want ? 'matches' : 'DIFFERS'}  ${c.what}: ${c.got}\n`);
    const wrong = checks.filter((c) => c.got !== c.want);
    if (wrong.length) {
      io.err(wrong.map((c) => `citizens-panel invite-draw: ${c.what} ${c.want} expected: ${c.fix}.\n`).join(''));
      return EXIT_MISMATCH;
    }
    const seed = seedFrom(hash, numbers);
    say(`commitment hash ${hash}\npublic numbers  ${numbers}\nseed            ${seed}\n`);
    const chosen = drawHouseholds(households, commitment.strata, new Set(excluded), seed);
    const byUprn = new Map(households.map((h) => [h.uprn, h]));
    const csv = writeCsv(['uprn', 'ward', 'decile'], chosen.map((u) => [u, byUprn.get(u)!.ward, String(byUprn.get(u)!.decile ?? '')]));
    if (values.out) {
      fs.writeFileSync(values.out, csv);
      say(`${chosen.length} households chosen, written to ${values.out}\n`);
    } else {
      io.out(csv);
      say(`${chosen.length} households chosen\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof InputError) return fail(err.message);
    throw err;
  }
}
