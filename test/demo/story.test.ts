import fs from 'node:fs';
import { findUserByEmail } from '../../src/auth/users';
import { DEMO_FACILITATOR } from '../../src/demo/seed';
import { DEMO_SESSION_SCRIPT, replaySession, type SessionScript, seedDemoStory } from '../../src/demo/story';
import { findPanel } from '../../src/panels/repo';
import { buildRecord } from '../../src/outcomes/record';
import { supportOf } from '../../src/room/ideas';
import type { RoomState } from '../../src/room/state';
import { findCommitment, findDraw, listDraws } from '../../src/selection/repo';
import { listMembers } from '../../src/membership/members';
import type { ThresholdDetail } from '../../src/voting/types';
import { makeApp, seatMembers, storedRoom } from '../helpers';

/** One demo, its story told once: every test reads what a visitor would find right after `npm start`. */
const t = makeApp({ demo: true });
const panelId = t.demo?.panelId ?? 0;
const script = JSON.parse(fs.readFileSync(DEMO_SESSION_SCRIPT, 'utf8')) as { steps: { actor: string; command: { type: string } }[] };
let sessionId = 0;
let state: RoomState;

beforeAll(async () => {
  ({ sessionId } = await seedDemoStory(t.ctx, panelId)); // about 7 s: a real LEXIMIN draw, a replacement draw, the day
  state = storedRoom(t.db, sessionId);
}, 60_000);

afterAll(() => t.db.close());

test('the panel was chosen in public: commitment, numbers, a final LEXIMIN draw of 40 and a replacement draw', () => {
  const commitment = findCommitment(t.db, panelId);
  expect(commitment?.algorithm).toBe('leximin');
  expect(commitment?.numbers).toBe('4 11 19 27 38 52');
  expect(commitment?.seed).toMatch(/^[0-9a-f]{64}$/);
  const final = commitment?.drawId ? findDraw(t.db, panelId, commitment.drawId) : undefined;
  expect(final).toMatchObject({ kind: 'final', status: 'done', panelSize: 40 });
  expect(final?.outcome?.selected).toHaveLength(40);
  const replacement = listDraws(t.db, panelId).filter((d) => d.kind === 'replacement');
  expect(replacement).toHaveLength(1);
  expect(replacement[0]).toMatchObject({ status: 'done', panelSize: 1 });
});

test('40 seated members, all confirmed; the one who declined was replaced', () => {
  const members = listMembers(t.db, panelId);
  const confirmed = members.filter((m) => m.status === 'confirmed');
  expect(confirmed).toHaveLength(40);
  const declined = members.filter((m) => m.status === 'declined');
  expect(declined).toHaveLength(1);
  for (const m of declined) expect(m.replacedByDraw).not.toBeNull();
  expect([...state.members].sort()).toEqual(confirmed.map((m) => m.publicId).sort());
});

test('every round of the agenda ran and closed, with time extended and a pause recorded', () => {
  expect(state.rounds).toHaveLength(9);
  for (const round of state.rounds) expect(round.status).toBe('closed');
  const types = script.steps.map((s) => s.command.type);
  for (const type of ['round:extend', 'round:pause', 'round:resume', 'turn:start', 'turn:next', 'queue:raise', 'floor:give', 'floor:take', 'idea:pick', 'tables:propose', 'table:note-taker', 'table:report', 'idea:merge', 'idea:hide', 'idea:theme']) {
    expect(types).toContain(type);
  }
  // Airtime builds unevenly: everyone present spoke in the introductions, some much more later.
  const airtime = Object.values(state.airtime).filter((ms) => ms > 0);
  expect(airtime.length).toBeGreaterThanOrEqual(30);
  for (const n of [9, 17, 26, 38]) expect(state.airtime[state.members[n - 1]] ?? 0).toBe(0); // absent: skipped at once
  expect(Math.max(...airtime)).toBeGreaterThan(3 * Math.min(...airtime));
});

test('the board: written questions put to the speakers, table ideas and reports, and an ideas wall in themes', () => {
  expect(state.ideas.filter((i) => i.picked !== null)).toHaveLength(7);
  expect(state.tables).toHaveLength(5);
  // Each table reports back in its own words; the room and the record say which table it was.
  for (const table of state.tables) expect(table.report).toMatch(/^[A-Z][^:]{10,}/);
  const wall = state.ideas.filter((i) => state.rounds[i.round].type === 'ideas');
  expect(wall.length).toBeGreaterThanOrEqual(12);
  expect(wall.filter((i) => i.hidden)).toHaveLength(1);
  expect(wall.filter((i) => i.mergedInto !== null)).toHaveLength(1);
  expect(new Set(wall.flatMap((i) => (i.theme ? [i.theme] : []))).size).toBe(5);
});

test('votes by several methods, all closed and counted over the 40 members, with paper ballots', () => {
  const votes = state.votes.filter((v) => v.approves === null); // the last one approves the summary (below)
  expect(votes).toHaveLength(12);
  for (const vote of votes) {
    expect(vote.status).toBe('closed');
    expect(vote.result).toMatchObject({ eligible: 40 });
    expect(vote.result?.rule).toEqual(expect.any(String));
    expect(vote.result?.voted).toBeGreaterThanOrEqual(30);
    expect(vote.result?.voted).toBe(vote.voted);
    expect(vote.paper.accepted + vote.paper.spoiled).toBe(3);
  }
  expect(new Set(state.votes.map((v) => v.result?.method))).toEqual(new Set(['approval', 'ranked', 'scale', 'consent', 'threshold']));
  expect(state.votes.filter((v) => v.secret)).toHaveLength(1);
  const consent = state.votes.find((v) => v.settings.method === 'consent');
  expect(consent?.result?.outcome).toBe('failed');
  expect(consent?.result?.detail.objections).toEqual([expect.stringContaining('step-free')]);
  const ranked = state.votes.find((v) => v.settings.method === 'ranked');
  expect(ranked?.result?.outcome).toBe('chosen');
  expect(ranked?.settings.options[ranked.result?.winners[0] ?? -1]).toMatch(/^WEHM/);
});

test('recommendations: amended, voted on, adopted or rejected, one withdrawn, with minority statements', () => {
  const status = state.recommendations.map((r) => r.status);
  expect(status).toEqual(['adopted', 'adopted', 'adopted', 'rejected', 'withdrawn']);
  const amendments = state.recommendations.flatMap((r) => r.amendments);
  expect(amendments.map((a) => a.status).sort()).toEqual(['carried', 'carried', 'carried', 'lost', 'withdrawn']);
  const [doorstep, transport] = state.recommendations;
  expect(doorstep.text).toContain('every library open on Saturdays and one evening a week');
  expect(doorstep.text).toContain('free summer events in a park in every neighbourhood');
  expect(doorstep.history.map((h) => h.amendment)).toEqual([null, 1, 2]);
  expect(transport.text).toContain('low-floor');
  expect(transport.text).not.toContain('under 25');
  const rejected = state.votes.find((v) => v.subject?.rec === 4);
  expect(rejected?.result?.outcome).toBe('failed');
  expect((rejected?.result?.detail as ThresholdDetail).support).toBeLessThan(66.7);
  expect(transport.minority).toHaveLength(1);
  expect(transport.minority[0].supporters).toHaveLength(4);
  expect(doorstep.minority[0].supporters).toHaveLength(2);
});

test('the record: one command per step, no ballot in it, and who came', () => {
  const rows = t.db.prepare('SELECT actor, command, client_id AS clientId FROM room_commands WHERE session_id = ? ORDER BY version').all(sessionId) as { actor: string; command: string; clientId: string }[];
  expect(rows.filter((r) => !r.clientId.startsWith('demo-summary-'))).toHaveLength(script.steps.length);
  const commands = rows.map((r) => JSON.parse(r.command) as Record<string, unknown>);
  for (const c of commands.filter((c) => c.type === 'vote:cast')) expect(Object.keys(c).sort()).toEqual(['type', 'vote']);
  for (const c of commands.filter((c) => c.type === 'vote:paper')) expect(c.ballots).toEqual(expect.any(Number));
  expect(rows.filter((r) => /"(ballot|choice|ranking|level|receipt)"/.test(r.command))).toEqual([]);
  const attendance = t.db.prepare('SELECT member, first_at AS firstAt, last_at AS lastAt FROM room_attendance WHERE session_id = ?').all(sessionId) as { member: string; firstAt: number; lastAt: number }[];
  expect(attendance).toHaveLength(36);
  for (const a of attendance) {
    expect(state.members).toContain(a.member);
    expect(a.lastAt).toBeGreaterThan(a.firstAt);
  }
});

test('the summary is written, approved by the members still in the room, and published at /outcomes', async () => {
  const approval = state.votes[state.votes.length - 1];
  expect(approval).toMatchObject({ approves: 1, status: 'closed', result: { outcome: 'passed' } });
  const version = t.db.prepare('SELECT version, approval, content FROM summary_versions WHERE session_id = ?').get(sessionId) as { version: number; approval: string; content: string };
  expect(version.version).toBe(1);
  expect(JSON.parse(version.approval)).toMatchObject({ vote: approval.id });
  expect(JSON.parse(version.content).record.recommendations.map((r: { status: string }) => r.status)).toEqual(['adopted', 'adopted', 'adopted', 'rejected']);
  const page = await t.agent().get('/outcomes/coventry-cultural-strategy');
  expect(page.status).toBe(200);
  expect(page.text).toContain('Minority statement');
});

test('the session ran through a day, from the first full hour at least half an hour after the seed', () => {
  const times = t.db.prepare('SELECT MIN(at) AS first, MAX(at) AS last FROM room_commands WHERE session_id = ?').get(sessionId) as { first: number; last: number };
  expect(new Date(times.first).toISOString()).toBe('2026-11-23T10:00:00.000Z');
  expect((times.last - times.first) / 60_000).toBeGreaterThanOrEqual(320);
});

test('telling the story again does nothing and returns the same session', async () => {
  const before = t.db.prepare('SELECT (SELECT COUNT(*) FROM room_sessions) + (SELECT COUNT(*) FROM draws) + (SELECT COUNT(*) FROM audit_log) AS n').pluck().get();
  const logged: string[] = [];
  expect(await seedDemoStory(t.ctx, panelId, (line) => logged.push(line))).toEqual({ sessionId });
  expect(logged).toEqual([]);
  expect(t.db.prepare('SELECT (SELECT COUNT(*) FROM room_sessions) + (SELECT COUNT(*) FROM draws) + (SELECT COUNT(*) FROM audit_log) AS n').pluck().get()).toBe(before);
});

describe('a script the rules refuse', () => {
  const script = (steps: SessionScript['steps']): SessionScript => ({
    selection: { algorithm: 'leximin', randomness: 'not used here', numbers: '1 2 3', decline: [] },
    attendance: { absent: ['m2'], late: {}, leftEarly: {} },
    steps,
  });

  test.each([
    [{ at: 1, actor: 'facilitator', command: { type: 'round:resume' } }, 'steps[1] (minute 1, facilitator, round:resume) was refused (conflict): The round in hand is open, not paused.'],
    [{ at: 1, actor: 'm2', command: { type: 'queue:raise' } }, 'steps[1] (minute 1, m2, queue:raise): m2 ('],
    [{ at: 1, actor: 'm41', command: { type: 'queue:raise' } }, 'steps[1] (minute 1, m41, queue:raise): m41 is not a member: the session has 40.'],
    [{ at: 1, actor: 'm1', command: { type: 'idea:post', text: '' } }, 'steps[1] (minute 1, m1, idea:post): the command is not valid: text: write something first'],
  ])('stops at the step, says why, and leaves no session behind (%#)', (bad, message) => {
    const s = makeApp({ demo: true });
    const panelId = s.demo?.panelId ?? 0;
    const ids = s.db.prepare('SELECT public_id FROM registrants WHERE panel_id = ? ORDER BY id LIMIT 40').pluck().all(panelId) as string[];
    seatMembers(s.db, panelId, ids, s.clock.now());
    const panel = findPanel(s.db, panelId);
    const facilitator = findUserByEmail(s.db, DEMO_FACILITATOR)?.id ?? 0;
    const run = () => panel && replaySession(s.ctx, panel, facilitator, script([{ at: 0, actor: 'facilitator', command: { type: 'round:open', round: 0 } }, bad]), 'the script');
    expect(run).toThrow(`the script ${message}`);
    expect(s.db.prepare('SELECT COUNT(*) FROM room_sessions').pluck().get()).toBe(0);
    expect(s.db.prepare("SELECT COUNT(*) FROM meta WHERE key = 'demo_story'").pluck().get()).toBe(0);
    s.db.close();
  });
});

test('one count of support everywhere: each idea on the record has as many in support as the room shows (its author and its supporters)', () => {
  const record = buildRecord({ session: { id: sessionId, title: state.title }, state, attendance: [], answers: new Map(), categories: [] });
  const onRecord = record.boards.flatMap((b) => b.themes.flatMap((t) => t.ideas.map((i) => `${i.text}: ${i.support}`))).sort();
  const inRoom = state.ideas.filter((i) => !i.hidden && i.mergedInto === null && record.boards.some((b) => b.round === i.round)).map((i) => `${i.text}: ${supportOf(i)}`).sort();
  expect(onRecord.length).toBeGreaterThan(5);
  expect(onRecord).toEqual(inRoom);
  // An idea nobody else supported still has its author in support.
  expect(state.ideas.some((i) => i.supporters.length === 0 && supportOf(i) === 1)).toBe(true);
});

test('one count of members everywhere: the room, the published record and the public page all count the 40 who confirmed', async () => {
  const confirmed = listMembers(t.db, panelId).filter((m) => m.status === 'confirmed').length;
  const published = JSON.parse(t.db.prepare('SELECT content FROM summary_versions WHERE session_id = ?').pluck().get(sessionId) as string) as { record: { attendance: { members: number; attended: number } } };
  const attended = t.db.prepare('SELECT COUNT(DISTINCT member) FROM room_attendance WHERE session_id = ?').pluck().get(sessionId) as number;
  expect(state.members).toHaveLength(confirmed);
  expect(published.record.attendance.members).toBe(confirmed);
  expect(published.record.attendance.attended).toBe(attended);
  const page = (await t.agent().get('/outcomes/coventry-cultural-strategy')).text;
  expect(page).toContain(`<p>${confirmed} members. For each group`);
  expect(page).toContain(`${attended} of ${confirmed} members took part`);
  // A member drawn who has not said yes is not counted as a member anywhere public.
  const [someone] = listMembers(t.db, panelId).filter((m) => m.status === 'confirmed');
  t.db.prepare("UPDATE members SET status = 'invited' WHERE id = ?").run(someone.id);
  try {
    expect((await t.agent().get('/outcomes/coventry-cultural-strategy')).text).toContain(`<p>${confirmed - 1} members. For each group`);
  } finally {
    t.db.prepare("UPDATE members SET status = 'confirmed' WHERE id = ?").run(someone.id);
  }
});
