import { exampleAgenda, parseAgenda } from '../../src/room/agenda';
import { type Actor, apply, type Command, RoomError } from '../../src/room/machine';
import { initialState, type RoomState, sharedView } from '../../src/room/state';

const agenda = exampleAgenda();
const facilitator: Actor = { role: 'facilitator' };
const ann: Actor = { role: 'panellist', member: 'R-ANN' };
const bob: Actor = { role: 'panellist', member: 'R-BOB' };
const MIN = 60_000;
const DISCUSSION = agenda.rounds.findIndex((r) => r.type === 'discussion');

/** Runs commands in order from the demo agenda's start; each is [actor, command, time]. */
function run(steps: [Actor, Command, number][], from: RoomState = initialState(agenda)): RoomState {
  return steps.reduce((state, [actor, command, now]) => apply(state, actor, command, now), from);
}

function refusal(state: RoomState, actor: Actor, command: Command, now = 0): RoomError {
  try {
    apply(state, actor, command, now);
  } catch (err) {
    if (err instanceof RoomError) return err;
    throw err;
  }
  throw new Error('the command was accepted');
}

describe('the demo agenda', () => {
  test('runs from welcome to a vote, with every round type the room knows', () => {
    expect(agenda.rounds[0].title).toMatch(/^Welcome/);
    expect(new Set(agenda.rounds.map((r) => r.type))).toEqual(new Set(['briefing', 'round-robin', 'discussion', 'tables', 'ideas', 'vote']));
  });

  test('a broken agenda names the field', () => {
    expect(() => parseAgenda('{"title":"x","rounds":[{"type":"party","title":"t","minutes":0}]}')).toThrow(/rounds\.0\.type: type must be one of[\s\S]*rounds\.0\.minutes: minutes must be at least 1/);
    expect(() => parseAgenda('{not json')).toThrow(/not valid JSON/);
  });
});

describe('rounds and their timers', () => {
  test('opening a round sets its deadline; pause keeps what is left; resume and extend move the deadline', () => {
    const opened = run([[facilitator, { type: 'round:open', round: 0 }, 1000]]);
    expect(opened.rounds[0]).toMatchObject({ status: 'open', deadline: 1000 + 15 * MIN });
    expect(opened.version).toBe(1);
    const paused = run([[facilitator, { type: 'round:pause' }, 1000 + 5 * MIN]], opened);
    expect(paused.rounds[0]).toMatchObject({ status: 'paused', deadline: null, remainingMs: 10 * MIN });
    const resumed = run([[facilitator, { type: 'round:resume' }, 50 * MIN], [facilitator, { type: 'round:extend', minutes: 2 }, 51 * MIN]], paused);
    expect(resumed.rounds[0]).toMatchObject({ status: 'open', deadline: 50 * MIN + 10 * MIN + 2 * MIN });
    expect(resumed.version).toBe(4);
  });

  test('opening the next round closes the one in hand; closing twice is refused', () => {
    const state = run([[facilitator, { type: 'round:open', round: 0 }, 0], [facilitator, { type: 'round:open', round: 1 }, MIN]]);
    expect(state.rounds.map((r) => r.status).slice(0, 3)).toEqual(['closed', 'open', 'pending']);
    const closed = run([[facilitator, { type: 'round:close' }, 2 * MIN]], state);
    expect(refusal(closed, facilitator, { type: 'round:close' }).code).toBe('conflict');
    expect(refusal(closed, facilitator, { type: 'round:open', round: 99 }).message).toContain('the agenda has 9');
  });

  test('a refused command leaves the state exactly as it was', () => {
    const state = run([[facilitator, { type: 'round:open', round: 0 }, 0]]);
    const copy = structuredClone(state);
    refusal(state, facilitator, { type: 'round:resume' });
    refusal(state, ann, { type: 'round:close' });
    expect(state).toEqual(copy);
  });
});

describe('the speaking queue and the floor', () => {
  const discussion = () => run([[facilitator, { type: 'round:open', round: DISCUSSION }, 0]]);

  test('hands go up in order; the facilitator gives the floor to the next, or to anyone in the queue', () => {
    const raised = run([[ann, { type: 'queue:raise' }, 1], [bob, { type: 'queue:raise' }, 2]], discussion());
    expect(raised.queue).toEqual(['R-ANN', 'R-BOB']);
    const next = run([[facilitator, { type: 'floor:give' }, 10]], raised);
    expect(next.floor).toEqual({ member: 'R-ANN', since: 10, until: 10 + 90_000 });
    expect(next.queue).toEqual(['R-BOB']);
    const chosen = run([[facilitator, { type: 'floor:give', member: 'R-BOB' }, 40_010]], next);
    expect(chosen.floor?.member).toBe('R-BOB');
    expect(chosen.airtime).toEqual({ 'R-ANN': 40_000 });
  });

  test('airtime adds up across turns, and stops when the round pauses or closes', () => {
    const state = run(
      [
        [ann, { type: 'queue:raise' }, 0],
        [facilitator, { type: 'floor:give' }, 1000],
        [facilitator, { type: 'floor:take' }, 31_000],
        [ann, { type: 'queue:raise' }, 32_000],
        [facilitator, { type: 'floor:give' }, 40_000],
        [facilitator, { type: 'round:pause' }, 50_000],
      ],
      discussion(),
    );
    expect(state.airtime).toEqual({ 'R-ANN': 40_000 });
    expect(state.floor).toBeNull();
  });

  test('panellists may only raise and lower their own hand, and not twice', () => {
    const raised = run([[ann, { type: 'queue:raise' }, 1]], discussion());
    expect(refusal(raised, ann, { type: 'queue:raise' }).code).toBe('conflict');
    expect(refusal(raised, bob, { type: 'queue:lower', member: 'R-ANN' }).code).toBe('forbidden');
    expect(refusal(raised, ann, { type: 'floor:give' }).code).toBe('forbidden');
    expect(refusal(raised, { role: 'observer' }, { type: 'queue:raise' }).code).toBe('forbidden');
    expect(run([[ann, { type: 'queue:lower' }, 2]], raised).queue).toEqual([]);
    expect(run([[facilitator, { type: 'queue:lower', member: 'R-ANN' }, 2]], raised).queue).toEqual([]);
  });

  test('no hands go up before a round is open, and closing a round lowers them', () => {
    expect(refusal(initialState(agenda), ann, { type: 'queue:raise' }).message).toBe('No round has been opened yet.');
    const closed = run([[ann, { type: 'queue:raise' }, 1], [facilitator, { type: 'round:close' }, 2]], discussion());
    expect(closed.queue).toEqual([]);
    expect(refusal(discussion(), facilitator, { type: 'floor:give' }).message).toContain('Nobody has a hand up');
  });
});

describe('the ideas board', () => {
  const IDEAS = agenda.rounds.findIndex((r) => r.type === 'ideas');
  const board = () =>
    run([
      [facilitator, { type: 'round:open', round: IDEAS }, 0],
      [ann, { type: 'idea:post', text: 'Free bus travel to evening events' }, 1],
      [bob, { type: 'idea:post', text: 'Cheaper buses after shows' }, 2],
      [bob, { type: 'idea:post', text: 'Murals by local young people in every ward' }, 3],
    ]);

  test('panellists post and support ideas; the facilitator themes, merges duplicates and hides with a reason', () => {
    const state = run(
      [
        [ann, { type: 'idea:support', idea: 3 }, 4],
        [facilitator, { type: 'idea:theme', idea: 1, theme: 'Getting there' }, 5],
        [facilitator, { type: 'idea:merge', idea: 2, into: 1 }, 6],
        [facilitator, { type: 'idea:hide', idea: 3, reason: 'names a private individual' }, 7],
      ],
      board(),
    );
    expect(state.ideas[0]).toMatchObject({ id: 1, author: 'R-ANN', theme: 'Getting there', supporters: ['R-BOB'] });
    expect(state.ideas[1].mergedInto).toBe(1);
    expect(state.ideas[2].hidden).toBe('names a private individual');
  });

  test('refusals: support your own or twice, support a merged idea, post outside a board round', () => {
    const state = board();
    expect(refusal(state, ann, { type: 'idea:support', idea: 1 }).message).toBe('That idea is yours already.');
    const supported = run([[ann, { type: 'idea:support', idea: 2 }, 5]], state);
    expect(refusal(supported, ann, { type: 'idea:support', idea: 2 }).code).toBe('conflict');
    const merged = run([[facilitator, { type: 'idea:merge', idea: 2, into: 1 }, 6]], state);
    expect(refusal(merged, ann, { type: 'idea:support', idea: 2 }).message).toBe('Idea 2 has been merged.');
    expect(refusal(state, ann, { type: 'idea:hide', idea: 2, reason: 'spam' }).code).toBe('forbidden');
    expect(refusal(state, facilitator, { type: 'idea:support', idea: 9 }).code).toBe('forbidden');
    const discussion = run([[facilitator, { type: 'round:open', round: DISCUSSION }, 10]], state);
    expect(refusal(discussion, ann, { type: 'idea:post', text: 'x' }).message).toBe('A discussion round has no board.');
  });

  test('what panellists see: nothing hidden, and no per-person airtime', () => {
    const state = run([[facilitator, { type: 'idea:hide', idea: 3, reason: 'names a private individual' }, 7]], board());
    const shared = sharedView({ ...state, airtime: { 'R-ANN': 1000 } });
    expect(shared.ideas.map((i) => i.id)).toEqual([1, 2]);
    expect(shared.airtime).toEqual({});
  });
});

describe('round-robin turns', () => {
  const ROBIN = agenda.rounds.findIndex((r) => r.type === 'round-robin');
  const members = ['R-ANN', 'R-BOB', 'R-CAT'];
  const start = () => run([[facilitator, { type: 'round:open', round: ROBIN }, 0], [facilitator, { type: 'turn:start' }, 1000]], initialState(agenda, members));

  test('everyone in turn, with the per-turn limit; a speaker may pass; airtime counts each turn', () => {
    const state = start();
    expect(state.floor).toEqual({ member: 'R-ANN', since: 1000, until: 41_000 });
    const passed = run([[ann, { type: 'turn:next' }, 11_000]], state);
    expect(passed.floor?.member).toBe('R-BOB');
    const done = run([[facilitator, { type: 'turn:next' }, 51_000], [facilitator, { type: 'turn:next' }, 60_000]], passed);
    expect(done.floor).toBeNull();
    expect(done.airtime).toEqual({ 'R-ANN': 10_000, 'R-BOB': 40_000, 'R-CAT': 9_000 });
    expect(refusal(done, facilitator, { type: 'turn:next' }).message).toBe('No round-robin is under way.');
  });

  test('only the speaker may pass their turn; turns need a round-robin round and members', () => {
    expect(refusal(start(), bob, { type: 'turn:next' }).message).toBe('You can pass only on your own turn.');
    const discussion = run([[facilitator, { type: 'round:open', round: DISCUSSION }, 0]], initialState(agenda, members));
    expect(refusal(discussion, facilitator, { type: 'turn:start' }).code).toBe('conflict');
    const empty = run([[facilitator, { type: 'round:open', round: ROBIN }, 0]]);
    expect(refusal(empty, facilitator, { type: 'turn:start' }).message).toContain('no panel members');
  });
});
