import type { NextFunction, Request, Response } from 'express';
import { routeOf } from './error-handler';

/** One line per request: method, route pattern, status, time. No query, body, cookie or IP. */
export function requestLog(log: (line: string) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log(`${req.method} ${routeOf(req)} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  };
}
