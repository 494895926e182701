import type { ApprovalDetail, BordaDetail, IrvDetail, Result, ScaleDetail } from '../voting/types';
import { element } from './dom';

/** The method's own figures as a table: totals per option, the instant-runoff rounds, or the scale's spread. */
export function resultTable(result: Result, options: string[]): HTMLTableElement | null {
  const kind = result.detail as { method?: string; count?: string };
  if (kind.method === 'approval') {
    const d = result.detail as ApprovalDetail;
    return table('Dots per option', ['Option', 'Dots', 'Supporters'], options.map((o, i) => [o, d.totals[i] ?? 0, d.supporters[i] ?? 0]));
  }
  if (kind.method === 'ranked' && kind.count === 'borda') {
    const d = result.detail as BordaDetail;
    return table('Borda points per option', ['Option', 'Points', 'First preferences'], options.map((o, i) => [o, d.scores[i] ?? 0, d.firstPreferences[i] ?? 0]));
  }
  if (kind.method === 'ranked') {
    const { rounds } = result.detail as IrvDetail;
    const cell = (r: IrvDetail['rounds'][number], i: number) => r.votes.find((v) => v.option === i)?.votes ?? '—';
    return table(
      'Instant runoff, round by round',
      ['Option', ...rounds.map((r) => `Round ${r.round}`)],
      [...options.map((o, i) => [o, ...rounds.map((r) => cell(r, i))]), ['Exhausted', ...rounds.map((r) => r.exhausted)], ['Eliminated', ...rounds.map((r) => (r.eliminated === null ? '' : options[r.eliminated]))]],
    );
  }
  if (kind.method === 'scale') {
    const d = result.detail as ScaleDetail;
    return table('How the answers spread', ['Level', 'Answers'], d.distribution.map((x) => [`${x.level}. ${x.label}`, x.count]));
  }
  return null;
}

function table(caption: string, head: string[], rows: (string | number)[][]): HTMLTableElement {
  const t = element('table', '', 'result-table');
  t.append(element('caption', caption));
  const thead = element('thead');
  const tr = element('tr');
  tr.append(...head.map((h) => Object.assign(element('th', h), { scope: 'col' })));
  thead.append(tr);
  const body = element('tbody');
  body.append(
    ...rows.map((row) => {
      const r = element('tr');
      r.append(...row.map((c, i) => (i === 0 ? Object.assign(element('th', String(c)), { scope: 'row' }) : element('td', String(c)))));
      return r;
    }),
  );
  t.append(thead, body);
  return t;
}
