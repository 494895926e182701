import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { HttpError } from '../web/errors';
import { findSessionUser, SESSION_COOKIE } from './sessions';
import type { Role, User } from './users';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      user?: User;
      csrfToken: string;
    }
  }
}

/** Puts the logged-in user, if any, in res.locals.user. */
export function loadUser({ db, clock }: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token: unknown = req.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string' && token) res.locals.user = findSessionUser(db, clock, token);
    next();
  };
}

/** Lets through users with one of the roles; sends others to the login page or a 403. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user;
    if (!user) {
      if (req.method === 'GET') return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new HttpError(401, 'You need to log in to do this. Log in, then try again.'));
    }
    if (!roles.includes(user.role)) {
      return next(
        new HttpError(403, `This needs an ${roles.join(' or ')} account; you are logged in as a ${user.role}.`),
      );
    }
    next();
  };
}

export function currentUser(res: Response): User {
  const user = res.locals.user;
  if (!user) throw new HttpError(401, 'You need to log in to do this.');
  return user;
}
