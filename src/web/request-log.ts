import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Log } from '../logger';
import { routeOf } from './error-handler';

const GIVEN_ID = /^[\w.-]{1,64}$/;

/**
 * Gives every request an id (the proxy's X-Request-Id behind a trusted proxy, else a new one), sends it back in
 * X-Request-Id, and logs one line per request: method, route pattern, status, time, id. No query, body, cookie
 * or address: paths and bodies can carry tokens and personal data.
 */
export function requestIds(trustProxy: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const id = trustProxy && given && GIVEN_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    next();
  };
}

export function requestLog(log: Log) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : 'info';
      log(`${req.method} ${routeOf(req)} ${res.statusCode} ${ms.toFixed(1)}ms`, level, { requestId: res.locals.requestId, method: req.method, route: routeOf(req), status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}
