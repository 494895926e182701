/**
 * One key's pace (issues 8 and 16): a bucket of `burst` events, refilled at `perSecond`. Within it an event runs
 * at once; beyond it the event waits its turn, so a flooding key is slowed and nobody else is; beyond `queue`
 * waiting events, `run` refuses. A bucket is shared by every socket of its key (pacing.ts), so each waiting event
 * names its socket, and a socket that leaves takes its waiting events with it instead of spending the others'
 * tokens on them. It counts real time, not the room's clock, which tests may stop.
 */
export class Throttle {
  private tokens: number;
  private last = performance.now();
  private readonly waiting: { fn: () => void; owner: string }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond = 10,
    private readonly burst = 30,
    private readonly queue = 30,
  ) {
    this.tokens = burst;
  }

  /** Runs `fn` now or later, in order; false if too many events are waiting already (then `fn` never runs). */
  run(fn: () => void, owner = ''): boolean {
    if (this.take()) {
      fn();
      return true;
    }
    if (this.waiting.length >= this.queue) return false;
    this.waiting.push({ fn, owner });
    this.schedule();
    return true;
  }

  /** Spends a token if one is there and nothing waits for it: for an event that is refused rather than kept waiting. */
  take(): boolean {
    this.refill();
    if (this.waiting.length || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Drops what `owner` has waiting (its socket has gone); without an owner, everything. */
  stop(owner?: string): void {
    const kept = this.waiting.filter((w) => owner !== undefined && w.owner !== owner);
    this.waiting.splice(0, this.waiting.length, ...kept);
    if (!this.waiting.length) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** How long until the bucket is full again with nothing waiting: forgetting it sooner would hand its key a fresh burst. */
  idleMs(): number {
    this.refill();
    return Math.max(0, Math.ceil(((this.burst - this.tokens + this.waiting.length) * 1000) / this.perSecond));
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiting.length && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()?.fn();
      }
      if (this.waiting.length) this.schedule();
    }, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
  }
}
