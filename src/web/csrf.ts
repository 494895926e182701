import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

const COOKIE = 'cp_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The only routes that take multipart bodies (web/upload.ts); they check the token once the body is parsed. */
const UPLOAD_ROUTES = /^\/admin\/panels\/[^/]+\/((pool|quotas)\/import|quotas\/crossings|mailout\/register)$/;
/** A stop link (messages/stop-routes.ts) is its own proof, and a mail program's one-click POST carries no form token. */
const OWN_PROOF = /^\/messages\/stop\/[^/]+$/;

/**
 * Double-submit token: every browser gets a random httpOnly cookie, and every form carries the same
 * value in a hidden `_csrf` field. Another site can make a browser send the cookie but cannot read it.
 * Upload forms are checked by `verifyCsrf` after their multipart body is parsed (see web/upload.ts).
 */
export function csrf(secure: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    let token = readCookie(req);
    if (!token) {
      token = crypto.randomBytes(24).toString('base64url');
      res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
      req.cookies[COOKIE] = token;
    }
    res.locals.csrfToken = token;
    if (!UNSAFE.has(req.method)) return next();
    // Multipart bodies are parsed (and checked) only by the upload routes; anywhere else they are refused.
    if (req.is('multipart/form-data') && UPLOAD_ROUTES.test(req.path)) return next();
    if (req.method === 'POST' && OWN_PROOF.test(req.path)) return next();
    verifyCsrf(req, res, next);
  };
}

export function verifyCsrf(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  const field: unknown = body && typeof body === 'object' && '_csrf' in body ? body._csrf : undefined;
  // Only text is a token: String() of a JSON object such as {"toString": 1} throws, and of a list joins it.
  const sent = field === undefined ? req.get('x-csrf-token') : typeof field === 'string' ? field : undefined;
  const expected = readCookie(req);
  if (!sent || !expected || !sameText(sent, expected)) {
    return next(
      new HttpError(
        403,
        'This form was not sent from this site, or it has expired. Go back, reload the page and try again.',
        'Form expired',
      ),
    );
  }
  next();
}

function readCookie(req: Request): string | undefined {
  const value: unknown = req.cookies?.[COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
