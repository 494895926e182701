import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

/** The compiled server: `npm run build` makes it (and the client bundle the room page loads). */
export const SERVER_JS = path.join(projectRoot, 'dist', 'src', 'server.js');
const STARTUP_MS = 15000;
const STOP_MS = 10000;

export interface ServerProcess {
  url: string;
  port: number;
  dbFile: string;
  /** The running process's id. */
  pid(): number;
  /** SIGKILL: no shutdown handler runs, no checkpoint, no goodbye to the sockets. Resolves once it has exited. */
  kill9(): Promise<void>;
  /** A new process on the same database file and port. */
  restart(): Promise<void>;
  /** SIGTERM (a clean shutdown), then SIGKILL if it hangs. */
  stop(): Promise<void>;
}

/** A temporary database file, in a folder of its own. */
export function tempDbFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-e2e-proc-')), 'room.db');
}

/** A port nobody is listening on now, chosen before the server starts so a restart can reuse it. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * `node dist/src/server.js` as a real child process on 127.0.0.1, with its own database file and a fixed
 * port. The demo is not seeded (SEED_DEMO=false): the test sets up its data in the file itself.
 */
export async function startServerProcess(options: { dbFile?: string; port?: number; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} does not exist: run \`npm run build\` first.`);
  const dbFile = options.dbFile ?? tempDbFile();
  const port = options.port ?? (await freePort());
  let child = await spawnServer(dbFile, port, options.env);

  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  const waitForExit = (c: ChildProcess) => (exited(c) ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve())));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dbFile,
    pid: () => child.pid ?? -1,
    async kill9() {
      if (exited(child)) throw new Error(`The server (pid ${child.pid}) had already exited before kill9.`);
      child.kill('SIGKILL');
      await waitForExit(child);
    },
    async restart() {
      if (!exited(child)) throw new Error(`The server (pid ${child.pid}) is still running: kill9() or stop() it before restart().`);
      child = await spawnServer(dbFile, port, options.env);
    },
    async stop() {
      if (exited(child)) return;
      const c = child;
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), STOP_MS);
      await waitForExit(c);
      clearTimeout(timer);
    },
  };
}

/** Spawns the server and resolves once it prints its "running at" line; rejects with its output if it does not. */
function spawnServer(dbFile: string, port: number, extra: Record<string, string> = {}): Promise<ChildProcess> {
  const env = { ...serverEnv(dbFile, port), ...extra };
  const child = spawn(process.execPath, [SERVER_JS], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The server (node ${path.relative(projectRoot, SERVER_JS)}, PORT=${port}, DATABASE=${dbFile}) ${why}.\nIts output:\n${output || '(nothing)'}`));
    };
    const timer = setTimeout(() => fail(`did not print "running at" within ${STARTUP_MS / 1000} s`), STARTUP_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/running at http:\/\/\S+/.test(output)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (code ${code}, signal ${signal}) before it was running`);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
  });
}

function serverEnv(dbFile: string, port: number): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE: dbFile, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_REQUESTS: 'false' };
}

/**
 * Starts the server expecting it to refuse to start: resolves with its exit code and output once it exits, or
 * rejects (after stopping it) if it is running after `ms`.
 */
export async function refusedStart(dbFile: string, env: Record<string, string> = {}, ms = 15_000): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_JS], { cwd: projectRoot, env: { ...serverEnv(dbFile, port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The server on ${dbFile} was expected to refuse to start, but was still running after ${ms / 1000} s.\nIts output:\n${output}`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
