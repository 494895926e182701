/**
 * Ballots and results: pure data shared by the tallies (src/voting), the room and the record. Options are
 * referred to by their index in `VoteSettings.options`.
 */

export const METHODS = ['threshold', 'approval', 'ranked', 'scale', 'consent'] as const;
export type Method = (typeof METHODS)[number];

export interface VoteSettings {
  method: Method;
  /** approval and ranked: the choices. threshold, scale and consent vote on the question itself: []. */
  options: string[];
  /** threshold: what share of which votes must agree. */
  threshold?: {
    /** majority: more than half; two-thirds: at least two thirds; percent: at least `percent`%. */
    rule: 'majority' | 'two-thirds' | 'percent';
    percent?: number;
    /** all: agree / all valid ballots (abstentions count against); decisive: agree / (agree + disagree), abstentions count towards quorum only. */
    base: 'all' | 'decisive';
  };
  /** approval: dots per voter, and at most this many on one option (approval voting is perOption 1, perVoter = options). */
  dots?: { perVoter: number; perOption: number };
  /** ranked: instant-runoff or Borda. */
  count?: 'irv' | 'borda';
  /** scale: 5-point Likert, or the 8-point gradients of agreement. */
  scale?: 'likert5' | 'gradients8';
  /** Ballots needed (abstentions and spoiled ballots included) for the result to stand; 0 for none. */
  quorum: number;
  /** For ties: the stated, seeded rule draws lots with this seed. */
  seed: string;
}

export type Ballot =
  | { kind: 'threshold'; choice: 'agree' | 'disagree' | 'abstain' }
  /** Dots on each option, by index; all zero is an abstention. */
  | { kind: 'approval'; dots: number[] }
  /** Option indices, most preferred first; may stop early; empty is an abstention. */
  | { kind: 'ranked'; ranking: number[] }
  /** 1 to 5 (Likert) or 1 to 8 (gradients); 0 is an abstention. */
  | { kind: 'scale'; level: number }
  /** An objection must carry a reason. */
  | { kind: 'consent'; choice: 'consent' | 'object' | 'abstain'; reason?: string };

export interface TallyInput {
  ballots: Ballot[];
  /** Paper ballots that could not be counted. */
  spoiled: number;
  /** Panel members entitled to vote. */
  eligible: number;
}

export interface Result {
  method: Method;
  /** The rule applied, in words, printed with the result: "Passes with more than half of agree and disagree votes; …". */
  rule: string;
  eligible: number;
  /** Every ballot cast: valid, abstaining and spoiled. */
  voted: number;
  abstained: number;
  spoiled: number;
  quorum: { required: number; met: boolean };
  /**
   * passed / failed (threshold, consent), chosen (approval, ranked: see winners), no-quorum, reported (scale). Every
   * tie is settled by the stated, seeded rule, so there is no unbroken tie. approval and ranked give `failed`, with no
   * winner, when nobody placed a dot or ranked an option.
   */
  outcome: 'passed' | 'failed' | 'chosen' | 'no-quorum' | 'reported';
  /** approval and ranked: the winning option indices (one, unless the method reports joint winners). */
  winners: number[];
  /** One line for people: "Passed: 24 agree, 6 disagree; 80% of the 30 agree and disagree votes (needed more than half). 33 of 40 voted (3 abstained)." */
  summary: string;
  /** The method's own figures: counts, the round-by-round transfer table, scores, the distribution, objections. Its shape per method: `Detail`. */
  detail: Record<string, unknown>;
}

// The shapes of `Result.detail`, per method (type aliases, so each fits `Record<string, unknown>`). JSON-safe: no
// undefined, null where nothing applies.

/** In every detail. */
export type CountedDetail = {
  /** Ballots that expressed a choice: voted = counted + abstained + spoiled. */
  counted: number;
  /** Ballots that broke the vote's rules (validateBallot refused them): counted as spoiled, and included in `spoiled`. */
  invalid: number;
};

/** How a tie was settled: by a named figure (`supporters`, `first preferences`) or by `lots` drawn with the seed. */
export type Tie = { options: number[]; settledBy: string };

export type ThresholdDetail = CountedDetail & {
  method: 'threshold';
  agree: number;
  disagree: number;
  abstain: number;
  base: 'all' | 'decisive';
  /** The figure agree is measured against: agree + disagree (+ abstain if base is all). */
  baseVotes: number;
  /** agree / baseVotes, as a percentage; null when baseVotes is 0. */
  support: number | null;
};

export type ApprovalDetail = CountedDetail & {
  method: 'approval';
  perVoter: number;
  perOption: number;
  /** Per option, by index. */
  totals: number[];
  /** Per option: how many voters put at least one dot on it. */
  supporters: number[];
  /** Option indices, best first. */
  ranking: number[];
  /** A tie at the top, and how it was settled; null if none. */
  tie: Tie | null;
  seed: string;
  /** The order the seed draws for all options before the count; a tie by lot goes to the option earlier in it. */
  lotOrder: number[];
};

export type IrvRound = {
  round: number;
  /** Votes per option still in the count, by option index. */
  votes: { option: number; votes: number }[];
  /** Ballots exhausted so far (no preference left among the options in the count). */
  exhausted: number;
  /** Ballots still counting: the sum of `votes`. */
  continuing: number;
  winner: number | null;
  eliminated: number | null;
  /** A tie for last place, and how it was settled; null if none. */
  tie: Tie | null;
  /** Where the eliminated option's ballots went: the next preference still in the count. */
  transfers: { to: number; votes: number }[];
  /** The eliminated option's ballots with no preference left. */
  newlyExhausted: number;
};

export type IrvDetail = CountedDetail & {
  method: 'ranked';
  count: 'irv';
  firstPreferences: number[];
  rounds: IrvRound[];
  /** Ballots exhausted by the last round. */
  exhausted: number;
  seed: string;
  lotOrder: number[];
};

export type BordaDetail = CountedDetail & {
  method: 'ranked';
  count: 'borda';
  /** Points per option, by index. */
  scores: number[];
  firstPreferences: number[];
  ranking: number[];
  tie: Tie | null;
  seed: string;
  lotOrder: number[];
};

export type ScaleDetail = CountedDetail & {
  method: 'scale';
  scale: 'likert5' | 'gradients8';
  /** Every level of the scale, lowest number first, with its label and count (0, abstain, is in `abstained`). */
  distribution: { level: number; label: string; count: number }[];
  /** Likert: answers at 4-5 and 1-2 and their share of those who answered (percent, null if nobody did); median level. */
  likert: { agree: number; disagree: number; neither: number; agreeShare: number | null; disagreeShare: number | null; median: number | null } | null;
  /** Gradients: support at 1-3, 5 more discussion, 6 support despite dislike, 7-8 against, 8 blocks. */
  gradients: { support: number; moreDiscussion: number; despiteDislike: number; against: number; blocks: number } | null;
};

export type ConsentDetail = CountedDetail & {
  method: 'consent';
  consent: number;
  object: number;
  abstain: number;
  /** The objections' reasons, sorted (so their order says nothing about who objected when). */
  objections: string[];
};

export type Detail = ThresholdDetail | ApprovalDetail | IrvDetail | BordaDetail | ScaleDetail | ConsentDetail;
