import type { Agenda, RoundType } from './agenda';

export type RoundStatus = 'pending' | 'open' | 'paused' | 'closed';

export interface Round {
  type: RoundType;
  title: string;
  minutes: number;
  speaker?: string;
  speakerSeconds?: number;
  turnSeconds?: number;
  tableSize?: number;
  status: RoundStatus;
  /** While open: when the round ends (ms since the epoch). */
  deadline: number | null;
  /** While paused: how long was left. */
  remainingMs: number | null;
}

/** Who holds the floor, since when, and until when (their speaking limit). */
export interface Floor {
  member: string;
  since: number;
  until: number | null;
}

/**
 * Everything the room knows, as one value: stored in SQLite after every command, sent whole on every
 * (re)connect. Members are pseudonyms; names stay in the members table.
 */
export interface RoomState {
  version: number;
  title: string;
  rounds: Round[];
  /** Index of the round in hand, or null before the first is opened. */
  current: number | null;
  /** Hands raised, in order. */
  queue: string[];
  floor: Floor | null;
  /** Milliseconds each member has held the floor. */
  airtime: Record<string, number>;
}

export function initialState(agenda: Agenda): RoomState {
  return {
    version: 0,
    title: agenda.title,
    rounds: agenda.rounds.map((r) => ({ ...r, status: 'pending', deadline: null, remainingMs: null })),
    current: null,
    queue: [],
    floor: null,
    airtime: {},
  };
}
