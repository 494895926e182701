import type { Clock } from '../clock';

/** A fixed-window counter per key, in memory: enough to slow down password guessing and form spam. */
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts one attempt; returns how long to wait when over the limit, else 0. */
  hit(key: string): number {
    const now = this.clock.now();
    if (this.hits.size > 10_000) this.sweep(now);
    const entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      return 0;
    }
    entry.count++;
    return entry.count > this.limit ? entry.resetAt - now : 0;
  }

  /** How long to wait when over the limit, without counting an attempt; else 0. */
  waiting(key: string): number {
    const entry = this.hits.get(key);
    const now = this.clock.now();
    return entry && entry.resetAt > now && entry.count >= this.limit ? entry.resetAt - now : 0;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}

export function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}
