import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../paths';
import { ROUND_TYPES } from '../room/agenda';
import { METHODS } from '../voting/types';
import { SCHEMA } from './record';

/**
 * The public JSON export of a published summary (`/outcomes/{panel}/sessions/{id}/v/{n}/summary.json`, built by
 * exportJson in public-routes.ts, described in docs/summary.md), as a zod schema. Every object is strict, so a
 * field the builder adds without adding it here fails the tests; `npm run schema` writes it out as JSON Schema to
 * docs/summary.schema.json for anyone reading the data with other tools. It must describe the same shapes as the
 * TypeScript types in record.ts, summaries.ts and voting/types.ts: test/outcomes/export-schema.test.ts has the
 * compiler check that.
 */

export const EXPORT_SCHEMA_FILE = path.join(projectRoot, 'docs', 'summary.schema.json');

const count = z.number().int().min(0);
const id = z.number().int().min(1);
/** Milliseconds since the Unix epoch, UTC. */
const time = z.number().int().describe('Milliseconds since the Unix epoch, UTC.');
const share = z.number().min(0).max(1);
/** A percentage to one decimal place, or null when there was nothing to measure. */
const percent = z.number().min(0).max(100).nullable();
const optionIndices = z.array(z.number().int().min(0));
const tie = z
  .strictObject({ options: optionIndices, settledBy: z.string().describe('The figure that settled it ("supporters", "first preferences"), or "lots".') })
  .nullable()
  .describe('A tie and how it was settled; null if there was none.');
/** In every method's detail: voted = counted + abstained + spoiled. */
const counted = { counted: count.describe('Ballots that expressed a choice.'), invalid: count.describe('Ballots that broke the vote’s rules, counted as spoiled.') };
const lots = { seed: z.string().describe('The seed the lots in a tie are drawn with.'), lotOrder: optionIndices.describe('The lot order of all options, drawn before the count.') };

const thresholdDetail = z.strictObject({
  method: z.literal('threshold'),
  agree: count,
  disagree: count,
  abstain: count,
  base: z.enum(['all', 'decisive']),
  baseVotes: count.describe('What agree is measured against: agree + disagree (+ abstain when base is all).'),
  support: percent.describe('agree / baseVotes as a percentage; null when baseVotes is 0.'),
  ...counted,
});

const approvalDetail = z.strictObject({
  method: z.literal('approval'),
  perVoter: id,
  perOption: id,
  totals: z.array(count).describe('Dots (approvals) per option, by index.'),
  supporters: z.array(count).describe('Voters who put at least one dot on each option.'),
  ranking: optionIndices.describe('Option indices, best first.'),
  tie,
  ...lots,
  ...counted,
});

const irvRound = z.strictObject({
  round: id,
  votes: z.array(z.strictObject({ option: z.number().int().min(0), votes: count })),
  exhausted: count,
  continuing: count,
  winner: z.number().int().min(0).nullable(),
  eliminated: z.number().int().min(0).nullable(),
  tie,
  transfers: z.array(z.strictObject({ to: z.number().int().min(0), votes: count })),
  newlyExhausted: count,
});

const irvDetail = z.strictObject({
  method: z.literal('ranked'),
  count: z.literal('irv'),
  firstPreferences: z.array(count),
  rounds: z.array(irvRound).describe('The count round by round, with transfers.'),
  exhausted: count,
  ...lots,
  ...counted,
});

const bordaDetail = z.strictObject({
  method: z.literal('ranked'),
  count: z.literal('borda'),
  scores: z.array(z.number().min(0)).describe('Borda points per option, by index.'),
  firstPreferences: z.array(count),
  ranking: optionIndices,
  tie,
  ...lots,
  ...counted,
});

const scaleDetail = z.strictObject({
  method: z.literal('scale'),
  scale: z.enum(['likert5', 'gradients8']),
  distribution: z.array(z.strictObject({ level: id, label: z.string(), count })),
  likert: z
    .strictObject({ agree: count, disagree: count, neither: count, agreeShare: percent, disagreeShare: percent, median: z.number().min(1).nullable() })
    .nullable()
    .describe('Five-point scale only: shares are percentages of those who answered.'),
  gradients: z.strictObject({ support: count, moreDiscussion: count, despiteDislike: count, against: count, blocks: count }).nullable().describe('Gradients of agreement only.'),
  ...counted,
});

const consentDetail = z.strictObject({
  method: z.literal('consent'),
  consent: count,
  object: count,
  abstain: count,
  objections: z.array(z.string()).describe('The objections’ reasons, sorted.'),
  ...counted,
});

export const detailSchema = z
  .union([thresholdDetail, approvalDetail, irvDetail, bordaDetail, scaleDetail, consentDetail])
  .meta({ id: 'VoteDetail', description: 'The voting method’s own figures (src/voting/types.ts, Detail).' });

const groupFigure = z
  .strictObject({
    category: z.string(),
    categoryLabel: z.string(),
    value: z.string(),
    label: z.string(),
    members: count.describe('Members of the session in this group.'),
    panelShare: share.describe('The group’s share of the session’s members.'),
    figure: z.number().min(0).nullable().describe('attendance: members of the group who came; airtime: the group’s share of all speaking time (0 to 1). Null where withheld: it would tell about fewer than 5 people.'),
  })
  .meta({ id: 'GroupFigure', description: 'A census group of the members, beside its share of the panel.' });

const agendaItem = z.strictObject({
  round: z.number().int().min(0),
  title: z.string(),
  type: z.enum(ROUND_TYPES),
  plannedMinutes: id,
  openedAt: time.nullable().describe('null: the round did not run.'),
  closedAt: time.nullable(),
  minutes: count.nullable().describe('How long it ran, pauses left out.'),
  extendedMinutes: count,
});

export const voteSchema = z.strictObject({
  id,
  round: z.number().int().min(0),
  question: z.string(),
  method: z.enum(METHODS),
  secret: z.boolean(),
  options: z.array(z.string()),
  winners: z.array(z.string()),
  outcome: z.enum(['passed', 'failed', 'chosen', 'no-quorum', 'reported']),
  rule: z.string().describe('The rule applied, in words.'),
  summary: z.string().describe('The result in one sentence.'),
  eligible: count,
  voted: count,
  abstained: count,
  spoiled: count,
  paper: count.describe('Ballots entered from the hall, spoiled ones included.'),
  quorum: z.strictObject({ required: count, met: z.boolean() }),
  detail: detailSchema,
  subject: z.strictObject({ rec: id, amendment: id.nullable() }).nullable().describe('A vote on a recommendation (amendment null) or on one of its amendments.'),
});

const recommendation = z.strictObject({
  id,
  text: z.string().describe('The wording the panel agreed, or last voted on.'),
  status: z.enum(['draft', 'adopted', 'rejected']),
  from: z.union([z.strictObject({ theme: z.string() }), z.strictObject({ table: id })]).nullable(),
  history: z.array(z.strictObject({ text: z.string(), amendment: id.nullable() })).describe('Every wording, the draft first, with the amendment that made it.'),
  amendments: z.array(z.strictObject({ id, text: z.string(), reason: z.string().nullable(), status: z.enum(['proposed', 'carried', 'lost', 'withdrawn']), vote: id.nullable() })),
  vote: z
    .strictObject({ id, summary: z.string(), agree: count.nullable(), disagree: count.nullable(), abstain: count.nullable(), support: percent })
    .nullable()
    .describe('The final vote; the counts are null unless it was agree / disagree.'),
  minority: z.array(z.strictObject({ text: z.string(), supporters: id })),
});

export const recordSchema = z
  .strictObject({
    schema: z.literal(SCHEMA),
    session: z.strictObject({ id, title: z.string(), started: time.nullable(), ended: time.nullable() }),
    agenda: z.array(agendaItem),
    attendance: z.strictObject({ members: count, attended: count, groups: z.array(groupFigure) }),
    questions: z.array(z.strictObject({ round: z.number().int().min(0), text: z.string(), putAt: time })).describe('Written questions the facilitator put to the speakers.'),
    boards: z.array(
      z.strictObject({
        round: z.number().int().min(0),
        title: z.string(),
        themes: z.array(z.strictObject({ theme: z.string().nullable(), ideas: z.array(z.strictObject({ text: z.string(), support: id.describe('The author and those who supported it.') })) })),
        hidden: count.describe('Contributions hidden for breaking the ground rules.'),
      }),
    ),
    tableReports: z.array(z.strictObject({ table: id, text: z.string() })),
    votes: z.array(voteSchema).describe('Every closed vote except the one approving the summary.'),
    recommendations: z.array(recommendation),
    airtime: z.strictObject({ minutes: z.number().min(0), spoke: count, groups: z.array(groupFigure) }),
  })
  .meta({ id: 'SessionRecord', description: 'The record of the session, built from what the room stored; it names nobody.' });

export const exportSchema = z
  .strictObject({
    panel: z.strictObject({ slug: z.string(), title: z.string(), question: z.string() }),
    session: z.strictObject({ id, title: z.string() }),
    version: id,
    publishedAt: z.iso.datetime().describe('ISO 8601, UTC.'),
    approval: z.strictObject({ vote: id, summary: z.string() }).nullable().describe('The panel’s vote that approved the first version.'),
    changes: z.strictObject({ note: z.string(), parts: z.array(z.string()) }).nullable().describe('A correction: the organiser’s note and the parts that changed.'),
    narrative: z.string().describe('Markdown, as written.'),
    corrections: z.array(z.strictObject({ about: z.string(), text: z.string() })),
    record: recordSchema,
  })
  .meta({
    title: 'Citizens’ panel: published session summary',
    description: 'One published version of a session’s summary, as /outcomes/{panel}/sessions/{id}/v/{n}/summary.json serves it. See docs/summary.md.',
  });

export type ExportDocument = z.infer<typeof exportSchema>;

/** What is wrong with a document offered as an export, one line per problem, each naming where: none if it fits. */
export function exportProblems(data: unknown): string[] {
  const result = exportSchema.safeParse(data);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${[...at, key].join('.')}: not in the schema`);
    return [`${at.join('.') || '(document)'}: ${issue.message}`];
  });
}

/** The export's JSON Schema (draft 2020-12), as docs/summary.schema.json holds it. */
export function exportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(exportSchema, { target: 'draft-2020-12' });
}

/** The text of docs/summary.schema.json. */
export function exportJsonSchemaText(): string {
  return `${JSON.stringify(exportJsonSchema(), null, 2)}\n`;
}
