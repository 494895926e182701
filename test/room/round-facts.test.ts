import { buildRecord } from '../../src/outcomes/record';
import { exampleAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command } from '../../src/room/machine';
import { initialState, type RoomState } from '../../src/room/state';

/** The rules keep when each round opened, stood still and closed, and its extensions; the record reads them. */
const facilitator: Actor = { role: 'facilitator' };
const at = (hhmm: string) => Date.parse(`2026-03-14T${hhmm}:00Z`);
const steps: [string, Command][] = [
  ['10:00', { type: 'round:open', round: 0 }],
  ['10:05', { type: 'round:extend', minutes: 5 }],
  ['10:10', { type: 'round:pause' }],
  ['10:15', { type: 'round:extend', minutes: 2 }],
  ['10:20', { type: 'round:resume' }],
  ['10:40', { type: 'round:open', round: 1 }], // closes round 0 while it runs
  ['10:50', { type: 'round:pause' }],
  ['11:00', { type: 'round:close' }], // closes round 1 while it is paused
  ['11:10', { type: 'round:open', round: 0 }], // round 0 again
];

function run(upTo = steps.length): RoomState {
  return steps.slice(0, upTo).reduce((state, [hhmm, command]) => apply(state, facilitator, command, at(hhmm)), initialState(exampleAgenda()));
}

test('while a round runs and stands still: opened, a pause under way, not closed', () => {
  expect(run(3).rounds[0]).toMatchObject({ openedAt: at('10:00'), closedAt: null, extendedMinutes: 5, pauses: [{ from: at('10:10'), to: null }] });
  // Reopened, round 0 is under way again: its close is no longer its last, and the time it stood closed is a pause.
  expect(run().rounds[0]).toMatchObject({ closedAt: null, pauses: [{ from: at('10:10'), to: at('10:20') }, { from: at('10:40'), to: at('11:10') }] });
});

test('rounds opened, extended, paused and closed keep the facts, and the record shows them', () => {
  const state = apply(run(), facilitator, { type: 'round:close' }, at('11:15'));
  const [first, second, third] = state.rounds;
  expect(first).toMatchObject({
    openedAt: at('10:00'),
    closedAt: at('11:15'),
    extendedMinutes: 7,
    pauses: [{ from: at('10:10'), to: at('10:20') }, { from: at('10:40'), to: at('11:10') }],
  });
  expect(second).toMatchObject({ openedAt: at('10:40'), closedAt: at('11:00'), extendedMinutes: 0, pauses: [{ from: at('10:50'), to: at('11:00') }] });
  expect(third).toMatchObject({ openedAt: null, closedAt: null, extendedMinutes: 0, pauses: [] });

  const record = buildRecord({ session: { id: 1, title: state.title }, state, attendance: [], answers: new Map(), categories: [] });
  expect(record.session).toMatchObject({ started: at('10:00'), ended: at('11:15') });
  const [a, b, c] = record.agenda;
  // Round 0 ran 10:00-10:10, 10:20-10:40 and 11:10-11:15: 35 minutes. Round 1 ran 10:40-10:50.
  expect(a).toMatchObject({ openedAt: at('10:00'), closedAt: at('11:15'), minutes: 35, extendedMinutes: 7 });
  expect(b).toMatchObject({ openedAt: at('10:40'), closedAt: at('11:00'), minutes: 10, extendedMinutes: 0 });
  expect(c).toMatchObject({ openedAt: null, closedAt: null, minutes: null, extendedMinutes: 0 });
});
