import { exampleAgenda } from '../../src/room/agenda';
import { applyChange, changeOf, sharedChangeOf } from '../../src/room/change';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { initialState, type RoomState, sharedView } from '../../src/room/state';

const agenda = exampleAgenda();
const members = Array.from({ length: 30 }, (_, i) => `R-${String(i).padStart(3, '0')}`);
const facilitator: Actor = { role: 'facilitator' };
const as = (i: number): Actor => ({ role: 'panellist', member: members[i] });
const round = (type: string) => agenda.rounds.findIndex((r) => r.type === type);

/** A morning's worth of commands: hands, the floor, ideas with supports, a merge and a hidden idea, tables. */
const steps: [Actor, Command][] = [
  [facilitator, { type: 'round:open', round: round('discussion') }],
  [as(1), { type: 'queue:raise' }],
  [as(2), { type: 'queue:raise' }],
  [facilitator, { type: 'floor:give' }],
  [as(2), { type: 'queue:lower' }],
  [facilitator, { type: 'floor:take' }],
  [facilitator, { type: 'round:open', round: round('ideas') }],
  [as(3), { type: 'idea:post', text: 'Free late buses after events' }],
  [as(4), { type: 'idea:post', text: 'Late buses home' }],
  [as(5), { type: 'idea:post', text: 'Something rude' }],
  [as(6), { type: 'idea:support', idea: 1 }],
  [facilitator, { type: 'idea:merge', idea: 2, into: 1 }],
  [facilitator, { type: 'idea:hide', idea: 3, reason: 'breaks the ground rules' }],
  [facilitator, { type: 'idea:theme', idea: 1, theme: 'Getting there' }],
  [facilitator, { type: 'round:open', round: round('tables') }],
  [facilitator, { type: 'tables:propose' }],
  [facilitator, { type: 'tables:move', member: members[0], table: 2 }],
];

test('applying each change to the state before gives exactly the state after, for the facilitator and for everyone else', () => {
  let state: RoomState = initialState(agenda, members);
  let full = state;
  let shared = sharedView(state);
  steps.forEach(([actor, command], i) => {
    const next = apply(state, actor, command, 1000 * (i + 1));
    full = applyChange(full, changeOf(state, next));
    shared = applyChange(shared, sharedChangeOf(state, next));
    expect(full).toEqual(next);
    expect(shared).toEqual(sharedView(next));
    state = next;
  });
  expect(shared.ideas.map((i) => i.id)).toEqual([1, 2]); // the hidden idea left the shared view
});

test('a raised hand sends the queue and the version, not the room', () => {
  const open = apply(initialState(agenda, members), facilitator, { type: 'round:open', round: round('discussion') }, 0);
  const raised = apply(open, as(1), { type: 'queue:raise' }, 1);
  const change = sharedChangeOf(open, raised);
  expect(Object.keys(change.set).sort()).toEqual(['queue', 'version']);
  expect(change.ideas).toBeUndefined();
  expect(JSON.stringify(change).length).toBeLessThan(80);
});

test("a vote round's planned question and choices are the facilitator's until the vote opens: members and the hall never get them", () => {
  const planned = { ...agenda, rounds: agenda.rounds.map((r) => (r.type === 'vote' ? { ...r, vote: { question: 'Which three go forward?', method: 'approval' as const, options: ['Buses', 'Libraries'] } } : r)) };
  const before = initialState(planned, members);
  const after = apply(before, facilitator, { type: 'round:open', round: round('vote') }, 1000);
  expect(after.rounds[round('vote')].vote?.question).toBe('Which three go forward?');
  expect(changeOf(before, after).set.rounds?.[round('vote')].vote?.question).toBe('Which three go forward?');
  expect(JSON.stringify(sharedView(after))).not.toContain('Which three go forward?');
  expect(JSON.stringify(sharedChangeOf(before, after))).not.toContain('Which three go forward?');
  expect(sharedChangeOf(before, after).set.rounds?.[round('vote')].status).toBe('open');
});
