import { sha256 } from '../tokens';
import { checkDrawable } from './draw';
import { buildInstance, InputError } from './instance';
import { leximin } from './leximin';
import { nash } from './nash';
import { discardRuntime, highs, isAbort } from './solver';
import type { Algorithm, Person, Progress, Quota } from './types';
import { roundToUniform } from './uniform';

/**
 * The numbered list of a transparent final pick (uniform.ts), as text anyone can rebuild and fingerprint:
 *
 *   list      one line per panel, "NNN id id id ..." (ids ascending, lines ascending, numbered from 0 with as many
 *             digits as M - 1 has: 000 to 999 for M = 1,000), each line ending in a line break;
 *   digests   one line per panel, "NNN " and the SHA-256 of that panel's line (without its line break);
 *   fingerprint  the SHA-256 of the digests text: what the commitment publishes.
 *
 * Two levels so that someone without the pool can still check the pick: the digests can be published (a panel's
 * line cannot be guessed from its hash), and once panel N is drawn, the SHA-256 of its line, built from the tickets
 * drawn, must be line N of the digests.
 */
export const UNIFORM_METHOD = 'citizens-panel uniform-rounding 1';
export const LIST_SIZES = [100, 1000, 10000] as const;
export const DEFAULT_LIST_SIZE = 1000;
/** The lotteries that can be rounded: those the engine builds as a portfolio of panels. */
export const UNIFORM_ALGORITHMS: readonly Algorithm[] = ['leximin', 'maximin', 'nash'];

export interface UniformList {
  size: number;
  /** The panels' lines, in their numbered order. */
  lines: string[];
  fingerprint: string;
  /** Per person, in the pool's order: their chance in the lottery rounded (LEXIMIN, maximin or Nash), and in the list. */
  leximin: number[];
  chances: number[];
  maxChange: number;
  /** How many panels the lottery rounded had. */
  lotteryPanels: number;
}

/**
 * The list for these people and quotas: the committed lottery (as `draw` computes it), rounded to `size` panels.
 * Deterministic: the same files give the same list, line for line, on any machine.
 */
export async function uniformList(
  people: Person[],
  quotas: Quota[],
  options: { panelSize: number; algorithm?: Algorithm; size?: number; onProgress?: (p: Progress) => void },
): Promise<UniformList> {
  const { panelSize, algorithm = 'leximin', size = DEFAULT_LIST_SIZE, onProgress } = options;
  if (!UNIFORM_ALGORITHMS.includes(algorithm)) throw new InputError(`a list for dice rounds a leximin, maximin or nash lottery; ${algorithm} has none`);
  if (!LIST_SIZES.includes(size as (typeof LIST_SIZES)[number])) throw new InputError(`the list has ${LIST_SIZES.join(', ')} panels (two, three or four dice), not ${size}`);
  const once = async () => {
    await checkDrawable(people, quotas, { panelSize, algorithm });
    const instance = buildInstance(people, quotas, panelSize);
    onProgress?.({ phase: 'types', message: `${people.length} people in ${instance.types.length} groups of interchangeable people` });
    const solver = await highs();
    const lottery = algorithm === 'nash' ? nash(solver, instance, { onProgress }) : leximin(solver, instance, { maximinOnly: algorithm === 'maximin', onProgress });
    onProgress?.({ phase: 'uniform', message: `rounding a lottery over ${lottery.panels.length} panels to a list of ${size}` });
    return { rounded: roundToUniform(instance, lottery, size, people.length), lotteryPanels: lottery.panels.length };
  };
  let result: Awaited<ReturnType<typeof once>>;
  try {
    result = await once();
  } catch (err) {
    // As in draw.ts: after an Aborted() the WebAssembly runtime is poisoned; a fresh one gets one more try.
    if (!isAbort(err)) throw err;
    discardRuntime();
    result = await once();
  }
  const { rounded, lotteryPanels } = result;
  const lines = listLines(rounded.panels.map((panel) => panel.map((i) => people[i].id)), size);
  return {
    size,
    lines,
    fingerprint: listFingerprint(lines),
    leximin: Array.from(rounded.leximin),
    chances: Array.from(rounded.chances),
    maxChange: rounded.maxChange,
    lotteryPanels,
  };
}

/** Panel n's number as written: 417, 007. */
export function entryNumber(n: number, size: number): string {
  return String(n).padStart(String(size - 1).length, '0');
}

/** The panels (ids) as numbered lines: ids ascending within a line, lines ascending, then numbered. */
export function listLines(panels: string[][], size: number): string[] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const texts = panels.map((ids) => [...ids].sort(compare).join(' ')).sort(compare);
  return texts.map((text, n) => `${entryNumber(n, size)} ${text}`);
}

/** The list as a file: one line per panel, each ending in a line break. */
export const listText = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');

/** The SHA-256 of each panel's line, numbered, as a file. */
export function digestsText(lines: string[]): string {
  return lines.map((l) => `${l.slice(0, l.indexOf(' '))} ${sha256(l)}\n`).join('');
}

export const listFingerprint = (lines: string[]): string => sha256(digestsText(lines));

/** The ids on line n of the list. */
export function entryIds(lines: string[], n: number): string[] {
  return lines[n].split(' ').slice(1);
}

/** Reads a list file back into lines (blank lines ignored); undefined if a line is not "NNN id ...", in order. */
export function readListText(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const width = String(lines.length - 1).length;
  return lines.every((l, n) => l.startsWith(`${String(n).padStart(width, '0')} `)) ? lines : undefined;
}
