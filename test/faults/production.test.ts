import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { systemClock } from '../../src/clock';
import { testConfig } from '../../src/config';
import { closeDb, openDb } from '../../src/db';
import { seedDemo } from '../../src/demo/seed';
import { findPanel } from '../../src/panels/repo';
import { projectRoot } from '../../src/paths';
import { exampleAgenda } from '../../src/room/agenda';
import { createSession } from '../../src/room/create';
import { RoomRepo } from '../../src/room/repo';
import { freePort } from '../e2e/server-process';

/**
 * A production install, as the Dockerfile's runtime stage has it: the build's output and the files it reads, with
 * the dev dependencies pruned, started with NODE_ENV=production behind a proxy that sets its own Host.
 */
const PUBLIC_URL = 'https://panel.example.org';
const RUNTIME = ['dist', 'views', 'public', 'db', 'fixtures', 'package.json', 'package-lock.json', 'node_modules'];
let dir: string;
let data: string;
const running: ChildProcess[] = [];

beforeAll(() => {
  if (!fs.existsSync(path.join(projectRoot, 'dist', 'src', 'server.js'))) throw new Error('Run `npm run build` first.');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-production-'));
  data = path.join(dir, 'data');
  for (const part of RUNTIME) fs.cpSync(path.join(projectRoot, part), path.join(dir, 'app', part), { recursive: true });
  execFileSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: path.join(dir, 'app'), stdio: 'pipe' });
}, 120_000);
afterAll(() => {
  for (const c of running) stop(c, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

function env(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return { PATH, HOME, NODE_ENV: 'production', PUBLIC_URL, PORT: String(port), HOST: '127.0.0.1', DATABASE: path.join(data, 'panel.db'), KEYS_DIR: path.join(dir, 'keys'), ...extra };
}

/** `npm start` in the pruned install; resolves with its output once it is running. */
function start(port: number, extra: Record<string, string> = {}): Promise<{ output: () => string }> {
  // Its own process group, so that stopping npm stops the server it started too.
  const child = spawn('npm', ['start', '--silent'], { cwd: path.join(dir, 'app'), env: env(port, extra), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 60 s:\n${output}`)), 60_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (/running at/.test(output)) {
        clearTimeout(timer);
        resolve({ output: () => output });
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before running:\n${output}`)));
  });
}

/** A reverse proxy that sends its own Host (as nginx with `proxy_set_header Host $upstream`) and X-Forwarded-*. */
async function proxy(target: number): Promise<{ port: number; close: () => void }> {
  const server = http.createServer((req, res) => {
    const upstream = http.request({ port: target, host: '127.0.0.1', path: req.url, method: req.method, headers: { ...req.headers, host: `app-internal:${target}`, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'panel.example.org' } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket: net.Socket, head) => {
    const upstream = http.request({ port: target, host: '127.0.0.1', path: req.url, method: req.method, headers: { ...req.headers, host: `app-internal:${target}` } });
    upstream.on('upgrade', (up, upSocket, upHead) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n${Object.entries(up.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\r\n')}\r\n\r\n`);
      upSocket.write(head);
      socket.write(upHead);
      upSocket.pipe(socket).pipe(upSocket);
    });
    upstream.on('response', (res) => {
      socket.end(`HTTP/1.1 ${res.statusCode} Refused\r\n\r\n`);
    });
    upstream.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => server.close() };
}

function handshake(port: number, pass: string, origin: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass }, transports: ['websocket'], extraHeaders: { Origin: origin }, reconnection: false });
    socket.once('room:state', () => {
      socket.close();
      resolve('joined');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(`refused: ${err.message}`);
    });
  });
}

test('a fresh production start: no demo, no password in its output, ready, and its files readable by their owner only', async () => {
  const port = await freePort();
  const server = await start(port);
  const home = await fetch(`http://127.0.0.1:${port}/`);
  expect(await home.text()).not.toContain('Coventry');
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  expect(server.output()).not.toMatch(/password:/i);
  expect(server.output()).toContain(`for ${PUBLIC_URL}`);
  for (const file of fs.readdirSync(data)) expect({ file, mode: (fs.statSync(path.join(data, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
  expect(fs.statSync(data).mode & 0o077).toBe(0);
  stop(running.pop(), 'SIGTERM');
}, 60_000);

test('the demo in production, when asked for: its logins go to a file only its owner can read, never to the output', async () => {
  const port = await freePort();
  const dbFile = path.join(dir, 'demo', 'panel.db');
  const server = await start(port, { SEED_DEMO: 'true', DATABASE: dbFile });
  const logins = `${dbFile}.demo-logins.txt`;
  expect((fs.statSync(logins).mode & 0o777).toString(8)).toBe('600');
  expect(fs.readFileSync(logins, 'utf8')).toMatch(/organiser@.+ {2}password: \S{12,}/);
  expect(server.output()).toContain(logins);
  expect(server.output()).not.toMatch(/password:/);
  for (const line of server.output().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  stop(running.pop(), 'SIGTERM');
}, 90_000);

test('production needs PUBLIC_URL: without it the server stops at once, saying so', () => {
  const { PUBLIC_URL: _, ...rest } = env(0);
  const run = (() => {
    try {
      execFileSync(process.execPath, ['dist/src/server.js'], { cwd: path.join(dir, 'app'), env: rest, stdio: 'pipe' });
      return { status: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      return { status: e.status, stderr: e.stderr.toString() };
    }
  })();
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('PUBLIC_URL: required when NODE_ENV=production');
});

test("behind a proxy that sets its own Host, the room's handshake is accepted from the public origin and refused from any other", async () => {
  const dbFile = path.join(dir, 'room', 'panel.db');
  const db = openDb(dbFile);
  const demo = seedDemo({ db, clock: systemClock, config: testConfig() });
  if (!demo) throw new Error('the demo was not seeded');
  const made = createSession(db, systemClock, new RoomRepo(db), findPanel(db, demo.panelId) as NonNullable<ReturnType<typeof findPanel>>, exampleAgenda(), null);
  closeDb(db);
  const port = await freePort();
  await start(port, { DATABASE: dbFile, TRUST_PROXY: 'true' });
  const front = await proxy(port);
  try {
    expect(await handshake(front.port, made.facilitator, PUBLIC_URL)).toBe('joined');
    expect(await handshake(front.port, made.facilitator, 'https://evil.example.com')).toMatch(/^refused/);
    expect(await handshake(front.port, made.facilitator, `http://app-internal:${port}`)).toMatch(/^refused/);
  } finally {
    front.close();
  }
}, 60_000);
