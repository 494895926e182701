import type { Result } from '../voting/types';
import { asFound } from './draft';
import { RoomError } from './errors';
import type { Actor } from './machine';
import type { Amendment, Recommendation, RoomState, Vote } from './state';

/**
 * Recommendations: a draft (from a theme, a table's report, or typed), changed only by amendments the panel
 * carries, then adopted or rejected as a whole by a vote. The members have the final say on the wording:
 * nobody edits the text; only a carried amendment changes it. Members who disagree with an adopted
 * recommendation can attach a minority statement, which others can sign.
 */

export type DraftSource = { round: number; theme: string } | { round: number; table: number };

/** The facilitator puts a draft to the panel. */
export function draftRecommendation(state: RoomState, text: string, from: DraftSource | undefined): void {
  if (from) checkSource(state, from);
  const id = state.recommendations.length + 1;
  state.recommendations.push({ id, text, from: from ?? null, history: [{ text, amendment: null }], amendments: [], status: 'draft', vote: null, minority: [] });
}

/** A panellist (or the facilitator, for someone in the hall) proposes new wording for a draft. */
export function proposeAmendment(state: RoomState, actor: Actor, recId: number, text: string, reason: string | undefined): void {
  const rec = changeable(state, recId);
  if (text === rec.text) throw new RoomError('invalid', 'That is the wording already: change it to propose an amendment.');
  const by = actor.role === 'panellist' ? actor.member : 'facilitator';
  if (actor.role === 'panellist' && !state.members.includes(actor.member)) throw new RoomError('forbidden', 'You are not on this session’s list of members.');
  rec.amendments.push({ id: rec.amendments.length + 1, by, text, reason: reason || null, against: rec.history.length - 1, status: 'proposed', vote: null });
}

/** The proposer (or the facilitator) withdraws an amendment; the facilitator withdraws a draft. Not while it is being voted on. */
export function withdraw(state: RoomState, actor: Actor, recId: number, amendmentId: number | undefined): void {
  const rec = changeable(state, recId);
  if (amendmentId === undefined) {
    if (actor.role !== 'facilitator') throw new RoomError('forbidden', 'Only the facilitator withdraws a draft.');
    if (inVote(state, rec.id)) throw new RoomError('conflict', `Recommendation ${rec.id} is being voted on: close the vote first.`);
    rec.status = 'withdrawn';
    return;
  }
  const amendment = proposed(rec, amendmentId);
  if (actor.role === 'panellist' && amendment.by !== actor.member) throw new RoomError('forbidden', 'Only its proposer or the facilitator can withdraw an amendment.');
  if (inVote(state, rec.id, amendment.id)) throw new RoomError('conflict', 'That amendment is being voted on: close the vote first.');
  amendment.status = 'withdrawn';
}

/** A member who disagrees with an adopted recommendation writes a minority statement (one each), and signs it. */
export function addMinorityReport(state: RoomState, actor: Actor, recId: number, text: string): void {
  const rec = adopted(state, recId, actor);
  const member = (actor as { member: string }).member;
  if (rec.minority.some((m) => m.by === member)) throw new RoomError('conflict', 'You have written a minority statement on this recommendation already.');
  rec.minority.push({ id: rec.minority.length + 1, by: member, text, supporters: [member] });
}

/** A member signs (or unsigns) a minority statement; its author's name cannot come off it. */
export function supportMinorityReport(state: RoomState, actor: Actor, recId: number, reportId: number, support: boolean): void {
  const rec = adopted(state, recId, actor);
  const member = (actor as { member: string }).member;
  const report = rec.minority.find((m) => m.id === reportId);
  if (!report) throw new RoomError('not_found', `Recommendation ${recId} has no minority statement ${reportId}.`);
  if (report.by === member) throw new RoomError('conflict', 'You wrote that statement: your support is part of it.');
  const has = report.supporters.includes(member);
  if (support === has) throw new RoomError('conflict', support ? 'You support that statement already.' : 'You do not support that statement.');
  report.supporters = support ? [...report.supporters, member] : report.supporters.filter((m) => m !== member);
}

/**
 * Vote `voteId` is to decide an amendment, or (with no amendment) the recommendation as a whole: marks it so,
 * and returns the question in full, so the wording is on every ballot.
 */
export function putToVote(state: RoomState, subject: { rec: number; amendment?: number }, voteId: number): string {
  const rec = changeable(state, subject.rec);
  if (subject.amendment !== undefined) {
    const amendment = proposed(rec, subject.amendment);
    amendment.vote = voteId;
    return `Amendment ${amendment.id} to recommendation ${rec.id}: should it read “${amendment.text}”?`;
  }
  const waiting = rec.amendments.filter((a) => a.status === 'proposed').map((a) => a.id);
  if (waiting.length) throw new RoomError('conflict', `Amendment ${waiting.join(' and ')} to recommendation ${rec.id} ${waiting.length > 1 ? 'have' : 'has'} not been decided: put ${waiting.length > 1 ? 'them' : 'it'} to the vote, or withdraw ${waiting.length > 1 ? 'them' : 'it'}, first.`);
  rec.vote = voteId;
  return `Adopt recommendation ${rec.id}: “${rec.text}”?`;
}

/**
 * A closed vote on a recommendation or an amendment takes effect: a carried amendment becomes the wording;
 * a final vote adopts or rejects. Without quorum nothing is decided, and it can be put again.
 */
export function settle(state: RoomState, vote: Vote, result: Result): void {
  if (!vote.subject) return;
  const rec = state.recommendations.find((r) => r.id === vote.subject?.rec);
  if (!rec) return;
  const amendment = vote.subject.amendment === null ? undefined : rec.amendments.find((a) => a.id === vote.subject?.amendment);
  if (result.outcome === 'no-quorum') return;
  const passed = result.outcome === 'passed';
  if (amendment) {
    amendment.status = passed ? 'carried' : 'lost';
    if (passed) {
      rec.text = amendment.text;
      rec.history.push({ text: amendment.text, amendment: amendment.id });
    }
    return;
  }
  rec.status = passed ? 'adopted' : 'rejected';
}

function checkSource(state: RoomState, from: DraftSource): void {
  const round = state.rounds[from.round];
  if (!round) throw new RoomError('not_found', `There is no round ${from.round + 1}.`);
  if ('theme' in from && !asFound(state.ideas).some((i) => i.round === from.round && i.theme === from.theme && !i.hidden)) throw new RoomError('not_found', `Round ${from.round + 1} has no theme “${from.theme}”.`);
  if ('table' in from && !state.tables[from.table - 1]?.report) throw new RoomError('not_found', `Table ${from.table} has not reported back.`);
}

function find(state: RoomState, id: number): Recommendation {
  const rec = state.recommendations.find((r) => r.id === id);
  if (!rec) throw new RoomError('not_found', `There is no recommendation ${id}.`);
  return rec;
}

/** A draft whose final vote is not open: amendments can be proposed, voted on or withdrawn. */
function changeable(state: RoomState, id: number): Recommendation {
  const rec = find(state, id);
  if (rec.status !== 'draft') throw new RoomError('conflict', `Recommendation ${id} has been ${rec.status}: its wording is settled.`);
  if (inVote(state, id, null)) throw new RoomError('conflict', `The final vote on recommendation ${id} is open: its wording cannot change now.`);
  return rec;
}

function proposed(rec: Recommendation, id: number): Amendment {
  const amendment = rec.amendments.find((a) => a.id === id);
  if (!amendment) throw new RoomError('not_found', `Recommendation ${rec.id} has no amendment ${id}.`);
  if (amendment.status !== 'proposed') throw new RoomError('conflict', `Amendment ${id} has been ${amendment.status}.`);
  return amendment;
}

function adopted(state: RoomState, id: number, actor: Actor): Recommendation {
  if (actor.role !== 'panellist') throw new RoomError('forbidden', 'Minority statements are written and signed by panel members.');
  if (!state.members.includes(actor.member)) throw new RoomError('forbidden', 'You are not on this session’s list of members.');
  const rec = find(state, id);
  if (rec.status !== 'adopted') throw new RoomError('conflict', `Recommendation ${id} has not been adopted: a minority statement goes with an adopted one.`);
  return rec;
}

/** Whether an open vote is on this recommendation: on any of it (`amendment` undefined), its final vote (null), or one amendment. */
export function inVote(state: RoomState, rec: number, amendment?: number | null): boolean {
  return state.votes.some((v) => v.status === 'open' && v.subject?.rec === rec && (amendment === undefined || v.subject.amendment === amendment));
}
