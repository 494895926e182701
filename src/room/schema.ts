import type { RecordedCommand } from './command-log';
import type { RoomState } from './state';

/**
 * The room's state has a schema of its own, numbered like the database's (db/migrations/): each session stores
 * the schema its pieces were written in (`room_sessions.schema_version`), and a state read from an older one
 * is brought up to date here, step by step, in memory. Reading never writes (a page view changes nothing); the
 * next command stores the whole state in the current schema (repo.ts).
 *
 * To change the state's shape: add a step with the next number, which turns a state of the number before
 * into the new shape, and say what it does. Never edit a step once released. A step that needs what happened
 * reads the session's command log, which holds every command applied to the room (repo.ts stores both in one
 * transaction); it is read only if such a step runs.
 */
type Log = () => readonly RecordedCommand[];
/** A record as an older schema stored it: a field a step fills in may be missing. */
type Loose = Record<string, unknown>;
/** Where a round-robin may be under way: the plenary or a table. */
type Stage = Loose & { turns?: (Loose & { skipped?: unknown[]; added?: unknown[] }) | null };
/** A state as stored in an earlier schema, with only what the steps read typed. */
type Stored = Stage & { tables?: Stage[]; votes?: Loose[]; recommendations?: unknown[]; ideas?: Loose[]; rounds: Loose[] };
type Step = { to: number; what: string; up: (state: Stored, log: Log) => void };

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
  {
    to: 2,
    what: "each round's openedAt, closedAt, extendedMinutes and pauses, which the rules keep from schema 2 on: replayed from the command log as the rules of schema 1 ran rounds",
    up(state, log) {
      type Facts = { openedAt: number | null; closedAt: number | null; extendedMinutes: number; pauses: { from: number; to: number | null }[] };
      const rounds = state.rounds as Facts[];
      for (const round of rounds) Object.assign(round, { openedAt: null, closedAt: null, extendedMinutes: 0, pauses: [] });
      let current: Facts | undefined; // the round under way
      const endPause = (at: number) => {
        const pause = current?.pauses.at(-1);
        if (pause && pause.to === null) pause.to = at;
      };
      const close = (at: number) => {
        if (!current) return;
        endPause(at);
        current.closedAt = at;
        current = undefined;
      };
      for (const { command, at } of log()) {
        if (command.type === 'round:open' && rounds[command.round]) {
          close(at);
          current = rounds[command.round];
          if (current.openedAt === null) current.openedAt = at;
          else if (current.closedAt !== null) current.pauses.push({ from: current.closedAt, to: at });
          current.closedAt = null;
        } else if (command.type === 'round:pause') current?.pauses.push({ from: at, to: null });
        else if (command.type === 'round:resume') endPause(at);
        else if (command.type === 'round:extend' && current) current.extendedMinutes += command.minutes;
        else if (command.type === 'round:close') close(at);
      }
    },
  },
  {
    to: 3,
    what: 'round-robins keep whom they skipped for not being connected, and whom the facilitator added back: none, in states stored before they did',
    up(state) {
      const stages = [state, ...(state.tables ?? [])];
      for (const stage of stages) {
        if (!stage.turns) continue;
        stage.turns.skipped ??= [];
        stage.turns.added ??= [];
      }
    },
  },
];

/** The schema new states are written in. */
export const ROOM_SCHEMA = STEPS[STEPS.length - 1].to;

/** A state stored in schema `from`, in the current one; `log` reads the session's command log. Throws for a schema newer than this code knows. */
export function upToDate(state: Record<string, unknown>, from: number, log: Log): RoomState {
  if (from > ROOM_SCHEMA) throw new Error(`This room was stored by a newer version of the toolkit (room schema ${from}; this one knows up to ${ROOM_SCHEMA}): upgrade the toolkit to open it.`);
  for (const step of STEPS) if (step.to > from) step.up(state as Stored, log);
  return state as unknown as RoomState;
}
