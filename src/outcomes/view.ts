import { MIN_GROUP } from '../disclosure';
import { hasText } from '../web/i18n';
import { resultFigures } from '../voting/figures';
import { renderMarkdown } from './markdown';
import type { GroupFigure, SessionRecord, VoteRecord } from './record';
import type { SummaryContent, Version } from './summaries';
import { wordsIn, type Words } from './words';

/** A group's label in the page's language (the organiser's translation of its answer), or undefined for its English. */
export type GroupLabel = (g: GroupFigure) => string | undefined;

const views = new WeakMap<SummaryContent, Map<string, ReturnType<typeof buildView>>>();

/**
 * What the templates show of a summary: the record in words, numbers and bars in the page's language, and the
 * narrative as safe HTML. Kept per content object and language, so a published version (parsed once, see
 * Summaries.versions) is rendered to this once per language. With `label`, the groups' answers are shown translated.
 */
export function summaryView(content: SummaryContent, words: Words = wordsIn('en'), label?: GroupLabel): ReturnType<typeof buildView> {
  if (label) return buildView(content, words, label);
  let byLanguage = views.get(content);
  if (!byLanguage) views.set(content, (byLanguage = new Map()));
  let view = byLanguage.get(words.lang.code);
  if (!view) byLanguage.set(words.lang.code, (view = buildView(content, words, () => undefined)));
  return view;
}

function buildView(content: SummaryContent, words: Words, label: GroupLabel) {
  const { record } = content;
  const { t, percent, time } = words;
  const votes = new Map(record.votes.map((v) => [v.id, v]));
  const { attended, members } = record.attendance;
  return {
    narrative: content.narrative.trim() ? renderMarkdown(content.narrative) : '',
    corrections: content.corrections,
    started: record.session.started,
    ended: record.session.ended,
    startTime: time(record.session.started),
    endTime: time(record.session.ended),
    least: MIN_GROUP,
    agenda: record.agenda.map((a) => ({ ...a, ran: a.openedAt !== null, opened: time(a.openedAt), closed: time(a.closedAt) })),
    attendance: {
      ...record.attendance,
      share: percent(attended / Math.max(1, members)),
      categories: byCategory(record.attendance.groups, words, label, (g) => ({ figure: g.figure === null ? t('outcomes.record.notShown') : t('outcomes.record.cameOf', { attended: g.figure, members: g.members }) })),
      withheld: record.attendance.groups.some((g) => g.figure === null),
    },
    questions: record.questions,
    boards: record.boards,
    tableReports: record.tableReports,
    votes: record.votes.map((v) => voteView(v, words)),
    adopted: record.recommendations.filter((r) => r.status === 'adopted').map((r) => recommendationView(r, votes, words)),
    notAdopted: record.recommendations.filter((r) => r.status !== 'adopted').map((r) => recommendationView(r, votes, words)),
    airtime: {
      ...record.airtime,
      categories: byCategory(record.airtime.groups, words, label, (g) => ({ figure: percent(g.figure ?? 0), bar: Math.round((g.figure ?? 0) * 1000) / 10, panelBar: Math.round(g.panelShare * 1000) / 10 })),
    },
  };
}

export function versionsView(versions: readonly Version[], words: Words = wordsIn('en')) {
  return versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt, time: words.time(v.publishedAt), approval: v.approval, changes: v.changes })).reverse();
}

// The English names summaries.ts (changedParts) stores for the parts a correction changed, and their keys.
const PART_KEYS: Record<string, string> = {
  'the narrative': 'narrative',
  'the corrections': 'corrections',
  'the agenda as it ran': 'agenda',
  attendance: 'attendance',
  'the questions to speakers': 'questions',
  'the ideas and themes': 'boards',
  "the tables' reports": 'tableReports',
  'the votes': 'votes',
  'the recommendations': 'recommendations',
  airtime: 'airtime',
};

/** The parts a correction changed, as a list in the page's language (a part we have no words for, as stored). */
export function changedPartsIn(parts: readonly string[], words: Words): string {
  return words.list(parts.map((p) => (Object.hasOwn(PART_KEYS, p) ? words.t(`outcomes.summary.parts.${PART_KEYS[p]}`) : p)));
}

/** A word of ours for a status or method, or the stored value itself if we have none. */
function named(words: Words, prefix: string, value: string): string {
  return hasText(`${prefix}.${value}`) ? words.t(`${prefix}.${value}`) : value;
}

function voteView(v: VoteRecord, words: Words) {
  const { number } = words;
  return {
    ...v,
    methodName: named(words, 'outcomes.record.methods', v.method),
    shown: { eligible: number(v.eligible), voted: number(v.voted), abstained: number(v.abstained), spoiled: number(v.spoiled) },
    figures: resultFigures(v.detail, v.options),
    objections: (v.detail as { objections?: string[] }).objections ?? [],
  };
}

function recommendationView(r: SessionRecord['recommendations'][number], votes: Map<number, VoteRecord>, words: Words) {
  const vote = r.vote;
  const counted = vote && vote.agree !== null ? (vote.agree ?? 0) + (vote.disagree ?? 0) + (vote.abstain ?? 0) : 0;
  const bar = (n: number | null) => (counted ? Math.round(((n ?? 0) / counted) * 1000) / 10 : 0);
  return {
    ...r,
    statusWord: named(words, 'outcomes.recs.status', r.status),
    draft: r.history.length > 1 ? r.history[0].text : null,
    amendments: r.amendments.map((a) => ({ ...a, statusWord: named(words, 'outcomes.recs.status', a.status), result: a.vote ? votes.get(a.vote)?.summary : undefined })),
    support: vote && counted ? { agree: vote.agree, disagree: vote.disagree, abstain: vote.abstain, agreeBar: bar(vote.agree), disagreeBar: bar(vote.disagree), abstainBar: bar(vote.abstain), share: vote.support === null ? null : words.percent(vote.support / 100) } : null,
  };
}

/**
 * Groups by category, each group with its figure in words (and any bars), for a table per category. A group of
 * several answers combined (small-groups.ts: its values joined by " | ") is named again in the page's language.
 */
function byCategory<T>(groups: GroupFigure[], words: Words, label: GroupLabel, extra: (g: GroupFigure) => T) {
  const out: { label: string; rows: (GroupFigure & T & { panel: string })[] }[] = [];
  for (const g of groups) {
    let category = out.find((c) => c.label === g.categoryLabel);
    if (!category) out.push((category = { label: g.categoryLabel, rows: [] }));
    category.rows.push({ ...g, ...extra(g), label: label(g) ?? g.label, panel: words.percent(g.panelShare) });
  }
  return out;
}
