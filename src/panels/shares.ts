import type { Category } from './repo';

/** How far a category's population shares may be from 100% before it is flagged: census figures are rounded. */
export const SHARE_SLACK = 1;

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * A warning for a category whose population shares do not add up to 100% (within SHARE_SLACK points), or
 * undefined. Only categories with some shares typed are checked. It warns rather than refuses: a share may be
 * typed one value at a time, and computing quotas scales the shares to 100% anyway, but a total of 108% usually
 * means a figure was mistyped.
 */
export function shareWarning(category: Pick<Category, 'label' | 'values'>): string | undefined {
  const shares = category.values.map((v) => v.share).filter((s): s is number => s !== null);
  if (shares.length === 0) return undefined;
  const total = round1(shares.reduce((a, b) => a + b, 0));
  if (Math.abs(total - 100) <= SHARE_SLACK) return undefined;
  const missing = category.values.length - shares.length;
  const unset = missing ? ` (${missing} of its ${category.values.length} values ${missing === 1 ? 'has' : 'have'} no share yet)` : '';
  return `The shares of ${category.label} add up to ${total}%${unset}: they should add up to 100%.`;
}
