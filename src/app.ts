import http from 'node:http';
import cookieParser from 'cookie-parser';
import { chooseLanguage } from './web/language';
import { i18nInstance } from './web/i18n';
import express from 'express';
import helmet from 'helmet';
import { Server as IoServer } from 'socket.io';
import { loadUser, requireTeam } from './auth/middleware';
import { findPanel } from './panels/repo';
import { authRouter } from './auth/routes';
import { peopleRouter } from './auth/people-routes';
import { passwordRouter } from './auth/password-routes';
import { accountRouter, requireOwnPassword } from './auth/account-routes';
import { requireTwoFactor, twoFactorRouter } from './auth/two-factor-routes';
import type { AppContext } from './context';
import { type Log, serverLog } from './logger';
import { auditRouter } from './audit-routes';
import { healthRouter } from './health';
import { Metrics, metricsRouter } from './metrics';
import type { LiveSessions } from './room/live';
import { homeRouter } from './home';
import { outcomesRouter } from './outcomes/public-routes';
import { Summaries } from './outcomes/summaries';
import { summaryRouter } from './outcomes/summary-routes';
import { responseRouter } from './outcomes/response-routes';
import { Responses } from './outcomes/responses';
import { Progress } from './outcomes/progress';
import { roomSummaryHtml } from './outcomes/room-summary';
import { quotasRouter } from './panels/quota-routes';
import { panelsRouter } from './panels/routes';
import { panelUpkeepRouter } from './panels/upkeep-routes';
import { viewsDir } from './paths';
import { registrationRouter } from './registration/form-routes';
import { stopRouter } from './messages/stop-routes';
import { RoomRepo } from './room/repo';
import { roomRouter } from './room/routes';
import { sessionsRouter } from './room/session-routes';
import { sessionDayRouter } from './room/session-day-routes';
import { attachRoom } from './room/socket';
import { sameOrigin } from './room/auth';
import { Revocations } from './revocations';
import { poolRouter } from './registration/pool-routes';
import { subjectAccessRouter } from './registration/subject-access-routes';
import { messagesRouter } from './messages/messages-routes';
import { wordingRouter } from './messages/wording-routes';
import { translationRouter } from './panels/translation-routes';
import { mailoutRouter } from './mailout/mailout-routes';
import { publicSelectionRouter } from './selection/public-routes';
import { invitationRouter } from './selection/invite-routes';
import { failInterruptedDraws } from './selection/repo';
import { selectionRouter } from './selection/routes';
import { DrawRunner } from './selection/runner';
import { csrf } from './web/csrf';
import { errorHandler } from './web/error-handler';
import { notFound } from './web/errors';
import { requestIds, requestLog } from './web/request-log';
import { serveAssets } from './web/assets';
import { createViewEngine } from './web/views';

/** The largest message a room client may send, in bytes. */
export const ROOM_MESSAGE_LIMIT = 64 * 1024;

export interface CreateAppOptions extends AppContext {
  log?: Log;
}

/** Builds the whole app around one database, clock and config; nothing listens until the caller says. */
export function createApp(options: CreateAppOptions) {
  const { log = serverLog(options.config), ...ctx } = options;
  const app = express();
  app.disable('x-powered-by');
  if (ctx.config.TRUST_PROXY) app.set('trust proxy', 1);
  i18nInstance(); // a locale file that cannot be read stops the start, in words, not a resident's first page
  app.engine('hbs', createViewEngine());
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);

  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } }));
  // Probes come every few seconds: before the request log, so they do not fill it.
  app.use(healthRouter(ctx));
  let live: LiveSessions | undefined;
  const metrics = new Metrics(ctx, () => live?.connected() ?? []);
  app.use(metricsRouter(metrics, ctx.config.METRICS_TOKEN));
  app.use(requestIds(ctx.config.TRUST_PROXY));
  if (ctx.config.LOG_REQUESTS) app.use(requestLog(log));
  app.use(serveAssets());
  // Before the outcomes site: its pages are in the reader's language too (and vary by it).
  app.use(chooseLanguage(ctx.config.SECURE_COOKIES));
  const room = new RoomRepo(ctx.db);
  const revocations = new Revocations();
  const summaries = new Summaries(ctx, room);
  // The public outcomes site, before cookies and logins: the same page for everyone, so caches can keep it.
  const responses = new Responses(ctx, room, summaries);
  const progress = new Progress(ctx, responses);
  app.use(outcomesRouter(ctx, room, summaries, responses, progress));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '100kb' }));
  app.use(cookieParser());
  app.use(csrf(ctx.config.SECURE_COOKIES));
  app.use(loadUser(ctx));
  app.use(requireOwnPassword);
  app.use(requireTwoFactor(ctx));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // Each panel its own team (issue 17): every page of a panel, and of its sessions, is for that panel's team only.
  const panelOfRequest = (req: express.Request) => {
    const id = Number(req.params.id);
    return Number.isSafeInteger(id) && findPanel(ctx.db, id) ? id : undefined;
  };
  app.use('/admin/panels/:id', requireTeam(ctx.db, panelOfRequest));
  app.use('/admin/sessions/:id', requireTeam(ctx.db, (req) => room.find(Number(req.params.id))?.panelId));
  app.use(homeRouter(ctx));
  app.use(authRouter(ctx, revocations));
  app.use(peopleRouter(ctx, revocations));
  // Before the account pages, which are for those signed in: a set-up link is opened by someone who is not yet.
  app.use(passwordRouter(ctx, revocations));
  app.use(accountRouter(ctx, revocations));
  app.use(twoFactorRouter(ctx, revocations));
  app.use(registrationRouter(ctx));
  app.use(stopRouter(ctx));
  app.use(panelsRouter(ctx));
  app.use(panelUpkeepRouter(ctx, room));
  app.use(auditRouter(ctx));
  app.use(quotasRouter(ctx));
  app.use(poolRouter(ctx, revocations));
  app.use(subjectAccessRouter(ctx, room));
  app.use(mailoutRouter(ctx));
  app.use(messagesRouter(ctx));
  app.use(wordingRouter(ctx));
  app.use(translationRouter(ctx));
  failInterruptedDraws(ctx.db, ctx.clock.now());
  const runner = new DrawRunner(ctx);
  app.use(selectionRouter(ctx, runner, revocations));
  app.use(publicSelectionRouter(ctx));
  app.use(invitationRouter(ctx, room, revocations));
  app.use(roomRouter(room));
  app.use(sessionsRouter(ctx, room, revocations));
  app.use(sessionDayRouter(ctx));
  app.use(summaryRouter(ctx, room, summaries));
  app.use(responseRouter(ctx, responses, progress));
  app.use((_req, _res, next) => next(notFound('That page')));
  app.use(errorHandler(log));

  const server = http.createServer(app);
  const io = new IoServer(server, {
    serveClient: false,
    // The largest honest message is a paper count or a recommendation's wording: far below Socket.IO's 1 MB default.
    maxHttpBufferSize: ROOM_MESSAGE_LIMIT,
    // Only pages of this site (or clients that are not browser pages) may open the room.
    allowRequest: (req, callback) => callback(null, sameOrigin(req, ctx.config)),
  });
  // The room's pacing is returned so tests can see that its buckets are forgotten once their sockets have gone.
  // Members read in the room the summary a vote asks them to approve, rendered as the public page renders it.
  const summary = (sessionId: number, revision: number, lang?: string) => roomSummaryHtml(app, summaries, sessionId, revision, lang);
  const { pacing, sessions } = attachRoom(io, ctx, room, revocations, log, summary, metrics);
  live = sessions;
  server.on('close', () => sessions.dispose());
  return { app, server, io, runner, room, summaries, pacing };
}
