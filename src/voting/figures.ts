import type { ApprovalDetail, BordaDetail, IrvDetail, Result, ScaleDetail } from './types';

/** A result's own figures as a table, for the room (DOM) and the published pages (HTML) alike. */
export interface Figures {
  caption: string;
  head: string[];
  /** The first cell of each row names it. */
  rows: (string | number)[][];
}

/** Totals per option, the instant-runoff rounds, or the scale's spread; null for methods whose summary says it all. */
export function resultFigures(detail: Result['detail'], options: string[]): Figures | null {
  const kind = detail as { method?: string; count?: string };
  if (kind.method === 'approval') {
    const d = detail as ApprovalDetail;
    return { caption: 'Dots per option', head: ['Option', 'Dots', 'Supporters'], rows: options.map((o, i) => [o, d.totals[i] ?? 0, d.supporters[i] ?? 0]) };
  }
  if (kind.method === 'ranked' && kind.count === 'borda') {
    const d = detail as BordaDetail;
    return { caption: 'Borda points per option', head: ['Option', 'Points', 'First preferences'], rows: options.map((o, i) => [o, d.scores[i] ?? 0, d.firstPreferences[i] ?? 0]) };
  }
  if (kind.method === 'ranked') {
    const { rounds } = detail as IrvDetail;
    const cell = (r: IrvDetail['rounds'][number], i: number) => r.votes.find((v) => v.option === i)?.votes ?? '—';
    return {
      caption: 'Instant runoff, round by round',
      head: ['Option', ...rounds.map((r) => `Round ${r.round}`)],
      rows: [...options.map((o, i) => [o, ...rounds.map((r) => cell(r, i))]), ['Exhausted', ...rounds.map((r) => r.exhausted)], ['Eliminated', ...rounds.map((r) => (r.eliminated === null ? '' : options[r.eliminated]))]],
    };
  }
  if (kind.method === 'scale') {
    const d = detail as ScaleDetail;
    return { caption: 'How the answers spread', head: ['Level', 'Answers'], rows: d.distribution.map((x) => [`${x.level}. ${x.label}`, x.count]) };
  }
  return null;
}
