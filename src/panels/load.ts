import type { AppContext } from '../context';
import { notFound } from '../web/errors';
import { parseId } from '../web/validate';
import { findPanel, type Panel } from './repo';

/** The panel a request names by its id, or a 404 that says what to do. */
export function loadPanel(ctx: AppContext, raw: unknown): Panel {
  const panel = findPanel(ctx.db, parseId(raw, 'That panel'));
  if (!panel) throw notFound('That panel');
  return panel;
}
