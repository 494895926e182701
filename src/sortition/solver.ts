import loadHighs from 'highs';

/**
 * One HiGHS (WebAssembly) runtime per thread, and the hygiene its known failure modes need: models are
 * always disposed; an `Aborted()` poisons the runtime, so the next call loads a fresh one.
 */
export type Highs = Awaited<ReturnType<typeof loadHighs>>;
export type Model = ReturnType<Highs['createModel']>;

let runtime: Promise<Highs> | undefined;

export function highs(): Promise<Highs> {
  runtime ??= loadHighs();
  return runtime;
}

/** Forget a runtime that aborted: the next `highs()` loads a new one. */
export function discardRuntime(): void {
  runtime = undefined;
}

export function isAbort(err: unknown): boolean {
  return /abort/i.test(String((err as Error)?.message ?? err));
}

/** Options every model here uses: quiet, deterministic, and bounded in time. */
export function configure(model: Model, timeLimitSeconds: number): void {
  model.options.set({ output_flag: false, time_limit: timeLimitSeconds, random_seed: 0 });
}

/** Runs a solve. HiGHS's time limit counts the model's whole life, so its clocks restart each time. */
export function run(model: Model): void {
  model.zeroAllClocks();
  model.run();
}

export class SolverError extends Error {}
