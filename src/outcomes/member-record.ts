import type { Db } from '../db';
import type { SessionPart } from '../registration/subject-access';
import { statements as ballotStatements } from '../room/ballot-sql';
import type { RoomRepo } from '../room/repo';

/**
 * What the panel's sessions hold about one member, by pseudonym, for their subject access export
 * (registration/subject-access.ts): attendance, time on the floor, what they posted, proposed and signed, and the
 * votes they took part in. An open vote's ballot is stored under its member and is included; a secret vote's
 * is stored with nothing that names its voter, so only the fact of voting is (vote_voters), never the ballot.
 */
export function sessionsOf(db: Db, room: RoomRepo, panelId: number, publicId: string): SessionPart[] {
  const ballots = ballotStatements(db);
  return room.ofPanel(panelId).flatMap((session): SessionPart[] => {
    const state = room.state(session.id);
    const seen = room.attendance(session.id).find((a) => a.member === publicId);
    if (!state || (!state.members.includes(publicId) && !seen)) return [];
    const round = (i: number) => state.rounds[i]?.title ?? `Round ${i + 1}`;
    const recs = state.recommendations;
    return [
      {
        id: session.id,
        title: session.title,
        onMemberList: state.members.includes(publicId),
        attended: seen ? { firstAt: seen.firstAt, lastAt: seen.lastAt } : null,
        spokeSeconds: Math.round((state.airtime[publicId] ?? 0) / 1000),
        ideas: state.ideas.filter((i) => i.author === publicId).map((i) => ({ round: round(i.round), text: i.text, hidden: i.hidden !== null })),
        ideasSupported: state.ideas.filter((i) => i.supporters.includes(publicId)).length,
        amendments: recs.flatMap((r) => r.amendments.filter((a) => a.by === publicId).map((a) => ({ recommendation: r.id, text: a.text, reason: a.reason, status: a.status }))),
        minorityStatements: recs.flatMap((r) =>
          r.minority.filter((s) => s.by === publicId || s.supporters.includes(publicId)).map((s) => ({ recommendation: r.id, text: s.text, wrote: s.by === publicId })),
        ),
        votes: state.votes.flatMap((v) => {
          const source = ballots.votedBy.get(session.id, v.id, publicId) as string | undefined;
          if (!source) return [];
          // Only an open vote's ballot is looked up: a secret one has no member to look it up by.
          const content = v.secret ? undefined : (ballots.memberBallot.get(session.id, v.id, publicId) as string | undefined);
          const ballot: unknown = content === undefined ? null : JSON.parse(content);
          return [{ id: v.id, question: v.question, secret: v.secret, voted: source === 'paper' ? 'on paper' : 'on a phone', ballot }];
        }),
      },
    ];
  });
}
