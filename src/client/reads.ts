import type { Immutable } from 'immer';
import * as change from '../room/change';
import * as recs from '../room/recommendations';
import * as room from '../room/state';
import * as figures from '../voting/figures';
import * as tally from '../voting/tally';

/**
 * The room's and the tallies' helpers, for the page's read-only state (view.ts). Each only reads what it is
 * given (or copies it: applyChange), but is typed for the server's mutable drafts, which a read-only value does
 * not fit; so each is the same function, with read-only types. Were the helpers typed read-only, this could go.
 */
function reading<A extends unknown[], R>(f: (...args: A) => R) {
  return f as unknown as (...args: { [I in keyof A]: Immutable<A[I]> }) => Immutable<R>;
}

export const applyChange = reading(change.applyChange);
export const currentRound = reading(room.currentRound);
export const handleOf = reading(room.handleOf);
export const tableOf = reading(room.tableOf);
export const tableNumber = reading(room.tableNumber);
export const tablesMeeting = reading(room.tablesMeeting);
export const inVote = reading(recs.inVote);
export const describeRule = reading(tally.describeRule);
export const resultFigures = reading(figures.resultFigures);
