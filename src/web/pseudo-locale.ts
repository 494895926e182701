import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

const ACCENTED: Record<string, string> = Object.fromEntries(
  [...'aceinouyACEINOUY'].map((c, i) => [c, [...'àçéîñöûýÀÇÉÎÑÖÛÝ'][i]]),
);
const accent = (text: string) => text.replace(/[aceinouyACEINOUY]/g, (c) => ACCENTED[c]);

/**
 * The pseudo-locale's form of an English message: its words accented and bracketed, its placeholders, plural
 * and select keywords, and HTML tags untouched, so a page in it still works and every untranslated word stands out.
 */
export function pseudoLocalise(message: string): string {
  return `⟦${print(parse(message, { ignoreTag: true }))}⟧`;
}

function print(elements: MessageFormatElement[]): string {
  return elements.map(printOne).join('');
}

function printOne(el: MessageFormatElement): string {
  switch (el.type) {
    case TYPE.literal:
      // Keep markup as it is: only the words between tags are accented.
      return el.value
        .split(/(<[^>]*>|&[a-z]+;)/)
        .map((part, i) => (i % 2 ? part : accent(quote(part))))
        .join('');
    case TYPE.argument:
      return `{${el.value}}`;
    case TYPE.number:
    case TYPE.date:
    case TYPE.time:
      return `{${el.value}, ${['', '', 'number', 'date', 'time'][el.type]}${el.style ? `, ${typeof el.style === 'string' ? el.style : '::' + el.style.parsedOptions}` : ''}}`;
    case TYPE.pound:
      return '#';
    case TYPE.select:
    case TYPE.plural: {
      const kind = el.type === TYPE.select ? 'select' : el.pluralType === 'ordinal' ? 'selectordinal' : 'plural';
      const offset = el.type === TYPE.plural && el.offset ? ` offset:${el.offset}` : '';
      const options = Object.entries(el.options).map(([k, o]) => `${k} {${print(o.value)}}`).join(' ');
      return `{${el.value}, ${kind},${offset} ${options}}`;
    }
    default:
      throw new Error(`The pseudo-locale cannot print a message part of type ${el.type}.`);
  }
}

// ICU quoting: a literal `{` or `}` must be written between apostrophes again once printed.
function quote(text: string): string {
  return text.replace(/[{}]/g, (c) => `'${c}'`);
}
