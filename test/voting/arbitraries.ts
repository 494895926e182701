import fc from 'fast-check';
import seedrandom from 'seedrandom';
import type { Ballot, VoteSettings } from '../../src/voting/types';

const optionsArb = fc.integer({ min: 2, max: 6 }).map((n) => Array.from({ length: n }, (_, i) => `Option ${i + 1}`));
const common = { quorum: fc.nat(40), seed: fc.string({ maxLength: 8 }) };

const thresholdArb = fc.oneof(
  fc.record({ rule: fc.constantFrom('majority' as const, 'two-thirds' as const), base: fc.constantFrom('all' as const, 'decisive' as const) }),
  fc.record({ rule: fc.constant('percent' as const), percent: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(33.33, 66.67, 12.5)), base: fc.constantFrom('all' as const, 'decisive' as const) }),
);

/** Settings of every method that validateSettings accepts, some with their method's settings left out. */
export const settingsArb: fc.Arbitrary<VoteSettings> = fc.oneof(
  fc.record({ method: fc.constant('threshold' as const), options: fc.constant<string[]>([]), threshold: fc.option(thresholdArb, { nil: undefined }), ...common }),
  optionsArb.chain((options) =>
    fc.record({
      method: fc.constant('approval' as const),
      options: fc.constant(options),
      dots: fc.option(fc.integer({ min: 1, max: 6 }).chain((perVoter) => fc.record({ perVoter: fc.constant(perVoter), perOption: fc.integer({ min: 1, max: perVoter }) })), { nil: undefined }),
      ...common,
    }),
  ),
  fc.record({ method: fc.constant('ranked' as const), options: optionsArb, count: fc.constantFrom('irv' as const, 'borda' as const), ...common }),
  fc.record({ method: fc.constant('scale' as const), options: fc.constant<string[]>([]), scale: fc.constantFrom('likert5' as const, 'gradients8' as const), ...common }),
  fc.record({ method: fc.constant('consent' as const), options: fc.constant<string[]>([]), ...common }),
);

/** A ballot validateBallot accepts for these settings (abstentions included). */
export function validBallot(settings: VoteSettings): fc.Arbitrary<Ballot> {
  const n = settings.options.length;
  const all = settings.options.map((_, i) => i);
  switch (settings.method) {
    case 'threshold':
      return fc.constantFrom('agree' as const, 'disagree' as const, 'abstain' as const).map((choice) => ({ kind: 'threshold', choice }));
    case 'approval': {
      const perVoter = settings.dots?.perVoter ?? n;
      const perOption = Math.min(settings.dots?.perOption ?? 1, perVoter);
      return fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: perVoter }).map((placed) => {
        const dots = new Array<number>(n).fill(0);
        for (const o of placed) if (dots[o] < perOption) dots[o]++;
        return { kind: 'approval', dots };
      });
    }
    case 'ranked':
      return fc.shuffledSubarray(all).map((ranking) => ({ kind: 'ranked', ranking }));
    case 'scale':
      return fc.integer({ min: 0, max: settings.scale === 'gradients8' ? 8 : 5 }).map((level) => ({ kind: 'scale', level }));
    case 'consent':
      return fc.oneof(
        fc.constantFrom('consent' as const, 'abstain' as const).map((choice): Ballot => ({ kind: 'consent', choice })),
        fc.constantFrom('Too costly', 'Needs more time', ' Not ours to decide ', 'Too costly').map((reason): Ballot => ({ kind: 'consent', choice: 'object', reason })),
      );
  }
}

/** A ballot of any kind, often one the vote must refuse. */
export const junkBallot: fc.Arbitrary<Ballot> = fc.oneof(
  fc.constantFrom('agree' as const, 'abstain' as const).map((choice): Ballot => ({ kind: 'threshold', choice })),
  fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 7 }).map((dots): Ballot => ({ kind: 'approval', dots })),
  fc.array(fc.integer({ min: -1, max: 7 }), { maxLength: 7 }).map((ranking): Ballot => ({ kind: 'ranked', ranking })),
  fc.integer({ min: -1, max: 9 }).map((level): Ballot => ({ kind: 'scale', level })),
  fc.constantFrom(undefined, '', '  ', 'A reason').map((reason): Ballot => ({ kind: 'consent', choice: 'object', reason })),
);

export interface Case {
  settings: VoteSettings;
  ballots: Ballot[];
  spoiled: number;
  eligible: number;
  /** For shuffling the ballots. */
  order: string;
}

/** Settings, valid ballots with some junk mixed in, spoiled paper ballots and a seed for shuffling. */
export const caseArb: fc.Arbitrary<Case> = settingsArb.chain((settings) =>
  fc.record({
    settings: fc.constant(settings),
    ballots: fc.tuple(fc.array(validBallot(settings), { maxLength: 60 }), fc.array(junkBallot, { maxLength: 4 })).map(([valid, junk]) => [...valid, ...junk]),
    spoiled: fc.nat(5),
    eligible: fc.nat(80),
    order: fc.string(),
  }),
);

/** The same items in a seeded random order. */
export function shuffled<T>(items: T[], seed: string): T[] {
  const random = seedrandom(seed);
  const copy = items.map((item) => structuredClone(item));
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
