import type { Immutable } from 'immer';
import type { Result } from '../voting/types';
import { element } from './dom';
import { resultFigures } from './reads';

/** The method's own figures as a table: totals per option, the instant-runoff rounds, or the scale's spread. */
export function resultTable(result: Immutable<Result>, options: readonly string[]): HTMLTableElement | null {
  const figures = resultFigures(result.detail, options);
  if (!figures) return null;
  // On a phone each row stacks, every figure labelled with its column (style.css, .stack-table).
  const t = element('table', '', 'result-table stack-table');
  t.append(element('caption', figures.caption));
  const thead = element('thead');
  const tr = element('tr');
  tr.append(...figures.head.map((h) => Object.assign(element('th', h), { scope: 'col' })));
  thead.append(tr);
  const body = element('tbody');
  body.append(
    ...figures.rows.map((row) => {
      const r = element('tr');
      r.append(...row.map((c, i) => (i === 0 ? Object.assign(element('th', String(c)), { scope: 'row' }) : labelled(element('td', String(c)), figures.head[i]))));
      return r;
    }),
  );
  t.append(thead, body);
  return t;
}

function labelled(cell: HTMLTableCellElement, label: string | undefined): HTMLTableCellElement {
  if (label) cell.dataset.label = label;
  return cell;
}
