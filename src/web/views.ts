import fs from 'node:fs';
import path from 'node:path';
import { assetUrl } from './assets';
import Handlebars from 'handlebars';
import { viewsDir } from '../paths';
import { ENGLISH, translator, type Language } from './i18n';

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
    const source = fs.readFileSync(path.join(partialsDir, file), 'utf8');
    refuseShadowedHelpers(hbs, path.join(partialsDir, file), source);
    hbs.registerPartial(file.replace(/\.hbs$/, ''), source);
  }
  const cache = new Map<string, Template>();
  const compile = (file: string): Template => {
    let template = cache.get(file);
    if (!template) {
      const source = fs.readFileSync(file, 'utf8');
      refuseShadowedHelpers(hbs, file, source);
      template = hbs.compile(source, { strict: false });
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

/**
 * `{{number}}` calls a helper called `number` if there is one, not the data: a wave's number once printed
 * nothing this way. A bare `{{name}}` that names one of our helpers is refused when the page is compiled.
 */
function refuseShadowedHelpers(hbs: typeof Handlebars, file: string, source: string): void {
  const ours = new Set(Object.keys(hbs.helpers).filter((name) => !BUILT_IN.has(name)));
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; path?: { original?: string }; params?: unknown[]; hash?: unknown; loc?: { start: { line: number } } };
    if (n.type === 'MustacheStatement' && !n.params?.length && !n.hash && ours.has(n.path?.original ?? '')) {
      throw new Error(`${file} line ${n.loc?.start.line}: {{${n.path!.original}}} names a helper, not the data; write {{this.${n.path!.original}}} or rename the helper in src/web/views.ts.`);
    }
    for (const value of Object.values(n)) (Array.isArray(value) ? value : [value]).forEach(visit);
  };
  visit(hbs.parse(source));
}
const BUILT_IN = new Set(['blockHelperMissing', 'each', 'helperMissing', 'if', 'unless', 'log', 'lookup', 'with']);

function listHbs(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.hbs')) : [];
}

function registerHelpers(hbs: typeof Handlebars): void {
  registerLanguageHelpers(hbs);
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

type HelperOptions = { hash: Record<string, unknown>; data: { root: { lang?: Language; translated?: Set<string> } } };
const languageOfPage = (options: HelperOptions) => options.data.root.lang ?? ENGLISH;

/**
 * `{{t "register.lead" closes=panel.closesAt}}`: the page language's text for a key (views/locales), ICU
 * plurals and dates formatted for the language. Our translations may hold a little HTML; the values put into
 * them are escaped, so a panel's title cannot. `{{longDate ms}}` formats a date for the language.
 * (No helper may share a name with data a template shows: `{{number}}` once printed nothing for a wave's number.)
 */
function registerLanguageHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('t', (key: unknown, options: HelperOptions) => {
    const vars = Object.fromEntries(
      Object.entries(options.hash).map(([k, v]) => [k, v instanceof hbs.SafeString ? v.toString() : typeof v === 'string' ? hbs.escapeExpression(v) : v]),
    );
    return new hbs.SafeString(translator(languageOfPage(options).code)(String(key), vars));
  });
  // The organiser's own words: translated (panels/localise.ts), or English, marked as English on a page in another
  // language, so a screen reader says them in English and a right-to-left page keeps their punctuation in place.
  hbs.registerHelper('own', (text: unknown, options: HelperOptions) => {
    const raw = typeof text === 'string' ? text : '';
    const words = hbs.escapeExpression(raw);
    const english = languageOfPage(options).code !== 'en' && raw !== '' && !options.data.root.translated?.has(raw);
    return new hbs.SafeString(english ? `<span lang="en-GB" dir="ltr">${words}</span>` : words);
  });
  hbs.registerHelper('longDate', (ms: unknown, options: HelperOptions) =>
    typeof ms === 'number'
      ? new Intl.DateTimeFormat(languageOfPage(options).tag, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(ms)
      : '',
  );
}
