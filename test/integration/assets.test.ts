import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { publicDir } from '../../src/paths';
import { makeApp } from '../helpers';

/** Issue 20: static files compressed and fingerprinted, so an upgrade never serves the old client. */
const raw = fs.readFileSync(path.join(publicDir, 'style.css'));

test('pages link each file by its fingerprint, which is cached for a year', async () => {
  const t = makeApp();
  const page = await t.agent().get('/login');
  const href = /href="(\/style\.css\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
  expect(href).toBeDefined();
  const css = await request(t.app).get(href as string).set('Accept-Encoding', 'identity');
  expect(css.status).toBe(200);
  expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(css.headers['content-type']).toMatch(/^text\/css/);
  expect(Buffer.from(css.text)).toEqual(raw);
});

test('without the current fingerprint a file is checked again each time, and its ETag answers 304', async () => {
  const t = makeApp();
  for (const url of ['/style.css', '/style.css?v=000000000000']) {
    const plain = await request(t.app).get(url);
    expect(plain.headers['cache-control']).toBe('public, no-cache');
    const again = await request(t.app).get(url).set('If-None-Match', plain.headers.etag);
    expect(again.status).toBe(304);
  }
});

test('text files are sent compressed as the browser accepts, brotli first, and decompress to the file', async () => {
  const t = makeApp();
  // Read raw off the wire: supertest would decompress it.
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const br = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/style.css', headers: { 'Accept-Encoding': 'gzip, deflate, br' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  server.close();
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers.vary).toBe('Accept-Encoding');
  expect(Number(br.headers['content-length'])).toBeLessThan(raw.length);
  expect(zlib.brotliDecompressSync(br.body)).toEqual(raw);
  const gzip = await request(t.app).get('/style.css').set('Accept-Encoding', 'gzip');
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(gzip.text).toBe(raw.toString()); // supertest unzips gzip itself
});

test('a file that is not there is the site\'s 404, and other methods pass by', async () => {
  const t = makeApp();
  expect((await request(t.app).get('/js/nothing.js')).status).toBe(404);
  expect((await request(t.app).post('/style.css')).status).not.toBe(200);
});
