import { exampleAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command, RoomError } from '../../src/room/machine';
import { initialState, type RoomState, sharedView } from '../../src/room/state';

/** Turn order with members who are not connected (issue 19): skipped, never given an empty turn; added back by the facilitator. */
const agenda = exampleAgenda();
const ROBIN = agenda.rounds.findIndex((r) => r.type === 'round-robin');
const TABLES = agenda.rounds.findIndex((r) => r.type === 'tables');
const facilitator: Actor = { role: 'facilitator' };
const members = ['R-ANN', 'R-BOB', 'R-CAT', 'R-DEV'];
const as = (member: string): Actor => ({ role: 'panellist', member });

function run(steps: [Actor, Command, number][], from: RoomState): RoomState {
  return steps.reduce((state, [actor, command, now]) => apply(state, actor, command, now), from);
}
const open = () => run([[facilitator, { type: 'round:open', round: ROBIN }, 0]], initialState(agenda, members));
const turns = (s: RoomState) => s.turns && { order: s.turns.order, index: s.turns.index, skipped: s.turns.skipped, floor: s.floor?.member ?? null };

test('members not connected when the round-robin starts are skipped, and nobody gets a turn in their name', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: ['R-BOB'] }, 1000]], open());
  expect(turns(started)).toEqual({ order: ['R-ANN', 'R-CAT', 'R-DEV'], index: 0, skipped: ['R-BOB'], floor: 'R-ANN' });
  const done = run([[facilitator, { type: 'turn:next' }, 5000], [facilitator, { type: 'turn:next' }, 9000], [facilitator, { type: 'turn:next' }, 12_000]], started);
  expect(done.floor).toBeNull();
  expect(Object.keys(done.airtime).sort()).toEqual(['R-ANN', 'R-CAT', 'R-DEV']); // no zero entry for Bob
});

test('someone who drops out before their turn is skipped when it comes', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: [] }, 1000]], open());
  const next = run([[as('R-ANN'), { type: 'turn:next', absent: ['R-BOB', 'R-CAT'] }, 4000]], started);
  expect(turns(next)).toEqual({ order: ['R-ANN', 'R-DEV'], index: 1, skipped: ['R-BOB', 'R-CAT'], floor: 'R-DEV' });
});

test('the facilitator adds a skipped member back: they speak next, or at once if everyone else has spoken', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: ['R-BOB', 'R-CAT'] }, 1000]], open());
  const added = run([[facilitator, { type: 'turn:add', member: 'R-CAT' }, 2000]], started);
  expect(turns(added)).toEqual({ order: ['R-ANN', 'R-CAT', 'R-DEV'], index: 0, skipped: ['R-BOB'], floor: 'R-ANN' });
  const finished = run([[facilitator, { type: 'turn:next' }, 3000], [facilitator, { type: 'turn:next' }, 4000], [facilitator, { type: 'turn:next' }, 5000]], added);
  expect(finished.floor).toBeNull();
  const late = run([[facilitator, { type: 'turn:add', member: 'R-BOB' }, 6000]], finished);
  expect(turns(late)).toEqual({ order: ['R-ANN', 'R-CAT', 'R-DEV', 'R-BOB'], index: 3, skipped: [], floor: 'R-BOB' });
});

test('adding back someone who has a turn, or was never skipped, is refused and changes nothing', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: ['R-BOB'] }, 1000]], open());
  expect(() => apply(started, facilitator, { type: 'turn:add', member: 'R-ANN' }, 2000)).toThrow('They have a turn already.');
  expect(() => apply(started, facilitator, { type: 'turn:add', member: 'R-NOBODY' }, 2000)).toThrow(/only a member the round-robin skipped/);
  expect(() => apply(started, as('R-ANN'), { type: 'turn:add', member: 'R-BOB' }, 2000)).toThrow(RoomError);
  expect(turns(started)?.skipped).toEqual(['R-BOB']);
});

test('at tables, each table skips its own absent members', () => {
  const seated = run(
    [
      [facilitator, { type: 'round:open', round: TABLES }, 0],
      [facilitator, { type: 'tables:propose', size: 4 }, 100],
      [facilitator, { type: 'round:open', round: ROBIN }, 200],
    ],
    initialState(agenda, members),
  );
  const first = seated.tables[0].members;
  const started = run([[facilitator, { type: 'turn:start', atTables: true, absent: [first[0]] }, 1000]], seated);
  expect(started.tables[0].turns?.skipped).toEqual([first[0]]);
  expect(started.tables[0].floor?.member).toBe(first[1]);
  // Members see who was skipped by handle, like everything else.
  expect(JSON.stringify(sharedView(started).tables[0].turns)).not.toContain('R-');
});

test('someone added back keeps their turn even with no phone connected (they speak from the hall)', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: ['R-BOB'] }, 1000]], open());
  const added = run([[facilitator, { type: 'turn:add', member: 'R-BOB' }, 2000]], started);
  const next = run([[facilitator, { type: 'turn:next', absent: ['R-BOB'] }, 3000]], added);
  expect(next.floor?.member).toBe('R-BOB');
});

test('with nobody connected a round-robin does not start; in a paused round nobody is added back', () => {
  expect(() => apply(open(), facilitator, { type: 'turn:start', absent: members }, 1000)).toThrow(/No member has a phone connected/);
  const started = run([[facilitator, { type: 'turn:start', absent: ['R-BOB'] }, 1000], [facilitator, { type: 'round:pause' }, 2000]], open());
  expect(() => apply(started, facilitator, { type: 'turn:add', member: 'R-BOB' }, 3000)).toThrow(/open round/);
});

test('a member who joins the session during a round-robin is among those the facilitator can add', () => {
  const started = run([[facilitator, { type: 'turn:start', absent: [] }, 1000]], open());
  const joined = run([[facilitator, { type: 'members:add', member: 'R-EVE' }, 2000]], started);
  expect(joined.members).toEqual([...members, 'R-EVE']);
  expect(joined.turns?.skipped).toEqual(['R-EVE']);
  expect(run([[facilitator, { type: 'turn:add', member: 'R-EVE' }, 3000]], joined).turns?.order).toContain('R-EVE');
  expect(() => apply(joined, facilitator, { type: 'members:add', member: 'R-EVE' }, 4000)).toThrow('They are in this session already.');
});
