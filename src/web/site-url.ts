import type { Request } from 'express';
import { type Config, publicUrl } from '../config';

/**
 * The site's address for links the app hands out (join links, invitation links): PUBLIC_URL when set, as it must
 * be in production, so a link never carries the Host a proxy used inside the council's network; else the
 * address the request came to (development).
 */
export function siteUrl(config: Config, req: Request): string {
  return config.PUBLIC_URL ? publicUrl(config) : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
