import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { registerCsv } from '../fixtures/generate-register';
import type { ChildMessage } from './bare-server';
import { ask, figure, runMain, startChild, stopChild } from './child';

/**
 * `npm run bench:letters` (issue 21): stage one at a city's scale, through the app's own routes, the server in a
 * child process so its memory is its own. Imports an address register of 150,000 households (BENCH_HOUSEHOLDS),
 * plans, commits and draws 30,000 letters (BENCH_LETTERS), then streams their letters as one PDF and as a CSV
 * for a print house. Prints the time and the server's peak memory for each step. Goal: the letters at 1,000 a
 * second or better, with memory flat, under 300 MiB.
 */
const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 150_000);
const LETTERS = Number(process.env.BENCH_LETTERS ?? 30_000);
const MiB = 2 ** 20;

type Agent = ReturnType<typeof request.agent>;

async function submit(agent: Agent, page: string, action: string, fields: Record<string, string>) {
  const res = await agent.get(page);
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!_csrf) throw new Error(`no form on ${page} (status ${res.status})`);
  return agent.post(action).type('form').send({ _csrf, ...fields });
}

/** Streams a download, counting its bytes and (for a PDF) its pages, without keeping it. */
function download(port: number, url: string, cookie: string): Promise<{ bytes: number; pages: number; status: number }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, headers: { cookie } }, (res) => {
      let bytes = 0;
      let pages = 0;
      let tail = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        const text = tail + chunk.toString('latin1');
        pages += (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length;
        tail = text.slice(-16).replace(/^[\s\S]*?(?=\/)/, '');
        if (tail.startsWith('/Type /Page') && !tail.startsWith('/Type /Pages')) tail = '';
      });
      res.on('end', () => resolve({ bytes, pages, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bench-letters-'));
  const { child, ready } = await startChild<{ port: number; panelId: number; email: string; password: string }>('letters-server.js', [dir]);
  const rows: { step: string; seconds: number; rate?: string; peak: number; growth: number }[] = [];
  try {
    const base = `/admin/panels/${ready.panelId}/mailout`;
    const agent = request.agent(`http://127.0.0.1:${ready.port}`);
    const login = await submit(agent, '/login', '/login', { email: ready.email, password: ready.password });
    if (login.status !== 303) throw new Error(`could not sign in as the demo's organiser (status ${login.status})`);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    console.log(`${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    console.log(`Writing an illustrative register of ${HOUSEHOLDS.toLocaleString('en-GB')} households…`);
    const register = Buffer.from([...registerCsv('bench-letters', HOUSEHOLDS)].join(''));

    const step = async (name: string, work: () => Promise<string | undefined>) => {
      const before = (await ask(child, 'usage')) as Extract<ChildMessage, { type: 'usage' }>;
      await ask(child, 'mark');
      const started = process.hrtime.bigint();
      const rate = await work();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const usage = (await ask(child, 'usage')) as Extract<ChildMessage, { type: 'usage' }>;
      rows.push({ step: name, seconds, rate, peak: usage.peakRss / MiB, growth: (usage.peakRss - before.rss) / MiB });
      console.log(`  ${name}: ${seconds.toFixed(1)} s${rate ? `, ${rate}` : ''}, server peak ${(usage.peakRss / MiB).toFixed(0)} MiB (${((usage.peakRss - before.rss) / MiB).toFixed(0)} MiB over its start)`);
      return seconds;
    };

    const imported = await step(`import ${HOUSEHOLDS.toLocaleString('en-GB')} households`, async () => {
      const page = await agent.get(base);
      const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      const res = await agent.post(`${base}/register`).field('_csrf', _csrf).attach('file', register, 'register.csv');
      if (res.status !== 303) throw new Error(`the upload was refused (status ${res.status})`);
      let shown = '';
      for (;;) {
        const now = await agent.get(base);
        const progress = /(\d+) of (\d+) households written/.exec(now.text);
        if (progress && process.stderr.isTTY) process.stderr.write(`\r    ${progress[1]} of ${progress[2]} written`);
        if (!/refreshes by itself/.test(now.text)) {
          shown = now.text;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (!new RegExp(`In use: <strong>${HOUSEHOLDS} households`).test(shown)) throw new Error('the register was not imported: open the mail-out page to see why');
      return undefined;
    });
    figure('letters', 'register import: households per second', HOUSEHOLDS / imported, 'households/s', 0);

    await step('plan and commit', async () => {
      const plan = await submit(agent, base, `${base}/plan`, { letters: String(LETTERS), factor: '1.5', deprived: '2' });
      if (plan.status !== 303) throw new Error(`the plan was refused (status ${plan.status})`);
      const commit = await submit(agent, base, `${base}/waves`, { randomness: 'the UK Lotto draw of Saturday 16 January 2027' });
      if (commit.status !== 303) throw new Error(`the commitment was refused (status ${commit.status})`);
      return undefined;
    });
    const drawn = await step(`draw ${LETTERS.toLocaleString('en-GB')} addresses`, async () => {
      const res = await submit(agent, base, `${base}/waves/1/draw`, { numbers: '7 19 23 31 40 52' });
      if (res.status !== 303) throw new Error(`the draw was refused (status ${res.status})`);
      return undefined;
    });
    figure('letters', 'address draw', drawn, 's', 2);

    let pdf = { bytes: 0, pages: 0, status: 0 };
    const pdfSeconds = await step('letters.pdf', async () => {
      pdf = await download(ready.port, `${base}/waves/1/letters.pdf`, cookie);
      if (pdf.status !== 200) throw new Error(`letters.pdf: status ${pdf.status}`);
      return `${LETTERS.toLocaleString('en-GB')} letters on ${pdf.pages.toLocaleString('en-GB')} pages, ${(pdf.bytes / MiB).toFixed(0)} MiB`;
    });
    const perSecond = LETTERS / pdfSeconds;
    figure('letters', 'letters PDF: letters per second', perSecond, 'letters/s', 0);
    figure('letters', 'letters PDF: server peak memory', rows[rows.length - 1].peak, 'MiB', 0);
    const csvSeconds = await step('letters.csv', async () => {
      const csv = await download(ready.port, `${base}/waves/1/letters.csv`, cookie);
      if (csv.status !== 200) throw new Error(`letters.csv: status ${csv.status}`);
      return `${(csv.bytes / MiB).toFixed(1)} MiB`;
    });
    figure('letters', 'letters CSV', csvSeconds, 's', 2);

    console.log('\nstep                          seconds   server peak MiB   growth in the step MiB');
    for (const r of rows) console.log(`${r.step.padEnd(30)}${r.seconds.toFixed(1).padStart(7)}${r.peak.toFixed(0).padStart(18)}${r.growth.toFixed(0).padStart(25)}`);
    const { peak, growth } = rows[rows.length - 2];
    figure('letters', 'letters PDF: memory growth while printing', growth, 'MiB', 0);
    console.log(`\nLetters: ${perSecond.toFixed(0)} a second (goal 1,000 or better) ${perSecond >= 1000 ? 'met' : 'NOT met'}; server peak while printing ${peak.toFixed(0)} MiB (goal under 300) ${peak < 300 ? 'met' : 'NOT met'}, ${growth.toFixed(0)} MiB more than when printing began.`);
    if (pdf.pages < LETTERS) throw new Error(`the PDF has ${pdf.pages} pages, fewer than its ${LETTERS} letters`);
  } finally {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain('letters', main);
