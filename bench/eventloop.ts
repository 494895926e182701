import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import { generatePool, poolToCsv } from '../fixtures/generate-pool';
import type { Reply } from '../src/room/events';
import { inScratch, labelledFigure, percentile, runMain, startChild } from './child';
import type { DelayReport, EventLoopReady } from './eventloop-server';

/**
 * npm run bench:eventloop [-- --clients N]
 *
 * Issue 18: nothing an organiser does may stall a live room. N panellists (default 200) raise and lower hands in a
 * discussion round, about 100 commands a second in all, while the organiser, over HTTP like a browser, first does
 * nothing, then publishes the commitment on the demo's 1,500-person pool (which checks that a draw can meet the
 * quotas), then imports 100,000 registrations into another panel. For each phase: the server's event-loop delay
 * (monitorEventLoopDelay, in the server's own process) and the panellists' acknowledgement times. Goal: delay p99
 * under 20 ms and acknowledgement p99 under 50 ms in every phase.
 */
const USAGE = 'npm run bench:eventloop -- [--clients N (1-1000, default 200)]';
const RATE = 100; // commands a second across the room
const CSRF = 'bench-csrf';

const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const sockets: Socket[] = [];

function parseArgs(argv: string[]): { clients: number } {
  if (argv.length === 0) return { clients: 200 };
  const clients = Number(argv[1]);
  if (argv[0] !== '--clients' || argv.length !== 2 || !Number.isInteger(clients) || clients < 1 || clients > 1000) throw new Error(USAGE);
  return { clients };
}

/** 100,000 registrations: the demo generator's people, repeated with their own email each (it has 1,500 phone numbers to give). */
function hundredThousand(): string {
  const people = generatePool({ seed: 'bench-eventloop', size: 1500 });
  const rows = Array.from({ length: 100_000 }, (_, i) => {
    const p = people[i % people.length];
    return { ...p, id: `B${i}`, name: `${p.name} ${i}`, email: `person${i}@example.org`, phone: '', address: `${Math.floor(i / 1500)} ${p.address}` };
  });
  return poolToCsv(rows);
}

function join(port: number, pass: string): Promise<Socket> {
  const socket = connect(`http://127.0.0.1:${port}`, { auth: { pass }, transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('room:state', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The panellists' steady load: each in turn raises or lowers their hand; every acknowledgement time is kept. */
class Load {
  readonly acks: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private ids = 0;
  failures = 0;

  constructor(private readonly phones: Socket[]) {}

  start(): void {
    const up = new Array<boolean>(this.phones.length).fill(false);
    this.timer = setInterval(() => {
      const i = this.next++ % this.phones.length;
      const at = performance.now();
      const event = up[i] ? 'queue:lower' : 'queue:raise';
      up[i] = !up[i];
      void this.phones[i]
        .timeout(30_000)
        .emitWithAck(event, { clientId: `el-${++this.ids}` })
        .then((reply: Reply<unknown>) => (reply.ok ? this.acks.push(performance.now() - at) : this.failures++), () => this.failures++);
    }, 1000 / RATE);
  }

  take(): number[] {
    return this.acks.splice(0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function delay(child: ChildProcess): Promise<DelayReport> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== 'delay') return;
      child.off('message', on);
      resolve(m as DelayReport);
    };
    child.on('message', on);
    child.send({ type: 'delay' });
  });
}

/** The organiser's browser: a CSRF cookie and token, and the session cookie once logged in. */
async function organiser(base: string, email: string, password: string) {
  let cookie = `cp_csrf=${CSRF}`;
  const post = async (path: string, body: BodyInit, type?: string) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, ...(type ? { 'content-type': type } : {}) }, body });
    if (res.status >= 400) throw new Error(`POST ${path} answered ${res.status}: ${(await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    return res;
  };
  const form = (fields: Record<string, string>) => new URLSearchParams({ _csrf: CSRF, ...fields }).toString();
  const login = await post('/login', form({ email, password }), 'application/x-www-form-urlencoded');
  cookie += `; cp_session=${/cp_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? ''}`;
  return {
    form: (path: string, fields: Record<string, string>) => post(path, form(fields), 'application/x-www-form-urlencoded'),
    upload: (path: string, csv: string) => {
      const body = new FormData();
      body.set('_csrf', CSRF);
      body.set('consentConfirmed', 'yes');
      body.set('file', new Blob([csv], { type: 'text/csv' }), 'pool.csv');
      return post(path, body);
    },
  };
}

interface Row {
  phase: string;
  seconds: number;
  action: number | undefined;
  delay: DelayReport;
  acks: number[];
}

async function main(): Promise<void> {
  const { clients } = parseArgs(process.argv.slice(2));
  await inScratch('eventloop', sockets, async (dir) => {
    progress(`starting the server with the demo and a session of ${clients} members…`);
    const { child, ready } = await startChild<EventLoopReady>('eventloop-server.js', [dir, String(clients)]);
    const base = `http://127.0.0.1:${ready.port}`;
    const facilitator = await join(ready.port, ready.facilitator);
    const phones = await Promise.all(ready.panellists.map((p) => join(ready.port, p.token)));
    await facilitator.emitWithAck('round:open', { clientId: 'open', round: ready.discussion });
    progress('generating 100,000 registrations to import…');
    const csv = hundredThousand();
    const org = await organiser(base, ready.organiser.email, ready.organiser.password);

    const load = new Load(phones);
    load.start();
    const rows: Row[] = [];
    const phase = async (name: string, action: () => Promise<unknown>) => {
      await delay(child);
      load.take();
      const t0 = performance.now();
      const done = await action().then(() => performance.now() - t0);
      await new Promise((r) => setTimeout(r, 1000)); // the room a second after, too
      rows.push({ phase: name, seconds: (performance.now() - t0) / 1000, action: done, delay: await delay(child), acks: load.take() });
      progress(`${name}: done`);
    };
    progress(`${phones.length} panellists at ${RATE} commands a second`);
    await phase('the room alone', () => new Promise((r) => setTimeout(r, 4000)));
    await phase('publish the commitment (1,500 people)', async () => {
      await org.form(`/admin/panels/${ready.demoPanel}/registration/close`, {});
      await org.form(`/admin/panels/${ready.demoPanel}/commitment`, { algorithm: 'leximin', randomness: 'The National Lottery Lotto draw on Saturday', confirm: 'yes' });
    });
    await phase('import 100,000 registrations (8 MB)', () => org.upload(`/admin/panels/${ready.importPanel}/pool/import`, csv));
    load.stop();

    console.log(`\nbench:eventloop: ${phones.length} panellists at ${RATE} commands/s; the server's event-loop delay and the panellists' acknowledgements, per phase\n`);
    const head = ['phase', 'took (s)', 'action (ms)', 'loop p99 (ms)', 'loop max (ms)', 'ack p50 (ms)', 'ack p99 (ms)', 'acks'];
    console.log(head.join(' | '));
    for (const r of rows) {
      const cells = [r.phase, r.seconds.toFixed(1), r.action === undefined ? '' : r.action.toFixed(0), r.delay.p99.toFixed(1), r.delay.max.toFixed(1), percentile(r.acks, 50).toFixed(1), percentile(r.acks, 99).toFixed(1), String(r.acks.length)];
      console.log(cells.join(' | '));
      labelledFigure('eventloop', r.phase, 'loop p99 (ms)', r.delay.p99, 1);
      labelledFigure('eventloop', r.phase, 'ack p99 (ms)', percentile(r.acks, 99), 1);
    }
    if (load.failures) console.log(`\n${load.failures} commands were refused or timed out.`);
    const worst = Math.max(...rows.map((r) => r.delay.p99));
    const worstAck = Math.max(...rows.map((r) => percentile(r.acks, 99)));
    console.log(`\nGoal: loop p99 under 20 ms (worst ${worst.toFixed(1)} ms: ${worst < 20 ? 'met' : 'NOT met'}); ack p99 under 50 ms (worst ${worstAck.toFixed(1)} ms: ${worstAck < 50 ? 'met' : 'NOT met'}).`);
  });
}

runMain('eventloop', main);
