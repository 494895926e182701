import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { AppContext } from './context';
import { storageProblem } from './db';
import { newestSchema } from './db-checks';
import { projectRoot } from './paths';

/** The toolkit's version, from package.json: /readyz and `citizens-panel --version` say it. */
export const VERSION = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** How long a quick check of the whole file is trusted: it reads every page, so not on every probe. */
const CHECKED_FOR_MS = 60_000;

interface Check {
  ok: boolean;
  detail: string;
}

/**
 * /healthz: the process is alive and answering (for a restart policy). /readyz: it can do its work (for a load
 * balancer and monitoring): the database takes a write, its file passes SQLite's quick check, its schema is the
 * one this code expects, and its disk has more than MIN_FREE_MB free. 503 with the failing checks in words.
 */
export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  const probe = ctx.db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at');
  let checked: { at: number; check: Check } | undefined;

  const attempt = (run: () => Check): Check => {
    try {
      return run();
    } catch (err) {
      return { ok: false, detail: storageProblem(err) ?? (err as Error).message };
    }
  };
  const checks = (): Record<string, Check> => {
    const now = Date.now();
    if (!checked || now - checked.at > CHECKED_FOR_MS || !checked.check.ok) {
      checked = { at: now, check: attempt(() => {
        const result = ctx.db.pragma('quick_check(1)', { simple: true }) as string;
        return { ok: result === 'ok', detail: result === 'ok' ? 'the database file passes SQLite\'s quick check' : `the database file is damaged (${result}): restore the latest backup` };
      }) };
    }
    return {
      writable: attempt(() => {
        probe.run(now);
        return { ok: true, detail: 'the database takes writes' };
      }),
      intact: checked.check,
      schema: attempt(() => {
        const schema = ctx.db.pragma('user_version', { simple: true }) as number;
        const newest = newestSchema();
        return { ok: schema === newest, detail: `schema ${schema}${schema === newest ? ', current' : `, but this code expects ${newest}: restart the server to migrate`}` };
      }),
      disk: attempt(() => {
        if (ctx.db.name === ':memory:') return { ok: true, detail: 'in memory' };
        const stats = fs.statfsSync(path.dirname(path.resolve(ctx.db.name)));
        const freeMb = Math.floor((stats.bavail * stats.bsize) / 1_048_576);
        const ok = freeMb > ctx.config.MIN_FREE_MB;
        return { ok, detail: `${freeMb} MB free${ok ? '' : `, below MIN_FREE_MB (${ctx.config.MIN_FREE_MB}): free some space`}` };
      }),
    };
  };

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true, version: VERSION });
  });
  router.get('/readyz', (_req, res) => {
    const found = checks();
    const ok = Object.values(found).every((c) => c.ok);
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store').json({ ok, version: VERSION, checks: found });
  });
  return router;
}
