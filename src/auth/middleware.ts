import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { onTeam } from './teams';
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

/** Lets through users with one of the roles (administrators always); sends others to the login page or a 403. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user;
    if (!user) {
      if (req.method === 'GET') return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new HttpError(401, 'You need to log in to do this. Log in, then try again.'));
    }
    if (!roles.includes(user.role) && !user.admin) {
      return next(
        new HttpError(403, `This needs an ${roles.join(' or ')} account; you are logged in as a ${user.role}.`),
      );
    }
    next();
  };
}

/** Lets through administrators only: they create panels and accounts, and put people on panels' teams. */
export function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  const user = res.locals.user;
  if (!user) return requireRole('organiser', 'facilitator')(req, res, next);
  if (!user.admin) return next(new HttpError(403, 'This needs an administrator: ask one of your installation’s administrators to do it, or to make you one.'));
  next();
}

/**
 * Lets through only the team of the panel a request is about (issue 17): `panelOf` names it (undefined when the
 * request names no panel that exists, so the route's own 404 answers). Someone not signed in is left to the
 * route's requireRole, which sends them to log in.
 */
export function requireTeam(db: Db, panelOf: (req: Request) => number | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user;
    const panelId = user ? panelOf(req) : undefined;
    if (user && panelId !== undefined && !onTeam(db, user, panelId)) {
      return next(new HttpError(403, 'You are not on this panel’s team, so you cannot see or change it. Ask an administrator to add you to its team.'));
    }
    next();
  };
}

export function currentUser(res: Response): User {
  const user = res.locals.user;
  if (!user) throw new HttpError(401, 'You need to log in to do this.');
  return user;
}
