import type { RoomState } from './state';

/**
 * The room's state has a schema of its own, numbered like the database's (db/migrations/): each session stores
 * the schema its pieces were written in (`room_sessions.schema_version`), and a state read from an older one
 * is brought up to date here, step by step, in memory. Reading never writes (a page view changes nothing); the
 * next command stores the whole state in the current schema (repo.ts).
 *
 * To change the state's shape: add a step with the next number, which turns a state of the number before
 * into the new shape, and say what it does. Never edit a step once released.
 */
type Step = { to: number; what: string; up: (state: Record<string, any>) => void };

const STEPS: Step[] = [
  {
    to: 1,
    what: 'tables, votes and recommendations, and the fields added with them, where states stored before them lack them',
    up(state) {
      state.tables ??= [];
      state.votes ??= [];
      state.recommendations ??= [];
      for (const vote of state.votes) {
        vote.subject ??= null;
        vote.approves ??= null;
        vote.withheld ??= false;
      }
      for (const table of state.tables) table.turns ??= null;
      for (const idea of state.ideas ?? []) {
        idea.table ??= null;
        idea.picked ??= null;
      }
    },
  },
];

/** The schema new states are written in. */
export const ROOM_SCHEMA = STEPS[STEPS.length - 1].to;

/** A state stored in schema `from`, in the current one. Throws for a schema newer than this code knows. */
export function upToDate(state: Record<string, unknown>, from: number): RoomState {
  if (from > ROOM_SCHEMA) throw new Error(`This room was stored by a newer version of the toolkit (room schema ${from}; this one knows up to ${ROOM_SCHEMA}): upgrade the toolkit to open it.`);
  for (const step of STEPS) if (step.to > from) step.up(state);
  return state as unknown as RoomState;
}
