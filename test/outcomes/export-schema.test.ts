import fs from 'node:fs';
import type { z } from 'zod';
import { seedDemoStory } from '../../src/demo/story';
import { detailSchema, EXPORT_SCHEMA_FILE, type ExportDocument, exportJsonSchema, exportJsonSchemaText, exportProblems, recordSchema, voteSchema } from '../../src/outcomes/export-schema';
import type { SessionRecord, VoteRecord } from '../../src/outcomes/record';
import type { SummaryContent, Version } from '../../src/outcomes/summaries';
import type { Panel } from '../../src/panels/repo';
import type { Session } from '../../src/room/repo';
import { tally } from '../../src/voting/tally';
import type { Ballot, Detail, VoteSettings } from '../../src/voting/types';
import { makeApp } from '../helpers';

/**
 * The export's schema: docs/summary.schema.json is what the zod schema makes now, the demo's real published
 * export fits it (checked by zod and by the JSON Schema file itself), and a broken document is refused with a
 * message naming where.
 */

// --- The compiler checks the schema against the TypeScript types (a `false` below fails `tsc`) ---

/** String and number literals widened, so a schema's enum (narrower than the type's `string`) still compares. */
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T extends readonly (infer U)[] ? Widen<U>[] : T extends object ? { [K in keyof T]: Widen<T[K]> } : T;
type Fits<A, B> = [A] extends [B] ? true : false;
type FromSchema = z.infer<typeof recordSchema>;
/** The document exportJson (src/outcomes/public-routes.ts) builds, from the types it is built from. */
type ExportFromTypes = {
  panel: Pick<Panel, 'slug' | 'title' | 'question'>;
  session: Pick<Session, 'id' | 'title'>;
  version: Version['version'];
  publishedAt: string;
  approval: Version['approval'];
  changes: Version['changes'];
  narrative: SummaryContent['narrative'];
  corrections: SummaryContent['corrections'];
  record: SessionRecord;
};
// Both ways: what the schema accepts is a SessionRecord (so the schema has every field the type requires, with
// fitting types), and a SessionRecord fits the schema's shape (so the schema has no field the type lacks).
const typeChecks: [
  Fits<FromSchema, SessionRecord>,
  Fits<Omit<SessionRecord, 'votes'>, Widen<Omit<FromSchema, 'votes'>>>,
  Fits<Omit<VoteRecord, 'detail'>, Widen<Omit<z.infer<typeof voteSchema>, 'detail'>>>,
  Fits<Detail, z.infer<typeof detailSchema>>,
  Fits<z.infer<typeof detailSchema>, Detail>,
  Fits<ExportDocument, ExportFromTypes>,
  Fits<Omit<ExportFromTypes, 'record'>, Widen<Omit<ExportDocument, 'record'>>>,
] = [true, true, true, true, true, true, true];

test('the zod schema and the TypeScript types describe the same document (checked by the compiler)', () => {
  expect(typeChecks.every(Boolean)).toBe(true);
});

test('docs/summary.schema.json is what the schema makes now', () => {
  const committed = fs.existsSync(EXPORT_SCHEMA_FILE) ? fs.readFileSync(EXPORT_SCHEMA_FILE, 'utf8') : '';
  if (committed !== exportJsonSchemaText()) {
    throw new Error('docs/summary.schema.json is out of date with src/outcomes/export-schema.ts: run `npm run schema` and commit the file.');
  }
  expect(JSON.parse(committed)).toEqual(exportJsonSchema());
});

test('every voting method’s detail, as the tallies make it, fits the schema', () => {
  const settings = (method: VoteSettings['method'], extra: Partial<VoteSettings> = {}): VoteSettings => ({ method, options: [], quorum: 0, seed: 'schema test', ...extra });
  const three = ['A', 'B', 'C'];
  const cases: [VoteSettings, Ballot[]][] = [
    [settings('threshold'), [{ kind: 'threshold', choice: 'agree' }, { kind: 'threshold', choice: 'abstain' }]],
    [settings('approval', { options: three, dots: { perVoter: 3, perOption: 2 } }), [{ kind: 'approval', dots: [2, 1, 0] }, { kind: 'approval', dots: [1, 2, 0] }]],
    [settings('ranked', { options: three, count: 'irv' }), [{ kind: 'ranked', ranking: [0, 1] }, { kind: 'ranked', ranking: [1, 2] }, { kind: 'ranked', ranking: [2] }]],
    [settings('ranked', { options: three, count: 'borda' }), [{ kind: 'ranked', ranking: [0, 1, 2] }, { kind: 'ranked', ranking: [1, 0] }]],
    [settings('scale', { scale: 'likert5' }), [{ kind: 'scale', level: 4 }, { kind: 'scale', level: 1 }, { kind: 'scale', level: 0 }]],
    [settings('scale', { scale: 'gradients8' }), [{ kind: 'scale', level: 2 }, { kind: 'scale', level: 8 }]],
    [settings('consent'), [{ kind: 'consent', choice: 'consent' }, { kind: 'consent', choice: 'object', reason: 'Too dear.' }]],
    [settings('threshold'), []],
  ];
  for (const [s, ballots] of cases) {
    const { detail } = tally(s, { ballots, spoiled: 1, eligible: 10 });
    expect({ method: s.method, problems: detailSchema.safeParse(detail).error?.issues ?? [] }).toEqual({ method: s.method, problems: [] });
  }
});

describe('the demo’s published export', () => {
  const t = makeApp({ demo: true });
  let doc: unknown;
  const copy = () => structuredClone(doc) as ExportDocument;

  beforeAll(async () => {
    const { sessionId } = await seedDemoStory(t.ctx, t.demo?.panelId ?? 0); // about 10 s: the demo's draws and its day
    const res = await t.agent().get(`/outcomes/coventry-cultural-strategy/sessions/${sessionId}/v/1/summary.json`);
    expect(res.status).toBe(200);
    doc = JSON.parse(res.text);
  }, 60_000);
  afterAll(() => t.db.close());

  test('fits the schema, every vote method of the day included', () => {
    expect(exportProblems(doc)).toEqual([]);
    const parsed = copy();
    expect(new Set(parsed.record.votes.map((v) => v.method))).toEqual(new Set(['threshold', 'approval', 'ranked', 'scale', 'consent']));
    expect(parsed.record.recommendations.length).toBeGreaterThan(0);
  });

  test('fits docs/summary.schema.json too, read by a plain JSON Schema check', () => {
    const schema = JSON.parse(fs.readFileSync(EXPORT_SCHEMA_FILE, 'utf8')) as JsonSchema;
    expect(jsonSchemaProblems(schema, doc)).toEqual([]);
  });

  test('a broken document is refused, with where: a missing field, a wrong type, a field the schema does not have', () => {
    const missing = copy();
    delete (missing.record.votes[0] as Partial<VoteRecord>).summary;
    expect(exportProblems(missing)).toEqual([expect.stringMatching(/^record\.votes\.0\.summary: .*expected string/)]);

    const wrongType = copy();
    (wrongType.record.attendance as unknown as Record<string, unknown>).attended = '37';
    expect(exportProblems(wrongType)).toEqual([expect.stringMatching(/^record\.attendance\.attended: .*expected number/)]);

    const extra = copy();
    Object.assign(extra.record.recommendations[0], { by: 'R-1B7KQ2MX' });
    expect(exportProblems(extra)).toEqual(['record.recommendations.0.by: not in the schema']);

    const badDate = copy();
    badDate.publishedAt = 'yesterday';
    expect(exportProblems(badDate)).toEqual([expect.stringMatching(/^publishedAt: /)]);

    // The JSON Schema file refuses them too.
    const schema = JSON.parse(fs.readFileSync(EXPORT_SCHEMA_FILE, 'utf8')) as JsonSchema;
    expect(jsonSchemaProblems(schema, missing)).toContain('record.votes.0: summary is required');
    expect(jsonSchemaProblems(schema, wrongType)).toContain('record.attendance.attended: expected integer');
    expect(jsonSchemaProblems(schema, extra)).toContain('record.recommendations.0.by: not allowed');
    expect(jsonSchemaProblems(schema, badDate)).toContain('publishedAt: does not match the pattern');
  });
});

// --- A small JSON Schema check, for the keywords the generated file uses (any other keyword fails loudly) ---

type JsonSchema = { [keyword: string]: unknown };
const ANNOTATIONS = new Set(['$schema', '$defs', 'title', 'description', 'format']);
const KEYWORDS = new Set(['$ref', 'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'const', 'enum', 'minimum', 'maximum', 'pattern']);

function jsonSchemaProblems(root: JsonSchema, value: unknown, schema: JsonSchema = root, at: string[] = []): string[] {
  const where = at.join('.') || '(document)';
  const unknown = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k) && !KEYWORDS.has(k));
  if (unknown.length) throw new Error(`The check does not know ${unknown.join(', ')} (at ${where}): teach it.`);
  if (typeof schema.$ref === 'string') {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name && (root.$defs as Record<string, JsonSchema>)[name];
    if (!target) throw new Error(`Unknown $ref ${schema.$ref}`);
    return jsonSchemaProblems(root, value, target, at);
  }
  if (Array.isArray(schema.anyOf)) {
    const options = (schema.anyOf as JsonSchema[]).map((s) => jsonSchemaProblems(root, value, s, at));
    return options.some((p) => p.length === 0) ? [] : [`${where}: fits none of ${options.length} shapes (${options.map((p) => p[0]).join(' | ')})`];
  }
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types && !types.some((type) => isType(type, value))) return [`${where}: expected ${types.join(' or ')}`];
  const problems: string[] = [];
  if ('const' in schema && value !== schema.const) problems.push(`${where}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${where}: not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${where}: below ${schema.minimum}`);
  if (typeof value === 'number' && typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${where}: above ${schema.maximum}`);
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${where}: does not match the pattern`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...jsonSchemaProblems(root, item, schema.items as JsonSchema, [...at, String(i)])));
  if (types?.includes('object') && isType('object', value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) problems.push(`${where}: ${key} is required`);
    for (const [key, v] of Object.entries(object)) {
      if (properties[key]) problems.push(...jsonSchemaProblems(root, v, properties[key], [...at, key]));
      else if (schema.additionalProperties === false) problems.push(`${[...at, key].join('.')}: not allowed`);
    }
  }
  return problems;
}

function isType(type: string, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}
