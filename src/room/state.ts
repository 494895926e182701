import type { Method, Result, VoteSettings } from '../voting/types';
import type { Agenda, RoundType } from './agenda';
import { LISTS, PARTS } from './pieces';

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
  /** When it was first opened; null until then. The record reads these facts (src/outcomes/record.ts). */
  openedAt: number | null;
  /** When it was last closed; null until then, and again while it is under way after being reopened. */
  closedAt: number | null;
  /** Minutes added to it by round:extend. */
  extendedMinutes: number;
  /** Each time its clock stood still after its first opening: a pause (`to` null while paused), or the time it stood closed before being opened again. */
  pauses: { from: number; to: number | null }[];
  /** A vote round's defaults for the facilitator's vote form (the form is pre-filled from them, once per round). */
  vote?: { question?: string; method?: Method; options?: string[]; secret?: boolean; quorum?: number };
}

/** Who holds the floor, since when, and until when (their speaking limit). */
export interface Floor {
  member: string;
  since: number;
  until: number | null;
}

/** A contribution on the ideas board; hidden ones keep their reason in the record. */
export interface Idea {
  id: number;
  round: number;
  author: string;
  text: string;
  supporters: string[];
  theme: string | null;
  hidden: string | null;
  mergedInto: number | null;
  /** The table it was posted at (1-based), in a tables round. */
  table: number | null;
  /** In a briefing: when the facilitator put this question to the speaker. */
  picked: number | null;
}

/** A small table in a tables round: its people, its own queue and floor, a note-taker and its report back. */
export interface Table {
  members: string[];
  noteTaker: string | null;
  queue: string[];
  floor: Floor | null;
  /** What the table reports back to the plenary, written by its note-taker. */
  report: string | null;
  /** A round-robin at this table. */
  turns: Turns | null;
}

/** A round-robin: everyone in turn, in this order; `index` is whose turn it is. */
export interface Turns {
  order: string[];
  index: number;
  /** Members left out because they were not connected when their turn came; the facilitator can add them back. */
  skipped: string[];
  /** Members the facilitator added back: they keep their turn without a phone connected. */
  added: string[];
}

/** A vote in a vote round. The ballots are kept apart (ballot-box.ts); the state holds only how many. */
export interface Vote {
  id: number;
  round: number;
  question: string;
  settings: VoteSettings;
  secret: boolean;
  /** Results shown while the vote is open (open votes only). */
  live: boolean;
  status: 'open' | 'closed';
  /**
   * Members who have voted so far, on phones and on paper (spoiled paper ballots included). While a secret
   * vote is open it moves in whole fives (votes.ts), so nobody can watch a member cast; exact at the close.
   */
  voted: number;
  paper: { accepted: number; spoiled: number; pending: boolean };
  /** At the close; while open, only for a live vote. */
  result: Result | null;
  /** A secret vote closed with too few ballots to report without revealing them: no result, on purpose. */
  withheld: boolean;
  /** A vote that decides an amendment to a recommendation, or (amendment null) the recommendation as a whole. */
  subject: { rec: number; amendment: number | null } | null;
  /** A vote that approves this revision of the session's written summary (src/outcomes). */
  approves: number | null;
}

/** A recommendation: its wording now (the draft, as changed by carried amendments), and how it got there. */
export interface Recommendation {
  id: number;
  text: string;
  /** Where the draft came from: a theme of a round, a table's report back, or null if typed. */
  from: { round: number; theme: string } | { round: number; table: number } | null;
  /** Every wording it has had, the draft first; `amendment` is the carried amendment that made it. */
  history: { text: string; amendment: number | null }[];
  amendments: Amendment[];
  status: 'draft' | 'adopted' | 'rejected' | 'withdrawn';
  /** The latest final vote on it. */
  vote: number | null;
  minority: MinorityReport[];
}

export interface Amendment {
  id: number;
  /** A member, or "facilitator" when proposed for someone in the hall. */
  by: string;
  /** The whole wording it proposes. */
  text: string;
  reason: string | null;
  /** The wording it was proposed against: an index into the recommendation's history. */
  against: number;
  status: 'proposed' | 'carried' | 'lost' | 'withdrawn';
  vote: number | null;
}

/** Members who disagree with an adopted recommendation, in their words; the author is the first supporter. */
export interface MinorityReport {
  id: number;
  by: string;
  text: string;
  supporters: string[];
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
  /** The panel members with a join link (pseudonyms). */
  members: string[];
  ideas: Idea[];
  turns: Turns | null;
  /** Tables, numbered from 1 in this list's order; empty until the facilitator proposes them. */
  tables: Table[];
  votes: Vote[];
  recommendations: Recommendation[];
}

export function initialState(agenda: Agenda, members: string[] = []): RoomState {
  return {
    version: 0,
    title: agenda.title,
    rounds: agenda.rounds.map((r) => ({ ...r, status: 'pending', deadline: null, remainingMs: null, openedAt: null, closedAt: null, extendedMinutes: 0, pauses: [] })),
    current: null,
    queue: [],
    floor: null,
    airtime: {},
    members,
    ideas: [],
    turns: null,
    tables: [],
    votes: [],
    recommendations: [],
  };
}

/** What everyone but the facilitator sees: members by their handles, no per-person airtime, nothing hidden from the board. */
export function sharedView(state: RoomState): RoomState {
  const kept = shared.get(state);
  if (kept) return kept;
  const show = showsAs(state.members);
  const view: Record<string, unknown> = { version: state.version };
  for (const part of PARTS) view[part] = show(state[part]);
  for (const list of LISTS) view[list] = state[list].map(show);
  view.rounds = withoutPlans(view.rounds as Round[]);
  view.airtime = {};
  view.ideas = state.ideas.filter((i) => !i.hidden).map(show);
  shared.set(state, view as unknown as RoomState);
  return view as unknown as RoomState;
}

/**
 * The rounds as everyone but the facilitators sees them: without a vote round's planned question and choices
 * (`Round.vote`, the facilitator's defaults), which the panel hears when the vote opens, not before.
 */
export function withoutPlans(rounds: Round[]): Round[] {
  if (!rounds.some((r) => r.vote)) return rounds;
  let kept = planless.get(rounds);
  if (!kept) planless.set(rounds, (kept = rounds.map(({ vote: _plan, ...round }) => round)));
  return kept;
}

const planless = new WeakMap<Round[], Round[]>();

/** States are never changed once stored (they are frozen, repo.ts), so each one's shared view is worked out once. */
const shared = new WeakMap<RoomState, RoomState>();

/**
 * How a piece of the room reads to everyone but its facilitators: every member's id, as a value or a key,
 * replaced by their handle. Worked out once per piece (pieces a command did not touch are the same objects
 * in the next state, so a view of the next state renames only what changed), for each list of members.
 */
export function showsAs(members: readonly string[]): <T>(value: T) => T {
  let show = shows.get(members);
  if (!show) {
    const names = new Map(members.map((m, i) => [m, `Member ${i + 1}`]));
    const done = new WeakMap<object, unknown>();
    show = <T>(value: T): T => {
      if (value === null || typeof value !== 'object') return renamed(value, names) as T;
      if (!done.has(value)) done.set(value, renamed(value, names));
      return done.get(value) as T;
    };
    shows.set(members, show);
  }
  return show as <T>(value: T) => T;
}

const shows = new WeakMap<readonly string[], <T>(value: T) => T>();

/**
 * How the room names a member to everyone but its facilitators (issue 17): "Member 7", by their place on this
 * session's list, never the pseudonym the organisers' pages and the stored record use. The facilitator's screen
 * shows the same handles, so what is said in the hall matches every phone.
 */
export function handleOf(state: Pick<RoomState, 'members'>, member: string): string {
  const i = state.members.indexOf(member);
  return i < 0 ? member : handleAt(i);
}

/** The handle of the member at this place (from 0) on the session's list. */
export const handleAt = (i: number): string => `Member ${i + 1}`;

/** Who a panellist or observer is told they are: a panellist by their handle. */
export function sharedActor<A extends { role: string; member?: string }>(state: Pick<RoomState, 'members'>, actor: A): A {
  return actor.role === 'panellist' && actor.member ? { ...actor, member: handleOf(state, actor.member) } : actor;
}

/** A panellist's command names a member by the handle the room shows them; the rules take the member's id. */
export function withMemberId<C extends object>(state: Pick<RoomState, 'members'>, command: C): C {
  if (!('member' in command) || typeof command.member !== 'string') return command;
  const n = /^Member (\d+)$/.exec(command.member)?.[1];
  const member = n ? state.members[Number(n) - 1] : undefined;
  return member ? { ...command, member } : command;
}

/** Every string (value or key) that is a member's id, replaced by its name. */
function renamed(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, names));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k) ?? k, renamed(v, names)]));
  return value;
}

export function tableOf(state: RoomState, member: string): Table | undefined {
  return state.tables.find((t) => t.members.includes(member));
}

/** The 1-based number of a member's table, or null. */
export function tableNumber(state: RoomState, member: string): number | null {
  const index = state.tables.findIndex((t) => t.members.includes(member));
  return index < 0 ? null : index + 1;
}

/** True while a tables round is open: hands and ideas then belong to the tables. */
export function tablesMeeting(state: RoomState): boolean {
  const round = currentRound(state);
  return round?.type === 'tables' && round.status === 'open';
}

/** The round in hand, if any. */
export function currentRound(state: RoomState): Round | undefined {
  return state.current === null ? undefined : state.rounds[state.current];
}
