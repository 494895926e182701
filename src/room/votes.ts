import { tally, validateBallot, validateSettings } from '../voting/tally';
import type { Ballot, Result, VoteSettings } from '../voting/types';
import type { BallotBox } from './ballot-box';
import { RoomError } from './errors';
import { putToVote, settle } from './recommendations';
import type { Actor } from './machine';
import { currentRound, type RoomState, type Vote } from './state';

/** What the facilitator chooses when opening a vote (the command, less its type). */
export interface VoteOptions {
  question?: string;
  /** A vote on a recommendation as a whole, or on one of its amendments. */
  subject?: { rec: number; amendment?: number };
  /** A vote approving this revision of the session's summary (which must be the latest: `latestSummary`). */
  summary?: number | 'latest';
  settings: Omit<VoteSettings, 'seed' | 'options'>;
  /** Typed in; or taken from an earlier round's ideas or themes with `from`. */
  options?: string[];
  from?: { round: number; take: 'ideas' | 'themes' };
  secret: boolean;
  live: boolean;
}

export function openVote(state: RoomState, options: VoteOptions, latestSummary?: number): void {
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
  const settings: VoteSettings = { ...options.settings, options: choosing ? list : [], seed: `${state.title}:vote ${id}` };
  const problem = validateSettings(settings);
  if (problem) throw new RoomError('invalid', problem);
  const subject = options.subject ? { rec: options.subject.rec, amendment: options.subject.amendment ?? null } : null;
  state.votes.push({ id, round: state.current, question, settings, secret: options.secret, live: options.live, status: 'open', voted: 0, paper: { accepted: 0, spoiled: 0, pending: false }, result: null, subject, approves: approves ?? null });
}

function summaryQuestion(revision: number | undefined, latest: number | undefined): string {
  if (latest === undefined) throw new RoomError('not_found', 'This session has no written summary yet: the facilitator saves one on the summary page first.');
  if (revision !== latest) throw new RoomError('conflict', `The summary has changed since revision ${revision}: put revision ${latest}, the latest, to the vote.`);
  return `Approve the written summary of this session (revision ${revision}) as a true record of what happened?`;
}

/** A panellist's ballot; their later ballot replaces it until the close. `receipt` is theirs alone. */
export function castBallot(state: RoomState, box: BallotBox, actor: Actor, voteId: number, ballot: Ballot, receipt: string): void {
  if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Only panellists vote.');
  if (!state.members.includes(actor.member)) throw new RoomError('forbidden', 'You are not on this session’s list of voters.');
  const vote = openOne(state, voteId);
  const problem = validateBallot(vote.settings, ballot);
  if (problem) throw new RoomError('invalid', problem);
  const voted = box.hasVoted(vote.id, actor.member);
  const earlier = box.byReceipt(vote.id, receipt);
  if (vote.secret && voted && !earlier) throw new RoomError('conflict', 'You have voted already. To change a secret ballot, use the device you voted on.');
  if (!voted && earlier) throw new RoomError('conflict', 'That receipt is taken: reload the page and vote again.');
  box.cast(vote.id, actor.member, receipt, ballot, vote.secret);
  if (!voted) vote.voted++;
  if (vote.live) vote.result = count(state, box, vote);
}

/**
 * Counted paper ballots, entered twice by two different people. The first count waits (its teller may
 * enter it again to correct it); a second teller's count must match it exactly, and then the ballots join
 * the tally with their source shown. A count that does not match is refused, and the first one still waits.
 */
export function enterPaper(state: RoomState, box: BallotBox, teller: string, voteId: number, ballots: Ballot[], spoiled: number): 'waiting' | 'accepted' {
  const vote = openOne(state, voteId);
  for (const [i, ballot] of ballots.entries()) {
    const problem = validateBallot(vote.settings, ballot);
    if (problem) throw new RoomError('invalid', `Paper ballot ${i + 1}: ${problem}`);
  }
  const content = JSON.stringify({ ballots: canonical(ballots), spoiled });
  const first = box.pendingPaper(vote.id);
  if (!first || first.by === teller) {
    box.setPendingPaper(vote.id, { by: teller, content });
    vote.paper.pending = true;
    return 'waiting';
  }
  if (first.content !== content) throw new RoomError('conflict', 'This count differs from the first one, so it was not added. Count the paper ballots again; whoever made the mistake enters the count again.');
  box.setPendingPaper(vote.id, null);
  box.addPaper(vote.id, ballots);
  vote.paper = { accepted: vote.paper.accepted + ballots.length, spoiled: vote.paper.spoiled + spoiled, pending: false };
  vote.voted += ballots.length + spoiled;
  if (vote.live) vote.result = count(state, box, vote);
  return 'accepted';
}

export function closeVote(state: RoomState, box: BallotBox, voteId: number): void {
  const vote = openOne(state, voteId);
  vote.status = 'closed';
  vote.result = count(state, box, vote);
  settle(state, vote, vote.result);
  if (vote.paper.pending) {
    box.setPendingPaper(vote.id, null);
    vote.paper.pending = false;
  }
}

/** Closing the round closes its open vote too, counted as it stands. */
export function closeRoundVotes(state: RoomState, box: BallotBox | undefined): void {
  if (!box) return; // no ballot box, no votes to close (the pure rules without votes)
  for (const vote of state.votes) if (vote.status === 'open') closeVote(state, box, vote.id);
}

function count(state: RoomState, box: BallotBox, vote: Vote): Result {
  return tally(vote.settings, { ballots: box.ballots(vote.id), spoiled: vote.paper.spoiled, eligible: state.members.length });
}

function openOne(state: RoomState, voteId: number): Vote {
  const vote = state.votes.find((v) => v.id === voteId);
  if (!vote) throw new RoomError('not_found', `There is no vote ${voteId}.`);
  if (vote.status !== 'open') throw new RoomError('conflict', 'That vote has closed: ballots are no longer taken.');
  return vote;
}

function optionsFrom(state: RoomState, round: number, take: 'ideas' | 'themes'): string[] {
  const ideas = state.ideas.filter((i) => i.round === round && !i.hidden && i.mergedInto === null);
  const list = take === 'themes' ? [...new Set(ideas.flatMap((i) => (i.theme ? [i.theme] : [])))] : ideas.map((i) => i.text);
  if (list.length === 0) throw new RoomError('conflict', `Round ${round + 1} has no ${take} to vote on.`);
  return list;
}

/** The same ballots in a fixed order, so two counts of the same pile compare equal. */
function canonical(ballots: Ballot[]): string[] {
  return ballots.map((b) => JSON.stringify(b)).sort();
}
