import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createViewEngine } from '../../src/web/views';
import { viewsDir } from '../../src/paths';

const render = (engine: ReturnType<typeof createViewEngine>, file: string, data: object) =>
  new Promise<string>((resolve, reject) => engine(file, data, (err, html) => (err ? reject(err) : resolve(html!))));

function viewsWith(page: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-views-'));
  fs.mkdirSync(path.join(dir, 'layouts'));
  fs.mkdirSync(path.join(dir, 'pages'));
  fs.writeFileSync(path.join(dir, 'layouts', 'main.hbs'), '<main>{{{body}}}</main>');
  fs.writeFileSync(path.join(dir, 'pages', 'page.hbs'), page);
  return dir;
}

test("a page's data is shown by name, and {{this.date}} reaches data that shares a helper's name", async () => {
  const dir = viewsWith('{{#each waves}}<section id="wave-{{number}}">{{this.date}}</section>{{/each}}');
  const html = await render(createViewEngine(dir), path.join(dir, 'pages', 'page.hbs'), { waves: [{ number: 1, date: 'Saturday' }] });
  expect(html).toBe('<main><section id="wave-1">Saturday</section></main>');
});

test('a bare {{name}} that names a helper is refused when the page is compiled, saying where and what to write', async () => {
  const dir = viewsWith('<p>Drawn on</p>\n<p>{{date}}</p>');
  const file = path.join(dir, 'pages', 'page.hbs');
  await expect(render(createViewEngine(dir), file, { date: 'Saturday' })).rejects.toThrow(
    `${file} line 2: {{date}} names a helper, not the data; write {{this.date}}`,
  );
});

test("none of the toolkit's own pages or partials shows data under a helper's name", async () => {
  const engine = createViewEngine(); // compiles every partial, and refuses one that does
  const pages = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pages(path.join(dir, e.name)) : e.name.endsWith('.hbs') ? [path.join(dir, e.name)] : []));
  const files = pages(path.join(viewsDir, 'pages'));
  expect(files.length).toBeGreaterThan(40);
  for (const file of files) {
    // Rendered with no data, a page may fail for other reasons (a missing translation key); not for this one.
    await render(engine, file, {}).catch((err: Error) => expect(err.message).not.toContain('names a helper'));
  }
});
