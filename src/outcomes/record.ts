import { supportOf } from '../room/ideas';
import type { RoundType } from '../room/agenda';
import type { Attendance } from '../room/repo';
import type { Amendment, Idea, Recommendation, RoomState, Round } from '../room/state';
import type { Detail, Method, Result, ThresholdDetail } from '../voting/types';

/**
 * The record of a session, built from what the room stored (its final state, with the facts its rules kept,
 * and its attendance), never retyped. It names nobody: members appear only as counts and group shares, so it can be
 * published as it is. Its JSON is documented in docs/summary.md; `SCHEMA` changes when its shape does.
 */
export const SCHEMA = 'citizens-panel/session-record/1';

export interface RecordInput {
  session: { id: number; title: string };
  state: RoomState;
  attendance: Attendance[];
  /** member -> category key -> value, for group aggregates. */
  answers: Map<string, Record<string, string>>;
  categories: { key: string; label: string; values: { value: string; label: string }[] }[];
}

export interface SessionRecord {
  schema: typeof SCHEMA;
  session: { id: number; title: string; started: number | null; ended: number | null };
  agenda: AgendaItem[];
  attendance: { members: number; attended: number; groups: GroupFigure[] };
  questions: { round: number; text: string; putAt: number }[];
  /** Per round with a board: its ideas by theme, with their support (the author and those who supported). */
  boards: { round: number; title: string; themes: { theme: string | null; ideas: { text: string; support: number }[] }[]; hidden: number }[];
  tableReports: { table: number; text: string }[];
  votes: VoteRecord[];
  recommendations: RecommendationRecord[];
  airtime: { minutes: number; spoke: number; groups: GroupFigure[] };
}

export interface AgendaItem {
  round: number;
  title: string;
  type: RoundType;
  plannedMinutes: number;
  openedAt: number | null;
  closedAt: number | null;
  /** Time the round ran, pauses left out. */
  minutes: number | null;
  extendedMinutes: number;
}

/** A group's figure beside its share of the panel: attendance (attended of members) or airtime (share of it). */
export interface GroupFigure {
  category: string;
  categoryLabel: string;
  value: string;
  label: string;
  members: number;
  panelShare: number;
  /**
   * attendance: members of the group who came; airtime: the group's share of all airtime (0 to 1). Null where
   * withheld, because it would tell about fewer than 5 people (small-groups.ts).
   */
  figure: number | null;
}

export interface VoteRecord {
  id: number;
  round: number;
  question: string;
  method: Method;
  secret: boolean;
  options: string[];
  winners: string[];
  outcome: Result['outcome'];
  rule: string;
  summary: string;
  eligible: number;
  voted: number;
  abstained: number;
  spoiled: number;
  paper: number;
  quorum: { required: number; met: boolean };
  detail: Detail;
  subject: { rec: number; amendment: number | null } | null;
}

export interface RecommendationRecord {
  id: number;
  text: string;
  status: Exclude<Recommendation['status'], 'withdrawn'>;
  from: { theme: string } | { table: number } | null;
  /** Earlier wordings, the draft first, and the amendment that replaced each. */
  history: { text: string; amendment: number | null }[];
  amendments: { id: number; text: string; reason: string | null; status: Amendment['status']; vote: number | null }[];
  /** The final vote, with agree / disagree / abstain when it was a threshold vote. */
  vote: { id: number; summary: string; agree: number | null; disagree: number | null; abstain: number | null; support: number | null } | null;
  minority: { text: string; supporters: number }[];
}

export function buildRecord(input: RecordInput): SessionRecord {
  const { state } = input;
  const agenda = state.rounds.map(asRun);
  const times = agenda.flatMap((a) => [a.openedAt, a.closedAt]).filter((t): t is number => t !== null);
  const members = state.members;
  const attended = new Set(input.attendance.map((a) => a.member).filter((m) => members.includes(m)));
  const groups = (figure: (group: string[]) => number) => groupFigures(members, input, figure);
  const totalAirtime = Object.values(state.airtime).reduce((a, b) => a + b, 0);
  return {
    schema: SCHEMA,
    session: { id: input.session.id, title: input.session.title, started: times.length ? Math.min(...times) : null, ended: times.length ? Math.max(...times) : null },
    agenda,
    attendance: { members: members.length, attended: attended.size, groups: groups((g) => g.filter((m) => attended.has(m)).length) },
    questions: state.ideas.filter((i) => i.picked !== null && !i.hidden).map((i) => ({ round: i.round, text: i.text, putAt: i.picked as number })),
    boards: boards(state),
    tableReports: state.tables.flatMap((t, i) => (t.report ? [{ table: i + 1, text: t.report }] : [])),
    // Votes on the summary itself are shown as its approval, not as part of the deliberation.
    votes: state.votes.filter((v) => v.status === 'closed' && v.result && v.approves === null).map((v) => {
      const r = v.result as NonNullable<typeof v.result>;
      return {
        id: v.id, round: v.round, question: v.question, method: r.method, secret: v.secret, options: v.settings.options,
        winners: r.winners.map((w) => v.settings.options[w]), outcome: r.outcome, rule: r.rule, summary: r.summary,
        eligible: r.eligible, voted: r.voted, abstained: r.abstained, spoiled: r.spoiled, paper: v.paper.accepted + v.paper.spoiled,
        quorum: r.quorum, detail: r.detail as Detail, subject: v.subject,
      };
    }),
    recommendations: state.recommendations.flatMap((r) => (r.status === 'withdrawn' ? [] : [{ ...r, status: r.status }])).map((r) => ({
      id: r.id, text: r.text, status: r.status,
      from: r.from ? ('theme' in r.from ? { theme: r.from.theme } : { table: r.from.table }) : null,
      history: r.history,
      amendments: r.amendments.map((a) => ({ id: a.id, text: a.text, reason: a.reason, status: a.status, vote: a.vote })),
      vote: finalVote(state, r.vote),
      minority: r.minority.map((m) => ({ text: m.text, supporters: m.supporters.length })),
    })),
    airtime: {
      minutes: Math.round(totalAirtime / 6000) / 10,
      spoke: members.filter((m) => (state.airtime[m] ?? 0) > 0).length,
      groups: groups((g) => (totalAirtime ? g.reduce((sum, m) => sum + (state.airtime[m] ?? 0), 0) / totalAirtime : 0)),
    },
  };
}

/** When a round really opened and closed, as the rules stored it, and how long it ran: the time it stood still left out. */
function asRun(round: Round, index: number): AgendaItem {
  const { openedAt, closedAt } = round;
  const still = round.pauses.reduce((sum, p) => sum + (p.to ?? p.from) - p.from, 0);
  const minutes = openedAt === null || closedAt === null ? null : Math.round((closedAt - openedAt - still) / 60_000);
  return { round: index, title: round.title, type: round.type, plannedMinutes: round.minutes, openedAt, closedAt, minutes, extendedMinutes: round.extendedMinutes };
}

function boards(state: RoomState): SessionRecord['boards'] {
  return state.rounds.flatMap((round, i) => {
    if (round.type !== 'ideas' && round.type !== 'tables') return [];
    const all = state.ideas.filter((idea) => idea.round === i);
    const shown = all.filter((idea) => !idea.hidden && idea.mergedInto === null);
    if (!shown.length) return [];
    const byTheme = new Map<string | null, Idea[]>();
    for (const idea of shown) byTheme.set(idea.theme, [...(byTheme.get(idea.theme) ?? []), idea]);
    const themes = [...byTheme.entries()]
      .map(([theme, ideas]) => ({ theme, ideas: ideas.map((idea) => ({ text: idea.text, support: supportOf(idea) })).sort((a, b) => b.support - a.support) }))
      .sort((a, b) => (a.theme === null ? 1 : b.theme === null ? -1 : a.theme.localeCompare(b.theme)));
    return [{ round: i, title: round.title, themes, hidden: all.filter((idea) => idea.hidden).length }];
  });
}

function finalVote(state: RoomState, id: number | null): RecommendationRecord['vote'] {
  const vote = state.votes.find((v) => v.id === id);
  if (!vote?.result || vote.status !== 'closed') return null;
  const d = vote.result.detail as ThresholdDetail;
  const threshold = vote.result.method === 'threshold';
  return { id: vote.id, summary: vote.result.summary, agree: threshold ? d.agree : null, disagree: threshold ? d.disagree : null, abstain: threshold ? d.abstain : null, support: threshold ? d.support : null };
}

/** Each census group of the session's members, in the categories' order: its size, its share of the panel, and a figure worked out over its members. */
function groupFigures(members: string[], input: RecordInput, figure: (group: string[]) => number): GroupFigure[] {
  return input.categories.flatMap((c) =>
    c.values.map((v) => {
      const group = members.filter((m) => input.answers.get(m)?.[c.key] === v.value);
      return { category: c.key, categoryLabel: c.label, value: v.value, label: v.label, members: group.length, panelShare: group.length / Math.max(1, members.length), figure: figure(group) };
    }),
  );
}
