import { audit } from '../audit';
import type { AppContext } from '../context';
import { CsvError } from '../csv';
import { DomainError } from '../errors';
import { addMembers, listMembers, markReplaced, vacancies } from '../membership/members';
import { oneAtATime } from '../panels/busy';
import { dropoutTableCsv, type Panel, registrationClosed, setConfirmedOnly } from '../panels/repo';
import { ENGINE_VERSION } from '../sortition/draw';
import { InfeasibleError } from '../sortition/feasibility';
import { InputError } from '../sortition/instance';
import type { Algorithm } from '../sortition/types';
import { DEFAULT_LIST_SIZE, listText, UNIFORM_METHOD, type UniformList } from '../sortition/uniform-list';
import { checkInWorker, uniformInWorker } from '../sortition/worker';
import { newToken } from '../tokens';
import { commitmentFields, commitmentHash, replacementSeed } from './commitment';
import { normaliseNumbers, seedFrom } from '../public-numbers';
import { replacementInputInWorker } from './replacement';
import { alternatesInWorker, DEFAULT_DROPOUT_CSV, dropoutProblem } from './alternates';
import { seatableNow } from './alternate-seats';
import { diceOutcomeInWorker, readDiceNumber } from './dice';
import { type Commitment, findCommitment, findDiceList, findDraw, insertCommitment, insertDiceList, listDraws, recordNumbers } from './repo';
import type { DrawRunner } from './runner';
import { HOUSEHOLD_COLUMN, snapshot } from './snapshot';

/**
 * The organiser's road from pool to panel, as steps that check where the panel stands and refuse in words
 * (DomainError): a trial draw, the public commitment, the numbers and the final draw, a final draw run again,
 * a replacement draw. The Selection page's routes, the demo and scripts all take it through here. Every draw
 * and the commitment's feasibility check run in a worker thread; the steps return as soon as a draw has started.
 */
export class Selection {
  constructor(
    private readonly ctx: AppContext,
    private readonly runner: DrawRunner,
  ) {}

  /** A trial draw on the pool as it stands; nothing it draws is kept as members. */
  async trial(panel: Panel, algorithm: Algorithm, seed: string | undefined, userId: number | null): Promise<number> {
    const running = () => listDraws(this.ctx.db, panel.id).find((d) => d.status === 'running');
    const refuse = (draw: { id: number }) => new DomainError('conflict', `Draw ${draw.id} is still running for this panel. Wait for it to finish, then try again.`, 'A draw is running');
    const before = running();
    if (before) throw refuse(before);
    const input = await snapshot(this.ctx, panel);
    // Another trial may have started while the pool was read.
    const meanwhile = running();
    if (meanwhile) throw refuse(meanwhile);
    return this.runner.start({ panelId: panel.id, kind: 'trial', algorithm, seed: seed || `trial-${newToken().slice(0, 8)}`, panelSize: panel.panelSize, ...input }, userId);
  }

  /**
   * Fixes the pool and quotas as they stand, with the algorithm and where the public numbers will come from,
   * and publishes their fingerprint. Refused if registration is open, if a commitment exists, or if no draw
   * could meet the quotas from this pool (checked first, in a worker: a commitment cannot change). `orderKey`
   * orders the pool's rows (snapshot.ts); the demo's is null.
   */
  async commit(panel: Panel, choice: CommitChoice, userId: number, orderKey?: string | null): Promise<Commitment> {
    const { db, clock } = this.ctx;
    const { algorithm, randomness } = choice;
    this.mayCommit(panel);
    // No import may add to the pool while its snapshot is checked, nor while a list for dice is made (panels/busy.ts).
    const { input, problem, list } = await oneAtATime(panel.id, 'A commitment', async () => {
      const input = await snapshot(this.ctx, panel, orderKey);
      const dropout = choice.alternates ? dropoutProblem(dropoutTableCsv(db, panel.id) ?? DEFAULT_DROPOUT_CSV, input.quotasCsv) : undefined;
      const problem = dropout ? `the dropout table does not fit the quotas: ${dropout}. Change the table (Alternates, on this page) or the quotas.` : await drawProblem(input.poolCsv, input.quotasCsv, panel.panelSize);
      // A final pick by dice: the list is made now, from the pool with tickets, exactly as the auditors will re-make it.
      const dice = !problem && choice.finalPick === 'dice';
      const list = dice ? await diceList(input.auditorsCsv, input.quotasCsv, panel.panelSize, algorithm, choice.listSize ?? DEFAULT_LIST_SIZE) : undefined;
      return { input, problem, list };
    });
    if (problem) throw new DomainError('invalid', `Nothing was published: ${problem} Fix the pool or the quotas, then commit.`);
    if (findCommitment(db, panel.id)) throw new DomainError('conflict', 'This panel already has a published commitment; it cannot change.');
    const dice = list && { listSize: list.size, listMethod: UNIFORM_METHOD, listSha256: list.fingerprint };
    const alternates = choice.alternates ? { count: choice.alternates, dropoutCsv: dropoutTableCsv(db, panel.id) ?? DEFAULT_DROPOUT_CSV } : null;
    const fields = commitmentFields({ panel: panel.slug, algorithm, randomness, engineVersion: ENGINE_VERSION, panelSize: panel.panelSize, ...input, poolCsv: input.auditorsCsv, dice, alternates });
    const hash = commitmentHash(fields);
    db.transaction(() => {
      insertCommitment(db, { panelId: panel.id, ...fields, alternates, algorithm, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv, hash, committedAt: clock.now() }, userId);
      if (list && dice) {
        insertDiceList(db, panel.id, { ...dice, listText: listText(list.lines), listChances: list.chances, lotteryChances: list.leximin, maxChange: list.maxChange, lotteryPanels: list.lotteryPanels });
      }
      const pick = dice ? { finalPick: 'dice', listSize: dice.listSize, listSha256: dice.listSha256, maxChange: list?.maxChange } : {};
      const ranked = fields.alternates ? { alternates: fields.alternates.count, dropoutSha256: fields.alternates.dropoutSha256 } : {};
      audit(db, clock, { userId, panelId: panel.id, action: 'commitment.publish', subject: hash, detail: { algorithm: fields.algorithm, randomness: fields.randomness, ...pick, ...ranked } });
    })();
    return findCommitment(db, panel.id) as Commitment;
  }

  /**
   * Whether only people whose email address is confirmed (or who gave none) go into the draw. Settled before
   * the commitment, which fixes the pool; not while a commitment or an import is reading it.
   */
  async drawConfirmedOnly(panel: Panel, on: boolean, userId: number): Promise<void> {
    const { db, clock } = this.ctx;
    const fixed = () => {
      if (findCommitment(db, panel.id)) throw new DomainError('conflict', 'The commitment has fixed the pool: who goes into the draw can no longer change.', 'The pool is fixed');
    };
    fixed();
    await oneAtATime(panel.id, 'A change to who goes into the draw', async () => {
      fixed();
      db.transaction(() => {
        setConfirmedOnly(db, panel.id, on);
        audit(db, clock, { userId, panelId: panel.id, action: on ? 'draw.confirmed-only' : 'draw.every-address' });
      })();
    });
  }

  /** Refused unless the panel can be committed now: registration closed and no commitment yet. */
  mayCommit(panel: Panel): void {
    if (findCommitment(this.ctx.db, panel.id)) throw new DomainError('conflict', 'This panel already has a published commitment; it cannot change. Enter the public numbers when they are drawn.');
    if (!registrationClosed(panel, this.ctx.clock.now())) {
      throw new DomainError('conflict', 'Close registration first, on the panel’s page: the commitment fixes the pool, and someone who registered after it would be told they are in a lottery they are not in.', 'Registration is still open');
    }
  }

  /** The commitment whose numbers are awaited; refused if there is none, or its numbers are in. */
  awaitingNumbers(panel: Panel): Commitment {
    const commitment = findCommitment(this.ctx.db, panel.id);
    if (!commitment) throw new DomainError('conflict', 'Publish a commitment first: the numbers only mean something if the draw was fixed before they were known.', 'Not yet');
    if (commitment.numbers) throw new DomainError('conflict', `The numbers were already entered (${commitment.numbers}); the final draw cannot be run again.`);
    return commitment;
  }

  /**
   * The public numbers as drawn: they make the seed, and the final draw starts. Once. For a final pick by dice,
   * the number rolled: the panel is that entry of the committed list (and the number makes the seed of any
   * replacement draw, as public numbers do).
   */
  enterNumbers(panel: Panel, typed: string, userId: number): number {
    const { db, clock } = this.ctx;
    const commitment = this.awaitingNumbers(panel);
    if (commitment.dice) {
      const rolled = readDiceNumber(typed, commitment.dice.listSize);
      if (!rolled.ok) throw new DomainError('invalid', rolled.message);
      const seed = seedFrom(commitment.hash, rolled.number);
      return this.final(panel, commitment, seed, userId, (drawId) => {
        recordNumbers(db, panel.id, rolled.number, seed, drawId);
        audit(db, clock, { userId, panelId: panel.id, action: 'commitment.dice', subject: rolled.number, detail: { seed, listSha256: commitment.dice?.listSha256 } });
      }, rolled.n);
    }
    const numbers = normaliseNumbers(typed);
    const seed = seedFrom(commitment.hash, numbers);
    return this.final(panel, commitment, seed, userId, (drawId) => {
      recordNumbers(db, panel.id, numbers, seed, drawId);
      audit(db, clock, { userId, panelId: panel.id, action: 'commitment.numbers', subject: numbers, detail: { seed } });
    });
  }

  /** A final draw stopped by a server restart runs again with the same seed: its result cannot change. */
  rerunFinal(panel: Panel, userId: number): number {
    const { db } = this.ctx;
    const commitment = findCommitment(db, panel.id);
    const last = commitment?.drawId ? findDraw(db, panel.id, commitment.drawId) : undefined;
    if (!commitment?.numbers || !commitment.seed || last?.status !== 'failed') {
      throw new DomainError('conflict', `The final draw is ${last ? last.status : 'not started'}; only a final draw that failed can run again.`, 'Nothing to run again');
    }
    const { numbers, seed } = commitment;
    return this.final(panel, commitment, seed, userId, (drawId) => recordNumbers(db, panel.id, numbers, seed, drawId), commitment.dice ? Number(numbers) : undefined);
  }

  /** A verifiable draw for the empty seats (members who declined or withdrew), on what is left of the pool. */
  async replace(panel: Panel, userId: number | null): Promise<number> {
    const { db } = this.ctx;
    const commitment = findCommitment(db, panel.id);
    const members = listMembers(db, panel.id);
    const empty = vacancies(members);
    if (!commitment?.seed) throw new DomainError('conflict', 'There is no final draw yet, so there is nobody to replace. Enter the public numbers first.', 'Not yet');
    if (empty.length === 0) throw new DomainError('conflict', 'No seat is empty: replacements are drawn for people who declined or withdrew.', 'Nothing to replace');
    const seatable = seatableNow(db, panel.id, commitment, members, empty);
    if (seatable > 0) {
      throw new DomainError('conflict', `${seatable} of the empty seats can go to the alternates ranked with the panel: seat them first. The list, fixed with the panel, decides who fills a seat; a replacement draw fills only the seats no alternate can take.`, 'Seat the alternates first');
    }
    const replacements = listDraws(db, panel.id).filter((d) => d.kind === 'replacement');
    if (replacements.some((d) => d.status === 'running')) throw new DomainError('conflict', 'A replacement draw is already running. Wait for it to finish.', 'A draw is running');
    // Numbered by finished replacements, so a replacement that failed runs again with the same seed.
    const n = replacements.filter((d) => d.status === 'done').length + 1;
    const input = await replacementInputInWorker(commitment.poolCsv, commitment.quotasCsv, members);
    // Checked again: another replacement may have started, or a seat changed, while the pool was read.
    const now = listDraws(db, panel.id).filter((d) => d.kind === 'replacement');
    if (now.some((d) => d.status === 'running')) throw new DomainError('conflict', 'A replacement draw is already running. Wait for it to finish.', 'A draw is running');
    if (JSON.stringify(vacancies(listMembers(db, panel.id)).map((m) => m.id)) !== JSON.stringify(empty.map((m) => m.id))) {
      throw new DomainError('conflict', 'The empty seats changed while the replacement draw was being prepared. Look at the members again, then draw replacements.', 'Seats changed');
    }
    return this.runner.start(
      { panelId: panel.id, kind: 'replacement', algorithm: commitment.algorithm, seed: replacementSeed(commitment.seed, n), panelSize: input.seats, poolCsv: input.poolCsv, quotasCsv: input.quotasCsv },
      userId,
      {
        onDone: (outcome, drawId) => {
          addMembers(db, panel.id, drawId, outcome.selected);
          markReplaced(db, empty.map((m) => m.id), drawId);
        },
      },
    );
  }

  /** The final draw: by the engine from the seed, or (`pick`, by dice) that entry of the committed list. */
  private final(panel: Panel, commitment: Commitment, seed: string, userId: number, alongside: (drawId: number) => void, pick?: number): number {
    const { poolCsv, quotasCsv } = commitment;
    const list = pick === undefined ? undefined : findDiceList(this.ctx.db, panel.id);
    if (pick !== undefined && !list) throw new Error(`panel ${panel.id}: its commitment chose dice, but its list of panels is missing`);
    const choice = commitment.alternates;
    return this.runner.start({ panelId: panel.id, kind: 'final', algorithm: commitment.algorithm, seed, panelSize: commitment.panelSize, poolCsv, quotasCsv }, userId, {
      onDone: (outcome, finished) => addMembers(this.ctx.db, panel.id, finished, outcome.selected),
      alongside,
      compute: list && pick !== undefined ? () => diceOutcomeInWorker({ poolCsv, quotasCsv, list, n: pick }) : undefined,
      // The alternates, ranked with the panel from the same seed (alternates.ts).
      then: choice ? async (outcome) => ({ ...outcome, alternates: await alternatesInWorker({ poolCsv, quotasCsv, selected: outcome.selected, choice, seed }) }) : undefined,
    });
  }
}

/** How the final pick is made: public numbers make a seed (the default), or dice pick a panel of a list of `listSize`. */
export interface CommitChoice {
  algorithm: Algorithm;
  randomness: string;
  finalPick?: 'numbers' | 'dice';
  listSize?: number;
  /** How many alternates the final draw ranks with the panel, for the panel's dropout table; 0 or absent for none. */
  alternates?: number;
}

/** The list for a final pick by dice, made in a worker; a pool or method it cannot be made for is said in words. */
async function diceList(poolCsv: string, quotasCsv: string, panelSize: number, algorithm: Algorithm, listSize: number): Promise<UniformList> {
  try {
    return await uniformInWorker({ files: { poolCsv, quotasCsv, addressColumns: [HOUSEHOLD_COLUMN] } }, { panelSize, algorithm, listSize });
  } catch (err) {
    if (err instanceof InputError || err instanceof InfeasibleError) throw new DomainError('invalid', `Nothing was published: ${err.message}`);
    throw err;
  }
}

/** Why a draw on this input could not run, in words; undefined when it can. */
async function drawProblem(poolCsv: string, quotasCsv: string, panelSize: number): Promise<string | undefined> {
  try {
    await checkInWorker({ files: { poolCsv, quotasCsv, addressColumns: [HOUSEHOLD_COLUMN] } }, { panelSize });
    return undefined;
  } catch (err) {
    if (err instanceof InputError || err instanceof InfeasibleError || err instanceof CsvError) return err.message;
    throw err;
  }
}
