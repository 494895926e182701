import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { closeDb, openDb } from '../../src/db';
import { recordSchema } from '../../src/outcomes/export-schema';
import { buildRecord, SCHEMA, type SessionRecord } from '../../src/outcomes/record';
import { insertPanel } from '../../src/panels/repo';
import { fixturesDir } from '../../src/paths';
import { agendaSchema } from '../../src/room/agenda';
import { ballotBoxOf } from '../../src/room/ballot-box';
import { type Actor, apply, commandSchema, RoomError } from '../../src/room/machine';
import type { RecordedCommand } from '../../src/room/command-log';
import { actorKey, RoomRepo } from '../../src/room/repo';
import type { RoomState } from '../../src/room/state';

/**
 * The record of a small session, fixtures/record/session-log.json, replayed through the room's own rules and
 * stored as the room stores it. Every expected value below is worked out by reading the log (the comments say
 * how), not copied from the builder's output.
 */
const FIXTURE = path.join(fixturesDir, 'record', 'session-log.json');

const clock = z.string().regex(/^\d\d:\d\d$/, 'a time of day, HH:MM');
const fixtureSchema = z.strictObject({
  about: z.string(),
  date: z.string().regex(/^\d{4}-\d\d-\d\d$/),
  agenda: agendaSchema,
  categories: z.array(z.strictObject({ key: z.string(), label: z.string(), values: z.array(z.strictObject({ value: z.string(), label: z.string() })) })),
  /** pseudonym -> category -> value, in the session's order. */
  members: z.record(z.string(), z.record(z.string(), z.string())),
  attendance: z.array(z.strictObject({ member: z.string(), from: clock, until: clock })),
  log: z.array(z.strictObject({ at: clock, actor: z.string(), command: z.looseObject({ type: z.string() }) })),
});
type Fixture = z.infer<typeof fixtureSchema>;

const fixture: Fixture = fixtureSchema.parse(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')));
const t = (hhmm: string) => Date.parse(`${fixture.date}T${hhmm}:00Z`);
const MIN = 60_000;
const members = Object.keys(fixture.members);
const [p1, p2, p3, p4, p5, p6, p7, p8] = members;

/** Two signed-in people of the team (two tellers for paper counts); anyone else in the log is a member. */
function actorOf(name: string): Actor {
  return name === 'facilitator' || name === 'teller' ? { role: 'facilitator', who: `user:${name}` } : { role: 'panellist', member: name };
}

/**
 * Creates the session, applies each command through `apply` and stores it with RoomRepo.record, as the socket
 * handler does (so the command log is the one the room keeps: no ballots), then records who connected.
 */
function replay() {
  const db = openDb(':memory:');
  const before = t('09:00');
  const panelId = insertPanel(db, { slug: 'record-fixture', title: 'Record fixture', question: 'What should the culture strategy do first?', panelSize: members.length, closesAt: before, quotaTolerance: 1 }, before);
  const repo = new RoomRepo(db);
  const sessionId = repo.createSession(panelId, fixture.agenda, members, null, before);
  const answers = new Map(Object.entries(fixture.members));
  const env = { answers, box: ballotBoxOf(db, sessionId) };
  let state = repo.state(sessionId) as RoomState;
  let last = before;
  fixture.log.forEach((step, i) => {
    const where = `log[${i}] (${step.at}, ${step.actor}, ${step.command.type})`;
    const now = t(step.at);
    if (now < last) throw new Error(`${where} is earlier than the step before it: keep the log in time order.`);
    last = now;
    const actor = actorOf(step.actor);
    const parsed = commandSchema.safeParse(step.command);
    if (!parsed.success) throw new Error(`${where} is not a valid command: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    try {
      state = apply(state, actor, parsed.data, now, env);
    } catch (err) {
      if (err instanceof RoomError) throw new Error(`${where} was refused (${err.code}): ${err.message}`);
      throw err;
    }
    repo.record(sessionId, state, actorKey(actor), `fixture-${i + 1}`, parsed.data, now);
  });
  for (const a of fixture.attendance) {
    repo.attend(sessionId, a.member, t(a.from));
    repo.attend(sessionId, a.member, t(a.until));
  }
  return { db, repo, sessionId };
}

const { db, repo, sessionId } = replay();
const commands: RecordedCommand[] = repo.commands(sessionId);
const state = repo.state(sessionId) as RoomState;
const record: SessionRecord = buildRecord({
  session: { id: sessionId, title: fixture.agenda.title },
  state,
  attendance: repo.attendance(sessionId),
  answers: new Map(Object.entries(fixture.members)),
  categories: fixture.categories,
});

afterAll(() => closeDb(db));

// The wordings in the log, named once.
const DRAFT = 'Hold a culture festival in every ward each year.';
const AMENDED = 'Hold a culture festival in every ward each year, planned with local groups.';
const CENTRE = 'Hold one culture festival in the city centre each year.';
const TICKETS = 'Offer half-price tickets to people under 25.';
const MINORITY = 'One festival in the centre would reach more people for the money.';
const VOTE3_SUMMARY = 'Passed: 6 agree, 1 disagree, 1 abstain; 75% of all 8 valid votes (needed at least two thirds). 8 of 10 voted (1 abstained).';

describe('the log as the room stores it', () => {
  test('every command is kept, in order, with its time and who sent it; ballots are not', () => {
    expect(commands).toHaveLength(fixture.log.length);
    expect(commands.map((c) => c.version)).toEqual(fixture.log.map((_, i) => i + 1));
    expect(commands.map((c) => c.at)).toEqual(fixture.log.map((s) => t(s.at)));
    // The two facilitators' links are both "facilitator" in the record; members by pseudonym.
    expect(commands.map((c) => c.actor)).toEqual(fixture.log.map((s) => (s.actor === 'teller' ? 'facilitator' : s.actor)));
    const casts = commands.filter((c) => c.command.type === 'vote:cast');
    expect(casts).toHaveLength(14);
    for (const cast of casts) expect(Object.keys(cast.command).sort()).toEqual(['type', 'vote']);
    // A paper count keeps how many ballots, not which.
    expect(commands.filter((c) => c.command.type === 'vote:paper').map((c) => c.command)).toEqual([
      { type: 'vote:paper', vote: 1, members: 3, ballots: 2, spoiled: 1 },
      { type: 'vote:paper', vote: 1, members: 3, ballots: 2, spoiled: 1 },
      { type: 'vote:paper', vote: 2, members: 7, ballots: 7, spoiled: 0 },
      { type: 'vote:paper', vote: 2, members: 7, ballots: 7, spoiled: 0 },
    ]);
  });
});

describe('the record built from it', () => {
  test('the session: its first open and its last close of a round', () => {
    expect(record.schema).toBe(SCHEMA);
    expect(record.session).toEqual({ id: sessionId, title: 'Culture in Coventry: a short test day', started: t('10:00'), ended: t('11:50') });
  });

  test('the agenda as it ran: a round closes when the next opens, a pause is left out, an extension is counted, a round never opened has no times', () => {
    expect(record.agenda).toEqual([
      // Opened 10:00, closed by the next round's opening at 10:20.
      { round: 0, title: "Evidence: the city's culture budget", type: 'briefing', plannedMinutes: 20, openedAt: t('10:00'), closedAt: t('10:20'), minutes: 20, extendedMinutes: 0 },
      // 10:20 to 10:45 is 25 minutes, less the break from 10:27 to 10:37: 15. Extended by 5 at 10:37.
      { round: 1, title: 'What matters to you', type: 'discussion', plannedMinutes: 20, openedAt: t('10:20'), closedAt: t('10:45'), minutes: 15, extendedMinutes: 5 },
      { round: 2, title: 'Table talk', type: 'tables', plannedMinutes: 20, openedAt: t('10:45'), closedAt: t('11:05'), minutes: 20, extendedMinutes: 0 },
      { round: 3, title: 'Ideas board', type: 'ideas', plannedMinutes: 15, openedAt: t('11:05'), closedAt: t('11:20'), minutes: 15, extendedMinutes: 0 },
      { round: 4, title: 'Deciding', type: 'vote', plannedMinutes: 40, openedAt: t('11:20'), closedAt: t('11:50'), minutes: 30, extendedMinutes: 0 },
      { round: 5, title: 'Closing words', type: 'discussion', plannedMinutes: 10, openedAt: null, closedAt: null, minutes: null, extendedMinutes: 0 },
    ]);
  });

  test('attendance: 8 of the 10 members came, by group beside the group’s share of the panel', () => {
    // Absent: R-9K5VZ0WF (a woman, 40-64) and R-0M6WA1XG (a man, 16-39).
    expect(record.attendance).toEqual({
      members: 10,
      attended: 8,
      groups: [
        { category: 'gender', categoryLabel: 'Gender', value: 'woman', label: 'Woman', members: 5, panelShare: 0.5, figure: 4 },
        { category: 'gender', categoryLabel: 'Gender', value: 'man', label: 'Man', members: 5, panelShare: 0.5, figure: 4 },
        { category: 'age', categoryLabel: 'Age', value: '16-39', label: '16 to 39', members: 4, panelShare: 0.4, figure: 3 },
        { category: 'age', categoryLabel: 'Age', value: '40-64', label: '40 to 64', members: 4, panelShare: 0.4, figure: 3 },
        { category: 'age', categoryLabel: 'Age', value: '65+', label: '65 and over', members: 2, panelShare: 0.2, figure: 2 },
      ],
    });
  });

  test('questions: the two written questions put to the speaker, when they were put; the third was never put', () => {
    expect(record.questions).toEqual([
      { round: 0, text: 'How much of the budget reaches neighbourhoods outside the city centre?', putAt: t('10:10') },
      { round: 0, text: 'Will the Belgrade Theatre keep its grant?', putAt: t('10:14') },
    ]);
  });

  test('the board: ideas by theme (untitled last) with their support; the merged duplicate folded in, the hidden idea only counted', () => {
    // Idea 4: its author, two supporters, and from the merged idea 5 its author and its one supporter: 5.
    // Idea 6: its author and two supporters: 3. Idea 8: its author alone: 1. Idea 7 hidden.
    // The tables round had no ideas posted, so it has no board.
    expect(record.boards).toEqual([
      {
        round: 3,
        title: 'Ideas board',
        themes: [
          { theme: 'Culture in every ward', ideas: [{ text: 'A small arts festival in every ward', support: 5 }] },
          { theme: 'Prices', ideas: [{ text: 'Half-price tickets for under-25s', support: 3 }] },
          { theme: null, ideas: [{ text: 'Keep libraries open in the evening for events', support: 1 }] },
        ],
        hidden: 1,
      },
    ]);
  });

  test("the tables' reports back", () => {
    expect(record.tableReports).toEqual([
      { table: 1, text: 'Culture should happen in every ward, not only in the city centre.' },
      { table: 2, text: 'Tickets cost too much for young people and families.' },
    ]);
  });

  test('vote 1: a secret approval vote between the themes, on phones and on paper, with its denominators', () => {
    // Phones: 3 for the first theme, 1 for the second, 1 blank (an abstention). Paper, counted twice alike:
    // one for each, and one spoiled. So 4 to 2; 6 counted + 1 abstained + 1 spoiled = 8 of the 10 voted.
    expect(record.votes[0]).toEqual({
      id: 1,
      round: 4,
      question: 'Which should come first?',
      method: 'approval',
      secret: true,
      options: ['Culture in every ward', 'Prices'],
      winners: ['Culture in every ward'],
      outcome: 'chosen',
      rule: "Approval voting: mark up to 1 option; the option with most approvals is chosen; a tie is settled by lots drawn with the vote's seed, published with the result. Quorum: 6 ballots cast, abstentions and spoiled ballots included.",
      summary: 'Chosen: "Culture in every ward" with 4 approvals; next "Prices" with 2 approvals. 8 of 10 voted (1 abstained, 1 spoiled).',
      eligible: 10,
      voted: 8,
      abstained: 1,
      spoiled: 1,
      paper: 3,
      quorum: { required: 6, met: true },
      detail: {
        method: 'approval',
        perVoter: 1,
        perOption: 1,
        totals: [4, 2],
        supporters: [4, 2],
        ranking: [0, 1],
        tie: null,
        seed: 'Culture in Coventry: a short test day:vote 1',
        lotOrder: expect.any(Array),
        counted: 6,
        invalid: 0,
      },
      subject: null,
    });
    const { detail } = record.votes[0];
    expect(detail.method === 'approval' && [...detail.lotOrder].sort()).toEqual([0, 1]);
  });

  test('votes 2 and 3: the amendment carried on paper, then the recommendation adopted on phones', () => {
    expect(record.votes.map((v) => v.id)).toEqual([1, 2, 3]);
    // Paper: 5 agree, 1 disagree, 1 abstain; abstentions are outside the base: 5 of 6 is 83.3%.
    expect(record.votes[1]).toEqual({
      id: 2,
      round: 4,
      question: `Amendment 1 to recommendation 1: should it read “${AMENDED}”?`,
      method: 'threshold',
      secret: false,
      options: [],
      winners: [],
      outcome: 'passed',
      rule: 'Agree, disagree or abstain: passes if agree votes are more than half of the agree and disagree votes; abstentions count towards the quorum only. No quorum is required.',
      summary: 'Passed: 5 agree, 1 disagree; 83.3% of the 6 agree and disagree votes (needed more than half). 7 of 10 voted (1 abstained).',
      eligible: 10,
      voted: 7,
      abstained: 1,
      spoiled: 0,
      paper: 7,
      quorum: { required: 0, met: true },
      detail: { method: 'threshold', agree: 5, disagree: 1, abstain: 1, base: 'decisive', baseVotes: 6, support: 83.3, counted: 6, invalid: 0 },
      subject: { rec: 1, amendment: 1 },
    });
    // Phones: 6 agree, R-6G2RW7SC disagrees, R-8J4TY9VE disagrees then changes to abstain (the later ballot
    // replaces the first). Abstentions are in the base: 6 of 8 is 75%, at least two thirds.
    expect(record.votes[2]).toEqual({
      id: 3,
      round: 4,
      question: `Adopt recommendation 1: “${AMENDED}”?`,
      method: 'threshold',
      secret: false,
      options: [],
      winners: [],
      outcome: 'passed',
      rule: 'Agree, disagree or abstain: passes if agree votes are at least two thirds of all valid votes, abstentions included. Quorum: 6 ballots cast, abstentions and spoiled ballots included.',
      summary: VOTE3_SUMMARY,
      eligible: 10,
      voted: 8,
      abstained: 1,
      spoiled: 0,
      paper: 0,
      quorum: { required: 6, met: true },
      detail: { method: 'threshold', agree: 6, disagree: 1, abstain: 1, base: 'all', baseVotes: 8, support: 75, counted: 7, invalid: 0 },
      subject: { rec: 1, amendment: null },
    });
  });

  test('recommendations: one amended then adopted, with a minority statement; one still a draft; the withdrawn one left out', () => {
    expect(record.recommendations).toEqual([
      {
        id: 1,
        text: AMENDED,
        status: 'adopted',
        from: { theme: 'Culture in every ward' },
        history: [
          { text: DRAFT, amendment: null },
          { text: AMENDED, amendment: 1 },
        ],
        amendments: [
          { id: 1, text: AMENDED, reason: 'Local groups know their area.', status: 'carried', vote: 2 },
          { id: 2, text: CENTRE, reason: 'One big festival costs less.', status: 'withdrawn', vote: null },
        ],
        vote: { id: 3, summary: VOTE3_SUMMARY, agree: 6, disagree: 1, abstain: 1, support: 75 },
        // Its author, and R-8J4TY9VE; R-4E0PT5QA signed and then took the signature off.
        minority: [{ text: MINORITY, supporters: 2 }],
      },
      { id: 2, text: TICKETS, status: 'draft', from: { table: 2 }, history: [{ text: TICKETS, amendment: null }], amendments: [], vote: null, minority: [] },
    ]);
  });

  test('airtime: who held the floor, in the plenary and at the tables, by group', () => {
    // R-1B7KQ2MX 10:22-10:25 (3 min), R-5F1QV6RB 10:25 to the pause at 10:27 (2), R-4E0PT5QA 10:38-10:42 (4),
    // and R-3D9NS4PZ at table 1, 10:48-10:52 (4): 13 minutes from 4 people.
    expect(record.airtime).toEqual({
      minutes: 13,
      spoke: 4,
      groups: [
        { category: 'gender', categoryLabel: 'Gender', value: 'woman', label: 'Woman', members: 5, panelShare: 0.5, figure: 9 / 13 }, // 3 + 4 + 2
        { category: 'gender', categoryLabel: 'Gender', value: 'man', label: 'Man', members: 5, panelShare: 0.5, figure: 4 / 13 },
        { category: 'age', categoryLabel: 'Age', value: '16-39', label: '16 to 39', members: 4, panelShare: 0.4, figure: 3 / 13 },
        { category: 'age', categoryLabel: 'Age', value: '40-64', label: '40 to 64', members: 4, panelShare: 0.4, figure: 8 / 13 }, // 4 + 4
        { category: 'age', categoryLabel: 'Age', value: '65+', label: '65 and over', members: 2, panelShare: 0.2, figure: 2 / 13 },
      ],
    });
    expect(state.airtime).toEqual({ [p1]: 3 * MIN, [p5]: 2 * MIN, [p4]: 4 * MIN, [p3]: 4 * MIN });
  });

  test('fits the published export’s schema (src/outcomes/export-schema.ts)', () => {
    expect(recordSchema.safeParse(record).error?.issues ?? []).toEqual([]);
  });

  test('names nobody: no pseudonym, facilitator link, hidden text or hiding reason is in it', () => {
    const text = JSON.stringify(record);
    for (const member of members) expect(text).not.toContain(member);
    expect(text).not.toContain('user:');
    expect(text).not.toContain('Sack the whole culture team');
    expect(text).not.toContain('breaks the ground rules');
    // The authors and supporters behind the figures were real members of the log.
    expect([p2, p6, p7, p8].every((m) => commands.some((c) => c.actor === m))).toBe(true);
  });
});
