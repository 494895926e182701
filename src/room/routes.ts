import { Router } from 'express';
import { notFound } from '../web/errors';
import { rawWords } from '../web/i18n';
import { pageLanguage } from '../web/language';
import { parseId } from '../web/validate';
import type { RoomRepo } from './repo';

/** The room's page. It holds no data: the browser joins with the pass from its link (docs/protocol.md). */
export function roomRouter(repo: RoomRepo): Router {
  const router = Router();
  router.get('/room/:sessionId', (req, res) => {
    const sessionId = parseId(req.params.sessionId, 'That session');
    const title = repo.title(sessionId);
    if (title === undefined) throw notFound('That session');
    // The browser's words, as JSON inside a script element: `<` escaped so no text can close the element.
    const words = JSON.stringify(rawWords(pageLanguage(res).code, 'room.live')).replace(/</g, '\\u003c');
    res.render('pages/room', { title, sessionId, words });
  });
  return router;
}
