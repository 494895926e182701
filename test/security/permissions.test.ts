import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createSession as logInAs } from '../../src/auth/sessions';
import { addToTeam } from '../../src/auth/teams';
import { createUser } from '../../src/auth/users';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { computeQuotas } from '../../src/panels/quotas';
import { findPanel, insertCategory, insertPanel, listCategories, openPanel, type Panel } from '../../src/panels/repo';
import { insertRegistrant } from '../../src/registration/repo';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { COMMAND_TYPES, type ClientToServerEvents, type Reply, type ServerToClientEvents, type Snapshot } from '../../src/room/events';
import { commitmentFields, commitmentHash } from '../../src/selection/commitment';
import { seedFrom } from '../../src/public-numbers';
import { finishDraw, insertCommitment, insertDraw, recordNumbers } from '../../src/selection/repo';
import { addMembers, listMembers, markReplaced, setInvitation, setStatus } from '../../src/membership/members';
import { drawInput } from '../../src/selection/runner';
import { handleOf } from '../../src/room/state';
import { snapshot as drawSnapshot } from '../../src/selection/snapshot';
import { ENGINE_VERSION } from '../../src/sortition/draw';
import { newToken, sha256 } from '../../src/tokens';
import { PASSWORD, seatMembers, smallPanel, snapshot } from '../helpers';
import {
  HTTP_ROLES,
  HTTP_TABLE,
  type HttpAction,
  type HttpRole,
  type HttpVerdict,
  renderTables,
  ROOM_ROLES,
  ROOM_TABLE,
  type RoomEvent,
  type RoomRole,
  type RoomVerdict,
} from './permission-table';

/**
 * Issue 8, "Who may do what": a real request for every cell of docs/permissions.md, on the real app, a real SQLite
 * file and real Socket.IO clients. A refusal must be the one the table names, and change nothing stored; an allowed
 * request must get past the permission check (its answer comes from the handler: a page, or a refusal for a reason
 * that is not who you are, such as an empty form or a round that is not open).
 */

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Payload = Record<string, unknown>;

const DOC = path.join(__dirname, '..', '..', 'docs', 'permissions.md');
const BEGIN = '<!-- The tables below are made from test/security/permission-table.ts; the test checks them. Do not edit them here. -->';
const END = '<!-- end of the tables -->';
/** Every browser in these tests carries this CSRF cookie and sends it back with forms: the check is not what is tested. */
const CSRF = 'permissions-test-csrf-token';
const agenda = exampleAgenda();
const ROUND_ROBIN = agenda.rounds.findIndex((r) => r.type === 'round-robin');
const TABLES = agenda.rounds.findIndex((r) => r.type === 'tables');
const VOTE_ROUND = agenda.rounds.findIndex((r) => r.type === 'vote');
const OTHER_TITLE = 'Another panel’s day';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-permissions-'));
const db = openDb(path.join(dir, 'permissions.db'));
const clock = new ManualClock();
const ctx = { db, clock, config: testConfig() };
const made = createApp({ ...ctx, log: (l: string) => process.env.ROOM_LOG && console.error(l) });
let url = '';
let clientIds = 0;

/** Everything the cells refer to: the panel and session "this" means, and another panel's. */
const f = {
  users: { facilitator: 0, organiser: 0, otherFacilitator: 0, otherOrganiser: 0, admin: 0 },
  panel: {} as Panel,
  categoryId: 0,
  valueId: 0,
  spareRegistrant: 0,
  /** A draft panel of the same team. */
  draftPanel: 0,
  /** A second one, for the administrator to erase (the organiser erases the first). */
  spareRegistrant2: 0,
  drawId: 0,
  withdrawnMember: 0,
  /** This session, the one the table is about. */
  session: 0,
  /** A session of the same panel whose summary is published (the outcomes and summary pages). */
  published: 0,
  passes: { panellist: '', observer: '', host: '', leaver: '', other: '' },
  invitations: { panellist: '', other: '' },
  /** This session's members: `me` is the panellist, `mate` another member; t1 is my table, t2 another. */
  me: '',
  mate: '',
  leaver: '',
  t1: 0,
  t2: 0,
};

// --- Requests as each role ---

const STAFF = ['facilitator', 'organiser', 'otherFacilitator', 'otherOrganiser', 'admin'] as const;
const isStaff = (role: string): role is (typeof STAFF)[number] => (STAFF as readonly string[]).includes(role);

/** The cookies a role's browser sends: everyone's CSRF cookie, and for staff a fresh login (so a logout ends only that one). */
function cookiesOf(role: HttpRole): string {
  const csrf = `cp_csrf=${CSRF}`;
  if (isStaff(role)) return `${csrf}; cp_session=${logInAs(db, clock, f.users[role])}`;
  return csrf;
}

/** A route's pattern with this fixture's values; `:token` is the role's own invitation token, or one nobody holds. */
function fill(pattern: string, role: HttpRole): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const values: Record<string, string | number> = {
      slug: f.panel.slug,
      id: pattern.startsWith('/admin/panels') ? f.panel.id : f.published,
      version: 1,
      table: 'agenda',
      categoryId: f.categoryId,
      rid: role === 'admin' ? f.spareRegistrant2 : f.spareRegistrant,
      drawId: f.drawId,
      n: 999, // no such wave of letters
      mid: 999_999, // no such message
      lang: 'pl',
      kind: 'invitation',
      qid: 999_999, // no such two-way quota
      rec: 999, // no such recommendation
      milestoneId: 999_999, // no such milestone
      file: 'pool.csv',
      auditorId: 999_999,
      memberId: f.withdrawnMember,
      sessionId: f.session,
      user: 999_999, // nobody: taking them off the team changes nothing
      token: role === 'panellist' ? f.invitations.panellist : role === 'otherPanellist' ? f.invitations.other : newToken(),
    };
    if (!(name in values)) throw new Error(`no value for :${name} in ${pattern}`);
    return String(values[name]);
  });
}

/**
 * What an allowed request sends, and the answer that shows it reached the handler. Where a form is needed, it is
 * one the handler refuses for its content (400) or the state of things (409), after the permission check: so an
 * allowed cell proves the door was open without changing anything, except where noted.
 */
const PROBES: Record<HttpAction, { status: number; body?: () => Record<string, string>; path?: string }> = {
  'GET /outcomes': { status: 200 },
  'GET /outcomes/:slug': { status: 200 },
  'GET /outcomes/:slug/feed.atom': { status: 200 },
  'GET /outcomes/:slug/progress.json': { status: 200 },
  'GET /outcomes/:slug/progress.csv': { status: 200 },
  'GET /outcomes/:slug/sessions/:id': { status: 200 },
  'GET /outcomes/:slug/sessions/:id/v/:version': { status: 200 },
  'GET /outcomes/:slug/sessions/:id/v/:version/summary.json': { status: 200 },
  'GET /outcomes/:slug/sessions/:id/v/:version/:table.csv': { status: 200 },
  'GET /': { status: 200 },
  'GET /healthz': { status: 200 },
  'GET /readyz': { status: 200 },
  'GET /metrics': { status: 200 },
  'GET /login': { status: 200 },
  'POST /login': { status: 400 },
  'GET /login/code': { status: 303 }, // no sign-in waiting: back to the password
  'POST /login/code': { status: 400 }, // no code
  'GET /password/forgot': { status: 200 },
  'POST /password/forgot': { status: 400 }, // no email
  'GET /password/reset/:token': { status: 404 }, // nobody's link
  'POST /password/reset/:token': { status: 404 },
  'GET /account/setup/:token': { status: 404 },
  'POST /account/setup/:token': { status: 404 },
  'POST /logout': { status: 303 },
  'GET /register/:slug': { status: 200 },
  'POST /register/:slug': { status: 400 },
  'GET /register/:slug/thanks': { status: 200 },
  'GET /privacy': { status: 200 },
  'GET /messages/stop/:token': { status: 404 }, // nobody's link
  'POST /messages/stop/:token': { status: 404 },
  'GET /confirm/:token': { status: 404 }, // nobody's link
  'POST /confirm/:token': { status: 404 },
  'GET /panels/:slug/selection': { status: 200 },
  'GET /panels/:slug/selection/quotas.csv': { status: 200 },
  'GET /panels/:slug/selection/dropout.csv': { status: 200 },
  'GET /panels/:slug/selection/panels.sha256.txt': { status: 404 }, // this commitment picks by public numbers: no list (test/integration/transparent-draw.test.ts has one)
  'GET /room/:sessionId': { status: 200 },
  'GET /invite/:token': { status: 200 },
  'POST /invite/:token': { status: 410 }, // the link works (their member page), but their answer is recorded: nothing to answer again
  'POST /invite/:token/name': { status: 400 }, // no name given
  'GET /admin': { status: 200 },
  'GET /admin/sessions': { status: 200 },
  // For this panel, with an agenda that is not JSON: the team gets the agenda's error, anyone else is refused first.
  'POST /admin/sessions': { status: 400, body: () => ({ panelId: String(f.panel.id), agenda: 'not an agenda' }) },
  // A session that does not exist: replacing the real one's links would lock out the room tests' own links.
  'POST /admin/sessions/:id/links': { status: 404, path: '/admin/sessions/999999/links' },
  'GET /admin/sessions/:id/day': { status: 200 },
  'POST /admin/sessions/:id/day': { status: 400 }, // an empty form: no day
  'GET /admin/sessions/:id/summary': { status: 200 },
  'GET /admin/sessions/:id/summary/preview': { status: 200 },
  'POST /admin/sessions/:id/summary': { status: 400, body: () => ({ narrative: 'x'.repeat(20_001) }) },
  'POST /admin/sessions/:id/summary/publish': { status: 409, body: () => ({ confirm: 'yes' }) }, // nothing has changed since the published version
  'GET /admin/panels/new': { status: 200 },
  'POST /admin/panels': { status: 400 },
  'GET /admin/people': { status: 200 },
  'GET /account': { status: 200 },
  'POST /account/sessions/others/end': { status: 303 }, // each request is a fresh login: it ends that role's older ones
  'POST /account/sessions/:id/end': { status: 404, path: '/account/sessions/999999/end' }, // not one of theirs
  'POST /account/password': { status: 400 }, // no current password
  'GET /account/two-factor': { status: 200 },
  'POST /account/two-factor': { status: 400 }, // no code
  'POST /account/two-factor/recovery': { status: 409 }, // not on
  'POST /account/two-factor/off': { status: 409 }, // off already
  'POST /admin/people/:id/two-factor/reset': { status: 404, path: '/admin/people/999999/two-factor/reset' }, // nobody
  'POST /admin/people/:id/reset': { status: 404, path: '/admin/people/999999/reset' }, // nobody
  'POST /admin/people': { status: 400 }, // no email
  'GET /admin/audit': { status: 200 },
  'GET /admin/audit.csv': { status: 200 },
  'GET /admin/panels/:id/team': { status: 200 },
  'POST /admin/panels/:id/team': { status: 400 }, // no email
  'POST /admin/panels/:id/team/:user/remove': { status: 303 },
  'GET /admin/panels/:id': { status: 200 },
  'GET /admin/panels/:id/audit': { status: 200 },
  'GET /admin/panels/:id/audit.csv': { status: 200 },
  'POST /admin/panels/:id/open': { status: 409 }, // open already
  // On a draft of this team's (not open, so nothing to close): closing this panel's would end the register probes.
  'POST /admin/panels/:id/registration/close': {
    status: 409,
    get path() {
      return `/admin/panels/${f.draftPanel}/registration/close`;
    },
  },
  'POST /admin/panels/:id/categories': { status: 409 }, // registration is open
  'POST /admin/panels/:id/categories/copy': { status: 409 },
  'POST /admin/panels/:id/categories/:categoryId/delete': { status: 409 },
  'GET /admin/panels/:id/edit': { status: 200 },
  'POST /admin/panels/:id/edit': { status: 400 }, // an empty form: no title
  'POST /admin/panels/:id/delete': { status: 409, body: () => ({ confirm: 'yes' }) }, // registration is open: not a draft
  'GET /admin/panels/:id/quotas': { status: 200 },
  'POST /admin/panels/:id/quotas': { status: 400, body: () => ({ [`min_${f.valueId}`]: 'many' }) },
  'POST /admin/panels/:id/quotas/compute': { status: 400 },
  'POST /admin/panels/:id/quotas/two-way': { status: 400 }, // an empty form: no values chosen
  'POST /admin/panels/:id/quotas/two-way/:qid/remove': { status: 404 }, // no such two-way quota
  'POST /admin/panels/:id/quotas/import': { status: 400 }, // no file
  'GET /admin/panels/:id/response': { status: 200 },
  'POST /admin/panels/:id/response/:sessionId/:rec': { status: 404 }, // no such adopted recommendation
  'POST /admin/panels/:id/response/publish': { status: 400 }, // the box not ticked
  'POST /admin/panels/:id/response/:sessionId/:rec/milestones': { status: 409 }, // no published response to it
  'POST /admin/panels/:id/milestones/:milestoneId/updates': { status: 404 }, // no such milestone
  'POST /admin/panels/:id/quotas/crossings': { status: 400 }, // no file
  'POST /admin/panels/:id/quotas/crossings/remove': { status: 303 }, // none to remove: still none
  'GET /admin/panels/:id/quotas.csv': { status: 200 },
  'GET /admin/panels/:id/pool': { status: 200 },
  'POST /admin/panels/:id/pool/import': { status: 409 }, // the pool is fixed by the commitment
  'GET /admin/panels/:id/pool.csv': { status: 200 },
  'GET /admin/panels/:id/registrants/:rid/subject-access': { status: 200 },
  'GET /admin/panels/:id/registrants/:rid/subject-access.json': { status: 200 },
  'GET /admin/panels/:id/registrants/:rid/correct': { status: 200 },
  'POST /admin/panels/:id/registrants/:rid/correct': { status: 400 }, // an empty form: no name
  'GET /admin/panels/:id/registrants/:rid/erase': { status: 200 },
  'POST /admin/panels/:id/registrants/:rid/erase': { status: 303 }, // really erases the spare registrant
  'GET /admin/panels/:id/registrations/by-staff': { status: 200 },
  'POST /admin/panels/:id/registrations/by-staff': { status: 400 }, // an empty form
  'GET /admin/panels/:id/messages': { status: 200 },
  'GET /admin/panels/:id/messages/:mid': { status: 404 }, // no such message
  'POST /admin/panels/:id/messages/:mid/resend': { status: 404 },
  'GET /admin/panels/:id/translations': { status: 200 },
  'GET /admin/panels/:id/message-wording': { status: 200 },
  'GET /admin/panels/:id/message-wording/:kind/:lang': { status: 200 },
  'POST /admin/panels/:id/message-wording/:kind/:lang': { status: 400 }, // an empty form: nothing to do
  'POST /admin/panels/:id/selection/confirmed-only': { status: 400 }, // an empty form: no choice
  'POST /admin/panels/:id/selection/dropout': { status: 409 }, // the commitment has fixed it
  'POST /admin/panels/:id/selection/dropout/history': { status: 409 }, // the same
  'GET /admin/panels/:id/translations/:lang': { status: 200 },
  'POST /admin/panels/:id/translations/:lang': { status: 303 }, // an empty form: no translation, none removed
  'GET /admin/panels/:id/mailout': { status: 200 },
  'POST /admin/panels/:id/mailout/register': { status: 400 }, // no file
  'POST /admin/panels/:id/mailout/register/demo': { status: 400 }, // no size chosen
  'POST /admin/panels/:id/mailout/register/dismiss': { status: 303 }, // nothing to dismiss: changes nothing
  'POST /admin/panels/:id/mailout/plan': { status: 400 }, // an empty form
  'POST /admin/panels/:id/mailout/letter': { status: 400 }, // an empty form
  'POST /admin/panels/:id/mailout/waves': { status: 400 }, // no source of public numbers
  'POST /admin/panels/:id/mailout/waves/:n/draw': { status: 404 }, // no such wave
  'POST /admin/panels/:id/mailout/reminders': { status: 409 }, // no letters drawn
  'GET /admin/panels/:id/mailout/waves/:n/commitment.json': { status: 404 },
  'GET /admin/panels/:id/mailout/waves/:n/letters.pdf': { status: 404 },
  'GET /admin/panels/:id/mailout/waves/:n/letters.csv': { status: 404 },
  'GET /admin/panels/:id/mailout/responses': { status: 200 },
  'POST /admin/panels/:id/mailout/responses/flags/:rid/checked': { status: 404 }, // no flagged address
  'GET /admin/panels/:id/selection': { status: 200 },
  'POST /admin/panels/:id/draws': { status: 400 }, // no algorithm
  'GET /admin/panels/:id/draws/:drawId': { status: 200 },
  'GET /admin/panels/:id/draws/:drawId/chances.csv': { status: 200 },
  'GET /admin/panels/:id/draws/:drawId/events': { status: 200 },
  'POST /admin/panels/:id/commitment': { status: 409, body: () => ({ confirm: 'yes' }) }, // published already
  'POST /admin/panels/:id/commitment/numbers': { status: 409, body: () => ({ confirm: 'yes' }) }, // entered already
  'POST /admin/panels/:id/commitment/rerun': { status: 409 }, // the final draw did not fail
  'GET /admin/panels/:id/selection/dice': { status: 404 }, // no dice: its commitment picks by public numbers
  'POST /admin/panels/:id/invitations': { status: 409 }, // everyone has a link
  'POST /admin/panels/:id/invitations/remind': { status: 303 },
  'POST /admin/panels/:id/members/:memberId/invitation': { status: 409 }, // the member has withdrawn
  'GET /admin/panels/:id/letters': { status: 200 },
  'POST /admin/panels/:id/letters.pdf': { status: 400 }, // an empty form: no day to answer by
  'POST /admin/panels/:id/members/:memberId/withdraw': { status: 409, body: () => ({ confirm: 'yes' }) }, // withdrawn already
  'POST /admin/panels/:id/replacements': { status: 409 }, // no empty seat
  'POST /admin/panels/:id/alternates/seat': { status: 409 }, // the final draw ranked none
  'GET /admin/panels/:id/auditors/pool.csv': { status: 200 },
  'GET /admin/panels/:id/auditors/panels.txt': { status: 404 }, // no list: picked by public numbers
  'GET /admin/panels/:id/auditors/chances.csv': { status: 404 },
  'GET /admin/panels/:id/auditors/draws/:drawId/:file': { status: 200 },
  'POST /admin/panels/:id/auditors': { status: 400 }, // no name
  'POST /admin/panels/:id/auditors/:auditorId/statement': { status: 404 }, // nobody: no such auditor
};

function httpAs(role: HttpRole, method: string, target: string, body: Record<string, string> = {}) {
  const agent = request(made.server);
  if (method === 'GET') return agent.get(target).set('Cookie', cookiesOf(role)).redirects(0);
  return agent.post(target).set('Cookie', cookiesOf(role)).type('form').send({ _csrf: CSRF, ...body }).redirects(0);
}

// --- The room as each role ---

/** A client with these handshake credentials: its first snapshot, or the refusal's message. */
function join(auth: Record<string, string>, headers: Record<string, string> = {}): Promise<{ socket: Client; first: Snapshot } | { refused: string }> {
  const socket: Client = connect(url, { auth, extraHeaders: headers, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('room:state', (first) => resolve({ socket, first }));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve({ refused: err.message });
    });
  });
}

async function joined(auth: Record<string, string>, headers: Record<string, string> = {}): Promise<Client> {
  const result = await join(auth, headers);
  if ('refused' in result) throw new Error(`could not join: ${result.refused}`);
  return result.socket;
}

function send(socket: Client, event: string, payload: Payload): Promise<Reply<unknown>> {
  const emit = socket.emit as (e: string, p: unknown, ack: (r: Reply<unknown>) => void) => void;
  return new Promise((resolve) => emit.call(socket, event, { clientId: `permissions-${++clientIds}`, ...payload }, resolve));
}

async function ok(socket: Client, event: string, payload: Payload = {}): Promise<void> {
  const reply = await send(socket, event, payload);
  if (!reply.ok) throw new Error(`${event} was refused: ${reply.error}: ${reply.message}`);
}

/** How each role tries to open this session. A panellist of another session tries with their own invitation link. */
function roomCredentials(role: RoomRole): { auth: Record<string, string>; headers?: Record<string, string> } {
  const session = String(f.session);
  switch (role) {
    case 'public':
      return { auth: { session } };
    case 'registrant':
      return { auth: { session }, headers: { cookie: `cp_csrf=${CSRF}` } };
    case 'panellist':
      return { auth: { pass: f.passes.panellist } };
    case 'otherPanellist':
      return { auth: { invite: f.invitations.other, session } };
    case 'observer':
      return { auth: { pass: f.passes.observer } };
    case 'facilitator':
    case 'organiser':
    case 'otherFacilitator':
    case 'otherOrganiser':
    case 'admin':
      return { auth: { session }, headers: { cookie: `cp_session=${logInAs(db, clock, f.users[role])}` } };
  }
}

/** One client per role that can join, reused, and replaced well before the room's pace limit (a burst of 30 events). */
const live = new Map<RoomRole, { socket: Client; sent: number }>();
async function clientOf(role: RoomRole): Promise<Client> {
  const kept = live.get(role);
  if (kept && kept.sent < 25 && kept.socket.connected) {
    kept.sent++;
    return kept.socket;
  }
  kept?.socket.disconnect();
  const { auth, headers } = roomCredentials(role);
  const socket = await joined(auth, headers);
  live.set(role, { socket, sent: 1 });
  return socket;
}

const HANDSHAKE_REFUSALS: Partial<Record<RoomRole, RegExp>> = {
  public: /not logged in/,
  registrant: /not logged in/,
  otherPanellist: /not for this session/,
  otherFacilitator: /not on the team/,
  otherOrganiser: /not on the team/,
};

/** Room states the cells start from, each made by real commands in beforeAll, and put back before every cell. */
type Scene = 'tables' | 'my-turn' | 'their-turn';
/** A scene is the session's stored pieces (as JSON) and its version. */
const scenes = new Map<Scene, { state: string; version: number }>();
const sessionRow = () => ({
  state: JSON.stringify(db.prepare('SELECT piece, value FROM room_pieces WHERE session_id = ? ORDER BY piece').all(f.session)),
  version: db.prepare('SELECT version FROM room_sessions WHERE id = ?').pluck().get(f.session) as number,
});
const restore = (scene: Scene) => {
  const { state, version } = scenes.get(scene) ?? { state: '[]', version: -1 };
  db.transaction(() => {
    db.prepare('DELETE FROM room_pieces WHERE session_id = ?').run(f.session);
    for (const row of JSON.parse(state) as { piece: string; value: string }[]) db.prepare('INSERT INTO room_pieces (session_id, piece, value) VALUES (?, ?, ?)').run(f.session, row.piece, row.value);
    db.prepare('UPDATE room_sessions SET version = ? WHERE id = ?').run(version, f.session);
    // As a restore would: the record after the scene goes with it (each version is stored by one command only).
    db.prepare('DELETE FROM room_commands WHERE session_id = ? AND version > ?').run(f.session, version);
  })();
};
/** This session as stored: its state and its command record. */
const thisSession = () => ({ ...sessionRow(), commands: db.prepare('SELECT COUNT(*) FROM room_commands WHERE session_id = ?').pluck().get(f.session) });

/**
 * What each event sends, and from which scene. The payloads are valid, so the check that answers is the permission
 * check, not validation (which runs first). For `own` cells, `another` is the same thing done to what is not theirs.
 */
interface Attempt {
  scene?: Scene;
  payload: () => Payload;
}
const EVENTS: Record<RoomEvent, Attempt & { another?: Attempt }> = {
  'round:open': { payload: () => ({ round: VOTE_ROUND }) },
  'round:pause': { payload: () => ({}) },
  'round:resume': { payload: () => ({}) },
  'round:extend': { payload: () => ({ minutes: 5 }) },
  'round:close': { payload: () => ({}) },
  'floor:give': { payload: () => ({}) },
  'floor:take': { payload: () => ({}) },
  'queue:raise': { payload: () => ({}) },
  'queue:lower': { payload: () => ({}), another: { payload: () => ({ member: f.mate }) } },
  'idea:post': { payload: () => ({ text: 'A library card that works at every venue in the city' }) },
  'idea:support': { payload: () => ({ idea: 1 }) },
  'idea:theme': { payload: () => ({ idea: 1, theme: 'Getting there' }) },
  'idea:merge': { payload: () => ({ idea: 1, into: 2 }) },
  'idea:hide': { payload: () => ({ idea: 1, reason: 'breaks the ground rules' }) },
  'idea:pick': { payload: () => ({ idea: 1 }) },
  'turn:start': { payload: () => ({}) },
  'turn:add': { payload: () => ({ member: f.mate }) },
  'turn:next': { scene: 'my-turn', payload: () => ({}), another: { scene: 'their-turn', payload: () => ({}) } },
  'tables:propose': { payload: () => ({ size: 3 }) },
  'tables:move': { payload: () => ({ member: f.mate, table: f.t1 }) },
  'table:note-taker': { payload: () => ({ table: f.t1, member: f.me }), another: { payload: () => ({ table: f.t1, member: f.mate }) } },
  'table:next': { payload: () => ({ table: f.t1 }), another: { payload: () => ({ table: f.t2 }) } },
  'table:report': { payload: () => ({ table: f.t1, text: 'Our table wants culture on the bus routes.' }), another: { payload: () => ({ table: f.t2, text: 'Not my table.' }) } },
  'vote:open': { payload: () => ({ question: 'Should this go forward?', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' } } }) },
  'vote:cast': { payload: () => ({ vote: 1, ballot: { kind: 'threshold', choice: 'agree' } }) },
  'vote:paper': { payload: () => ({ vote: 1, members: [f.mate], ballots: [{ kind: 'threshold', choice: 'agree' }] }) },
  'vote:close': { payload: () => ({ vote: 1 }) },
  'rec:draft': { payload: () => ({ text: 'Open every library late one evening a week.' }) },
  'rec:amend': { payload: () => ({ rec: 1, text: 'Open every library and museum late one evening a week.' }) },
  'rec:withdraw': { payload: () => ({ rec: 1, amendment: 1 }), another: { payload: () => ({ rec: 1 }) } },
  'rec:minority': { payload: () => ({ rec: 1, text: 'We think evenings are the wrong time.' }) },
  'rec:support': { payload: () => ({ rec: 1, report: 1, support: true }) },
  'room:sync': { payload: () => ({}) },
  'summary:read': { payload: () => ({ revision: 1 }) },
  'vote:check': { payload: () => ({ vote: 1, receipt: '7K3M-Q9TX-2BHD' }) },
};

// --- The fixture: built from the real functions and through the real room, in well under a second ---

function addPeople(panelId: number, n: number, prefix: string): string[] {
  const categories = listCategories(db, panelId);
  return Array.from({ length: n }, (_, i) =>
    insertRegistrant(db, panelId, {
      name: `${prefix} Person ${i + 1}`,
      email: `${prefix.toLowerCase()}${i + 1}@example.org`,
      address: `${i + 1} Test Street`,
      postcode: 'CV1 5RR',
      valueIds: categories.map((c) => c.values[i % c.values.length].id),
      source: 'import',
      consentAt: clock.now(),
    }, clock.now()),
  );
}

/** Panel A after a public draw: a commitment, its numbers, a final draw, members invited; one withdrew and was replaced. */
async function drawnPanel(): Promise<void> {
  const { panelId, slug } = smallPanel(db, clock);
  f.panel = findPanel(db, panelId) as Panel;
  for (const user of [f.users.facilitator, f.users.organiser]) addToTeam(db, panelId, user, clock.now());
  f.draftPanel = insertPanel(db, { slug: 'draft-panel', title: 'Draft Panel', question: 'Later?', panelSize: 5, closesAt: clock.now() + 86400_000, quotaTolerance: 1 }, clock.now());
  for (const user of [f.users.facilitator, f.users.organiser]) addToTeam(db, f.draftPanel, user, clock.now());
  computeQuotas(ctx, f.panel, 1, null);
  const people = addPeople(panelId, 12, 'A');
  const categories = listCategories(db, panelId);
  f.categoryId = categories[0].id;
  f.valueId = categories[0].values[0].id;
  f.spareRegistrant = db.prepare('SELECT id FROM registrants WHERE public_id = ?').pluck().get(people[11]) as number;
  f.spareRegistrant2 = db.prepare('SELECT id FROM registrants WHERE public_id = ?').pluck().get(people[10]) as number;

  const input = await drawSnapshot(ctx, f.panel);
  const alternates = { count: 1, dropoutCsv: 'category,value,percent\nall,,10\n' };
  const fields = commitmentFields({ panel: slug, algorithm: 'leximin', engineVersion: ENGINE_VERSION, panelSize: 10, randomness: 'The National Lottery Lotto draw of Saturday 7 March', ...input, alternates });
  const hash = commitmentHash(fields);
  insertCommitment(db, { panelId, algorithm: 'leximin', engineVersion: ENGINE_VERSION, panelSize: 10, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, randomness: fields.randomness, hash, committedAt: clock.now(), alternates }, f.users.organiser);
  const numbers = '4 11 19 27 38 52';
  const seed = seedFrom(hash, numbers);
  f.drawId = insertDraw(db, { panelId, kind: 'final', algorithm: 'leximin', seed, panelSize: 10, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv }, f.users.organiser, clock.now());
  const { people: pool, quotas } = drawInput(input.poolCsv, input.quotasCsv);
  // Ten drawn, never the two spare registrants that the erase routes take away.
  const spares = [people[10], people[11]];
  const chosen = pool.filter((p) => !spares.includes(p.id)).slice(0, 10);
  const has = (list: typeof pool, q: (typeof quotas)[number]) => list.filter((p) => p.features[q.category] === q.value).length;
  finishDraw(db, f.drawId, clock.now(), {
    selected: chosen.map((p) => p.id),
    minProbability: 10 / 12,
    gini: 0,
    counts: quotas.map((q) => ({ ...q, selected: has(chosen, q), pool: has(pool, q) })),
    chances: pool.map(() => 10 / 12),
    poolSize: pool.length,
    types: 1,
    notes: [],
  }, null);
  recordNumbers(db, panelId, numbers, seed, f.drawId);
  addMembers(db, panelId, f.drawId, chosen.map((p) => p.id));

  // Everyone drawn has a link and has confirmed (only confirmed members are in a session); the last one drawn
  // withdrew before the day and was replaced, so no seat is empty.
  const members = listMembers(db, panelId);
  members.forEach((m, i) => {
    const token = newToken();
    setInvitation(db, m.id, sha256(token), clock.now());
    if (i === 0) f.invitations.panellist = token;
    if (i < members.length - 1) setStatus(db, m.id, 'confirmed', clock.now());
  });
  const withdrawn = members[members.length - 1];
  setStatus(db, withdrawn.id, 'withdrawn', clock.now());
  markReplaced(db, [withdrawn.id], f.drawId);
  f.withdrawnMember = withdrawn.id;
}

/** Panel B, with one member and a session of its own: the panellist of another session. */
function otherPanel(): void {
  const now = clock.now();
  const panelId = insertPanel(db, { slug: 'other-panel', title: 'Other Panel', question: 'What else?', panelSize: 2, closesAt: now + 30 * 86400_000, quotaTolerance: 1 }, now);
  insertCategory(db, panelId, { key: 'gender', label: 'Gender', question: 'Your gender?', values: [{ value: 'Woman', label: 'Woman', share: 50 }, { value: 'Man', label: 'Man', share: 50 }] });
  openPanel(db, panelId, now);
  // The other panel's own team: they may act on it, and on nothing of this one.
  for (const user of [f.users.otherFacilitator, f.users.otherOrganiser]) addToTeam(db, panelId, user, now);
  seatMembers(db, panelId, addPeople(panelId, 2, 'B'), now);
  const [member] = listMembers(db, panelId);
  f.invitations.other = newToken();
  setInvitation(db, member.id, sha256(f.invitations.other), now);
  const other = createSession(db, clock, made.room, findPanel(db, panelId) as Panel, { ...agenda, title: OTHER_TITLE }, f.users.facilitator);
  f.passes.other = other.panellists[0].token;
}

/** A session of panel A whose written summary the panel approved in the room and the organiser published. */
async function publishedSession(): Promise<void> {
  const session = createSession(db, clock, made.room, f.panel, agenda, f.users.facilitator);
  f.published = session.sessionId;
  made.summaries.save(session.sessionId, 'What the day did.', [], f.users.facilitator);
  const host = await joined({ pass: session.facilitator });
  const voter = await joined({ pass: session.panellists[0].token });
  await ok(host, 'round:open', { round: VOTE_ROUND });
  await ok(host, 'vote:open', { summary: 'latest', settings: { method: 'threshold', threshold: { rule: 'majority', base: 'decisive' }, quorum: 0 } });
  await ok(voter, 'vote:cast', { vote: 1, ballot: { kind: 'threshold', choice: 'agree' } });
  await ok(host, 'vote:close', { vote: 1 });
  made.summaries.publish(session.sessionId, '', f.users.organiser);
  host.disconnect();
  voter.disconnect();
}

/** This session, and its scenes: a round-robin on my turn and on someone else's; tables, with a draft and my amendment. */
async function thisSessionAndScenes(): Promise<void> {
  const session = createSession(db, clock, made.room, f.panel, agenda, f.users.facilitator);
  f.session = session.sessionId;
  f.passes.observer = session.observer;
  const members = made.room.state(f.session)?.members ?? [];
  [f.me, f.mate, f.leaver] = [members[0], members[1], members[members.length - 1]];
  const passOf = (member: string) => session.panellists.find((p) => p.member === member)?.token ?? '';
  f.passes.panellist = passOf(f.me);
  f.passes.leaver = passOf(f.leaver);
  const host = await joined({ pass: session.facilitator });
  const me = await joined({ pass: f.passes.panellist });
  // The next in turn is connected too: a round-robin skips members with no phone in the room.
  await joined({ pass: passOf(f.mate) });

  await ok(host, 'round:open', { round: ROUND_ROBIN });
  await ok(host, 'turn:start', {});
  scenes.set('my-turn', sessionRow());
  await ok(host, 'turn:next', {});
  scenes.set('their-turn', sessionRow());

  await ok(host, 'round:open', { round: TABLES });
  await ok(host, 'tables:propose', { size: 3 });
  const tables = made.room.state(f.session)?.tables ?? [];
  f.t1 = tables.findIndex((t) => t.members.includes(f.me)) + 1;
  f.t2 = f.t1 === 1 ? 2 : 1;
  await ok(host, 'table:note-taker', { table: f.t1, member: f.me });
  await ok(host, 'rec:draft', { text: 'Open every library late one evening a week.' });
  await ok(me, 'rec:amend', { rec: 1, text: 'Open every library late two evenings a week.' });
  scenes.set('tables', sessionRow());
  host.disconnect();
  me.disconnect();
}

beforeAll(async () => {
  f.users.facilitator = createUser(db, clock, { email: 'facilitator@example.org', name: 'F', role: 'facilitator', password: PASSWORD }).id;
  f.users.organiser = createUser(db, clock, { email: 'organiser@example.org', name: 'O', role: 'organiser', password: PASSWORD }).id;
  f.users.otherFacilitator = createUser(db, clock, { email: 'other-facilitator@example.org', name: 'OF', role: 'facilitator', password: PASSWORD }).id;
  f.users.otherOrganiser = createUser(db, clock, { email: 'other-organiser@example.org', name: 'OO', role: 'organiser', password: PASSWORD }).id;
  f.users.admin = createUser(db, clock, { email: 'admin@example.org', name: 'A', role: 'organiser', admin: true, password: PASSWORD }).id;
  await new Promise<void>((resolve) => made.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(made.server.address() as AddressInfo).port}`;
  await drawnPanel();
  otherPanel();
  await publishedSession();
  await thisSessionAndScenes();
  // The registrant: someone who filled in the public form. It gives them no login, no link and no cookie but the CSRF one.
  const registered = await httpAs('registrant', 'POST', `/register/${f.panel.slug}`, {
    name: 'Rita Registrant', email: 'rita@example.org', address: '5 Form Street', postcode: 'CV1 5RR', q_gender: 'Woman', q_age: '65+', consent: 'yes',
  });
  if (registered.status !== 303) throw new Error(`the registrant could not register: ${registered.status}`);
});

afterAll(async () => {
  for (const { socket } of live.values()) socket.disconnect();
  await made.io.close();
  closeDb(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

// --- The cells ---

const httpCases: [HttpAction, HttpRole, HttpVerdict][] = HTTP_TABLE.flatMap((row) => HTTP_ROLES.map((role): [HttpAction, HttpRole, HttpVerdict] => [row.action, role, row.cells[role]]));

describe('the web site: every route, as every role', () => {
  test.each(httpCases)('%s, as %s: %s', async (action, role, verdict) => {
    const row = HTTP_TABLE.find((r) => r.action === action);
    if (!row) throw new Error(action);
    // A probe's own path is for those let in; anyone else is refused at the real one, before anything happens.
    const target = (verdict === 'allowed' && PROBES[action].path) || fill(row.path, role);
    const changing = verdict !== 'allowed' && row.method !== 'GET';
    const before = changing ? snapshot(db) : undefined;
    const res = await httpAs(role, row.method, target, PROBES[action].body?.());
    if (verdict === 'allowed') {
      // The status the handler gives this probe; on a mismatch, the start of the page says why.
      const expected = PROBES[action].status;
      expect([res.status, res.status === expected ? '' : res.text.slice(0, 400)]).toEqual([expected, '']);
      return;
    }
    if (verdict === 'login') {
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(target)}`);
    } else {
      expect(res.status).toBe({ unauthorised: 401, forbidden: 403, 'no-link': 404 }[verdict]);
    }
    if (changing) expect(snapshot(db)).toEqual(before);
  });
});

type RoomCase = [RoomEvent, RoomRole, '' | ' (their own)' | ' (not theirs)', Exclude<RoomVerdict, 'own'>];
const roomCases: RoomCase[] = ROOM_TABLE.flatMap((row) =>
  ROOM_ROLES.flatMap((role): RoomCase[] =>
    row.cells[role] === 'own'
      ? [[row.event, role, ' (their own)', 'allowed'], [row.event, role, ' (not theirs)', 'forbidden']]
      : [[row.event, role, '', row.cells[role] as Exclude<RoomVerdict, 'own'>]],
  ),
);

describe('the live room: every event, as every role', () => {
  test.each(roomCases)('%s, as %s%s: %s', async (event, role, variant, verdict) => {
    const spec = EVENTS[event];
    const attempt = variant === ' (not theirs)' && spec.another ? spec.another : spec;
    restore(attempt.scene ?? 'tables');
    const { auth, headers } = roomCredentials(role);

    if (verdict === 'handshake') {
      const before = snapshot(db);
      const result = await join(auth, headers);
      if ('socket' in result) result.socket.disconnect();
      expect(result).toEqual({ refused: expect.stringMatching(HANDSHAKE_REFUSALS[role] ?? /./) });
      expect(snapshot(db)).toEqual(before);
      if (role === 'otherPanellist') {
        // Their join link names their own session, whatever session the client asks for: this one stays untouched.
        const stored = thisSession();
        const theirs = await join({ pass: f.passes.other, session: String(f.session) });
        if ('refused' in theirs) throw new Error(theirs.refused);
        expect(theirs.first.state.title).toBe(OTHER_TITLE);
        await send(theirs.socket, event, attempt.payload());
        theirs.socket.disconnect();
        expect(thisSession()).toEqual(stored);
      }
      return;
    }

    const socket = await clientOf(role);
    const before = snapshot(db);
    const reply = await send(socket, event, attempt.payload());
    if (verdict === 'forbidden') {
      expect(reply).toMatchObject({ ok: false, error: 'forbidden' });
      expect(reply.ok || reply.message).not.toMatch(/access to this room has ended/);
      expect(snapshot(db)).toEqual(before);
    } else {
      // Applied, or refused for the state of the room (no such idea, no round open): never for who is asking.
      expect(reply.ok ? 'ok' : `${reply.error}: ${reply.message}`).toMatch(/^(ok|conflict: |not_found: )/);
    }
  });
});

test('a panellist’s invitation link opens this session as the same panellist as their join link', async () => {
  const byLink = await join({ pass: f.passes.panellist });
  const byInvitation = await join({ invite: f.invitations.panellist, session: String(f.session) });
  for (const j of [byLink, byInvitation]) if ('socket' in j) j.socket.disconnect();
  // The same handle (the room never shows a panellist their pseudonym, nor anyone else's).
  const me = { role: 'panellist', member: handleOf(made.room.state(f.session) ?? { members: [] }, f.me) };
  expect('first' in byInvitation && byInvitation.first.you).toEqual(me);
  expect('first' in byLink && byLink.first.you).toEqual(me);
});

// --- The table is complete, and the document is the table ---

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}
function mounted(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const route = layer.route;
      return Object.keys(route.methods).filter((m) => route.methods[m]).map((m) => `${m.toUpperCase()} ${route.path}`);
    }
    return layer.handle?.stack ? mounted(layer.handle.stack) : [];
  });
}

describe('nothing is left out', () => {
  test('every route the app mounts is in the table, and the table has no route the app lacks', () => {
    const routes = mounted((made.app.router as unknown as { stack: Layer[] }).stack);
    expect(routes.length).toBeGreaterThan(50);
    expect([...routes].sort()).toEqual(HTTP_TABLE.map((r) => r.action).sort());
  });

  test('every event the room listens to is in the table, and the table has no event the room lacks', async () => {
    const { auth, headers } = roomCredentials('facilitator');
    const socket = await joined(auth, headers);
    const server = made.io.of('/').sockets.get(socket.id ?? '');
    const reserved = new Set(['disconnect', 'disconnecting', 'error']);
    const listened = (server?.eventNames() ?? []).map(String).filter((e) => !reserved.has(e));
    socket.disconnect();
    const table = ROOM_TABLE.map((r) => r.event).sort();
    expect([...listened].sort()).toEqual(table);
    expect([...COMMAND_TYPES, 'room:sync', 'vote:check', 'summary:read'].sort()).toEqual(table);
  });

  test('docs/permissions.md shows exactly these tables', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const expected = `\n\n${renderTables()}\n`;
    // To bring the document up to date after changing the table: WRITE_PERMISSIONS_DOC=1 npx jest test/security/permissions.test.ts
    if (process.env.WRITE_PERMISSIONS_DOC === '1') fs.writeFileSync(DOC, doc.slice(0, start + BEGIN.length) + expected + doc.slice(end));
    else expect(doc.slice(start + BEGIN.length, end)).toBe(expected);
  });
});

// --- Found while writing the table ---

describe('a member who leaves the panel', () => {
  test('has their room socket closed at once when the organiser records their withdrawal', async () => {
    const before = await join({ pass: f.passes.leaver });
    if ('refused' in before) throw new Error(before.refused);
    const closed = new Promise<string>((resolve) => before.socket.once('disconnect', resolve));
    const member = listMembers(db, f.panel.id).find((m) => m.publicId === f.leaver);
    const res = await httpAs('organiser', 'POST', `/admin/panels/${f.panel.id}/members/${member?.id}/withdraw`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await closed).toBe('io server disconnect');
  });

  // A join link holds only while its member is on the panel (RoomRepo.findPass), like the invitation link.
  test('cannot open the room again with their join link', async () => {
    const after = await join({ pass: f.passes.leaver });
    if ('socket' in after) after.socket.disconnect();
    expect(after).toEqual({ refused: expect.stringMatching(/./) });
  });
});
