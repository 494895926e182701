import { writeCsv } from '../csv';
import type { SessionRecord } from './record';

/** The record's tables of figures as CSV files, by name: one file per table, one row per item, no personal data. */
export const CSV_TABLES: Record<string, (r: SessionRecord) => string> = {
  agenda: (r) =>
    writeCsv(
      ['round', 'title', 'type', 'planned_minutes', 'opened_at', 'closed_at', 'minutes', 'extended_minutes'],
      r.agenda.map((a) => [a.round + 1, a.title, a.type, a.plannedMinutes, iso(a.openedAt), iso(a.closedAt), a.minutes, a.extendedMinutes]),
    ),
  attendance: (r) =>
    writeCsv(['category', 'group', 'members', 'attended', 'panel_share'], r.attendance.groups.map((g) => [g.categoryLabel, g.label, g.members, g.figure, round(g.panelShare)])),
  airtime: (r) =>
    writeCsv(['category', 'group', 'members', 'airtime_share', 'panel_share'], r.airtime.groups.map((g) => [g.categoryLabel, g.label, g.members, g.figure === null ? null : round(g.figure), round(g.panelShare)])),
  votes: (r) =>
    writeCsv(
      ['vote', 'question', 'method', 'secret', 'outcome', 'winners', 'eligible', 'voted', 'abstained', 'spoiled', 'on_paper', 'quorum', 'quorum_met', 'rule', 'summary'],
      r.votes.map((v) => [v.id, v.question, v.method, v.secret ? 'yes' : 'no', v.outcome, v.winners.join('; '), v.eligible, v.voted, v.abstained, v.spoiled, v.paper, v.quorum.required, v.quorum.met ? 'yes' : 'no', v.rule, v.summary]),
    ),
  recommendations: (r) =>
    writeCsv(
      ['recommendation', 'status', 'wording', 'final_vote', 'agree', 'disagree', 'abstain', 'support_percent', 'amendments_carried', 'minority_statements', 'minority_supporters'],
      r.recommendations.map((x) => [
        x.id, x.status, x.text, x.vote?.id, x.vote?.agree, x.vote?.disagree, x.vote?.abstain, x.vote?.support,
        x.amendments.filter((a) => a.status === 'carried').length, x.minority.length, x.minority.map((m) => m.supporters).join('; '),
      ]),
    ),
};

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
const round = (x: number) => Math.round(x * 10000) / 10000;
