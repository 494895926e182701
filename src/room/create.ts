import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Panel } from '../panels/repo';
import { confirmedMembers } from '../membership/members';
import type { Agenda } from './agenda';
import type { RoomRepo } from './repo';

export interface NewSession {
  sessionId: number;
  /** Tokens for the join links, shown once. */
  facilitator: string;
  observer: string;
  panellists: { member: string; token: string }[];
}

/**
 * A session for a panel from an agenda, with a join pass for the facilitator, the observers and each member who has
 * confirmed; anyone who confirms later joins it by their invitation link (socket.ts).
 */
export function createSession(db: Db, clock: Clock, repo: RoomRepo, panel: Panel, agenda: Agenda, userId: number | null): NewSession {
  return db.transaction(() => {
    const now = clock.now();
    const members = confirmedMembers(db, panel.id);
    const sessionId = repo.createSession(panel.id, agenda, members.map((m) => m.publicId), userId, now);
    return issuePasses(repo, sessionId, members.map((m) => m.publicId), now);
  })();
}

/** Join passes for the facilitator, the observers and each member given. */
export function issuePasses(repo: RoomRepo, sessionId: number, members: string[], now: number): NewSession {
  return {
    sessionId,
    facilitator: repo.issuePass(sessionId, { role: 'facilitator' }, now),
    observer: repo.issuePass(sessionId, { role: 'observer' }, now),
    panellists: members.map((member) => ({ member, token: repo.issuePass(sessionId, { role: 'panellist', member }, now) })),
  };
}

/** A join link: the pass rides in the fragment, so it never reaches a server log. */
export function joinLink(baseUrl: string, sessionId: number, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/room/${sessionId}#pass=${token}`;
}
