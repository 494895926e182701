import { produce } from 'immer';
import { z } from 'zod';
import { RoomError } from './errors';
import { endFloor, setFloor } from './floor';
import { hideIdea, mergeIdea, pickQuestion, postIdea, supportIdea, themeIdea } from './ideas';
import { currentRound, type RoomState, type Round, tablesMeeting } from './state';
import { type Answers, chooseNoteTaker, moveToTable, nextAtTable, proposeTables, quietTables, raiseAtTable, reportBack } from './table-rounds';
import { addTurn, joinTurns, nextTurn, startTurns } from './turns';
import type { BallotBox } from './ballot-box';
import { castBallot, closeRoundVotes, closeVote, enterPaper, openVote } from './votes';
import { recommendationCommands, voteCommands } from './vote-schema';
import { addMinorityReport, draftRecommendation, proposeAmendment, supportMinorityReport, withdraw } from './recommendations';

function box(env: Env): BallotBox {
  if (!env.box) throw new Error('Votes need the ballot box (Env.box).');
  return env.box;
}

export { ERROR_CODES, type ErrorCode, RoomError } from './errors';

/** Who acts. A facilitator's `who` tells two facilitators apart (a login, or a join link), as paper-ballot tellers. */
export type Actor = { role: 'facilitator'; who?: string } | { role: 'panellist'; member: string } | { role: 'observer' };

/** What the rules need besides the state: the members' census answers (tables) and the ballot box (votes). */
export interface Env {
  answers?: Answers;
  box?: BallotBox;
  /** The latest revision of the session's written summary, if there is one (for a vote approving it). */
  summaryRevision?: () => number | undefined;
}

const member = z.string().min(1).max(40);
const table = z.number().int().min(1).max(500);
export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('round:open'), round: z.number().int().min(0) }),
  z.object({ type: z.literal('round:pause') }),
  z.object({ type: z.literal('round:resume') }),
  z.object({ type: z.literal('round:extend'), minutes: z.number().int().min(1).max(120) }),
  z.object({ type: z.literal('round:close') }),
  z.object({ type: z.literal('floor:give'), member: member.optional() }),
  z.object({ type: z.literal('floor:take') }),
  z.object({ type: z.literal('queue:raise') }),
  z.object({ type: z.literal('queue:lower'), member: member.optional() }),
  z.object({ type: z.literal('idea:post'), text: z.string().trim().min(1, 'write something first').max(280, 'at most 280 characters') }),
  z.object({ type: z.literal('idea:support'), idea: z.number().int().min(1) }),
  z.object({ type: z.literal('idea:theme'), idea: z.number().int().min(1), theme: z.string().trim().max(80) }),
  z.object({ type: z.literal('idea:merge'), idea: z.number().int().min(1), into: z.number().int().min(1) }),
  z.object({ type: z.literal('idea:hide'), idea: z.number().int().min(1), reason: z.string().trim().min(3, 'say why, for the record').max(200) }),
  z.object({ type: z.literal('idea:pick'), idea: z.number().int().min(1) }),
  /** `absent`: who is not connected, filled in by the server (socket.ts), never taken from the client. */
  z.object({ type: z.literal('turn:start'), atTables: z.boolean().optional(), absent: z.array(member).max(2000).optional() }),
  z.object({ type: z.literal('turn:next'), table: table.optional(), absent: z.array(member).max(2000).optional() }),
  z.object({ type: z.literal('turn:add'), member, table: table.optional() }),
  /** The server's own (never a client's): a member who confirmed after the session was set up joins it (socket.ts). */
  z.object({ type: z.literal('members:add'), member }),
  z.object({ type: z.literal('tables:propose'), size: z.number().int().min(3).max(12).optional(), members: z.array(member).max(2000).optional() }),
  z.object({ type: z.literal('tables:move'), member, table: table }),
  z.object({ type: z.literal('table:note-taker'), table, member }),
  z.object({ type: z.literal('table:next'), table }),
  z.object({ type: z.literal('table:report'), table, text: z.string().trim().max(2000, 'at most 2000 characters') }),
  ...voteCommands,
  ...recommendationCommands,
]);
export type Command = z.infer<typeof commandSchema>;

/** Commands only the server gives; a client that sends one is told the room has no such event (events.ts). */
export const SERVER_ONLY = new Set<Command['type']>(['members:add']);

const FACILITATOR_ONLY = new Set<Command['type']>([
  'members:add',
  'round:open', 'round:pause', 'round:resume', 'round:extend', 'round:close', 'floor:give', 'floor:take',
  'idea:theme', 'idea:merge', 'idea:hide', 'idea:pick', 'turn:start', 'turn:add', 'tables:propose', 'tables:move',
  'vote:open', 'vote:paper', 'vote:close', 'rec:draft',
]);

/**
 * The room's rules, as a pure function: the state after `actor` does `command` at time `now`, with the
 * version one higher. A command that may not happen throws a RoomError and changes nothing (the caller
 * runs it in the transaction that stores the state, so ballots written by a refused command roll back).
 *
 * The rules change a draft (Immer), so the new state shares every part the command did not touch with the
 * old one, and both are frozen: what changed is the parts that are new objects (pieces.ts). Rules read long
 * lists through `asFound` (draft.ts), so a scan does not copy them.
 */
export function apply(state: RoomState, actor: Actor, command: Command, now: number, env: Env = {}): RoomState {
  if (actor.role === 'observer') throw new RoomError('forbidden', 'Observers can watch but not act.');
  if (FACILITATOR_ONLY.has(command.type) && actor.role !== 'facilitator') throw new RoomError('forbidden', 'Only the facilitator can do that.');
  return produce(state, (next: RoomState) => {
    next.version = state.version + 1;
    rules(next, actor, command, now, env);
  });
}

/** What `command` does to the room's draft `next`. */
function rules(next: RoomState, actor: Actor, command: Command, now: number, env: Env): RoomState {
  switch (command.type) {
    case 'round:open':
      return openRound(next, command.round, now, env);
    case 'round:pause': {
      const round = inHand(next, 'open');
      round.remainingMs = Math.max(0, (round.deadline ?? now) - now);
      round.deadline = null;
      round.status = 'paused';
      round.pauses.push({ from: now, to: null });
      endFloor(next, next, now);
      return next;
    }
    case 'round:resume': {
      const round = inHand(next, 'paused');
      round.deadline = now + (round.remainingMs ?? 0);
      round.remainingMs = null;
      round.status = 'open';
      endPause(round, now);
      return next;
    }
    case 'round:extend': {
      const round = inHand(next, 'open', 'paused');
      const extra = command.minutes * 60_000;
      if (round.status === 'open') round.deadline = (round.deadline ?? now) + extra;
      else round.remainingMs = (round.remainingMs ?? 0) + extra;
      round.extendedMinutes += command.minutes;
      return next;
    }
    case 'round:close':
      closeCurrent(next, now, env);
      return next;
    case 'floor:give':
      return giveFloor(next, command.member, now);
    case 'floor:take':
      if (!next.floor) throw new RoomError('conflict', 'Nobody has the floor.');
      endFloor(next, next, now);
      return next;
    case 'queue:raise': {
      if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Only panellists raise a hand.');
      inHand(next, 'open');
      if (tablesMeeting(next)) {
        raiseAtTable(next, actor.member, true);
        return next;
      }
      if (next.queue.includes(actor.member)) throw new RoomError('conflict', 'Your hand is already up.');
      if (next.floor?.member === actor.member) throw new RoomError('conflict', 'You have the floor already.');
      next.queue.push(actor.member);
      return next;
    }
    case 'queue:lower': {
      const who = actor.role === 'panellist' ? actor.member : command.member;
      if (actor.role === 'panellist' && command.member && command.member !== actor.member) throw new RoomError('forbidden', 'You can lower only your own hand.');
      if (who && tablesMeeting(next)) {
        raiseAtTable(next, who, false);
        return next;
      }
      if (!who || !next.queue.includes(who)) throw new RoomError('conflict', who ? 'That hand is not up.' : 'Say whose hand to lower.');
      next.queue = next.queue.filter((m) => m !== who);
      return next;
    }
    case 'idea:post':
      postIdea(next, actor, command.text);
      return next;
    case 'idea:support':
      supportIdea(next, actor, command.idea);
      return next;
    case 'idea:theme':
      themeIdea(next, command.idea, command.theme);
      return next;
    case 'idea:merge':
      mergeIdea(next, command.idea, command.into);
      return next;
    case 'idea:hide':
      hideIdea(next, command.idea, command.reason);
      return next;
    case 'idea:pick':
      pickQuestion(next, command.idea, now);
      return next;
    case 'turn:start':
      startTurns(next, now, command.atTables, command.absent);
      return next;
    case 'turn:next':
      nextTurn(next, actor, now, command.table, command.absent);
      return next;
    case 'turn:add':
      addTurn(next, command.member, now, command.table);
      return next;
    case 'members:add':
      if (next.members.includes(command.member)) throw new RoomError('conflict', 'They are in this session already.');
      next.members.push(command.member); // at the end: everyone else keeps their handle
      joinTurns(next, command.member);
      return next;
    case 'tables:propose':
      proposeTables(next, env.answers ?? new Map(), command.size, command.members, now);
      return next;
    case 'tables:move':
      moveToTable(next, command.member, command.table, now);
      return next;
    case 'table:note-taker':
      chooseNoteTaker(next, actor, command.table, command.member);
      return next;
    case 'table:next':
      nextAtTable(next, actor, command.table, now);
      return next;
    case 'table:report':
      reportBack(next, actor, command.table, command.text);
      return next;
    case 'vote:open':
      openVote(next, command, env.summaryRevision?.(), env.box);
      return next;
    case 'vote:cast':
      castBallot(next, box(env), actor, command.vote, command.ballot);
      return next;
    case 'vote:paper':
      enterPaper(next, box(env), actor.role === 'facilitator' ? actor.who : undefined, command.vote, command);
      return next;
    case 'vote:close':
      closeVote(next, box(env), command.vote);
      return next;
    case 'rec:draft':
      draftRecommendation(next, command.text, command.from);
      return next;
    case 'rec:amend':
      proposeAmendment(next, actor, command.rec, command.text, command.reason);
      return next;
    case 'rec:withdraw':
      withdraw(next, actor, command.rec, command.amendment);
      return next;
    case 'rec:minority':
      addMinorityReport(next, actor, command.rec, command.text);
      return next;
    case 'rec:support':
      supportMinorityReport(next, actor, command.rec, command.report, command.support);
      return next;
  }
}

function openRound(state: RoomState, index: number, now: number, env: Env): RoomState {
  const round = state.rounds[index];
  if (!round) throw new RoomError('not_found', `There is no round ${index + 1}; the agenda has ${state.rounds.length}.`);
  if (state.current === index && (round.status === 'open' || round.status === 'paused')) throw new RoomError('conflict', 'That round is already under way.');
  closeCurrent(state, now, env, false);
  state.current = index;
  round.status = 'open';
  round.deadline = now + round.minutes * 60_000;
  round.remainingMs = null;
  // Reopened: the time it stood closed is left out of the time it ran, as a pause is.
  if (round.openedAt === null) round.openedAt = now;
  else if (round.closedAt !== null) round.pauses.push({ from: round.closedAt, to: now });
  round.closedAt = null;
  return state;
}

/** Closes the round in hand, if there is one under way: the floor ends and hands go down. */
function closeCurrent(state: RoomState, now: number, env: Env, required = true): void {
  const round = currentRound(state);
  if (!round || (round.status !== 'open' && round.status !== 'paused')) {
    if (required) throw new RoomError('conflict', 'No round is under way.');
    return;
  }
  endFloor(state, state, now);
  quietTables(state, now);
  closeRoundVotes(state, env.box);
  if (round.status === 'paused') endPause(round, now);
  round.closedAt = now;
  round.status = 'closed';
  round.deadline = null;
  round.remainingMs = null;
  state.queue = [];
  state.turns = null;
}

/** The round's pause under way, if any, ends now. */
function endPause(round: Round, now: number): void {
  const pause = round.pauses.at(-1);
  if (pause && pause.to === null) pause.to = now;
}

function giveFloor(state: RoomState, to: string | undefined, now: number): RoomState {
  const round = inHand(state, 'open');
  const member = to ?? state.queue[0];
  if (!member) throw new RoomError('conflict', 'Nobody has a hand up. Name who should speak.');
  if (!state.queue.includes(member)) throw new RoomError('conflict', 'That person does not have a hand up.');
  state.queue = state.queue.filter((m) => m !== member);
  setFloor(state, state, member, now, round.speakerSeconds);
  return state;
}

function inHand(state: RoomState, ...statuses: RoomState['rounds'][number]['status'][]) {
  const round = currentRound(state);
  if (!round || !statuses.includes(round.status)) {
    throw new RoomError('conflict', round ? `The round in hand is ${round.status}, not ${statuses.join(' or ')}.` : 'No round has been opened yet.');
  }
  return round;
}
