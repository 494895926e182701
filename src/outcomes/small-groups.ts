import { MIN_GROUP } from '../disclosure';
import type { GroupFigure, SessionRecord } from './record';

/**
 * Group figures that describe nobody (issue 17, docs/verification.md): within each category, groups of 1 to 4
 * people are combined into one ("Bablake, Earlsdon or Wyken"), taking in the next smallest group while the
 * combination is still under 5; a category whose people are too few to make a group of 5 is left out. A group
 * of 0 stays: it says nobody is in it, which describes no one.
 */
export function combineSmall<T extends { members: number }>(rows: readonly T[], merge: (rows: T[]) => T, least = MIN_GROUP): T[] {
  const small = rows.filter((r) => r.members > 0 && r.members < least);
  if (!small.length) return [...rows];
  const kept = rows.filter((r) => !small.includes(r));
  const size = () => small.reduce((sum, r) => sum + r.members, 0);
  while (size() < least) {
    const next = kept.filter((r) => r.members > 0).sort((a, b) => a.members - b.members)[0];
    if (!next) return []; // too few people in the whole category to show any of it, even its empty groups
    kept.splice(kept.indexOf(next), 1);
    small.push(next);
  }
  const combined = rows.filter((r) => small.includes(r));
  return [...kept, merge(combined)];
}

/** "A, B or C". */
export function eitherOf(labels: string[]): string {
  return labels.length < 2 ? labels.join('') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

function byCategory(groups: readonly GroupFigure[]): GroupFigure[][] {
  const out = new Map<string, GroupFigure[]>();
  for (const g of groups) out.set(g.category, [...(out.get(g.category) ?? []), g]);
  return [...out.values()];
}

/** A sum of shares, which floating point can take just past 1 when the groups make up the whole panel. */
const shareSum = (shares: number[]) => Math.min(1, shares.reduce((sum, x) => sum + x, 0));

/** Groups combined: attendance figures are counts, added up; airtime figures are shares, added up to at most 1. */
const mergeFigures = (part: 'attendance' | 'airtime') => (rows: GroupFigure[]): GroupFigure => ({
  category: rows[0].category,
  categoryLabel: rows[0].categoryLabel,
  value: rows.map((r) => r.value).join(' | '),
  label: eitherOf(rows.map((r) => r.label)),
  members: rows.reduce((sum, r) => sum + r.members, 0),
  panelShare: shareSum(rows.map((r) => r.panelShare)),
  figure: rows.some((r) => r.figure === null) ? null : part === 'airtime' ? shareSum(rows.map((r) => r.figure ?? 0)) : rows.reduce((sum, r) => sum + (r.figure ?? 0), 0),
});

/**
 * A category's attendance is shown only when, in every one of its groups, those who came and those who did not
 * are each none or at least 5: otherwise the figures, with the total, would tell who the few absent were.
 */
function attendanceShown(groups: GroupFigure[]): GroupFigure[] {
  const few = (n: number) => n > 0 && n < MIN_GROUP;
  const hidden = groups.some((g) => g.figure === null || few(g.figure) || few(g.members - g.figure));
  return hidden ? groups.map((g) => ({ ...g, figure: null })) : groups;
}

/** The record as it may be published: every group figure over groups of at least 5, as above. Idempotent. */
export function publicRecord(record: SessionRecord): SessionRecord {
  const combined = (part: 'attendance' | 'airtime') => byCategory(record[part].groups).map((c) => combineSmall(c, mergeFigures(part)));
  return {
    ...record,
    attendance: { ...record.attendance, groups: combined('attendance').flatMap(attendanceShown) },
    airtime: { ...record.airtime, groups: combined('airtime').flat() },
  };
}
