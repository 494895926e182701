import { Router } from 'express';
import type { AppContext } from './context';
import { listPanels, registrationClosed } from './panels/repo';
import { translate } from './web/language';
import { localiseForPage } from './panels/localise';

export function homeRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const now = ctx.clock.now();
    const panels = listPanels(ctx.db)
      .filter((p) => p.openedAt !== null)
      .map((p) => ({ ...localiseForPage(ctx.db, res, p).panel, open: !registrationClosed(p, now) }));
    res.render('pages/home', { title: translate(res)('home.title'), panels });
  });
  return router;
}
