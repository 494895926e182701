import { exampleAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command, RoomError } from '../../src/room/machine';
import { initialState, type RoomState } from '../../src/room/state';
import { mixingGap } from '../../src/room/tables';

const agenda = exampleAgenda();
const TABLES = agenda.rounds.findIndex((r) => r.type === 'tables');
const BRIEFING = agenda.rounds.findIndex((r) => r.type === 'briefing');
const facilitator: Actor = { role: 'facilitator' };
const as = (member: string): Actor => ({ role: 'panellist', member });

// 21 members: seven of each age band, so three well-mixed tables of seven hold one band in three each.
const members = Array.from({ length: 21 }, (_, i) => `R-${String(i).padStart(2, '0')}`);
const answers = new Map(members.map((m, i) => [m, { age: ['16-34', '35-64', '65+'][i % 3], gender: i % 2 ? 'Woman' : 'Man' }]));

function step(state: RoomState, actor: Actor, command: Command, now = 1000): RoomState {
  return apply(state, actor, command, now, { answers });
}

function refusal(state: RoomState, actor: Actor, command: Command): RoomError {
  const before = JSON.stringify(state);
  try {
    step(state, actor, command);
  } catch (err) {
    expect(JSON.stringify(state)).toBe(before);
    if (err instanceof RoomError) return err;
    throw err;
  }
  throw new Error('the command was accepted');
}

function seated(): RoomState {
  const open = step(initialState(agenda, members), facilitator, { type: 'round:open', round: TABLES });
  return step(open, facilitator, { type: 'tables:propose' });
}

describe('tables in the room', () => {
  test('the facilitator proposes tables of the round size, each as mixed as the panel', () => {
    const state = seated();
    expect(state.tables).toHaveLength(3);
    expect(state.tables.flatMap((t) => t.members).sort()).toEqual(members);
    const people = members.map((m) => ({ member: m, answers: answers.get(m) ?? {} }));
    const byMember = new Map(people.map((p) => [p.member, p]));
    const gap = mixingGap(state.tables.map((t) => t.members.map((m) => byMember.get(m) ?? people[0])), people);
    expect(gap).toBeLessThanOrEqual(1); // every table within one person of its share of each group
    // Only those present can be seated, at the size asked for.
    const present = step(step(initialState(agenda, members), facilitator, { type: 'round:open', round: TABLES }), facilitator, { type: 'tables:propose', size: 4, members: members.slice(0, 8) });
    expect(present.tables.map((t) => t.members.length)).toEqual([4, 4]);
  });

  test('the facilitator moves people, including to a new table; the note-taker goes with them', () => {
    let state = seated();
    const [first] = state.tables[0].members;
    state = step(state, as(first), { type: 'table:note-taker', table: 1, member: first });
    expect(state.tables[0].noteTaker).toBe(first);
    state = step(state, facilitator, { type: 'tables:move', member: first, table: 2 });
    expect(state.tables[1].members).toContain(first);
    expect(state.tables[0].members).not.toContain(first);
    expect(state.tables[0].noteTaker).toBeNull();
    state = step(state, facilitator, { type: 'tables:move', member: first, table: 4 });
    expect(state.tables).toHaveLength(4);
    expect(state.tables[3].members).toEqual([first]);
  });

  test('each table has its own queue and floor, run by its note-taker; airtime counts table turns', () => {
    let state = seated();
    const [a, b, c] = state.tables[0].members;
    const [x] = state.tables[1].members;
    state = step(state, facilitator, { type: 'table:note-taker', table: 1, member: a });
    state = step(state, as(b), { type: 'queue:raise' });
    state = step(state, as(c), { type: 'queue:raise' });
    state = step(state, as(x), { type: 'queue:raise' });
    expect(state.tables[0].queue).toEqual([b, c]);
    expect(state.tables[1].queue).toEqual([x]);
    expect(state.queue).toEqual([]); // the plenary queue is untouched
    expect(refusal(state, as(c), { type: 'table:next', table: 1 }).code).toBe('forbidden');
    expect(refusal(state, as(a), { type: 'table:next', table: 2 }).code).toBe('forbidden');
    state = step(state, as(a), { type: 'table:next', table: 1 }, 1000);
    expect(state.tables[0].floor?.member).toBe(b);
    state = step(state, as(b), { type: 'table:next', table: 1 }, 31_000); // b finishes; c is next
    expect(state.tables[0].floor?.member).toBe(c);
    expect(state.airtime[b]).toBe(30_000);
    state = step(state, facilitator, { type: 'round:close' }, 41_000);
    expect(state.tables[0].floor).toBeNull();
    expect(state.tables[1].queue).toEqual([]);
    expect(state.airtime[c]).toBe(10_000);
    expect(state.tables).toHaveLength(3); // the tables stay for the report back
  });

  test('table ideas belong to the table; members support only their own table’s', () => {
    let state = seated();
    const [a, b] = state.tables[0].members;
    const [x] = state.tables[1].members;
    state = step(state, as(a), { type: 'idea:post', text: 'Pop-up theatre in Foleshill library' });
    expect(state.ideas[0].table).toBe(1);
    state = step(state, as(b), { type: 'idea:support', idea: 1 });
    expect(refusal(state, as(x), { type: 'idea:support', idea: 1 }).message).toMatch(/another table/);
  });

  test('the note-taker writes the report back, which outlives the round', () => {
    let state = seated();
    const [a, b] = state.tables[0].members;
    state = step(state, facilitator, { type: 'table:note-taker', table: 1, member: a });
    expect(refusal(state, as(b), { type: 'table:report', table: 1, text: 'ours' }).code).toBe('forbidden');
    state = step(state, facilitator, { type: 'round:close' });
    state = step(state, as(a), { type: 'table:report', table: 1, text: 'We want culture on the doorstep, not only in the centre.' });
    expect(state.tables[0].report).toMatch(/doorstep/);
  });

  test('refusals: tables outside a tables round, panellists seating people, unknown people and tables', () => {
    const state = seated();
    const [a, b] = state.tables[0].members;
    expect(refusal(initialState(agenda, members), facilitator, { type: 'tables:propose' }).message).toMatch(/open tables round/);
    expect(refusal(state, as(a), { type: 'tables:move', member: a, table: 2 }).code).toBe('forbidden');
    expect(refusal(state, facilitator, { type: 'tables:move', member: 'R-NOBODY', table: 2 }).code).toBe('not_found');
    expect(refusal(state, facilitator, { type: 'tables:move', member: a, table: 9 }).message).toMatch(/no table 9; there are 3/);
    expect(refusal(state, as(a), { type: 'table:note-taker', table: 1, member: b }).message).toMatch(/only yourself/);
    expect(refusal(state, facilitator, { type: 'tables:propose', members: ['R-NOBODY'] }).message).toMatch(/Not on this panel: R-NOBODY/);
    const empty = step(initialState(agenda, []), facilitator, { type: 'round:open', round: TABLES });
    expect(refusal(empty, facilitator, { type: 'tables:propose' }).message).toMatch(/nobody to seat/);
  });
});

describe('a round-robin at each table', () => {
  test('every table takes turns at once; a speaker passes, the note-taker moves on, others may not', () => {
    let state = seated();
    const ROBIN = agenda.rounds.findIndex((r) => r.type === 'round-robin');
    state = step(state, facilitator, { type: 'round:open', round: ROBIN }, 2000);
    state = step(state, facilitator, { type: 'turn:start', atTables: true }, 2000);
    expect(state.tables.map((t) => t.floor?.member)).toEqual(state.tables.map((t) => t.members[0]));
    expect(state.tables[0].floor?.until).toBe(2000 + (agenda.rounds[ROBIN].turnSeconds ?? 0) * 1000);
    expect(state.floor).toBeNull(); // the plenary floor is free
    const [a, b, c] = state.tables[0].members;
    expect(refusal(state, as(b), { type: 'turn:next', table: 1 }).code).toBe('forbidden');
    state = step(state, as(a), { type: 'turn:next', table: 1 }, 12_000);
    expect(state.tables[0].floor?.member).toBe(b);
    expect(state.tables[1].floor?.member).toBe(state.tables[1].members[0]); // table 2 goes at its own pace
    state = step(state, facilitator, { type: 'table:note-taker', table: 1, member: c });
    state = step(state, as(c), { type: 'turn:next', table: 1 }, 20_000);
    expect(state.tables[0].floor?.member).toBe(c);
    expect(state.airtime[a]).toBe(10_000);
    state = step(state, facilitator, { type: 'round:close' }, 25_000);
    expect(state.tables.every((t) => t.turns === null && t.floor === null)).toBe(true);
    expect(refusal(state, facilitator, { type: 'turn:next', table: 9 }).code).toBe('not_found');
  });

  test('needs tables', () => {
    const ROBIN = agenda.rounds.findIndex((r) => r.type === 'round-robin');
    const open = step(initialState(agenda, members), facilitator, { type: 'round:open', round: ROBIN });
    expect(refusal(open, facilitator, { type: 'turn:start', atTables: true }).message).toMatch(/no tables yet/);
  });
});

describe('questions in a briefing', () => {
  test('panellists write questions; the facilitator puts one to the speaker, once', () => {
    let state = step(initialState(agenda, members), facilitator, { type: 'round:open', round: BRIEFING });
    state = step(state, as(members[0]), { type: 'idea:post', text: 'How will the strategy reach Hillfields?' });
    state = step(state, facilitator, { type: 'idea:pick', idea: 1 }, 5000);
    expect(state.ideas[0].picked).toBe(5000);
    expect(refusal(state, facilitator, { type: 'idea:pick', idea: 1 }).message).toMatch(/put already/);
    expect(refusal(state, as(members[1]), { type: 'idea:pick', idea: 1 }).code).toBe('forbidden');
  });
});
