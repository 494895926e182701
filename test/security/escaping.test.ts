import fs from 'node:fs';
import path from 'node:path';
import { renderMarkdown } from '../../src/outcomes/markdown';
import { insertCategory, insertPanel, openPanel } from '../../src/panels/repo';
import { projectRoot } from '../../src/paths';
import { makeApp } from '../helpers';

/**
 * Scripts come only from this site's files (a Content-Security-Policy without inline scripts), and text people
 * type is shown as text everywhere: on pages, in the room (which never writes HTML from strings), and in the
 * published narrative's Markdown.
 */
const t = makeApp();
const ATTACK = '<script>alert(1)</script><img src=x onerror=alert(2)>';

test('every page forbids inline scripts and script attributes', async () => {
  const res = await t.agent().get('/');
  const policy = Object.fromEntries(String(res.headers['content-security-policy']).split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  expect(policy['script-src']).toEqual(["'self'"]);
  expect(policy['script-src-attr']).toEqual(["'none'"]);
  expect(policy['object-src']).toEqual(["'none'"]);
  expect(policy['default-src']).toEqual(["'self'"]);
});

test('a panel named with markup shows the markup as text on its public pages', async () => {
  const now = t.clock.now();
  const panelId = insertPanel(t.db, { slug: 'xss-panel', title: `Panel ${ATTACK}`, question: `Question ${ATTACK}?`, panelSize: 10, closesAt: now + 86_400_000, quotaTolerance: 1 }, now);
  insertCategory(t.db, panelId, { key: 'gender', label: `Gender ${ATTACK}`, question: `Your gender ${ATTACK}?`, values: [{ value: 'w', label: `Woman ${ATTACK}`, share: 50 }, { value: 'm', label: 'Man', share: 50 }] });
  openPanel(t.db, panelId, now);
  for (const url of ['/', '/register/xss-panel']) {
    const res = await t.agent().get(url);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  }
});

test('the narrative’s Markdown keeps raw HTML and script links as text', () => {
  const html = renderMarkdown(`Hello ${ATTACK}\n\n[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org)`);
  expect(html).not.toMatch(/<script|<img|href="javascript:|href="data:/i);
  expect(html).toContain('&lt;script&gt;');
  expect(html).toContain('<a href="https://example.org" rel="nofollow noopener">ok</a>');
});

/**
 * The one place the room reads HTML: the summary a vote asks members to approve, as the server renders it (its
 * own escaping, views/partials/summary-body.hbs), parsed inertly and stripped of anything active.
 */
const SERVER_HTML = ['src/client/summary-reader.ts'];

test('the room’s browser code never turns strings into HTML', () => {
  const dir = path.join(projectRoot, 'src', 'client');
  const offending = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').map((line, i) => ({ file: `src/client/${f}`, where: `src/client/${f}:${i + 1}`, line })))
    .filter(({ line }) => /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|DOMParser|createContextualFragment)\b/.test(line));
  expect(offending.filter((o) => !SERVER_HTML.includes(o.file) || !/new DOMParser\(\)\.parseFromString/.test(o.line)).map(({ where, line }) => ({ where, line }))).toEqual([]);
});
