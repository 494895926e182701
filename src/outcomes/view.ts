import { resultFigures } from '../voting/figures';
import { percent } from '../voting/words';
import { renderMarkdown } from './markdown';
import type { GroupFigure, SessionRecord, VoteRecord } from './record';
import type { SummaryContent, Version } from './summaries';

const views = new WeakMap<SummaryContent, ReturnType<typeof buildView>>();

/**
 * What the templates show of a summary: the record in words, numbers and bars, and the narrative as safe HTML.
 * Kept per content object, so a published version (parsed once, see Summaries.versions) is rendered to this once.
 */
export function summaryView(content: SummaryContent): ReturnType<typeof buildView> {
  let view = views.get(content);
  if (!view) views.set(content, (view = buildView(content)));
  return view;
}

function buildView(content: SummaryContent) {
  const { record } = content;
  const votes = new Map(record.votes.map((v) => [v.id, v]));
  return {
    narrative: content.narrative.trim() ? renderMarkdown(content.narrative) : '',
    corrections: content.corrections,
    started: record.session.started,
    ended: record.session.ended,
    agenda: record.agenda.map((a) => ({ ...a, ran: a.openedAt !== null, opened: clock(a.openedAt), closed: clock(a.closedAt) })),
    attendance: {
      ...record.attendance,
      share: `${percent(record.attendance.attended, Math.max(1, record.attendance.members))}%`,
      categories: byCategory(record.attendance.groups, (g) => ({ figure: g.figure === null ? 'not shown' : `${g.figure} of ${g.members}` })),
      withheld: record.attendance.groups.some((g) => g.figure === null),
    },
    questions: record.questions,
    boards: record.boards,
    tableReports: record.tableReports,
    votes: record.votes.map(voteView),
    adopted: record.recommendations.filter((r) => r.status === 'adopted').map((r) => recommendationView(r, votes)),
    notAdopted: record.recommendations.filter((r) => r.status !== 'adopted').map((r) => recommendationView(r, votes)),
    airtime: {
      ...record.airtime,
      categories: byCategory(record.airtime.groups, (g) => ({ figure: `${percent(g.figure ?? 0, 1)}%`, bar: Math.round((g.figure ?? 0) * 1000) / 10, panelBar: Math.round(g.panelShare * 1000) / 10 })),
    },
  };
}

export function versionsView(versions: readonly Version[]) {
  return versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt, approval: v.approval, changes: v.changes })).reverse();
}

const METHOD_NAMES: Record<string, string> = {
  threshold: 'Agree / disagree, with a threshold',
  approval: 'Dot voting',
  ranked: 'Ranked choice',
  scale: 'Agreement scale',
  consent: 'Consent',
};

function voteView(v: VoteRecord) {
  return { ...v, methodName: METHOD_NAMES[v.method] ?? v.method, figures: resultFigures(v.detail, v.options), objections: (v.detail as { objections?: string[] }).objections ?? [] };
}

function recommendationView(r: SessionRecord['recommendations'][number], votes: Map<number, VoteRecord>) {
  const vote = r.vote;
  const counted = vote && vote.agree !== null ? (vote.agree ?? 0) + (vote.disagree ?? 0) + (vote.abstain ?? 0) : 0;
  const bar = (n: number | null) => (counted ? Math.round(((n ?? 0) / counted) * 1000) / 10 : 0);
  return {
    ...r,
    from: r.from ? ('theme' in r.from ? `the theme “${r.from.theme}”` : `table ${r.from.table}'s report`) : null,
    draft: r.history.length > 1 ? r.history[0].text : null,
    amendments: r.amendments.map((a) => ({ ...a, result: a.vote ? votes.get(a.vote)?.summary : undefined })),
    support: vote && counted ? { agree: vote.agree, disagree: vote.disagree, abstain: vote.abstain, agreeBar: bar(vote.agree), disagreeBar: bar(vote.disagree), abstainBar: bar(vote.abstain), share: vote.support === null ? null : `${vote.support}%` } : null,
  };
}

/** Groups by category, each group with its figure in words (and any bars), for a table per category. */
function byCategory<T>(groups: GroupFigure[], extra: (g: GroupFigure) => T) {
  const out: { label: string; rows: (GroupFigure & T & { panel: string })[] }[] = [];
  for (const g of groups) {
    let category = out.find((c) => c.label === g.categoryLabel);
    if (!category) out.push((category = { label: g.categoryLabel, rows: [] }));
    category.rows.push({ ...g, ...extra(g), panel: `${percent(g.panelShare, 1)}%` });
  }
  return out;
}

/** 14:05, in UTC like the rest of the site's times. */
function clock(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().slice(11, 16);
}
