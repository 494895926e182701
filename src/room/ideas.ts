import type { Actor } from './machine';
import { asFound, findIn } from './draft';
import { RoomError } from './errors';
import { currentRound, type Idea, type RoomState, tableNumber } from './state';

/**
 * How many are in support of an idea: its author and everyone who supported it. The one count the room, the
 * record and the public pages show (issue 19: the facilitator's board showed one fewer than the record).
 */
export const supportOf = (idea: { readonly supporters: readonly string[] }): number => idea.supporters.length + 1;

/** Round types whose board takes contributions: ideas, table ideas, and written questions in a briefing. */
const BOARD_ROUNDS = new Set(['ideas', 'tables', 'briefing']);

/**
 * Ideas one member may post in one round (issue 16): one a minute for a half-hour round, more than anyone writes
 * by hand, and it keeps a room from growing without bound (every snapshot and every stored version carries the
 * whole board). Hidden and merged ideas count: they were posted.
 */
export const IDEAS_PER_ROUND = 30;

export function postIdea(state: RoomState, actor: Actor, text: string): void {
  const round = boardRound(state);
  if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Only panellists post to the board.');
  const table = state.rounds[round].type === 'tables' ? tableNumber(state, actor.member) : null;
  if (state.rounds[round].type === 'tables' && table === null) throw new RoomError('conflict', 'You are not at a table yet: the facilitator will seat you.');
  const ideas = asFound(state.ideas);
  if (ideas.filter((i) => i.round === round && i.author === actor.member).length >= IDEAS_PER_ROUND) {
    throw new RoomError('conflict', `You have posted ${IDEAS_PER_ROUND} ideas in this round, the most one member can: support others' ideas instead, or put your hand up to say more.`);
  }
  const id = ideas.reduce((max, i) => Math.max(max, i.id), 0) + 1;
  state.ideas.push({ id, round, author: actor.member, text, supporters: [], theme: null, hidden: null, mergedInto: null, table, picked: null });
}

export function supportIdea(state: RoomState, actor: Actor, id: number): void {
  if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Only panellists support ideas.');
  const idea = live(state, id);
  if (idea.author === actor.member) throw new RoomError('conflict', 'That idea is yours already.');
  if (idea.supporters.includes(actor.member)) throw new RoomError('conflict', 'You support that idea already.');
  if (idea.table !== null && idea.table !== tableNumber(state, actor.member)) throw new RoomError('forbidden', "That idea is on another table's board.");
  idea.supporters.push(actor.member);
}

export function themeIdea(state: RoomState, id: number, theme: string): void {
  find(state, id).theme = theme || null;
}

/** Folds a duplicate into another idea: its supporters (and its author) come along. */
export function mergeIdea(state: RoomState, id: number, into: number): void {
  if (id === into) throw new RoomError('conflict', 'An idea cannot be merged into itself.');
  const duplicate = live(state, id);
  const target = live(state, into);
  for (const m of [duplicate.author, ...duplicate.supporters]) {
    if (m !== target.author && !target.supporters.includes(m)) target.supporters.push(m);
  }
  duplicate.mergedInto = target.id;
}

export function hideIdea(state: RoomState, id: number, reason: string): void {
  const idea = find(state, id);
  if (idea.hidden) throw new RoomError('conflict', 'That idea is hidden already.');
  idea.hidden = reason;
}

/** In a briefing, the facilitator puts a written question to the speaker. */
export function pickQuestion(state: RoomState, id: number, now: number): void {
  const idea = live(state, id);
  if (state.rounds[idea.round]?.type !== 'briefing') throw new RoomError('conflict', 'Only questions in a briefing are put to the speaker.');
  if (idea.picked !== null) throw new RoomError('conflict', 'That question has been put already.');
  idea.picked = now;
}

function boardRound(state: RoomState): number {
  const round = currentRound(state);
  if (!round || round.status !== 'open' || state.current === null) throw new RoomError('conflict', 'The board opens with the round.');
  if (!BOARD_ROUNDS.has(round.type)) throw new RoomError('conflict', `A ${round.type} round has no board.`);
  return state.current;
}

function find(state: RoomState, id: number): Idea {
  const idea = findIn(state.ideas, (i) => i.id === id);
  if (!idea) throw new RoomError('not_found', `There is no idea ${id}.`);
  return idea;
}

function live(state: RoomState, id: number): Idea {
  const idea = find(state, id);
  if (idea.hidden || idea.mergedInto !== null) throw new RoomError('conflict', `Idea ${id} has been ${idea.hidden ? 'hidden' : 'merged'}.`);
  return idea;
}
