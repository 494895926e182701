import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createUser } from '../../src/auth/users';
import { ManualClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { CSV_TABLES } from '../../src/outcomes/exports';
import { computeQuotas } from '../../src/panels/quotas';
import { findPanel, insertCategory, insertPanel, listCategories, type Panel, updatePanel } from '../../src/panels/repo';
import { insertRegistrant } from '../../src/registration/repo';
import { registerProgress } from '../../src/mailout/register-job';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { finishDraw, insertCommitment, insertDraw, listDraws, recordNumbers } from '../../src/selection/repo';
import { addMembers, listMembers, setInvitation, setStatus } from '../../src/membership/members';
import { snapshot as drawInput } from '../../src/selection/snapshot';
import { sha256 } from '../../src/tokens';
import { stopToken } from '../../src/messages/stop';
import { type Agent, csrfToken, logIn, smallPanel, snapshot } from '../helpers';

/**
 * Issue 8, "Bad input", over HTTP: every mounted route gets generated malformed requests (wrong types, huge
 * strings, deep nesting, unknown fields, prototype-pollution keys, invalid UTF-8, weird path parameters,
 * broken percent-encoding, wrong content types, multipart where no upload is taken). Each must get a 4xx
 * (or a 2xx/3xx) with a message a person can read, never a 5xx or a stack trace, and a refused request must
 * change nothing in the database.
 *
 * Reproduce a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx jest test/security/fuzz-http.
 * FUZZ_RUNS=<n> multiplies the number of runs per route (default 1).
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);

type Who = 'organiser' | 'facilitator' | 'anonymous';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

interface RouteSpec {
  /** Who the route is for; others get a few tries too (and must be refused cleanly). */
  who: Who | 'staff';
  /** The form fields the route reads, so generated bodies hit its validation and not only unknown keys. */
  fields?: string[];
  /** Query parameters the route reads. */
  query?: string[];
  /** Valid values for path parameters, when the default (by name) would not do. */
  params?: Record<string, () => string>;
  /** A multipart upload route (web/upload.ts). */
  upload?: boolean;
  runs?: number;
  /** Puts the world back after a request that got through, so later runs reach the same code. */
  restore?: () => void | Promise<void>;
  /** Seconds the route's runs may take together: more for one whose runs that get through start a real draw. */
  seconds?: number;
}

const PANEL_FIELDS = ['title', 'question', 'panelSize', 'closesAt', 'quotaTolerance', 'slug'];
const DETAIL_FIELDS = ['dates', 'venue', 'expenses', 'access', 'contactName', 'contactEmail', 'contactPhone'];
const PERSON_FIELDS = ['name', 'email', 'phone', 'address', 'postcode', 'q_gender', 'q_age', 'consent', 'code'];

/**
 * Every route the app mounts, with what it reads. The first test fails when a route is mounted that is not
 * listed here (or one listed here is no longer mounted), so a new route cannot go unfuzzed.
 */
const ROUTES: Record<string, RouteSpec> = {
  'GET /': { who: 'anonymous' },
  'GET /healthz': { who: 'anonymous' },
  'GET /readyz': { who: 'anonymous' },
  'GET /metrics': { who: 'anonymous' },
  'GET /login': { who: 'anonymous', query: ['next', 'password'] },
  'POST /login': { who: 'anonymous', fields: ['email', 'password', 'next'], runs: 70 },
  'POST /logout': { who: 'anonymous' },
  'GET /privacy': { who: 'anonymous' },
  // A real stop link (the first registrant's), so the fuzz reaches past the link's check.
  'GET /messages/stop/:token': { who: 'anonymous', params: { token: () => stopToken({ db: world.db, config: world.config }, world.registrants[0]) } },
  'POST /messages/stop/:token': { who: 'anonymous', fields: ['List-Unsubscribe'], params: { token: () => stopToken({ db: world.db, config: world.config }, world.registrants[0]) } },
  'GET /confirm/:token': { who: 'anonymous' },
  'POST /confirm/:token': { who: 'anonymous' },
  'GET /register/:slug': { who: 'anonymous' },
  'POST /register/:slug': { who: 'anonymous', fields: PERSON_FIELDS, runs: 80 },
  'GET /register/:slug/thanks': { who: 'anonymous' },
  'GET /admin': { who: 'staff' },
  'GET /admin/panels/new': { who: 'organiser' },
  'POST /admin/panels': { who: 'organiser', fields: PANEL_FIELDS, runs: 80 },
  'GET /admin/people': { who: 'organiser' },
  'GET /admin/audit': { who: 'organiser', query: ['action', 'actor', 'panel', 'from', 'to', 'page'] },
  'GET /admin/audit.csv': { who: 'organiser', query: ['action', 'actor', 'panel', 'from', 'to'] },
  'GET /account': { who: 'staff' },
  'POST /account/sessions/others/end': { who: 'staff' },
  'POST /account/password': { who: 'staff', fields: ['current', 'password', 'confirm'], runs: 40 },
  'GET /login/code': { who: 'anonymous' },
  'POST /login/code': { who: 'anonymous', fields: ['code'], runs: 40 },
  'GET /password/forgot': { who: 'anonymous' },
  'POST /password/forgot': { who: 'anonymous', fields: ['email'], runs: 40 },
  // A spare account's live links, so the form is read to the end; a password chosen with one is undone.
  'GET /password/reset/:token': { who: 'anonymous', params: { token: () => LINKS.reset } },
  'POST /password/reset/:token': { who: 'anonymous', fields: ['password', 'confirm'], params: { token: () => LINKS.reset }, runs: 40, restore: () => restoreLinks() },
  'GET /account/setup/:token': { who: 'anonymous', params: { token: () => LINKS.setup } },
  'POST /account/setup/:token': { who: 'anonymous', fields: ['password', 'confirm'], params: { token: () => LINKS.setup }, runs: 40, restore: () => restoreLinks() },
  'GET /account/two-factor': { who: 'staff', query: ['recovered'] },
  'POST /account/two-factor': { who: 'staff', fields: ['code'], runs: 40 },
  'POST /account/two-factor/recovery': { who: 'staff', fields: ['password'] },
  'POST /account/two-factor/off': { who: 'staff', fields: ['password', 'code'] },
  'POST /admin/people/:id/two-factor/reset': { who: 'organiser', params: { id: () => '999999' } },
  'POST /account/sessions/:id/end': { who: 'staff', params: { id: () => '999999' } },
  'POST /admin/people/:id/reset': { who: 'organiser', params: { id: () => '999999' } },
  'POST /admin/people': { who: 'organiser', fields: ['email', 'name', 'role', 'admin'], runs: 60 },
  'GET /admin/panels/:id/team': { who: 'staff' },
  'POST /admin/panels/:id/team': { who: 'organiser', fields: ['email'], runs: 40 },
  'POST /admin/panels/:id/team/:user/remove': { who: 'organiser', params: { user: () => '999999' } },
  'GET /admin/panels/:id': { who: 'organiser', query: ['opened'] },
  'GET /admin/panels/:id/audit': { who: 'organiser', query: ['action', 'actor', 'from', 'to', 'page'] },
  'GET /admin/panels/:id/audit.csv': { who: 'organiser', query: ['action', 'actor', 'from', 'to'] },
  // Panel A is open already, so a request that gets through changes nothing: the refusal is what is fuzzed.
  'POST /admin/panels/:id/open': { who: 'organiser' },
  'POST /admin/panels/:id/registration/close': { who: 'organiser', params: { id: () => String(world.draftPanel) } },
  'POST /admin/panels/:id/categories': { who: 'organiser', fields: ['key', 'label', 'question', 'values'], params: { id: () => String(world.draftPanel) }, runs: 70 },
  'POST /admin/panels/:id/categories/copy': { who: 'organiser', fields: ['from'], params: { id: () => String(world.draftPanel) }, runs: 40 },
  'POST /admin/panels/:id/categories/:categoryId/delete': { who: 'organiser' },
  'GET /admin/panels/:id/edit': { who: 'organiser' },
  // The draft panel, so every field is read (panel A's size and date are fixed by its commitment); an edit that got through is undone.
  'POST /admin/panels/:id/edit': { who: 'organiser', fields: [...PANEL_FIELDS.filter((f) => f !== 'slug'), ...DETAIL_FIELDS], params: { id: () => String(world.draftPanel) }, runs: 70, restore: () => restoreDraftPanel() },
  // Panel A is open, so it cannot be deleted: the refusal is what is fuzzed (a tick on the draft would delete it for the rest).
  'POST /admin/panels/:id/delete': { who: 'organiser', fields: ['confirm'] },
  'GET /admin/panels/:id/quotas': { who: 'organiser', query: ['saved'] },
  'POST /admin/panels/:id/quotas': { who: 'organiser', fields: [], runs: 70 },
  'POST /admin/panels/:id/quotas/compute': { who: 'organiser', fields: ['tolerance'] },
  'POST /admin/panels/:id/quotas/two-way': { who: 'organiser', fields: ['a', 'b', 'min', 'max'], runs: 60 },
  'POST /admin/panels/:id/quotas/two-way/:qid/remove': { who: 'organiser' },
  'POST /admin/panels/:id/quotas/import': { who: 'organiser', upload: true, runs: 60 },
  'GET /admin/panels/:id/response': { who: 'organiser', query: ['saved'] },
  'POST /admin/panels/:id/response/:sessionId/:rec': { who: 'organiser', fields: ['status', 'reasons', 'responsible', 'due'] },
  'POST /admin/panels/:id/response/publish': { who: 'organiser', fields: ['note', 'confirm'] },
  'POST /admin/panels/:id/response/:sessionId/:rec/milestones': { who: 'organiser', fields: ['title', 'due'] },
  'POST /admin/panels/:id/milestones/:milestoneId/updates': { who: 'organiser', fields: ['status', 'progress', 'text'] },
  'POST /admin/panels/:id/quotas/crossings': { who: 'organiser', upload: true, runs: 60 },
  'POST /admin/panels/:id/quotas/crossings/remove': { who: 'organiser' },
  'GET /admin/panels/:id/quotas.csv': { who: 'organiser' },
  'GET /admin/panels/:id/pool': { who: 'organiser', query: ['page', 'imported', 'erased', 'ignored', 'q'] },
  'POST /admin/panels/:id/pool/import': { who: 'organiser', upload: true, fields: ['consentConfirmed'], runs: 60 },
  'GET /admin/panels/:id/pool.csv': { who: 'organiser' },
  'GET /admin/panels/:id/registrants/:rid/subject-access': { who: 'organiser' },
  'GET /admin/panels/:id/registrants/:rid/subject-access.json': { who: 'organiser' },
  'GET /admin/panels/:id/registrants/:rid/correct': { who: 'organiser', query: ['corrected'] },
  // The fields of the registration form; a correction that got through changes one registrant's details, nothing else.
  'POST /admin/panels/:id/registrants/:rid/correct': { who: 'organiser', fields: PERSON_FIELDS.filter((f) => f !== 'consent' && f !== 'code'), runs: 60 },
  'GET /admin/panels/:id/registrants/:rid/erase': { who: 'organiser' },
  // Mostly an unknown registrant: one erased by a run that got through is gone for the rest.
  'POST /admin/panels/:id/registrants/:rid/erase': { who: 'organiser', params: { rid: () => String(world.registrants[world.registrants.length - 1]) } },
  'GET /admin/panels/:id/selection': { who: 'organiser', query: ['reminded', 'byHand'] },
  // The draft panel has no commitment yet, so the form is read; a valid one could not be drawn (no pool).
  'POST /admin/panels/:id/commitment': { who: 'organiser', fields: ['algorithm', 'randomness', 'finalPick', 'listSize', 'confirm'], params: { id: () => String(world.draftPanel) }, runs: 60 },
  'POST /admin/panels/:id/commitment/numbers': { who: 'organiser', fields: ['numbers', 'confirm'] },
  'POST /admin/panels/:id/commitment/rerun': { who: 'organiser' },
  'GET /admin/panels/:id/selection/dice': { who: 'organiser' },
  'GET /admin/panels/:id/auditors/pool.csv': { who: 'organiser' },
  'GET /admin/panels/:id/auditors/panels.txt': { who: 'organiser' },
  'GET /admin/panels/:id/auditors/chances.csv': { who: 'organiser' },
  'GET /admin/panels/:id/auditors/draws/:drawId/:file': { who: 'organiser' },
  'POST /admin/panels/:id/auditors': { who: 'organiser', fields: ['name', 'organisation'], runs: 40 },
  'POST /admin/panels/:id/auditors/:auditorId/statement': { who: 'organiser', fields: ['statement'], params: { auditorId: () => '999999' } },
  // A draw that got through runs in a worker and writes its end to the audit trail: wait for it before going on.
  'POST /admin/panels/:id/draws': { who: 'organiser', fields: ['algorithm', 'seed'], runs: 60, restore: () => drawsSettled(), seconds: 90 },
  'GET /admin/panels/:id/draws/:drawId': { who: 'organiser' },
  'GET /admin/panels/:id/draws/:drawId/chances.csv': { who: 'organiser' },
  'GET /admin/panels/:id/draws/:drawId/events': { who: 'organiser' },
  'POST /admin/panels/:id/invitations': { who: 'organiser' },
  'POST /admin/panels/:id/invitations/remind': { who: 'organiser' },
  // Not member 1, whose link the /invite routes use (a generated id may still hit it: restoreMembers).
  'POST /admin/panels/:id/members/:memberId/invitation': { who: 'organiser', params: { memberId: () => String(world.members[2]) }, restore: () => restoreMembers() },
  'GET /admin/panels/:id/letters': { who: 'organiser' },
  // Everyone drawn here has an email address, so a request that gets through is refused (409) and makes no link.
  'POST /admin/panels/:id/letters.pdf': { who: 'organiser', fields: ['replyBy'], query: ['member'], restore: () => restoreMembers() },
  // A withdrawal that got through is undone at once: an empty seat would let /replacements start a real draw.
  'POST /admin/panels/:id/members/:memberId/withdraw': { who: 'organiser', fields: ['confirm'], params: { memberId: () => String(world.members[3]) }, restore: () => restoreMembers() },
  'POST /admin/panels/:id/replacements': { who: 'organiser', restore: () => drawsSettled(), seconds: 90 },
  'POST /admin/panels/:id/alternates/seat': { who: 'organiser' },
  'GET /admin/panels/:id/registrations/by-staff': { who: 'organiser' },
  'POST /admin/panels/:id/registrations/by-staff': { who: 'organiser', fields: [...PERSON_FIELDS, 'channel'], runs: 60 },
  // Letters to households (issue 21). An import that got through runs in the background: wait for it to settle.
  'GET /admin/panels/:id/mailout': { who: 'organiser' },
  'POST /admin/panels/:id/mailout/register': { who: 'organiser', upload: true, params: { id: () => String(world.draftPanel) }, runs: 40, restore: () => importsSettled() },
  'GET /admin/panels/:id/messages': { who: 'organiser', query: ['state', 'resent'] },
  'GET /admin/panels/:id/messages/:mid': { who: 'organiser' },
  'POST /admin/panels/:id/messages/:mid/resend': { who: 'organiser' },
  'GET /admin/panels/:id/translations': { who: 'organiser' },
  'GET /admin/panels/:id/message-wording': { who: 'organiser' },
  'GET /admin/panels/:id/message-wording/:kind/:lang': { who: 'organiser', query: ['saved', 'tested', 'standard'] },
  'POST /admin/panels/:id/message-wording/:kind/:lang': { who: 'organiser', fields: ['action', 'source'], runs: 60 },
  // The fuzz world's panel has its commitment: every choice that gets through the form is refused (409).
  'POST /admin/panels/:id/selection/confirmed-only': { who: 'organiser', fields: ['confirmedOnly'] },
  'POST /admin/panels/:id/selection/dropout': { who: 'organiser', fields: ['dropout'] },
  'POST /admin/panels/:id/selection/dropout/history': { who: 'organiser' },
  'GET /admin/panels/:id/translations/:lang': { who: 'organiser', query: ['saved'] },
  'POST /admin/panels/:id/translations/:lang': { who: 'organiser', fields: ['text_0', 'text_1', 'reviewed_0', 'text_9'] },
  'POST /admin/panels/:id/mailout/register/demo': { who: 'organiser', fields: ['households'], params: { id: () => String(world.draftPanel) }, restore: () => importsSettled() },
  'POST /admin/panels/:id/mailout/register/dismiss': { who: 'organiser' },
  'POST /admin/panels/:id/mailout/plan': { who: 'organiser', fields: ['letters', 'factor', 'deprived', 'rate_1', 'rate_5', 'rate_none'], runs: 60 },
  'POST /admin/panels/:id/mailout/letter': { who: 'organiser', fields: ['sender', 'help', 'householdLimit', 'openRegistration'], runs: 60 },
  'POST /admin/panels/:id/mailout/waves': { who: 'organiser', fields: ['randomness', 'confirm'] },
  'POST /admin/panels/:id/mailout/waves/:n/draw': { who: 'organiser', fields: ['numbers', 'confirm'] },
  'POST /admin/panels/:id/mailout/reminders': { who: 'organiser' },
  'GET /admin/panels/:id/mailout/waves/:n/commitment.json': { who: 'organiser' },
  'GET /admin/panels/:id/mailout/waves/:n/letters.pdf': { who: 'organiser', query: ['large', 'uprn'] },
  'GET /admin/panels/:id/mailout/waves/:n/letters.csv': { who: 'organiser' },
  'GET /admin/panels/:id/mailout/responses': { who: 'organiser', query: ['checked'] },
  'POST /admin/panels/:id/mailout/responses/flags/:rid/checked': { who: 'organiser' },
  'GET /panels/:slug/selection': { who: 'anonymous' },
  'GET /panels/:slug/selection/quotas.csv': { who: 'anonymous' },
  'GET /panels/:slug/selection/dropout.csv': { who: 'anonymous' },
  'GET /panels/:slug/selection/panels.sha256.txt': { who: 'anonymous' },
  'GET /invite/:token': { who: 'anonymous' },
  'POST /invite/:token': { who: 'anonymous', fields: ['answer', 'roomName'], runs: 60 },
  'POST /invite/:token/name': { who: 'anonymous', fields: ['roomName'], runs: 40 },
  'GET /room/:sessionId': { who: 'anonymous' },
  'GET /admin/sessions': { who: 'staff' },
  // The agenda builder: its buttons, the agenda's title and a round's boxes (agenda-form.ts), and the JSON import box.
  'POST /admin/sessions': { who: 'staff', fields: ['panelId', 'agenda', 'action', 'title', 'rounds.0.type', 'rounds.0.title', 'rounds.0.minutes', 'rounds.0.speakerSeconds', 'rounds.0.vote.options', 'rounds.0.vote.quorum', 'rounds.1.title'], runs: 80 },
  'POST /admin/sessions/:id/links': { who: 'staff' },
  'GET /admin/sessions/:id/day': { who: 'staff', query: ['told'] },
  'POST /admin/sessions/:id/day': { who: 'staff', fields: ['date', 'time', 'place', 'bring'] },
  'GET /admin/sessions/:id/summary': { who: 'staff' },
  'GET /admin/sessions/:id/summary/preview': { who: 'staff' },
  'POST /admin/sessions/:id/summary': { who: 'staff', fields: ['narrative', 'corrections'], runs: 70 },
  'POST /admin/sessions/:id/summary/publish': { who: 'organiser', fields: ['note', 'confirm'], runs: 60 },
  'GET /outcomes': { who: 'anonymous' },
  'GET /outcomes/:slug': { who: 'anonymous' },
  'GET /outcomes/:slug/feed.atom': { who: 'anonymous' },
  'GET /outcomes/:slug/progress.json': { who: 'anonymous' },
  'GET /outcomes/:slug/progress.csv': { who: 'anonymous' },
  'GET /outcomes/:slug/sessions/:id': { who: 'anonymous' },
  'GET /outcomes/:slug/sessions/:id/v/:version': { who: 'anonymous' },
  'GET /outcomes/:slug/sessions/:id/v/:version/summary.json': { who: 'anonymous' },
  'GET /outcomes/:slug/sessions/:id/v/:version/:table.csv': { who: 'anonymous' },
};

// ---------------------------------------------------------------------------------------------------------
// The world: a real app on a SQLite file, with something behind every route for the fuzz to reach.

interface World {
  dir: string;
  base: string;
  app: ReturnType<typeof createApp>;
  db: ReturnType<typeof openDb>;
  clock: ManualClock;
  config: ReturnType<typeof testConfig>;
  logged: string[];
  panel: number;
  draftPanel: number;
  category: number;
  registrants: number[];
  draw: number;
  members: number[];
  invitation: string;
  session: number;
  agents: Record<Who, Agent>;
  tokens: Record<Who, string>;
}

let world: World;
const CONFIRMED_INVITATION = 'fuzz-invitation-token-0002';
/** A spare account's set-up and reset links (not the fuzzing agents': choosing a password ends its sessions). */
const LINKS = { setup: 'fuzz-setup-link-0001', reset: 'fuzz-reset-link-0001' };

async function buildWorld(): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-fuzz-http-'));
  const db = openDb(path.join(dir, 'fuzz.db'));
  const clock = new ManualClock();
  const logged: string[] = [];
  const ctx = { db, clock, config: testConfig() };
  const app = createApp({ ...ctx, log: (line) => logged.push(line) });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // Logins first: the login form's rate limit must not lock them out once the fuzz has hammered it.
  const agents = { organiser: request.agent(base), facilitator: request.agent(base), anonymous: request.agent(base) };
  await logIn(db, clock, agents.organiser, 'organiser');
  await logIn(db, clock, agents.facilitator, 'facilitator');
  const tokens = {
    organiser: await csrfToken(agents.organiser, '/login'),
    facilitator: await csrfToken(agents.facilitator, '/login'),
    anonymous: await csrfToken(agents.anonymous, '/login'),
  };
  const organiserId = (db.prepare("SELECT id FROM users WHERE role = 'organiser'").pluck().get() as number);

  // Panel A: open, with quotas, a pool, a finished final draw, members, a published commitment, a session
  // and a published summary.
  const { panelId } = smallPanel(db, clock);
  const panel = findPanel(db, panelId);
  if (!panel) throw new Error('no panel');
  computeQuotas(ctx, panel, 1, null);
  const categories = listCategories(db, panelId);
  const now = clock.now();
  const publicIds = Array.from({ length: 8 }, (_, i) =>
    insertRegistrant(db, panelId, {
      name: `Fuzz Person ${i}`, email: `fuzz${i}@example.org`, address: `${i} Fuzz Street`, postcode: 'CV1 5RR',
      valueIds: categories.map((c) => c.values[i % c.values.length].id), source: 'form', consentAt: now,
    }, now),
  );
  const registrants = (db.prepare('SELECT id FROM registrants WHERE panel_id = ? ORDER BY id').pluck().all(panelId) as number[]);
  const input = await drawInput(ctx, panel);
  const draw = insertDraw(db, { panelId, kind: 'final', algorithm: 'leximin', seed: 'fuzz', panelSize: 4, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv }, organiserId, now);
  const selected = publicIds.slice(0, 4);
  finishDraw(db, draw, now, { selected, minProbability: 0.5, gini: 0, counts: [], chances: publicIds.map(() => 0.5), poolSize: 8, types: 6, notes: [] }, null);
  addMembers(db, panelId, draw, selected);
  insertCommitment(db, { panelId, algorithm: 'leximin', engineVersion: 'fuzz', panelSize: 4, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, randomness: 'The fuzz lottery, drawn on a Saturday', hash: 'f'.repeat(64), committedAt: now }, organiserId);
  recordNumbers(db, panelId, '1 2 3 4 5 6', 'fuzz-seed', draw);
  const members = listMembers(db, panelId).map((m) => m.id);
  // Member 1 has a link and has not answered; member 2 has confirmed; the rest are still only selected.
  const invitation = 'fuzz-invitation-token-0001';
  setInvitation(db, members[0], sha256(invitation), now);
  setInvitation(db, members[1], sha256(CONFIRMED_INVITATION), now);
  setStatus(db, members[1], 'confirmed', now);

  const session = createSession(db, clock, app.room, panel, exampleAgenda(), organiserId).sessionId;
  const draft = app.summaries.save(session, 'The panel met and **talked**.', [{ about: 'Vote 1', text: 'a correction' }], organiserId);
  db.prepare('INSERT INTO summary_versions (session_id, version, revision, content, approval, changes, published_by, published_at) VALUES (?, 1, ?, ?, NULL, NULL, ?, ?)').run(
    session, draft.revision, JSON.stringify({ record: draft.record, narrative: draft.narrative, corrections: draft.corrections }), organiserId, now,
  );

  // Panel B: a draft with one category, so the category and commitment forms are read to the end.
  const draftPanel = insertPanel(db, { slug: 'draft-panel', title: 'Draft', question: 'Q?', panelSize: 10, closesAt: now + 30 * 86400_000, quotaTolerance: 1 }, now);
  const category = insertCategory(db, draftPanel, { key: 'tenure', label: 'Tenure', question: 'Do you rent?', values: [{ value: 'Rent', label: 'Rent', share: 40 }, { value: 'Own', label: 'Own', share: 60 }] });

  createUser(db, clock, { email: 'spare@example.org', name: 'Spare', role: 'facilitator', password: 'a spare account password' });

  return { dir, base, app, db, clock, config: ctx.config, logged, panel: panelId, draftPanel, category, registrants, draw, members, invitation, session, agents, tokens };
}

/**
 * Puts the members back as buildWorld left them: member 1 invited with the fuzz's link, member 2 confirmed, the
 * rest selected. A withdrawal or a new link that got through (the fuzz's weird ids include small numbers, which
 * are real member ids) would otherwise leave an empty seat for /replacements to start a real draw on, or make
 * the /invite routes answer 404 to everything.
 */
function restoreMembers(): void {
  const { db, clock, members } = world;
  const now = clock.now();
  members.forEach((id, i) => setStatus(db, id, i === 0 ? 'invited' : i === 1 ? 'confirmed' : 'selected', now));
  setInvitation(db, members[0], sha256(world.invitation), now);
  setInvitation(db, members[1], sha256(CONFIRMED_INVITATION), now);
}

/** Puts the spare account's links back, unused and good for a year (the fuzz moves the clock on). */
function restoreLinks(): void {
  const { db, clock } = world;
  const spare = db.prepare("SELECT id FROM users WHERE email = 'spare@example.org'").pluck().get() as number;
  db.prepare('DELETE FROM password_links WHERE user_id = ?').run(spare);
  const insert = db.prepare('INSERT INTO password_links (user_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  for (const [purpose, token] of Object.entries(LINKS)) insert.run(spare, purpose, sha256(token), clock.now(), clock.now() + 365 * 86400_000);
}

/** Waits until no draw of the panel is running (one that got through runs in a worker, off the request). */
async function drawsSettled(): Promise<void> {
  while (listDraws(world.db, world.panel).some((d) => d.status === 'running')) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Waits until no register import is running on the draft panel (one that got through runs off the request). */
async function importsSettled(): Promise<void> {
  while (['reading', 'writing'].includes(registerProgress(world.draftPanel)?.phase ?? '')) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Puts the draft panel back as buildWorld made it, after an edit that got through. */
function restoreDraftPanel(): void {
  const draft = findPanel(world.db, world.draftPanel);
  if (draft) updatePanel(world.db, draft.id, { ...draftAsBuilt, details: { ...draftAsBuilt.details } });
}

/** A valid value for each path parameter, by name (and, for `id`, by where it is). */
function validParam(route: string, name: string): string {
  const spec = ROUTES[route];
  const override = spec.params?.[name];
  if (override) return override();
  switch (name) {
    case 'id':
      return String(route.includes('sessions/:id') ? world.session : world.panel);
    case 'slug':
      return 'test-panel';
    case 'rid':
      return String(world.registrants[0]);
    case 'categoryId':
      return String(world.category);
    case 'drawId':
      return String(world.draw);
    case 'memberId':
      return String(world.members[0]);
    case 'sessionId':
      return String(world.session);
    case 'rec':
      return '1';
    case 'milestoneId':
      return '1';
    case 'token':
      return world.invitation;
    case 'version':
      return '1';
    case 'table':
      return Object.keys(CSV_TABLES)[0];
    case 'file':
      return 'pool.csv';
    case 'n':
      return '1';
    case 'lang':
      return 'ar';
    case 'kind':
      return 'invitation';
    case 'qid':
      return '1';
    case 'mid':
      return String(world.db.prepare('SELECT id FROM messages ORDER BY id LIMIT 1').pluck().get() ?? 1);
    default:
      throw new Error(`no valid value for :${name} in ${route}: add one to validParam`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Generated values. Huge and deep values are described, not built, so counterexamples print short.

type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Huge | Deep;
/** A string of about `bytes` bytes of UTF-8, repeating `$huge`. */
interface Huge { $huge: string; bytes: number }
interface Deep { $deep: 'object' | 'array'; depth: number }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHuge = (v: unknown): v is Huge => isObject(v) && typeof v.$huge === 'string';
const build = (h: Huge): string => h.$huge.repeat(Math.ceil(h.bytes / Buffer.byteLength(h.$huge)));
const isDeep = (v: unknown): v is Deep => isObject(v) && typeof v.$deep === 'string';

/** The JSON text of a generated value: huge strings and deep nesting built here, prototype keys kept as own keys. */
function toJson(v: Value): string {
  if (isHuge(v)) return JSON.stringify(build(v));
  if (isDeep(v)) return v.$deep === 'array' ? `${'['.repeat(v.depth)}1${']'.repeat(v.depth)}` : `${'{"a":'.repeat(v.depth)}1${'}'.repeat(v.depth)}`;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${toJson(v[k] as Value)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** A form field's text from a generated value (forms carry only text). */
function toText(v: Value): string {
  if (isHuge(v)) return build(v);
  if (isDeep(v)) return toJson(v);
  if (typeof v === 'string') return v;
  return toJson(v);
}

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as a browser would send them). */
const pct = (s: string): string => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toHTML', 'toJSON', '__defineGetter__', 'isPrototypeOf', 'length'];
const pollutionKey = fc.constantFrom(...POLLUTION_KEYS);

const oddStrings = fc.constantFrom(
  '', ' ', '0', '-1', '1e3', '0x10', '1.5', '01', '+1', 'NaN', 'Infinity', '-0', '9007199254740993', '1'.repeat(40),
  'null', 'undefined', 'true', '[]', '{}', '[object Object]', '__proto__', 'constructor', 'prototype', 'toString',
  '%', '%ff', '%E0%A4%A', '%C0%AF', '../../etc/passwd', '..\\..\\boot.ini', '<script>alert(1)</script>', '{{title}}', '{{{body}}}',
  '\u0000', '\uD800', '\uDFFF', '\uFFFE', '\u202E', 'é', '😀', 'R-AAAAAAAA', '2027-02-30', '2027-01-31', 'leximinx', 'yes ', 'CV1 5RR',
  '=HYPERLINK("http://x")', 'a\r\nSet-Cookie: x=1', ' \t\n ',
);
const hugeString: fc.Arbitrary<Huge> = fc.record({
  $huge: fc.constantFrom('x', 'é', '😀', '<b>', '%', '\u0000', 'a&b=c', '\uD800'),
  // Under the 100 kB body limit, and just over it.
  bytes: fc.constantFrom(300, 5_000, 60_000, 110_000),
});
const deepValue: fc.Arbitrary<Deep> = fc.record({ $deep: fc.constantFrom('object' as const, 'array' as const), depth: fc.constantFrom(20, 500, 5_000, 15_000) });
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: oddStrings },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const textOrHuge: fc.Arbitrary<string | Huge> = fc.oneof({ weight: 12, arbitrary: text }, { weight: 1, arbitrary: hugeString });

/** Objects that break code which turns a value into text without checking its type first. */
const unprintable = fc.constantFrom<Value>(
  { toString: 1 }, { toString: 'x', valueOf: 'y' }, { valueOf: {} }, { toHTML: 1 }, { toHTML: '<b>bold</b>' }, { toJSON: 1 },
  { length: 1e9 }, { length: { toString: 1 } }, { length: [{ valueOf: {} }] }, { length: { $deep: 'array', depth: 15_000 } }, [{ toString: 1 }], JSON.parse('{"__proto__":{"polluted":true}}') as Value, { constructor: { prototype: { polluted: true } } },
);

/** Any JSON value, with wrong types, nesting, prototype keys and objects that cannot be turned into text. */
const { jsonValue } = fc.letrec<{ jsonValue: Value }>((tie) => ({
  jsonValue: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { weight: 2, arbitrary: unprintable },
    { weight: 3, arbitrary: fc.constantFrom<Value>(null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, -(2 ** 31)) },
    { weight: 2, arbitrary: fc.integer() },
    { weight: 4, arbitrary: textOrHuge },
    { weight: 1, arbitrary: deepValue },
    { weight: 2, arbitrary: fc.array(tie('jsonValue'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof(pollutionKey, fc.string({ maxLength: 8 })), tie('jsonValue'), { maxKeys: 4, noNullPrototype: true }) },
    { weight: 1, arbitrary: fc.record({ key: pollutionKey, value: tie('jsonValue') }).map(({ key, value }) => ({ [key]: value }) as Value) },
  ),
}));

/** A form field name: the route's own, an unknown one, a nested-looking one or a prototype key. */
const fieldName = (fields: string[]) =>
  fc.oneof(
    { weight: fields.length ? 6 : 0, arbitrary: fields.length ? fc.constantFrom(...fields) : fc.constant('x') },
    { weight: 2, arbitrary: pollutionKey },
    { weight: 1, arbitrary: fc.constantFrom('__proto__[polluted]', 'constructor[prototype][polluted]', 'a[b][c][d][e][f]', 'title[]', 'title[0]', 'x[__proto__][y]', '_csrf[]') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => `a${'[b]'.repeat(n)}`) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  );

// ---------------------------------------------------------------------------------------------------------
// Generated requests.

type Csrf = 'body' | 'header' | 'none' | 'wrong' | 'weird';
type Body =
  | { kind: 'none' }
  | { kind: 'form'; pairs: [string, string | Huge][]; raw: boolean }
  | { kind: 'json'; value: Record<string, Value> }
  | { kind: 'json-text'; text: string | Huge | Deep }
  | { kind: 'bytes'; contentType: string; prefix: string; bytes: number[]; suffix: string }
  | { kind: 'typed'; contentType: string; encoding?: string; text: string }
  | { kind: 'many-params'; count: number }
  | { kind: 'multipart'; fields: [string, string][]; files: { field: string; name: string; bytes: number[] | string }[] };

interface FuzzRequest {
  who: Who;
  method: Method;
  params: Record<string, string>;
  query: string;
  accept?: string;
  csrf: Csrf;
  weirdCsrf?: Value;
  body: Body;
}

const weirdParam = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      '%ff', '%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%00', '..', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e', '0', '-1', '1e3', '0x10', '01',
      '1.0', '+1', '%201', '9'.repeat(30), '9007199254740993', '1'.repeat(3000), 'NaN', 'Infinity', '__proto__', 'constructor', 'prototype',
      'toString', 'hasOwnProperty', 'valueOf', '%F0%9F%98%80', 'a%2Fb', 'null', 'undefined', '%5B%5D', 'x'.repeat(4000), 'pool.csv', 'quotas.csv',
      '%3Cscript%3E', 'test-panel%00', 'TEST-PANEL', 'draft-panel', '%20', '-', '_', '~',
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 50 }).map(String) },
  { weight: 2, arbitrary: text.map((s) => pct(s) || '%20') },
);

const queryString = (keys: string[]) =>
  fc.array(
    fc.tuple(
      fc.oneof({ weight: keys.length ? 3 : 0, arbitrary: keys.length ? fc.constantFrom(...keys) : fc.constant('q') }, { weight: 2, arbitrary: fieldName([]) }),
      fc.oneof(text, fc.constantFrom('1', '0', '-1', '1e3', '0x10', '%', '%ff', '%E0%A4%A', 'R-AAAAAAAA', '//evil.example', '/\\evil.example', 'javascript:alert(1)')),
      fc.boolean(),
    ),
    { maxLength: 4 },
  ).map((pairs) => pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${pct(k)}=${pct(v)}`)).join('&'));

const csvish = fc.oneof(
  fc.constantFrom(
    'category,value,min,max\ngender,Woman,1,5\n',
    'category,value,min,max\ngender,Woman,0x1,1e3\nage,65+,-1,99999999999999999999\n',
    'feature,value,min,max,min_flex,max_flex\ngender,Woman,1,2,0,0\n',
    'name,email,address,postcode,gender,age\nAda,not-an-email,1 St,NOPE,Alien,200\n',
    'name,email,address,postcode,gender,age\n"unclosed,x,y\n',
    '\uFEFF\uFEFFcategory,value,min,max\n',
    '=cmd|" /C calc"!A0,b\n',
    '',
    ',,,,\n,,,,\n',
    '"""\n',
  ),
  fc.string({ maxLength: 200 }),
  fc.array(fc.array(text, { maxLength: 6 }), { maxLength: 6 }).map((rows) => rows.map((r) => r.join(',')).join('\n')),
);

function bodyArb(spec: RouteSpec): fc.Arbitrary<Body> {
  const fields = spec.fields ?? [];
  const form = fc.record({
    kind: fc.constant('form' as const),
    pairs: fc.array(fc.tuple(fieldName(fields), textOrHuge), { maxLength: 8 }),
    raw: fc.boolean(),
  });
  const json = fc.record({
    kind: fc.constant('json' as const),
    value: fc.dictionary(fieldName(fields), jsonValue, { maxKeys: 6, noNullPrototype: true }),
  });
  const jsonText = fc.record({
    kind: fc.constant('json-text' as const),
    text: fc.oneof<fc.Arbitrary<string | Huge | Deep>[]>(
      fc.constantFrom<string>('123', '"x"', 'null', 'true', '[1,2]', '', '{', '{"a":', '{"a":1,}', "{'a':1}", '\uFEFF{}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', 'NaN', '['),
      hugeString,
      deepValue,
    ),
  });
  const bytes = fc.record({
    kind: fc.constant('bytes' as const),
    contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'application/x-www-form-urlencoded; charset=iso-8859-1'),
    prefix: fc.constantFrom('', 'title=', '{"title":"', 'name=Ada&email='),
    bytes: fc.oneof(
      fc.constantFrom<number[]>([0xff], [0xfe, 0xff], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }),
    ),
    suffix: fc.constantFrom('', '"}', '&title=x', '%ff'),
  });
  const typed = fc.record({
    kind: fc.constant('typed' as const),
    contentType: fc.constantFrom(
      'text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded; charset=koi8-r',
      'application/json; charset=', ';;;', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=zz', 'image/png',
    ),
    encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown'), { nil: undefined }),
    text: fc.constantFrom('title=x', '{"title":"x"}', '--zz\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--zz--\r\n', '<a/>', '\u0000\u0001', ''),
  });
  const manyParams = fc.record({ kind: fc.constant('many-params' as const), count: fc.constantFrom(1999, 2001, 5000) });
  const multipart = fc.record({
    kind: fc.constant('multipart' as const),
    fields: fc.array(fc.tuple(fc.oneof(fieldName([...fields, 'consentConfirmed']), fc.constant('consentConfirmed')), fc.oneof(fc.constant('yes'), text)), { maxLength: spec.upload ? 24 : 4 }),
    files: fc.array(
      fc.record({
        field: fc.oneof({ weight: 4, arbitrary: fc.constant('file') }, { weight: 1, arbitrary: fc.constantFrom('other', 'file[]', '__proto__', '') }),
        name: fc.constantFrom('pool.csv', 'x.txt', '../../etc/passwd', '', '😀.csv', 'a'.repeat(300)),
        bytes: fc.oneof(csvish, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 })),
      }),
      { maxLength: 2 },
    ),
  });
  const none = fc.constant({ kind: 'none' as const });
  return fc.oneof(
    { weight: spec.upload ? 1 : 6, arbitrary: form },
    { weight: spec.upload ? 1 : 6, arbitrary: json },
    { weight: 1, arbitrary: jsonText },
    { weight: 2, arbitrary: bytes },
    { weight: 1, arbitrary: typed },
    { weight: 1, arbitrary: manyParams },
    { weight: spec.upload ? 12 : 1, arbitrary: multipart },
    { weight: 1, arbitrary: none },
  );
}

function requestArb(route: string): fc.Arbitrary<FuzzRequest> {
  const spec = ROUTES[route];
  const [method, pattern] = route.split(' ') as [Method, string];
  const names = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const paramArb = fc.record(Object.fromEntries(names.map((n) => [n, fc.oneof({ weight: 3, arbitrary: fc.constant(validParam(route, n)) }, { weight: 1, arbitrary: weirdParam })])));
  const intended: Who[] = spec.who === 'staff' ? ['organiser', 'facilitator'] : [spec.who];
  // Logging out would end the fuzzing agents' sessions: only the anonymous agent posts to /logout.
  const who: fc.Arbitrary<Who> = route === 'POST /logout' ? fc.constant('anonymous') : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...intended) }, { weight: 1, arbitrary: fc.constantFrom<Who>('organiser', 'facilitator', 'anonymous') });
  const methodArb: fc.Arbitrary<Method> = fc.oneof({ weight: 10, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') });
  return fc.record({
    who,
    method: methodArb,
    params: paramArb,
    query: fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString(spec.query ?? []) }),
    accept: fc.option(fc.constantFrom('text/html', 'application/json', '*/*', 'image/png', 'application/json;q=0.1, text/html;q=0.05', ''), { nil: undefined }),
    csrf: fc.oneof({ weight: 12, arbitrary: fc.constantFrom<Csrf>('body', 'header') }, { weight: 2, arbitrary: fc.constantFrom<Csrf>('none', 'wrong', 'weird') }),
    weirdCsrf: fc.option(jsonValue, { nil: undefined }),
    body: method === 'GET' ? fc.oneof({ weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) }, { weight: 1, arbitrary: bodyArb(spec) }) : bodyArb(spec),
  });
}

/** The URL of a generated request: valid or weird parameters put into the route's pattern. */
function urlOf(route: string, r: FuzzRequest): string {
  const pattern = route.split(' ')[1];
  const filled = pattern.replace(/:(\w+)/g, (_, name: string) => r.params[name]);
  return r.query ? `${filled}?${r.query}` : filled;
}

const asIs = (body: unknown) => body as string;

function send(route: string, r: FuzzRequest) {
  const agent = world.agents[r.who];
  const token = world.tokens[r.who];
  const url = urlOf(route, r);
  const verb = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
  // Bodies go as built, byte for byte: superagent would otherwise serialise a Buffer as if it were an object.
  let req = agent[verb](url).timeout(10_000).redirects(0).serialize(asIs);
  if (r.accept !== undefined) req = req.set('Accept', r.accept);
  const csrfValue: Value = r.csrf === 'wrong' ? 'not-the-token' : r.csrf === 'weird' ? (r.weirdCsrf ?? { toString: 1 }) : token;
  const inBody = r.csrf === 'body' || r.csrf === 'wrong' || r.csrf === 'weird';
  if (r.csrf === 'header' || (r.csrf === 'wrong' && r.body.kind === 'none')) req = req.set('X-CSRF-Token', r.csrf === 'wrong' ? 'not-the-token' : token);
  const body = r.body;
  switch (body.kind) {
    case 'none':
      return req;
    case 'form': {
      const pairs = body.pairs.map(([k, v]) => [k, toText(v)]);
      if (inBody) pairs.push(['_csrf', toText(csrfValue)]);
      const encoded = pairs.map(([k, v]) => (body.raw ? `${k}=${v}` : `${pct(k)}=${pct(v)}`)).join('&');
      return req.set('Content-Type', 'application/x-www-form-urlencoded').send(Buffer.from(encoded, 'utf8'));
    }
    case 'json': {
      const value: Record<string, Value> = { ...body.value };
      if (inBody) Object.defineProperty(value, '_csrf', { value: csrfValue, enumerable: true, configurable: true, writable: true });
      return req.set('Content-Type', 'application/json').send(Buffer.from(toJson(value), 'utf8'));
    }
    case 'json-text': {
      const t = body.text;
      const textBody = typeof t === 'string' ? t : isHuge(t) ? JSON.stringify({ title: build(t) }) : toJson(t);
      return req.set('Content-Type', 'application/json').set('X-CSRF-Token', token).send(Buffer.from(textBody, 'utf8'));
    }
    case 'bytes':
      return req
        .set('Content-Type', body.contentType)
        .set('X-CSRF-Token', token)
        .send(Buffer.concat([Buffer.from(body.prefix), Buffer.from(body.bytes), Buffer.from(body.suffix)]));
    case 'typed': {
      req = req.set('Content-Type', body.contentType).set('X-CSRF-Token', token);
      if (body.encoding) req = req.set('Content-Encoding', body.encoding);
      return req.send(Buffer.from(body.text, 'utf8'));
    }
    case 'many-params': {
      const params = Array.from({ length: body.count }, (_, i) => `f${i}=x`).join('&');
      return req.set('Content-Type', 'application/x-www-form-urlencoded').set('X-CSRF-Token', token).send(Buffer.from(`${params}&_csrf=${token}`));
    }
    case 'multipart': {
      if (inBody) req = req.field('_csrf', toText(csrfValue));
      for (const [k, v] of body.fields) req = req.field(k || 'x', v);
      for (const f of body.files) req = req.attach(f.field || 'file', typeof f.bytes === 'string' ? Buffer.from(f.bytes) : Buffer.from(f.bytes), f.name || 'x.csv');
      return req;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// What every answer must be.

const stripTags = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/&[#\w]+;/g, ' ').replace(/\s+/g, ' ').trim();

/** The message a person reads on a refusal: the error page's lead, a form's alert, or JSON's `message`. */
function messageOf(res: request.Response): string {
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('json')) return typeof res.body?.message === 'string' ? res.body.message.trim() : '';
  if (!type.includes('html')) return '';
  const lead = /<p class="lead">([\s\S]*?)<\/p>/.exec(res.text);
  if (lead) return stripTags(lead[1]);
  const alert = /role="alert"[^>]*>([\s\S]*?)<\/(?:div|p)>/.exec(res.text);
  return alert ? stripTags(alert[1]) : '';
}

const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|TypeError|ReferenceError|RangeError|SqliteError|node_modules/;

async function checkOne(route: string, r: FuzzRequest): Promise<void> {
  const before = snapshot(world.db);
  const lastAudit = world.db.prepare('SELECT MAX(id) FROM audit_log').pluck().get() as number | null;
  const logsBefore = world.logged.length;
  const res = await send(route, r);
  const seen = statuses.get(route) ?? new Map<number, number>();
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  statuses.set(route, seen);
  const what = `${r.method} ${urlOf(route, r).slice(0, 200)} -> ${res.status}`;
  if (res.status >= 500) throw new Error(`${what}: a server error\n${stripTags(res.text ?? '').slice(0, 500)}\nlog: ${world.logged.slice(logsBefore).join('\n').slice(0, 1500)}`);
  const newLogs = world.logged.slice(logsBefore).filter((l) => l.includes('internal error'));
  if (newLogs.length) throw new Error(`${what}: logged an internal error: ${newLogs.join('\n').slice(0, 1500)}`);
  if (typeof res.text === 'string' && STACK_TRACE.test(res.text)) throw new Error(`${what}: the page shows a stack trace or an internal error name`);
  if (res.status >= 400) {
    if (r.method !== 'HEAD' && !messageOf(res)) throw new Error(`${what}: no message for the person (content-type ${res.headers['content-type']}): ${(res.text ?? '').slice(0, 300)}`);
    unchanged(before, lastAudit, what);
  }
  if (r.method === 'GET' || r.method === 'HEAD' || r.method === 'OPTIONS') unchanged(before, lastAudit, what);
  else if (res.status < 400) await ROUTES[route].restore?.();
}

/** The database is as it was; if not, the audit rows written meanwhile say what did it (a request, or work it left running). */
function unchanged(before: Record<string, string>, lastAudit: number | null, what: string): void {
  const after = snapshot(world.db);
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  const added = world.db.prepare('SELECT action, subject, detail FROM audit_log WHERE id > ?').all(lastAudit ?? 0);
  expect({ what, added, ...after }).toEqual({ what, added, ...before });
}

// ---------------------------------------------------------------------------------------------------------

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
let cases = 0;
/** Per route, how many answers of each status: FUZZ_VERBOSE=1 prints them, to see how deep the fuzz gets. */
const statuses = new Map<string, Map<number, number>>();

/** The draft panel as buildWorld made it, to put back after an edit (restoreDraftPanel). */
let draftAsBuilt: Panel;

beforeAll(async () => {
  world = await buildWorld();
  restoreLinks();
  draftAsBuilt = findPanel(world.db, world.draftPanel) as Panel;
});

afterAll(async () => {
  if (!world) return;
  await world.app.io.close();
  closeDb(world.db);
  fs.rmSync(world.dir, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  if (process.env.FUZZ_VERBOSE) console.log(`fuzz-http: ${cases} requests\n${[...statuses].map(([route, seen]) => `${route}: ${[...seen].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}×${n}`).join(' ')}`).join('\n')}`);
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/** Every route mounted on the app, as "METHOD /path", walking nested routers. */
function mountedRoutes(): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) found.push(`${m === '_all' ? 'ALL' : m.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        // Routers here are mounted at the root, so a route's path is its URL pattern; a prefix would need handling.
        if (layer.rawPath !== undefined && layer.rawPath !== '/') throw new Error(`a router is mounted at ${layer.rawPath}: teach mountedRoutes its prefix`);
        walk(layer.handle.stack);
      }
    }
  };
  walk((world.app.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)].sort();
}

test('every mounted route is fuzzed (add a new route to ROUTES)', () => {
  const mounted = mountedRoutes();
  expect(mounted.length).toBeGreaterThan(40);
  expect(mounted).toEqual(Object.keys(ROUTES).sort());
});

describe.each(Object.keys(ROUTES))('%s', (route) => {
  test('malformed requests get a clear 4xx and change nothing', async () => {
    const spec = ROUTES[route];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(requestArb(route), async (r) => {
        // The registration form allows 60 posts from one address per 10 minutes: move on before it refuses them all.
        if (++n % 50 === 0) world.clock.advance(11 * 60_000);
        cases++;
        await checkOne(route, r);
      }),
      { numRuns: Math.round((spec.runs ?? 40) * RUNS), seed: SEED, endOnFailure: true },
    );
    const health = await request(world.base).get('/healthz');
    expect(health.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, (ROUTES[route].seconds ?? 20) * 1000);
});
