import { writeCsv } from '../csv';
import type { Panel } from '../panels/repo';
import type { Milestone } from './progress';
import type { ResponseVersion } from './responses';

/**
 * What journalists and residents follow (issue 24): an Atom feed of the council's response and every update on its
 * milestones, newest first, and the same as JSON and CSV, one row per milestone. Everything in them is public
 * already on the outcome page; nothing names a member.
 */
export interface Following {
  panel: Panel;
  base: string;
  versions: ResponseVersion[];
  milestones: Milestone[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (ms: number) => new Date(ms).toISOString();

export function atomFeed({ panel, base, versions, milestones }: Following): string {
  const page = `${base}/outcomes/${panel.slug}`;
  const recOf = (m: Milestone) => versions.at(-1)?.answers.find((a) => a.session === m.session && a.recommendation === m.recommendation);
  const entries = [
    ...versions.map((v) => ({
      id: `${page}#response-v${v.version}`,
      updated: v.publishedAt,
      title: `The council’s response, version ${v.version}`,
      text: [v.note ? `What changed: ${v.note}` : '', ...v.answers.map((a) => `Recommendation ${a.recommendation}: ${a.status.replace('-', ' ')}. ${a.reasons}`)].filter(Boolean).join('\n\n'),
      link: `${page}#recommended`,
    })),
    ...milestones.flatMap((m) =>
      m.updates.map((u) => ({
        id: `${page}#milestone-${m.id}-update-${u.id}`,
        updated: u.postedAt,
        title: `Recommendation ${m.recommendation}: ${m.title} (${u.status.replace('-', ' ')}${u.progress !== null ? `, ${u.progress}%` : ''})`,
        text: `${u.text}${recOf(m) ? `\n\nThe recommendation: ${recOf(m)?.text}` : ''}`,
        link: `${page}#milestone-${m.id}`,
      })),
    ),
  ].sort((a, b) => b.updated - a.updated || a.id.localeCompare(b.id));
  const updated = entries[0]?.updated ?? 0;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${escape(`${panel.title}: the council’s response and its progress`)}</title>
  <id>${escape(`${page}/feed.atom`)}</id>
  <link rel="self" href="${escape(`${page}/feed.atom`)}"/>
  <link rel="alternate" href="${escape(page)}"/>
  <updated>${iso(updated)}</updated>
  <author><name>${escape(panel.title)}</name></author>
${entries
  .map(
    (e) => `  <entry>
    <id>${escape(e.id)}</id>
    <title>${escape(e.title)}</title>
    <updated>${iso(e.updated)}</updated>
    <link rel="alternate" href="${escape(e.link)}"/>
    <content type="text">${escape(e.text)}</content>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}

/** Each answered recommendation with its milestones and their updates, as one JSON document. */
export function progressJson({ panel, versions, milestones }: Following) {
  const latest = versions.at(-1);
  return {
    panel: { slug: panel.slug, title: panel.title },
    response: latest ? { version: latest.version, publishedAt: iso(latest.publishedAt), note: latest.note } : null,
    recommendations: (latest?.answers ?? []).map((a) => ({
      session: a.session,
      recommendation: a.recommendation,
      text: a.text,
      response: { status: a.status, reasons: a.reasons, responsible: a.responsible, due: a.due },
      milestones: milestones
        .filter((m) => m.session === a.session && m.recommendation === a.recommendation)
        .map((m) => ({ title: m.title, due: m.due, status: m.status, progress: m.progress, overdue: m.overdue, updates: m.updates.map((u) => ({ postedAt: iso(u.postedAt), status: u.status, progress: u.progress, text: u.text })) })),
    })),
  };
}

/** One row per milestone (and one per answered recommendation without any), its latest update last. */
export function progressCsv(following: Following): string {
  const doc = progressJson(following);
  const rows = doc.recommendations.flatMap((r) => {
    const base = [r.session, r.recommendation, r.text, r.response.status, r.response.responsible, r.response.due ?? ''];
    if (!r.milestones.length) return [[...base, '', '', '', '', '', '', '']];
    return r.milestones.map((m) => {
      const last = m.updates.at(-1);
      return [...base, m.title, m.due, m.status, m.progress ?? '', m.overdue ? 'yes' : 'no', last?.postedAt ?? '', last?.text ?? ''];
    });
  });
  return writeCsv(['session', 'recommendation', 'recommendation_text', 'response', 'responsible', 'response_due', 'milestone', 'milestone_due', 'milestone_status', 'progress_percent', 'overdue', 'last_update_at', 'last_update'], rows);
}
