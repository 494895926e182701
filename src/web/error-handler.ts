import type { NextFunction, Request, Response } from 'express';
import { storageProblem } from '../db';
import type { Log } from '../logger';
import { DomainError } from '../errors';
import { HttpError } from './errors';
import { pageLanguage, translate } from './language';

/** Turns errors into a page (or JSON) that says what to do; unexpected ones are logged, not shown. */
export function errorHandler(log: Log) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const known = toHttpError(err);
    // The stack, not the message alone: messages can quote the input, and inputs can be personal data.
    if (!known || known.status >= 500) log(`${known ? 'storage' : 'internal'} error on ${req.method} ${routeOf(req)}: ${stackOnly(err)}`, 'error', { requestId: res.locals.requestId });
    const error = known ?? new HttpError(500, 'Something went wrong on our side. Try again; if it keeps happening, tell the organisers.');
    res.status(error.status);
    if (req.accepts(['html', 'json']) === 'json') return res.json({ error: error.title, message: error.message });
    res.render('pages/error', { title: error.title, status: error.status, message: error.message, ...inResidentLanguage(req, res, error) });
  };
}

/**
 * An error's own words are English and exact. On a page in another language, the common cases are said in that
 * language instead (what happened, and what to do); the rest keep their English words, marked as English.
 */
function inResidentLanguage(req: Request, res: Response, error: HttpError): Record<string, unknown> {
  if (pageLanguage(res).code === 'en') return {};
  const t = translate(res);
  const link = /^\/(invite|confirm|room)\//.test(req.path);
  if (error.status === 404) return { title: t('error.notFound'), message: t(link ? 'error.linkNotFound' : 'error.notFoundLead') };
  if (error.status === 410 && link) return { title: t('error.closed'), message: t('error.closedLead') };
  if (error.status === 429) return { title: t('error.tooMany'), message: t('error.tooManyLead') };
  if (error.status >= 500) return { title: t('error.generic'), message: t('error.genericLead') };
  if (error.status === 400 || error.status === 413) return { title: t('error.generic'), message: t('error.readLead') };
  return { messageLang: 'en' };
}

const STATUS: Record<DomainError['kind'], number> = { invalid: 400, not_found: 404, conflict: 409, gone: 410 };

function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(STATUS[err.kind], err.message, err.title);
  if (err instanceof URIError) return new HttpError(400, 'That address is malformed. Check the link and try again.');
  const storage = storageProblem(err);
  if (storage) return new HttpError(503, storage, 'Cannot save just now');
  // Body-parser and router errors carry a 4xx status.
  const e = err as { status?: number; type?: string };
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.type === 'entity.too.large') return new HttpError(413, 'What you sent is too large. Shorten it and try again.');
    return new HttpError(e.status, 'What you sent could not be read. Reload the page and try again.');
  }
  return undefined;
}

/** The route pattern, not the path: paths can carry ids and tokens that do not belong in logs. */
export function routeOf(req: Request): string {
  const route = req.route as { path?: string } | undefined;
  return route?.path ? `${req.baseUrl}${route.path}` : '(no route)';
}

function stackOnly(err: unknown): string {
  const stack = (err as Error)?.stack;
  if (!stack) return (err as Error)?.name ?? 'unknown error';
  return [(err as Error).name, ...stack.split('\n').slice(1, 8)].join('\n');
}
