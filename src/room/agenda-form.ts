import type { z } from 'zod';
import { METHODS } from '../voting/types';
import { type Agenda, type AgendaTemplate, agendaSchema, ROUND_TYPES, type RoundType, withoutBom } from './agenda';
import { jsonProblem } from './json-problem';

/**
 * The agenda builder on the Live sessions page, as pure functions: a form body becomes a draft (the text of
 * every box, as typed), a draft becomes an agenda or field errors in words, an agenda becomes a draft, and each
 * of the form's buttons (add, move, delete, template, import) turns one draft into the next. The page works
 * without JavaScript: every button posts the whole form and the server draws it again.
 */

/** One round as its row in the form holds it. */
export interface RoundRow {
  type: string;
  title: string;
  minutes: string;
  speaker: string;
  speakerSeconds: string;
  turnSeconds: string;
  tableSize: string;
  voteQuestion: string;
  voteMethod: string;
  /** One choice a line. */
  voteOptions: string;
  voteSecret: boolean;
  voteQuorum: string;
}

export interface Draft {
  title: string;
  rounds: RoundRow[];
}

/** Field name -> message; the name is also the id of the box it is about, which the error summary links to. */
export type FieldErrors = Record<string, string>;

type RowKey = keyof RoundRow;

/** Each row box's name after `rounds.N.`: flat names, which the app's body parser (urlencoded, not extended) keeps as they are. */
const FIELDS: Record<RowKey, string> = {
  type: 'type',
  title: 'title',
  minutes: 'minutes',
  speaker: 'speaker',
  speakerSeconds: 'speakerSeconds',
  turnSeconds: 'turnSeconds',
  tableSize: 'tableSize',
  voteQuestion: 'vote.question',
  voteMethod: 'vote.method',
  voteOptions: 'vote.options',
  voteSecret: 'vote.secret',
  voteQuorum: 'vote.quorum',
};
const KEY_OF = new Map(Object.entries(FIELDS).map(([key, field]) => [field, key as RowKey]));
const ROW_FIELD = /^rounds\.(\d{1,3})\.(.+)$/;

export const fieldName = (index: number, key: RowKey): string => `rounds.${index}.${FIELDS[key]}`;

/** The settings that apply to each type of round; the others are kept in the row (a type changed back finds them) but left out of the agenda. */
export const SETTINGS: Record<RoundType, readonly ('speaker' | 'speakerSeconds' | 'turnSeconds' | 'tableSize' | 'vote')[]> = {
  briefing: ['speaker'],
  discussion: ['speakerSeconds'],
  'round-robin': ['turnSeconds'],
  ideas: [],
  // A tables round's queues keep the per-speaker limit too (table-rounds.ts).
  tables: ['tableSize', 'speakerSeconds'],
  vote: ['vote'],
};

/** An agenda has at most this many rounds (agenda.ts). */
export const MAX_ROUNDS = 100;

export function blankRow(type: RoundType = 'discussion'): RoundRow {
  return { type, title: '', minutes: '', speaker: '', speakerSeconds: '', turnSeconds: '', tableSize: '', voteQuestion: '', voteMethod: '', voteOptions: '', voteSecret: false, voteQuorum: '' };
}

/** Whether the body carries builder rows (a browser's form always does; an older caller posts only `agenda`, the JSON). */
export function hasRows(body: Record<string, unknown>): boolean {
  return Object.keys(body).some((name) => ROW_FIELD.test(name));
}

/** The draft a form body holds: rows in the order of their numbers (gaps closed), text fields only. */
export function readDraft(body: Record<string, unknown>): Draft {
  const rows = new Map<number, RoundRow>();
  for (const [name, value] of Object.entries(body)) {
    const match = ROW_FIELD.exec(name);
    const key = match && KEY_OF.get(match[2]);
    if (!match || !key || typeof value !== 'string') continue;
    const index = Number(match[1]);
    // A row sent without its type gets none (and the schema's message), not a default chosen here.
    const row = rows.get(index) ?? { ...blankRow(), type: '' };
    rows.set(index, row);
    if (key === 'voteSecret') row.voteSecret = value === 'yes';
    else row[key] = value;
  }
  const title = typeof body.title === 'string' ? body.title : '';
  return { title, rounds: [...rows.keys()].sort((a, b) => a - b).map((i) => rows.get(i) as RoundRow) };
}

/** An agenda as the builder's rows. */
export function toDraft(agenda: Agenda): Draft {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    title: agenda.title,
    rounds: agenda.rounds.map((r) => ({
      type: r.type,
      title: r.title,
      minutes: text(r.minutes),
      speaker: r.speaker ?? '',
      speakerSeconds: text(r.speakerSeconds),
      turnSeconds: text(r.turnSeconds),
      tableSize: text(r.tableSize),
      voteQuestion: r.vote?.question ?? '',
      voteMethod: r.vote?.method ?? '',
      voteOptions: (r.vote?.options ?? []).join('\n'),
      voteSecret: r.vote?.secret ?? false,
      voteQuorum: text(r.vote?.quorum),
    })),
  };
}

export type Built = { ok: true; agenda: Agenda } | { ok: false; errors: FieldErrors };

/** The agenda the rows make, or an error beside each box that is wrong, such as "Round 3: minutes must be at least 1". */
export function toAgenda(draft: Draft): Built {
  const result = agendaSchema.safeParse({ title: draft.title, rounds: draft.rounds.map(roundOf) });
  if (result.success) return { ok: true, agenda: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[fieldOf(issue.path)] ??= inWords(issue);
  return { ok: false, errors };
}

/** A typed number as a number; an empty box as left out; anything else as typed, for the schema to refuse in words. */
function numberOf(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d{1,9}(\.\d{1,9})?$/.test(t) ? Number(t) : t;
}

function roundOf(row: RoundRow): Record<string, unknown> {
  // Own keys only: a type sent as "__proto__" or "constructor" must not reach Object's own properties.
  const applies = new Set<string>(Object.hasOwn(SETTINGS, row.type) ? SETTINGS[row.type as RoundType] : []);
  const round: Record<string, unknown> = { type: row.type, title: row.title, minutes: numberOf(row.minutes) };
  if (applies.has('speaker') && row.speaker.trim()) round.speaker = row.speaker;
  for (const key of ['speakerSeconds', 'turnSeconds', 'tableSize'] as const) {
    const n = applies.has(key) ? numberOf(row[key]) : undefined;
    if (n !== undefined) round[key] = n;
  }
  const vote = applies.has('vote') ? voteOf(row) : {};
  if (Object.keys(vote).length) round.vote = vote;
  return round;
}

function voteOf(row: RoundRow): Record<string, unknown> {
  const vote: Record<string, unknown> = {};
  if (row.voteQuestion.trim()) vote.question = row.voteQuestion;
  if (row.voteMethod.trim()) vote.method = row.voteMethod.trim();
  const options = row.voteOptions.split(/\r?\n/).map((o) => o.trim()).filter(Boolean);
  if (options.length) vote.options = options;
  if (row.voteSecret) vote.secret = true;
  const quorum = numberOf(row.voteQuorum);
  if (quorum !== undefined) vote.quorum = quorum;
  return vote;
}

/** The box an issue is about: `title`, `rounds` (the list itself), `rounds.2.minutes` or `rounds.4.vote.options`. */
function fieldOf(path: readonly PropertyKey[]): string {
  const [first, index, field, sub] = path.map(String);
  if (first !== 'rounds') return 'title';
  if (index === undefined) return 'rounds';
  const name = field === 'vote' && sub !== undefined ? `vote.${sub}` : (field ?? 'title');
  return KEY_OF.has(name) ? `rounds.${index}.${name}` : `rounds.${index}.title`;
}

/** An issue in words, naming the round: "Round 3: minutes must be at least 1". */
function inWords(issue: z.core.$ZodIssue): string {
  const [first, index] = issue.path;
  if (first === undefined) return 'It must be one agenda: {"title": "…", "rounds": [ … ]}';
  if (first === 'rounds' && typeof index === 'number') return `Round ${index + 1}: ${issue.message}`;
  if (first === 'rounds') return capital(issue.message);
  return `The agenda's ${issue.message}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export type Imported = { ok: true; agenda: Agenda } | { ok: false; message: string };

/** An agenda from JSON text (an exported file, or one written by hand); what is wrong with it in plain words. */
export function importJson(text: string): Imported {
  const clean = withoutBom(text);
  if (!clean.trim()) return { ok: false, message: 'Paste an agenda first: the box is empty.' };
  let data: unknown;
  try {
    data = JSON.parse(clean);
  } catch (err) {
    return { ok: false, message: `The agenda file is not valid JSON: ${jsonProblem(clean, err)}.` };
  }
  const result = agendaSchema.safeParse(data);
  if (result.success) return { ok: true, agenda: result.data };
  const problems = [...new Set(result.error.issues.map(inWords))];
  const shown = problems.slice(0, 10).join('; ');
  const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
  return { ok: false, message: `The agenda file cannot be used: ${shown}${more}.` };
}

/** What a button of the form asks for. `create` is also what a form posted without a button means. */
export type Action =
  | { kind: 'create' | 'export' | 'refresh' | 'add' | 'import' }
  | { kind: 'up' | 'down' | 'delete'; index: number }
  | { kind: 'template'; id: string };

/** The action a button's value names, or undefined for one the form does not have. */
export function parseAction(value: unknown): Action | undefined {
  if (value === undefined || value === '') return { kind: 'create' };
  if (typeof value !== 'string') return undefined;
  if (value === 'create' || value === 'export' || value === 'refresh' || value === 'add' || value === 'import') return { kind: value };
  const move = /^(up|down|delete):(\d{1,3})$/.exec(value);
  if (move) return { kind: move[1] as 'up' | 'down' | 'delete', index: Number(move[2]) };
  const template = /^template:([a-z0-9-]{1,40})$/.exec(value);
  if (template) return { kind: 'template', id: template[1] };
  return undefined;
}

export interface Edited {
  draft: Draft;
  errors: FieldErrors;
  /** What stays in the import box: the text of an import that failed, so it can be fixed; empty otherwise. */
  importText: string;
}

/**
 * The draft after one of the builder's editing buttons. A button that cannot do what it says (an import that is
 * not an agenda, a template that does not exist, a 101st round) leaves the rows as they were and says why.
 */
export function edit(draft: Draft, action: Action, templates: readonly AgendaTemplate[], importText = ''): Edited {
  const rounds = [...draft.rounds];
  const same = (errors: FieldErrors = {}, text = ''): Edited => ({ draft, errors, importText: text });
  switch (action.kind) {
    case 'add':
      if (rounds.length >= MAX_ROUNDS) return same({ rounds: `An agenda has at most ${MAX_ROUNDS} rounds: delete one to add another.` });
      return { draft: { ...draft, rounds: [...rounds, blankRow()] }, errors: {}, importText: '' };
    case 'up':
    case 'down': {
      const to = action.kind === 'up' ? action.index - 1 : action.index + 1;
      if (action.index >= rounds.length || to < 0 || to >= rounds.length) return same();
      [rounds[action.index], rounds[to]] = [rounds[to], rounds[action.index]];
      return { draft: { ...draft, rounds }, errors: {}, importText: '' };
    }
    case 'delete':
      if (action.index >= rounds.length) return same();
      rounds.splice(action.index, 1);
      return { draft: { ...draft, rounds }, errors: {}, importText: '' };
    case 'template': {
      const template = templates.find((t) => t.id === action.id);
      if (!template) return same({ templates: 'There is no such template: choose one of the buttons.' });
      return { draft: toDraft(template.agenda), errors: {}, importText: '' };
    }
    case 'import': {
      const imported = importJson(importText);
      if (!imported.ok) return same({ agenda: imported.message }, importText);
      return { draft: toDraft(imported.agenda), errors: {}, importText: '' };
    }
    default:
      return same({}, importText);
  }
}

const TYPE_LABELS: Record<RoundType, string> = {
  briefing: 'Briefing (a speaker)',
  discussion: 'Open discussion',
  'round-robin': 'Round-robin (everyone in turn)',
  ideas: 'Ideas board',
  tables: 'Tables (small groups)',
  vote: 'Vote',
};

/** As the facilitator's vote form names them (views/pages/room.hbs). */
const METHOD_LABELS: Record<(typeof METHODS)[number], string> = {
  threshold: 'Agree / disagree / abstain, with a threshold',
  approval: 'Approval or dot voting',
  ranked: 'Ranked choice',
  scale: 'Agreement scale',
  consent: 'Consent (passes unless someone objects)',
};

/** A download's file name from the agenda's title: "agenda-evening-session.json". */
export function exportName(agenda: Agenda): string {
  const slug = agenda.title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return slug ? `agenda-${slug}.json` : 'agenda.json';
}

/** The builder as the page draws it: each box's name (also its id), value and error, and the choices of each select. */
export function builderView(draft: Draft, errors: FieldErrors = {}) {
  const count = draft.rounds.length;
  const minutes = draft.rounds.reduce((sum, r) => sum + (/^\d{1,3}$/.test(r.minutes.trim()) ? Number(r.minutes) : 0), 0);
  return {
    title: draft.title,
    count,
    length: minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`,
    rounds: draft.rounds.map((row, index) => {
      const f = Object.fromEntries(
        (Object.keys(FIELDS) as RowKey[]).map((key) => {
          const name = fieldName(index, key);
          return [key, { name, value: row[key], error: errors[name] }];
        }),
      ) as Record<RowKey, { name: string; value: string | boolean; error?: string }>;
      return {
        index,
        number: index + 1,
        first: index === 0,
        last: index === count - 1,
        f,
        types: ROUND_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t], selected: t === row.type })),
        methods: [{ value: '', label: 'Choose when the vote opens', selected: !METHODS.includes(row.voteMethod as never) }, ...METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m], selected: m === row.voteMethod }))],
      };
    }),
  };
}
