import Handlebars from 'handlebars';
import type { Db } from '../db';
import { LINK } from './outbox';
import { type Rendered, renderMessage, standardSource } from './templates';

/**
 * A panel's own wording of its messages (issue 22), per kind and language, checked when saved: the subject line,
 * the template's syntax, only the kind's own variables, and the person's link wherever the standard wording has it
 * (a message that has lost its link would send people nowhere). Staff messages (account set-up, password reset)
 * are the site's, not a panel's.
 */
export const PANEL_KINDS = ['registration-received', 'invitation', 'invitation-letter', 'replacement-invitation', 'reminder', 'session-details', 'session-reminder', 'outcome', 'response'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];
export const isPanelKind = (kind: string): kind is PanelKind => (PANEL_KINDS as readonly string[]).includes(kind);

/** What each variable is filled with, in the words the editor shows. */
export const VARIABLE_WORDS: Record<string, string> = {
  name: 'the person’s name',
  panel: 'the panel’s name, in their language if translated',
  question: 'the panel’s question',
  closes: 'the day registration closes',
  required: 'set when only confirmed addresses go into the draw',
  link: 'their own link (it must stay in)',
  dates: 'the dates, as on the panel’s details',
  venue: 'the venue',
  expenses: 'what is offered',
  access: 'care and access',
  contact: 'whom to ask: name, phone, email',
  session: 'the session’s title',
  when: 'the session’s day and time',
  place: 'where the session is',
  bring: 'what to bring',
  personal: 'set when they have their own join link',
  url: 'the public record’s address',
  what: 'what was published: the council’s response, a correction, or news of its progress',
  replyBy: 'the day to answer by, as chosen when printing',
  phone: 'the number to call',
  contactName: 'whom to ask for on the phone',
  site: 'the site’s address',
};

/** The variables a template uses, by name (in `{{…}}`, `{{#if …}}` and the like). */
export function variablesOf(source: string): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; original?: string; parts?: string[] };
    if (n.type === 'PathExpression' && n.original && !['if', 'unless', 'each', 'with', 'else'].includes(n.original)) names.add(n.original);
    for (const value of Object.values(n)) (Array.isArray(value) ? value : [value]).forEach(visit);
  };
  visit(Handlebars.parse(source));
  return [...names];
}

const hasLink = (source: string) => source.includes(LINK) || variablesOf(source).includes('link');

/** The variables a kind's wording may use: those of its standard English wording, and its link if it has one. */
export function variablesFor(kind: PanelKind): string[] {
  const standard = standardSource(kind, 'en');
  const names = variablesOf(standard);
  return hasLink(standard) && !names.includes('link') ? [...names, 'link'] : names;
}

/** What is wrong with a wording of this kind, in words (empty when it may be saved). */
export function problemsOf(kind: PanelKind, source: string): string[] {
  const standard = standardSource(kind, 'en');
  const allowed = variablesFor(kind);
  const problems: string[] = [];
  if (!source.split('\n')[0].startsWith('Subject: ') || source.split('\n')[0].trim() === 'Subject:') problems.push('The first line must be "Subject: " followed by the subject.');
  let used: string[];
  try {
    used = variablesOf(source);
  } catch (err) {
    return [...problems, `The template cannot be read: ${(err as Error).message.split('\n')[0]} Check that every {{ has its }} and every {{#if …}} its {{/if}}.`];
  }
  const unknown = used.filter((v) => !allowed.includes(v));
  if (unknown.length) problems.push(`${unknown.map((v) => `{{${v}}}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not filled in for this message. It can use: ${allowed.map((v) => `{{${v}}}`).join(', ')}.`);
  if (hasLink(standard) && !hasLink(source)) problems.push('The person’s own link is missing: put {{link}} where it should go.');
  return problems;
}

/** The panel's own wording of a message in a language, if its organisers saved one. */
export function ownWording(db: Db, panelId: number, kind: string, language: string): { source: string; updatedAt: number } | undefined {
  return db.prepare('SELECT source, updated_at AS updatedAt FROM message_wording WHERE panel_id = ? AND kind = ? AND language = ?').get(panelId, kind, language) as
    | { source: string; updatedAt: number }
    | undefined;
}

/** Which kinds and languages have the panel's own wording: `kind/language` -> when saved. */
export function wordingSaved(db: Db, panelId: number): Map<string, number> {
  const rows = db.prepare('SELECT kind, language, updated_at AS at FROM message_wording WHERE panel_id = ?').all(panelId) as { kind: string; language: string; at: number }[];
  return new Map(rows.map((r) => [`${r.kind}/${r.language}`, r.at]));
}

export function saveWording(db: Db, panelId: number, kind: PanelKind, language: string, source: string, userId: number, now: number): void {
  db.prepare(
    `INSERT INTO message_wording (panel_id, kind, language, source, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (panel_id, kind, language) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(panelId, kind, language, source, now, userId);
}

export function dropWording(db: Db, panelId: number, kind: string, language: string): boolean {
  return db.prepare('DELETE FROM message_wording WHERE panel_id = ? AND kind = ? AND language = ?').run(panelId, kind, language).changes === 1;
}

/** A panel's message in a language: its own wording if saved, else the standard one. */
export function panelMessage(db: Db, panelId: number, kind: string, language: string, vars: Record<string, string>): Rendered {
  return renderMessage(kind, language, vars, ownWording(db, panelId, kind, language)?.source);
}
