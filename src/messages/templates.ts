import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { projectRoot } from '../paths';
import { languageOf } from '../web/i18n';
import { LINK } from './outbox';

/**
 * A message's words (issue 22): one template per kind and language in views/messages/<language>/<kind>.txt, its
 * first line `Subject: …`, then paragraphs. The plain text and the HTML bodies both come from it: the HTML is the
 * same paragraphs, escaped, with any line that is a web address made a link. `{{link}}` is the message's
 * personal link, filled in only when it is sent (outbox.ts).
 */
export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const DIR = path.join(projectRoot, 'views', 'messages');
const compiled = new Map<string, { subject: HandlebarsTemplateDelegate; body: HandlebarsTemplateDelegate }>();

/** The standard wording of a kind in a language (English when the language has none): the file's text. */
export function standardSource(kind: string, language: string): string {
  const key = `${language}/${kind}`;
  let source = standard.get(key);
  if (source === undefined) {
    const file = path.join(DIR, language, `${kind}.txt`);
    source = fs.readFileSync(fs.existsSync(file) ? file : path.join(DIR, 'en', `${kind}.txt`), 'utf8');
    standard.set(key, source);
  }
  return source;
}
const standard = new Map<string, string>();

/** Compiles a template's text, once per distinct text (a panel's own wording, or a standard file). */
function compile(source: string) {
  const cached = compiled.get(source);
  if (cached) return cached;
  const [first, ...rest] = source.split('\n');
  if (!first.startsWith('Subject: ')) throw new Error('The first line must be "Subject: " and the subject.');
  const options = { noEscape: true, strict: true };
  const made = { subject: Handlebars.compile(first.slice('Subject: '.length), options), body: Handlebars.compile(rest.join('\n').trim(), options) };
  compiled.set(source, made);
  return made;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A message in a language; `source` is a panel's own wording of it (panel-templates.ts), else the standard one. */
export function renderMessage(kind: string, language: string, vars: Record<string, string>, source = standardSource(kind, language)): Rendered {
  const t = compile(source);
  const all = { ...vars, link: LINK };
  // A paragraph left empty (every detail in it unset) leaves no gap.
  const text = `${t.body(all).replace(/\n{3,}/g, '\n\n').trim()}\n`;
  const html = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map((line) => (line === LINK || /^https?:\/\/\S+$/.test(line) ? `<a href="${escape(line)}">${escape(line)}</a>` : escape(line))).join('<br>')}</p>`)
    .join('\n');
  const { tag, dir } = languageOf(language);
  return { subject: t.subject(all), text, html: `<!doctype html><html lang="${tag}" dir="${dir}"><body>\n${html}\n</body></html>\n` };
}
