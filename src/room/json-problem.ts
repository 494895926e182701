/**
 * Why some text is not JSON, in words a person can act on, with the line to look at: "expected ',' or '}' after
 * property value; check for a missing comma or quote near line 4". `err` is what JSON.parse threw for `text`.
 */
export function jsonProblem(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/unexpected end of JSON input/i.test(message)) return 'it stops too soon; check for a missing closing bracket, brace or quote at the end';
  const at = errorOffset(text);
  const line = at === undefined ? undefined : text.slice(0, at).split('\n').length;
  return `${what(message)}; check for a missing comma or quote${line === undefined ? '' : ` near line ${line}`}`;
}

/** V8's message without its position, and without the person's own text that it quotes back for a bad token. */
function what(message: string): string {
  const token = /^Unexpected token '([\s\S]+?)', [\s\S]* is not valid JSON$/.exec(message);
  const plain = token ? `unexpected ${token[1] === "'" ? 'single quote (JSON needs double quotes)' : `“${token[1]}”`}` : message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s+in JSON at position \d+[\s\S]*$/, '').replace(/\s+after JSON at position \d+[\s\S]*$/, ' after the end');
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}

const SPACE = new Set([' ', '\t', '\n', '\r']);
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Where the first syntax error in `text` is (undefined if there is none). JSON.parse gives the position for
 * some errors only ("Unexpected token ']', "[1,2,]" is not valid JSON" has none), so it is found here. A loop
 * with a stack, not recursion, so deeply nested text cannot overflow the call stack.
 */
export function errorOffset(text: string): number | undefined {
  const open: string[] = [];
  let i = 0;
  let expect: 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'after' = 'value';
  for (;;) {
    while (i < text.length && SPACE.has(text[i])) i++;
    const c = text[i];
    const top = open[open.length - 1];
    if (expect === 'after') {
      if (top === undefined) return i < text.length ? i : undefined;
      if (c === ',') expect = top === '{' ? 'key' : 'value';
      else if (c === (top === '{' ? '}' : ']')) open.pop();
      else return i;
      i++;
      continue;
    }
    if ((expect === 'key-or-close' && c === '}') || (expect === 'value-or-close' && c === ']')) {
      open.pop();
      i++;
      expect = 'after';
      continue;
    }
    if (expect === 'key' || expect === 'key-or-close') {
      if (c !== '"') return i;
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      while (i < text.length && SPACE.has(text[i])) i++;
      if (text[i] !== ':') return i;
      i++;
      expect = 'value';
      continue;
    }
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      expect = c === '{' ? 'key-or-close' : 'value-or-close';
      continue;
    }
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
    } else {
      LITERAL.lastIndex = i;
      const literal = LITERAL.exec(text);
      if (!literal) return i;
      i += literal[0].length;
    }
    expect = 'after';
  }
}

/** The index just after the string that opens at `start`, or -(index of the problem) - 1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return i + 1;
    if (c < ' ') return -i - 1;
    if (c === '\\') {
      if (text[i + 1] === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -i - 1;
        i += 5;
      } else if ('"\\/bfnrt'.includes(text[i + 1] ?? 'x')) i++;
      else return -i - 1;
    }
  }
  return -text.length - 1;
}
