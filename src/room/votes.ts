import type { Pile } from '../voting/count';
import { pileOf } from '../voting/running';
import { tallyPile, validateBallot, validateSettings } from '../voting/tally';
import type { Ballot, Result, VoteSettings } from '../voting/types';
import type { BallotBox } from './ballot-box';
import { asFound } from './draft';
import { RoomError } from './errors';
import { putToVote, settle } from './recommendations';
import type { Actor } from './machine';
import { currentRound, type RoomState, type Vote } from './state';
import { plural } from '../voting/words';

/** What the facilitator chooses when opening a vote (the command, less its type). */
export interface VoteOptions {
  question?: string;
  /** A vote on a recommendation as a whole, or on one of its amendments. */
  subject?: { rec: number; amendment?: number };
  /** A vote approving this revision of the session's summary (which must be the latest: `latestSummary`). */
  summary?: number | 'latest';
  /** Without a quorum, the vote needs more than half of the session's members (defaultQuorum). */
  settings: Omit<VoteSettings, 'seed' | 'options' | 'quorum'> & { quorum?: number };
  /** Typed in; or taken from an earlier round's ideas or themes with `from`. */
  options?: string[];
  from?: { round: number; take: 'ideas' | 'themes' };
  secret: boolean;
  live: boolean;
}

export function openVote(state: RoomState, options: VoteOptions, latestSummary?: number, box?: BallotBox): void {
  const round = currentRound(state);
  if (!round || round.type !== 'vote' || round.status !== 'open' || state.current === null) throw new RoomError('conflict', 'Votes are held in an open vote round.');
  if (state.votes.some((v) => v.status === 'open')) throw new RoomError('conflict', 'Another vote is open: close it first.');
  const list = options.from ? optionsFrom(state, options.from.round, options.from.take) : (options.options ?? []);
  const choosing = options.settings.method === 'approval' || options.settings.method === 'ranked';
  if (choosing && list.length < 2) throw new RoomError('invalid', 'A vote between options needs at least two options.');
  if (options.secret && options.live) throw new RoomError('invalid', 'A secret vote cannot show results before its close.');
  const id = state.votes.length + 1;
  if ((options.subject || options.summary) && options.settings.method !== 'threshold' && options.settings.method !== 'consent') {
    throw new RoomError('invalid', 'A vote on a recommendation, an amendment or the summary must decide it: use agree/disagree with a threshold, or consent.');
  }
  if (options.subject && options.summary) throw new RoomError('invalid', 'A vote decides one thing: a recommendation or the summary.');
  const approves = options.summary === 'latest' ? latestSummary : options.summary;
  const question = options.subject ? putToVote(state, options.subject, id) : options.summary ? summaryQuestion(approves, latestSummary) : options.question;
  if (!question) throw new RoomError('invalid', 'question: write the question.');
  const quorum = options.settings.quorum ?? defaultQuorum(state.members.length);
  const settings: VoteSettings = { ...options.settings, quorum, options: choosing ? list : [], seed: `${state.title}:vote ${id}` };
  const problem = validateSettings(settings);
  if (problem) throw new RoomError('invalid', problem);
  const subject = options.subject ? { rec: options.subject.rec, amendment: options.subject.amendment ?? null } : null;
  if (options.secret) box?.prepare(id);
  state.votes.push({ id, round: state.current, question, settings, secret: options.secret, live: options.live, status: 'open', voted: 0, paper: { accepted: 0, spoiled: 0, pending: false }, result: null, withheld: false, subject, approves: approves ?? null });
}

/**
 * The quorum a vote has unless the facilitator says otherwise: more than half of the session's members, so a
 * result cannot stand on a handful of ballots. The facilitator's form shows it; no quorum is 0, said outright.
 */
export function defaultQuorum(members: number): number {
  return members > 0 ? Math.floor(members / 2) + 1 : 0;
}

function summaryQuestion(revision: number | undefined, latest: number | undefined): string {
  if (latest === undefined) throw new RoomError('not_found', 'This session has no written summary yet: the facilitator saves one on the summary page first.');
  if (revision !== latest) throw new RoomError('conflict', `The summary has changed since revision ${revision}: put revision ${latest}, the latest, to the vote.`);
  return `Approve the written summary of this session (revision ${revision}) as a true record of what happened?`;
}

/**
 * A secret vote's result is withheld when fewer members voted than this: with so few, the figures would tell
 * the voters (and anyone who knows who voted) how each voted. Five, as for every public figure (docs/voting.md).
 */
export const SECRET_MINIMUM = 5;

/** What a secret vote's counter shows while it is open: whole fives, so no one can watch a member cast. */
const shown = (vote: Vote, voters: number) => (vote.secret && vote.status === 'open' ? voters - (voters % SECRET_MINIMUM) : voters);

/** A panellist's ballot, cast or changed by them alone (their credential, not a receipt, says whose it is). */
export function castBallot(state: RoomState, box: BallotBox, actor: Actor, voteId: number, ballot: Ballot): void {
  if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Only panellists vote.');
  if (!state.members.includes(actor.member)) throw new RoomError('forbidden', 'You are not on this session’s list of voters.');
  const vote = openOne(state, voteId);
  const problem = validateBallot(vote.settings, ballot);
  if (problem) throw new RoomError('invalid', problem);
  // A first paper count still waiting does not hold a member's phone back (one teller could otherwise block the
  // whole hall): if they vote by phone now, the second count is refused, naming them.
  if (box.votedBy(vote.id, actor.member) === 'paper') {
    throw new RoomError('conflict', 'The tellers have your ballot on paper in this vote, so you cannot vote by phone as well. If that is a mistake, tell the facilitator.');
  }
  box.cast(vote.id, actor.member, alike(ballot), vote.secret);
  vote.voted = shown(vote, box.voters(vote.id));
  if (vote.live) vote.result = countPile(state, box.pile(vote.id), vote);
}

/** A paper count as the tellers enter it: the members who voted on paper, and their ballots (counted or spoiled). */
export interface PaperCount {
  members: string[];
  ballots: Ballot[];
  spoiled: number;
}

/**
 * Counted paper ballots, entered twice by two different signed-in people of the team. The count names the
 * members who voted on paper, one per ballot, so the hall can never hold more ballots than members and
 * nobody votes twice. The first count waits (its teller may enter it again to correct it); a second teller's
 * count must match it exactly, and then the ballots join the tally. A count that does not match is refused,
 * and the first one still waits.
 */
export function enterPaper(state: RoomState, box: BallotBox, teller: string | undefined, voteId: number, paper: PaperCount): 'waiting' | 'accepted' {
  if (!teller?.startsWith('user:')) throw new RoomError('forbidden', 'Paper counts are entered by two different people of the panel’s team, signed in so they can be told apart: sign in, then open the room from Live sessions.');
  const vote = openOne(state, voteId);
  checkPaper(state, box, vote, paper);
  const content = JSON.stringify({ members: [...paper.members].sort(), ballots: canonical(paper.ballots), spoiled: paper.spoiled });
  const first = box.pendingPaper(vote.id);
  if (!first || first.by === teller) {
    box.setPendingPaper(vote.id, { by: teller, content }, vote.secret);
    vote.paper.pending = true;
    return 'waiting';
  }
  if (first.content !== content) throw new RoomError('conflict', 'This count differs from the first one, so it was not added. Count the paper ballots again; whoever made the mistake enters the count again.');
  box.setPendingPaper(vote.id, null, vote.secret);
  box.addPaper(vote.id, paper.members, paper.ballots.map(alike), vote.secret);
  vote.paper = { accepted: vote.paper.accepted + paper.ballots.length, spoiled: vote.paper.spoiled + paper.spoiled, pending: false };
  vote.voted = shown(vote, box.voters(vote.id));
  if (vote.live) vote.result = countPile(state, box.pile(vote.id), vote);
  return 'accepted';
}

function checkPaper(state: RoomState, box: BallotBox, vote: Vote, paper: PaperCount): void {
  const { members, ballots, spoiled } = paper;
  if (members.length !== ballots.length + spoiled) {
    throw new RoomError('invalid', `The count names ${plural(members.length, 'member')} but has ${plural(ballots.length, 'ballot')} and ${spoiled} spoiled: tick each member who voted on paper, one for every ballot, counted or spoiled.`);
  }
  const twice = members.find((m, i) => members.indexOf(m) !== i);
  if (twice) throw new RoomError('invalid', `${twice} is named twice in the count: each member votes once.`);
  const strangers = members.filter((m) => !state.members.includes(m));
  if (strangers.length) throw new RoomError('invalid', `${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not on this session’s list of voters.`);
  for (const [i, ballot] of ballots.entries()) {
    const problem = validateBallot(vote.settings, ballot);
    if (problem) throw new RoomError('invalid', `Paper ballot ${i + 1}: ${problem}`);
  }
  const voted = members.filter((m) => box.votedBy(vote.id, m));
  if (voted.length) throw new RoomError('conflict', `${voted.join(', ')} ${voted.length === 1 ? 'has' : 'have'} voted already in this vote, so the count was not added. Take ${voted.length === 1 ? 'that ballot' : 'those ballots'} out of the pile, or untick ${voted.length === 1 ? 'that member' : 'them'}, and count again.`);
}

/**
 * A ballot as it is kept: a reason only with an objection, so a phone's ballot and a paper one (whose reason the
 * tellers write only for an objection) look alike once opened.
 */
function alike(ballot: Ballot): Ballot {
  if (ballot.kind !== 'consent' || ballot.choice === 'object' || ballot.reason === undefined) return ballot;
  return { kind: 'consent', choice: ballot.choice };
}

/**
 * Counts the vote and closes it. A secret vote's ballots are opened now (ballot-box.ts); its result is
 * withheld if fewer than SECRET_MINIMUM members voted.
 */
export function closeVote(state: RoomState, box: BallotBox, voteId: number): void {
  const vote = openOne(state, voteId);
  vote.status = 'closed';
  vote.voted = box.voters(vote.id);
  if (vote.paper.pending) {
    box.setPendingPaper(vote.id, null, vote.secret);
    vote.paper.pending = false;
  }
  if (vote.secret && vote.voted < SECRET_MINIMUM) {
    // Not opened at all: stored in the open, so few ballots beside the list of who voted would show each one.
    box.discard(vote.id);
    vote.result = null;
    vote.withheld = true;
    return;
  }
  const ballots = vote.secret ? box.open(vote.id) : box.ballots(vote.id);
  vote.result = count(state, ballots, vote);
  settle(state, vote, vote.result);
}

/** Closing the round closes its open vote too, counted as it stands. */
export function closeRoundVotes(state: RoomState, box: BallotBox | undefined): void {
  if (!box) return; // no ballot box, no votes to close (the pure rules without votes)
  for (const vote of state.votes) if (vote.status === 'open') closeVote(state, box, vote.id);
}

/** Every stored ballot, at the close; while a live vote is open, its running pile (the box keeps it). */
function count(state: RoomState, ballots: Ballot[], vote: Vote): Result {
  return countPile(state, pileOf(ballots), vote);
}

function countPile(state: RoomState, pile: Pile, vote: Vote): Result {
  return tallyPile(vote.settings, pile, { spoiled: vote.paper.spoiled, eligible: state.members.length });
}

function openOne(state: RoomState, voteId: number): Vote {
  const vote = state.votes.find((v) => v.id === voteId);
  if (!vote) throw new RoomError('not_found', `There is no vote ${voteId}.`);
  if (vote.status !== 'open') throw new RoomError('conflict', 'That vote has closed: ballots are no longer taken.');
  return vote;
}

function optionsFrom(state: RoomState, round: number, take: 'ideas' | 'themes'): string[] {
  const ideas = asFound(state.ideas).filter((i) => i.round === round && !i.hidden && i.mergedInto === null);
  const list = take === 'themes' ? [...new Set(ideas.flatMap((i) => (i.theme ? [i.theme] : [])))] : ideas.map((i) => i.text);
  if (list.length === 0) throw new RoomError('conflict', `Round ${round + 1} has no ${take} to vote on.`);
  return list;
}

/** The same ballots in a fixed order, so two counts of the same pile compare equal. */
function canonical(ballots: Ballot[]): string[] {
  return ballots.map((b) => JSON.stringify(b)).sort();
}
