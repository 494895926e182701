import { sha256 } from './tokens';

/**
 * Tells the live room that a credential no longer holds, so the sockets that joined with it close at once
 * (issue 8): a logout ends its login's sockets, a member who declines or withdraws loses theirs, replaced join
 * links end the sockets that joined with them. Every event is
 * checked again as well (socket.ts), so nothing depends on this alone.
 */
export class Revocations {
  private readonly listeners: ((group: string) => void)[] = [];

  /** The Socket.IO room a login's sockets join: named by the hash of its token, never the token. */
  static loginGroup(token: string): string {
    return `login:${sha256(token)}`;
  }

  /** A login ended by its hash (from the account page, or a password reset), as the database keeps it. */
  loginHash(hash: string): void {
    this.tell(`login:${hash}`);
  }

  static memberGroup(panelId: number, member: string): string {
    return `member:${panelId}:${member}`;
  }

  /** A person's login sockets in the rooms of one panel: closed when they are taken off its team. */
  static teamGroup(panelId: number, userId: number): string {
    return `team:${panelId}:${userId}`;
  }

  /** The sockets that joined with one invitation link (by the hash the database keeps): closed when it is replaced. */
  static invitationGroup(tokenHash: string): string {
    return `invitation:${tokenHash}`;
  }

  invitation(tokenHash: string): void {
    this.tell(Revocations.invitationGroup(tokenHash));
  }

  /** The sockets that joined a session with a join link (not a login or an invitation). */
  static linksGroup(sessionId: number): string {
    return `links:${sessionId}`;
  }

  listen(fn: (group: string) => void): void {
    this.listeners.push(fn);
  }

  login(token: string): void {
    this.tell(Revocations.loginGroup(token));
  }

  member(panelId: number, member: string): void {
    this.tell(Revocations.memberGroup(panelId, member));
  }

  team(panelId: number, userId: number): void {
    this.tell(Revocations.teamGroup(panelId, userId));
  }

  /** A session's join links were replaced. */
  links(sessionId: number): void {
    this.tell(Revocations.linksGroup(sessionId));
  }

  private tell(group: string): void {
    for (const fn of this.listeners) fn(group);
  }
}
