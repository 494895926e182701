import { Router } from 'express';
import type { AppContext } from './context';
import { listPanels, registrationClosed } from './panels/repo';
import { translate } from './web/language';

export function homeRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const now = ctx.clock.now();
    const panels = listPanels(ctx.db)
      .filter((p) => p.openedAt !== null)
      .map((p) => ({ ...p, open: !registrationClosed(p, now) }));
    res.render('pages/home', { title: translate(res)('home.title'), panels });
  });
  return router;
}
