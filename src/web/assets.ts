import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { publicDir } from '../paths';

interface Asset {
  hash: string;
  type: string;
  raw: Buffer;
  br: Buffer;
  gzip: Buffer;
}

const YEAR = 31_536_000;
const COMPRESSIBLE = /\.(js|css|svg|map|json|txt)$/;
let read: Map<string, Asset> | undefined;

/** Every file under public/, read once at the first request, with its fingerprint and its compressed forms. */
function assets(dir = publicDir): Map<string, Asset> {
  if (read) return read;
  read = new Map();
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const raw = fs.readFileSync(file);
        const squeeze = COMPRESSIBLE.test(file);
        read?.set(`/${path.relative(dir, file).split(path.sep).join('/')}`, {
          hash: crypto.createHash('sha256').update(raw).digest('hex').slice(0, 12),
          type: path.extname(file),
          raw,
          br: squeeze ? zlib.brotliCompressSync(raw) : raw,
          gzip: squeeze ? zlib.gzipSync(raw, { level: 9 }) : raw,
        });
      }
    }
  };
  walk(dir);
  return read;
}

/** A public file's address with its fingerprint, `/js/room.js?v=…`, for views (`{{asset "/js/room.js"}}`). */
export function assetUrl(file: string): string {
  const found = assets().get(file);
  return found ? `${file}?v=${found.hash}` : file;
}

/**
 * Serves public/: compressed (brotli or gzip, as the browser accepts), and cached for a year when asked for by its
 * fingerprint, since a new build gives a changed file a new address; asked for without one, it is checked again
 * each time (an ETag makes that cheap), so an upgrade never leaves an old client in a browser.
 */
export function serveAssets() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const asset = assets().get(req.path);
    if (!asset) return next();
    const tag = `"${asset.hash}"`;
    res.set('ETag', tag);
    res.set('Vary', 'Accept-Encoding');
    res.set('Cache-Control', req.query.v === asset.hash ? `public, max-age=${YEAR}, immutable` : 'public, no-cache');
    if (req.get('if-none-match') === tag) return res.status(304).end();
    const accepts = req.get('accept-encoding') ?? '';
    const [body, encoding] = /\bbr\b/.test(accepts) && asset.br !== asset.raw ? [asset.br, 'br'] : /\bgzip\b/.test(accepts) && asset.gzip !== asset.raw ? [asset.gzip, 'gzip'] : [asset.raw, undefined];
    if (encoding) res.set('Content-Encoding', encoding);
    res.type(asset.type).set('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
