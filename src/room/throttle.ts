/**
 * One client's pace (issue 8): a bucket of `burst` events, refilled at `perSecond`. Within it an event runs at
 * once; beyond it the event waits its turn, so a flooding client is slowed and nobody else is; beyond `queue`
 * waiting events, `run` refuses. It counts real time, not the room's clock, which tests may stop.
 */
export class Throttle {
  private tokens: number;
  private last = performance.now();
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond = 10,
    private readonly burst = 30,
    private readonly queue = 30,
  ) {
    this.tokens = burst;
  }

  /** Runs `fn` now or later, in order; false if too many events are waiting already (then `fn` never runs). */
  run(fn: () => void): boolean {
    this.refill();
    if (!this.waiting.length && this.tokens >= 1) {
      this.tokens -= 1;
      fn();
      return true;
    }
    if (this.waiting.length >= this.queue) return false;
    this.waiting.push(fn);
    this.schedule();
    return true;
  }

  /** Drops what is waiting: the client has gone. */
  stop(): void {
    clearTimeout(this.timer);
    this.waiting.length = 0;
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
        this.waiting.shift()?.();
      }
      if (this.waiting.length) this.schedule();
    }, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
  }
}
