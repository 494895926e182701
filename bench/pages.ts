import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { figure } from './child';

/**
 * `npm run bench:pages`: requests per second and latency for the public outcome pages, beside a static file served
 * by the same Express app in the same run, so the ratio shows how close the pages are to what the server can do.
 * The server runs in a child process; BENCH_SECONDS (default 10) per URL, BENCH_CONNECTIONS (default 16) at once.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-pages-'));
  console.log('Seeding the demo with its story (a real draw; about 10 s)…');
  const child = fork(path.join(__dirname, 'pages-server.js'), [dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, sessionId } = await new Promise<{ port: number; sessionId: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; sessionId: number }));
    child.once('exit', (code) => reject(new Error(`the server stopped (exit code ${code}) before it was ready`)));
  });
  const slug = 'coventry-cultural-strategy';
  const urls = [['static file /style.css', '/style.css'], ['outcomes list', '/outcomes'], ['panel outcome page', `/outcomes/${slug}`], ['session summary', `/outcomes/${slug}/sessions/${sessionId}`]];
  console.log(`${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, Node ${process.version}; ${CONNECTIONS} connections, ${SECONDS} s per page\n`);
  console.log('page                    req/s    p50 ms   p99 ms   KiB   vs static');
  let staticRate = 0;
  try {
    for (const [name, url] of urls) {
      const r = await load(port, url);
      if (url === '/style.css') staticRate = r.rate;
      figure('pages', `${name}: requests per second`, r.rate, 'req/s', 0);
      figure('pages', `${name}: p99`, r.p99, 'ms', 1);
      console.log(`${name.padEnd(22)} ${r.rate.toFixed(0).padStart(6)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(8)} ${(r.bytes / 1024).toFixed(0).padStart(5)}   ${(r.rate / staticRate).toFixed(2)}`);
    }
  } finally {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CONNECTIONS keep-alive loops requesting `url` for SECONDS; every response must be a 200. */
async function load(port: number, url: string): Promise<{ rate: number; p50: number; p99: number; bytes: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const times: number[] = [];
  let bytes = 0;
  const end = Date.now() + SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const start = process.hrtime.bigint();
      http.get({ host: '127.0.0.1', port, path: url, agent }, (res) => {
        let size = 0;
        res.on('data', (c: Buffer) => (size += c.length));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${url} answered ${res.statusCode}`));
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
          bytes = size;
          resolve();
        });
      }).on('error', reject);
    });
  const started = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < end) await one();
  }));
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { rate: times.length / ((Date.now() - started) / 1000), p50: at(0.5), p99: at(0.99), bytes };
}

void main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
