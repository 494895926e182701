import type { IncomingMessage } from 'node:http';
import { findSessionUser, SESSION_COOKIE } from '../auth/sessions';
import { onTeam } from '../auth/teams';
import { required } from '../auth/two-factor';
import type { Config } from '../config';
import type { AppContext } from '../context';
import { findByToken, invitationExpired, SEATED } from '../membership/members';
import { sha256 } from '../tokens';
import type { Pass, RoomRepo } from './repo';

/** What a client may give in the Socket.IO handshake's `auth` (docs/protocol.md, Joining). */
interface Credentials {
  pass?: unknown;
  invite?: unknown;
  session?: unknown;
}

/**
 * Who is connecting, and to which session: a join link's pass; a panel member's invitation link with the
 * session's id; or, for facilitators and organisers, their login cookie with the session's id. A string
 * is the refusal, in words for the person.
 */
export function authenticate(ctx: AppContext, repo: RoomRepo, auth: Credentials | undefined, request: IncomingMessage): Pass | string {
  const bad = 'This join link is not valid: it may have expired or been replaced. Ask the facilitator for your current link.';
  if (typeof auth?.pass === 'string') return repo.findPass(auth.pass, ctx.clock.now()) ?? bad;
  const sessionId = Number(auth?.session);
  if (!Number.isSafeInteger(sessionId) || sessionId < 1) return 'Open the room from its link, or log in first if you facilitate.';
  const panelId = repo.find(sessionId)?.panelId;
  if (panelId === undefined) return 'This session does not exist. Check the link.';
  if (typeof auth?.invite === 'string') {
    const member = findByToken(ctx.db, sha256(auth.invite));
    if (!member || member.panelId !== panelId || !SEATED.has(member.status)) return 'This invitation link is not for this session. Use the link from your own invitation, or ask the facilitator.';
    if (invitationExpired(member, ctx.clock.now())) return 'This invitation link has expired. Ask the organiser for a new one, or the facilitator for a join link.';
    // Someone who confirmed after the session was set up joins it now (socket.ts), while it still has rounds to run:
    // a finished session's record is not theirs to change. Until they confirm, they are not a member.
    const state = repo.state(sessionId);
    if (!state?.members.includes(member.publicId)) {
      if (member.status !== 'confirmed') return 'Confirm your place on the panel first, from your invitation page: then this link opens the session.';
      if (state?.rounds.every((r) => r.status === 'closed')) return 'This session had finished before you confirmed your place, so it is not open to you. Your member page lists the sessions still to come.';
    }
    return { sessionId, actor: { role: 'panellist', member: member.publicId } };
  }
  const token = loginToken(auth, request);
  const user = token ? findSessionUser(ctx.db, ctx.clock, token) : undefined;
  if (!user) return 'You are not logged in. Log in as a facilitator, or use your join link.';
  if (user.role !== 'facilitator' && user.role !== 'organiser') return 'Only facilitators and organisers can run the room.';
  if (user.mustChangePassword) return 'Choose a new password first, on your account page (an administrator reset yours), then open the room again.';
  if (!user.twoFactor && required(ctx.config.REQUIRE_TWO_FACTOR, user)) return 'Set up two-factor sign-in first, on your account page (this installation requires it for your account), then open the room again.';
  if (!onTeam(ctx.db, user, panelId)) return 'You are not on the team of this session’s panel, so you cannot run it. Ask an administrator to add you to its team.';
  return { sessionId, actor: { role: 'facilitator', who: `user:${user.id}` } };
}

/** The login cookie's token, when the client joined by its login rather than by a link. */
export function loginToken(auth: Credentials | undefined, request: IncomingMessage): string | undefined {
  if (typeof auth?.pass === 'string' || typeof auth?.invite === 'string') return undefined;
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/**
 * Whether the credential a socket joined with still holds: asked before every event, so a logout, a
 * withdrawal from the panel or a replaced link takes effect on the next event even if a socket missed its
 * revocation. Cheaper than `authenticate`: the session and actor were settled at the handshake.
 */
export function stillHolds(ctx: AppContext, repo: RoomRepo, auth: Credentials | undefined, request: IncomingMessage): boolean {
  if (typeof auth?.pass === 'string') return repo.findPass(auth.pass, ctx.clock.now()) !== undefined;
  if (typeof auth?.invite === 'string') {
    const member = findByToken(ctx.db, sha256(auth.invite));
    return member !== undefined && SEATED.has(member.status) && !invitationExpired(member, ctx.clock.now());
  }
  const token = loginToken(auth, request);
  const user = token ? findSessionUser(ctx.db, ctx.clock, token) : undefined;
  const panelId = repo.find(Number(auth?.session))?.panelId;
  return (user?.role === 'facilitator' || user?.role === 'organiser') && panelId !== undefined && onTeam(ctx.db, user, panelId);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Whether a WebSocket comes from a page of this site (or from a client that is not a browser page). With
 * PUBLIC_URL set, the page's Origin must be that address, whatever Host a proxy sends; without it, the Origin's
 * host must be the Host the request came with (X-Forwarded-Host, behind a trusted proxy).
 */
export function sameOrigin(request: IncomingMessage, config: Pick<Config, 'PUBLIC_URL' | 'TRUST_PROXY'>): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // not from a browser page
  try {
    if (config.PUBLIC_URL) return new URL(origin).origin === new URL(config.PUBLIC_URL).origin;
    const forwarded = config.TRUST_PROXY ? String(request.headers['x-forwarded-host'] ?? '').split(',')[0].trim() : '';
    return new URL(origin).host === (forwarded || request.headers.host);
  } catch {
    return false;
  }
}
