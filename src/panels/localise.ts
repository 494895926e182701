import type { Response } from 'express';
import type { Db } from '../db';
import { pageLanguage } from '../web/language';
import type { Category, Panel } from './repo';
import { localise, type Localised } from './translations';

/**
 * A panel in the page's language, for a resident's page: the words shown translated are noted for the `own`
 * helper (which marks the rest as English), and the layout says when some of the organiser's words are not
 * translated yet.
 */
export function localiseForPage(db: Db, res: Response, panel: Panel, categories: Category[] = []): Localised {
  const local = localise(db, panel, categories, pageLanguage(res).code);
  const translated = (res.locals.translated as Set<string> | undefined) ?? new Set<string>();
  for (const words of local.translated) translated.add(words);
  res.locals.translated = translated;
  res.locals.untranslated = ((res.locals.untranslated as number | undefined) ?? 0) + local.untranslated;
  return local;
}
