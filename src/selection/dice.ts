import { buildInstance } from '../sortition/instance';
import { countsAgainstQuotas, gini } from '../sortition/report';
import { entryIds, entryNumber, listFingerprint, readListText } from '../sortition/uniform-list';
import { inWorker } from '../worker';
import type { DiceList, DrawOutcome } from './repo';
import { drawInput } from './runner';
import { ticketAt } from './tickets';

/**
 * A transparent final pick (issue 23): the commitment fixed a numbered list of panels by tickets (uniform-list.ts);
 * dice rolled in public give the number, and the panel is that line of the list. Here: reading the number as typed,
 * and the final draw's outcome, made from the list as every draw's is (in a worker: the list is a large text).
 */

/** How many dice the list needs: one per digit of its last number (three for 000 to 999). */
export const diceFor = (listSize: number): number => String(listSize - 1).length;

export type DiceNumber = { ok: true; n: number; number: string } | { ok: false; message: string };

/** The number rolled, as the organiser typed it: digits only, at most one per die, on the list. "7" is 007. */
export function readDiceNumber(typed: string, listSize: number): DiceNumber {
  const dice = diceFor(listSize);
  const last = entryNumber(listSize - 1, listSize);
  const text = typed.trim();
  if (!/^\d+$/.test(text)) {
    return { ok: false, message: `Type the number the dice show, ${dice} digits from ${entryNumber(0, listSize)} to ${last}, such as ${entryNumber(Math.min(417, listSize - 1), listSize)}: digits only, with no sign or spaces.` };
  }
  const n = Number(text);
  if (text.length > dice || n >= listSize) {
    return { ok: false, message: `${text} is not on the list: its panels are numbered ${entryNumber(0, listSize)} to ${last}, one digit for each of the ${dice} dice.` };
  }
  return { ok: true, n, number: entryNumber(n, listSize) };
}

export interface DicePick {
  poolCsv: string;
  quotasCsv: string;
  list: Pick<DiceList, 'listText' | 'listSize' | 'listSha256' | 'maxChange' | 'lotteryPanels'>;
  n: number;
}

/**
 * The final draw's outcome for panel `n` of the list: its people by pseudonym, and everyone's chance in the list
 * (the panels holding them over M), in the pool's order. Refuses a list that is not the one committed to.
 */
export function diceOutcome({ poolCsv, quotasCsv, list, n }: DicePick): DrawOutcome {
  const lines = readListText(list.listText);
  if (!lines || lines.length !== list.listSize || listFingerprint(lines) !== list.listSha256) {
    throw new Error('the stored list of panels is not the one the commitment fixed: its fingerprint differs');
  }
  const { people, quotas } = drawInput(poolCsv, quotasCsv);
  const row = new Map(people.map((_, i) => [ticketAt(i, people.length), i]));
  const rowOf = (ticket: string, line: number) => {
    const i = row.get(ticket);
    if (i === undefined) throw new Error(`panel ${entryNumber(line, list.listSize)} names ${ticket}, who is not in the committed pool`);
    return i;
  };
  const held = new Int32Array(people.length);
  for (let line = 0; line < lines.length; line++) for (const ticket of entryIds(lines, line)) held[rowOf(ticket, line)]++;
  const chances = Array.from(held, (h) => h / list.listSize);
  const selected = entryIds(lines, n).map((ticket) => rowOf(ticket, n));
  const instance = buildInstance(people, quotas, selected.length);
  const typeOf = new Int32Array(people.length);
  instance.types.forEach((type, t) => type.members.forEach((m) => (typeOf[m] = t)));
  return {
    selected: selected.map((i) => people[i].id),
    minProbability: Math.min(...chances),
    gini: gini(chances),
    counts: countsAgainstQuotas(instance, selected, typeOf),
    chances,
    poolSize: people.length,
    types: instance.types.length,
    notes: [
      `panel ${entryNumber(n, list.listSize)} of a list of ${list.listSize}, picked by dice: each panel of the list is equally likely`,
      `the list rounds a lottery over ${list.lotteryPanels} panels; the largest change in anyone's chance against it is ${(list.maxChange * 100).toFixed(2)} percentage points`,
    ],
  };
}

/** The same, in a worker thread: off the live rooms' event loop. */
export function diceOutcomeInWorker(pick: DicePick): Promise<DrawOutcome> {
  return inWorker(__filename, 'dice-worker', pick);
}
