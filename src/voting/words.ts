/** Small helpers for the sentences the tallies print. */

/** "1 dot", "3 dots". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** part / whole as a percentage, to one decimal place at most: "80%", "66.7%". */
export function percent(part: number, whole: number): number {
  return Math.round((1000 * part) / whole) / 10;
}

/** An option by its label, in quotes: "Parks". */
export function quoted(options: string[], option: number): string {
  return `"${options[option] ?? `option ${option + 1}`}"`;
}

/** "a", "a and b", "a, b and c". */
export function joined(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
