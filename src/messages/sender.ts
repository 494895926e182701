import type { AppContext } from '../context';
import type { Db } from '../db';
import { claimNext, markFailed, markSent, withLink } from './outbox';
import { stopLink, stoppedAt } from './stop';
import { SendError, type Transport } from './transport';

/** Tries before a message is given up on: about a day, with the backoff below. */
export const MAX_ATTEMPTS = 10;
/** A message left 'sending' this long (its sender stopped mid-send) is taken again. */
export const LEASE_MS = 5 * 60_000;

/** Half a minute after the first failure, doubling, at most an hour apart. */
export const backoffMs = (attempts: number): number => Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/**
 * The background sender (issue 22): takes due messages from the outbox, a few at a time at MAIL_PER_MINUTE, and
 * hands each to the transport; a refusal that will not change (a 5xx) fails it at once, in words; anything else
 * is tried again later. A message's row says 'sending' while it is out, so a sender that dies mid-send leaves
 * it to be taken again after LEASE_MS, with the same Message-ID.
 */
export class Sender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private tokens: number;
  private last: number;
  private stopping = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly transport: Transport,
    private readonly perMinute = ctx.config.MAIL_PER_MINUTE,
  ) {
    this.tokens = Math.max(1, perMinute / 60);
    this.last = ctx.clock.now();
  }

  /** Sends every second until stopped. */
  start(everyMs = 1000): void {
    this.timer ??= setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  /** Stops taking messages; resolves when the one being sent is done. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport.close();
  }

  /** One round: the messages that are due, as many as the rate allows. Returns how many went. */
  tick(): Promise<number> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<number> {
    const { db, clock, config } = this.ctx;
    const now = clock.now();
    // A bucket of up to a minute's messages, refilled as time passes.
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) / 60_000) * this.perMinute);
    this.last = now;
    const budget = Math.floor(this.tokens);
    if (budget < 1) return 0;
    let sent = 0;
    // One message out at a time: if the process dies, at most the one being handed over is in doubt.
    for (let i = 0; i < budget && !this.stopping; i++) {
      const message = claimNext(db, clock.now(), LEASE_MS);
      if (!message) break;
      // They asked for no more reminders or news after this one was queued: it stays, not sent, saying why.
      const stopped = stoppedAt(db, message);
      if (stopped !== null) {
        markFailed(db, message.id, `Not sent: on ${new Date(stopped).toISOString().slice(0, 10)} they asked for no more reminders or news by email.`, null);
        continue;
      }
      this.tokens -= 1;
      try {
        const m = withLink(this.ctx, message);
        await this.transport.send({ from: config.MAIL_FROM, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, language: m.language, unsubscribe: stopLink(this.ctx, m) });
        markSent(db, m.id, clock.now());
        sent++;
      } catch (err) {
        const permanent = err instanceof SendError && err.permanent;
        const why = err instanceof Error ? err.message : String(err);
        const giveUp = permanent || message.attempts >= MAX_ATTEMPTS;
        markFailed(db, message.id, giveUp && !permanent ? `${why} Gave up after ${message.attempts} tries.` : why, giveUp ? null : clock.now() + backoffMs(message.attempts));
      }
    }
    return sent;
  }
}

/**
 * At start-up, before the sender runs: a message left 'sending' was being handed over when the last process
 * stopped (only one server runs on a database). It may or may not have arrived; it goes again now, with the same
 * Message-ID, rather than never. Returns how many.
 */
export function resumeInterrupted(db: Db): number {
  return db.prepare("UPDATE messages SET state = 'queued', claimed_at = NULL, last_error = 'Interrupted while it was being sent: sent again, with the same Message-ID.' WHERE state = 'sending'").run().changes;
}
