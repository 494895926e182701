import { audit } from '../audit';
import type { AppContext } from '../context';
import { readDrawFiles } from '../sortition/pool';
import type { DrawOptions, DrawResult, Person, Progress, Quota } from '../sortition/types';
import { drawInWorker, type WorkerInput } from '../sortition/worker';
import { type Draw, type DrawOutcome, finishDraw, insertDraw } from './repo';
import { HOUSEHOLD_COLUMN } from './snapshot';

export type DrawEvent = { type: 'progress'; progress: Progress } | { type: 'done' } | { type: 'failed'; message: string };
type Engine = (input: WorkerInput, options: DrawOptions) => Promise<DrawResult>;

/** Reads a draw's published input exactly as `citizens-panel draw --address-columns household` does. */
export function drawInput(poolCsv: string, quotasCsv: string): { people: Person[]; quotas: Quota[] } {
  return readDrawFiles(poolCsv, quotasCsv, [HOUSEHOLD_COLUMN]);
}

/**
 * What a draw does besides the engine's run: `alongside` runs in the transaction that creates the record, `onDone`
 * in the one that stores the outcome. `compute`, when given, makes the outcome instead of the engine (a final pick
 * by dice takes a panel of its list); `then` adds to an outcome before it is stored (a final draw's alternates).
 */
export interface DrawSteps {
  onDone?: (outcome: DrawOutcome, drawId: number) => void;
  alongside?: (drawId: number) => void;
  compute?: () => Promise<DrawOutcome>;
  then?: (outcome: DrawOutcome) => Promise<DrawOutcome>;
}

/** Runs draws in a worker thread, one record per draw, and tells anyone listening how each goes. */
export class DrawRunner {
  private readonly live = new Map<number, { latest?: Progress; listeners: Set<(e: DrawEvent) => void>; finished: Promise<void> }>();

  constructor(
    private readonly ctx: AppContext,
    private readonly engine: Engine = drawInWorker,
  ) {}

  start(
    draw: Pick<Draw, 'panelId' | 'kind' | 'algorithm' | 'seed' | 'panelSize' | 'poolCsv' | 'quotasCsv'>,
    userId: number | null,
    { onDone = () => {}, alongside = () => {}, compute, then = async (o) => o }: DrawSteps = {},
  ): number {
    const { db, clock } = this.ctx;
    // The record, and whatever goes with it, are stored before the worker starts: a failure here starts nothing.
    const id = db.transaction(() => {
      const drawId = insertDraw(db, draw, userId, clock.now());
      audit(db, clock, { userId, panelId: draw.panelId, action: `draw.${draw.kind}.start`, subject: `draw ${drawId}`, detail: { algorithm: draw.algorithm, seed: draw.seed } });
      alongside(drawId);
      return drawId;
    })();
    const listeners = new Set<(e: DrawEvent) => void>();
    const emit = (event: DrawEvent) => listeners.forEach((l) => l(event));
    const entry: { latest?: Progress; listeners: typeof listeners; finished: Promise<void> } = { listeners, finished: Promise.resolve() };
    const running = compute
      ? Promise.resolve().then(compute)
      : this.run(draw, (progress) => {
          entry.latest = progress;
          emit({ type: 'progress', progress });
        });
    entry.finished = running
      .then(then)
      .then((outcome) => {
        db.transaction(() => {
          finishDraw(db, id, clock.now(), outcome, null);
          onDone(outcome, id);
          audit(db, clock, { userId, panelId: draw.panelId, action: `draw.${draw.kind}.done`, subject: `draw ${id}`, detail: { selected: outcome.selected.length, minProbability: outcome.minProbability } });
        })();
        emit({ type: 'done' });
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        db.transaction(() => {
          finishDraw(db, id, clock.now(), null, message);
          audit(db, clock, { userId, panelId: draw.panelId, action: `draw.${draw.kind}.failed`, subject: `draw ${id}` });
        })();
        emit({ type: 'failed', message });
      })
      .catch((err: unknown) => console.error(`draw ${id}: could not record how it ended: ${String(err)}`))
      .finally(() => this.live.delete(id));
    this.live.set(id, entry);
    return id;
  }

  /** The latest progress of a running draw, if it is running here. */
  progress(drawId: number): Progress | undefined {
    return this.live.get(drawId)?.latest;
  }

  /** Calls `listener` on each event of a running draw; returns the unsubscribe function, or undefined if not running. */
  subscribe(drawId: number, listener: (e: DrawEvent) => void): (() => void) | undefined {
    const entry = this.live.get(drawId);
    if (!entry) return undefined;
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Resolves once the draw has finished (at once if it is not running). */
  settled(drawId: number): Promise<void> {
    return this.live.get(drawId)?.finished ?? Promise.resolve();
  }

  private async run(draw: Pick<Draw, 'algorithm' | 'seed' | 'panelSize' | 'poolCsv' | 'quotasCsv'>, onProgress: (p: Progress) => void): Promise<DrawOutcome> {
    // The files are read in the worker too: a large pool's parse never holds up the live rooms.
    const files = { poolCsv: draw.poolCsv, quotasCsv: draw.quotasCsv, addressColumns: [HOUSEHOLD_COLUMN] };
    const result = await this.engine({ files }, { panelSize: draw.panelSize, algorithm: draw.algorithm, seed: draw.seed, onProgress });
    return {
      selected: result.selected,
      minProbability: result.minProbability,
      gini: result.gini,
      counts: result.counts,
      chances: result.probabilities.map((p) => p.probability),
      poolSize: result.poolSize,
      types: result.types,
      notes: result.notes,
      ...(result.leximinChances ? { leximinChances: result.leximinChances } : {}),
    };
  }
}
