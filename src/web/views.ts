import fs from 'node:fs';
import path from 'node:path';
import { assetUrl } from './assets';
import Handlebars from 'handlebars';
import { viewsDir } from '../paths';

type Template = Handlebars.TemplateDelegate;

/**
 * An Express view engine over plain Handlebars: pages in views/pages, partials in views/partials,
 * every page wrapped in views/layouts/main.hbs (unless rendered with `layout: false`). Templates are compiled once and cached.
 */
export function createViewEngine(dir = viewsDir) {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const partialsDir = path.join(dir, 'partials');
  for (const file of listHbs(partialsDir)) {
    hbs.registerPartial(file.replace(/\.hbs$/, ''), fs.readFileSync(path.join(partialsDir, file), 'utf8'));
  }
  const cache = new Map<string, Template>();
  const compile = (file: string): Template => {
    let template = cache.get(file);
    if (!template) {
      template = hbs.compile(fs.readFileSync(file, 'utf8'), { strict: false });
      cache.set(file, template);
    }
    return template;
  };
  const layout = compile(path.join(dir, 'layouts', 'main.hbs'));

  return (file: string, options: object, done: (err: Error | null, html?: string) => void) => {
    try {
      const body = compile(file)(options);
      // A fragment (`layout: false`) is sent as it is, for a page's script to place.
      done(null, (options as { layout?: boolean }).layout === false ? body : layout({ ...options, body }));
    } catch (err) {
      done(err as Error);
    }
  };
}

function listHbs(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.hbs')) : [];
}

function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // The address of a file of ours, with no input in it: safe as it is, so `=` stays `=`.
  hbs.registerHelper('asset', (file: unknown) => new hbs.SafeString(assetUrl(String(file))));
  hbs.registerHelper('date', (ms: unknown) =>
    typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 10) : '',
  );
  hbs.registerHelper('datetime', (ms: unknown) =>
    typeof ms === 'number' ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '',
  );
  // An ISO 8601 time, as the JSON exports carry them, read the way `datetime` reads milliseconds.
  hbs.registerHelper('isotime', (iso: unknown) =>
    typeof iso === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '',
  );
  hbs.registerHelper('plural', (n: unknown, one: string, many: string) => (n === 1 ? one : many));
  // Its last argument is Handlebars' options object, not a part.
  hbs.registerHelper('concat', (...parts: unknown[]) => parts.slice(0, -1).map(String).join(''));
}
