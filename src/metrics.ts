import fs from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from './context';
import { VERSION } from './health';

/** What the room reports as it works: each command's type, whether it was applied, and how long its acknowledgement took. */
export interface RoomMeter {
  command(type: string, outcome: 'applied' | 'refused' | 'failed', seconds: number): void;
}

/**
 * The server's Prometheus metrics: the process's own (event-loop delay, memory, CPU), room clients per session,
 * commands by type and outcome, acknowledgement latency, database and WAL size, and the age of the last backup.
 * Counts and timings only: no label carries a person or a pseudonym.
 */
export class Metrics implements RoomMeter {
  readonly registry = new Registry();
  private readonly commands: Counter<'type' | 'outcome'>;
  private readonly acks: Histogram;
  private processMetrics = false;

  constructor(ctx: AppContext, connected: () => { sessionId: number; role: string; count: number }[]) {
    const registers = [this.registry];
    new Gauge({ name: 'citizens_panel_info', help: 'The toolkit version running', labelNames: ['version'], registers }).set({ version: VERSION }, 1);
    new Gauge({
      name: 'room_connected_clients',
      help: 'Room sockets connected now, per session and role',
      labelNames: ['session', 'role'],
      registers,
      collect() {
        this.reset();
        for (const c of connected()) this.set({ session: String(c.sessionId), role: c.role }, c.count);
      },
    });
    this.commands = new Counter({ name: 'room_commands_total', help: 'Room commands answered, by type and outcome (rate() gives commands per second)', labelNames: ['type', 'outcome'], registers });
    this.acks = new Histogram({ name: 'room_ack_seconds', help: 'Time from a command arriving to its acknowledgement', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
    const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
    const onDisk = ctx.db.name !== ':memory:';
    new Gauge({ name: 'database_size_bytes', help: 'Size of the database file', registers, collect() { this.set(onDisk ? size(ctx.db.name) : 0); } });
    new Gauge({ name: 'database_wal_size_bytes', help: 'Size of the database write-ahead log', registers, collect() { this.set(onDisk ? size(`${ctx.db.name}-wal`) : 0); } });
    const lastBackup = ctx.db.prepare("SELECT MAX(at) FROM audit_log WHERE action = 'cli.backup'").pluck();
    new Gauge({
      name: 'backup_last_age_seconds',
      help: 'Seconds since the last citizens-panel backup of this database (-1: none recorded)',
      registers,
      collect() {
        const at = lastBackup.get() as number | null;
        this.set(at === null ? -1 : Math.max(0, (ctx.clock.now() - at) / 1000));
      },
    });
  }

  /** The metrics as Prometheus text. The process's own (event-loop delay among them) are watched from the first scrape on. */
  async text(): Promise<string> {
    if (!this.processMetrics) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
      this.processMetrics = true;
    }
    return this.registry.metrics();
  }

  command(type: string, outcome: 'applied' | 'refused' | 'failed', seconds: number): void {
    this.commands.inc({ type, outcome });
    this.acks.observe(seconds);
  }
}

/**
 * GET /metrics: with METRICS_TOKEN set, for requests bearing it; without one, only from this machine, and not
 * through a proxy (a proxy on this machine would otherwise pass the world's requests as local).
 */
export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  const allowed = (req: Request, res: Response, next: NextFunction) => {
    const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '') && !req.get('x-forwarded-for');
    const ok = token ? req.get('authorization') === `Bearer ${token}` : local;
    if (ok) return next();
    res.status(token ? 401 : 403).type('text/plain').send(token ? 'Give the metrics token: Authorization: Bearer <METRICS_TOKEN>.\n' : 'Metrics are served to this machine only. Set METRICS_TOKEN to let a monitoring server fetch them.\n');
  };
  router.get('/metrics', allowed, async (_req, res) => {
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(await metrics.text());
  });
  return router;
}
