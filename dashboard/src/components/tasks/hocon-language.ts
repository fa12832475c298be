import { HighlightStyle, StreamLanguage, type StreamParser } from '@codemirror/language';
import { tags } from '@lezer/highlight';

/**
 * A tokenizer for the HOCON of SeaTunnel job configs (highlighting and indentation only; the real
 * parse is `@job-config`'s). It tells keys from values by position: after `=`, `:` or `+=`, and
 * inside `[ ]`, text is a value; at the start of a line, after `{` or `,` in an object, it is a key.
 */
interface HoconState {
  /** Open brackets, innermost last: `{` or `[`. */
  stack: string[];
  /** True while the next token is a value, not a key. */
  value: boolean;
  /** Inside a triple-quoted string that spans lines. */
  triple: boolean;
}

const UNQUOTED = /^(?:[^\s"$#{}[\]=:,+`^?!@*&\\/]|\/(?!\/))+/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=$|[\s,}\]#]|\/\/)/;

function inArray(state: HoconState): boolean {
  return state.stack.at(-1) === '[';
}

/** Consumes a triple-quoted string's rest; quotes just before the closing `"""` belong to the text. */
function tripleRest(stream: Parameters<StreamParser<HoconState>['token']>[0], state: HoconState): string {
  while (!stream.eol()) {
    if (stream.match('"""')) {
      while (stream.eat('"'));
      state.triple = false;
      return 'string';
    }
    stream.next();
  }
  return 'string';
}

const parser: StreamParser<HoconState> = {
  name: 'hocon',
  startState: () => ({ stack: [], value: false, triple: false }),
  copyState: (state) => ({ stack: [...state.stack], value: state.value, triple: state.triple }),
  token(stream, state) {
    if (state.triple) return tripleRest(stream, state);
    // A new line ends a value, except inside a list.
    if (stream.sol() && !inArray(state)) state.value = false;
    if (stream.eatSpace()) return null;
    if (stream.match('#') || stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('"""')) {
      state.triple = true;
      return tripleRest(stream, state);
    }
    const key = !state.value && !inArray(state);
    if (stream.peek() === '"') {
      stream.next();
      let escaped = false;
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === '"' && !escaped) break;
        escaped = !escaped && ch === '\\';
      }
      return key ? 'propertyName' : 'string';
    }
    if (stream.match(/^\$\{[^}\n]*\}?/)) return 'variableName.special';
    const ch = stream.peek();
    if (ch === '{' || ch === '[') {
      stream.next();
      state.stack.push(ch);
      state.value = ch === '[';
      return ch === '{' ? 'brace' : 'squareBracket';
    }
    if (ch === '}' || ch === ']') {
      stream.next();
      state.stack.pop();
      state.value = inArray(state);
      return ch === '}' ? 'brace' : 'squareBracket';
    }
    if (stream.match('+=') || ch === '=' || ch === ':') {
      if (ch === '=' || ch === ':') stream.next();
      state.value = true;
      return 'operator';
    }
    if (ch === ',') {
      stream.next();
      state.value = inArray(state);
      return 'punctuation';
    }
    if (key) {
      if (stream.match(/^include(?=\s)/)) return 'keyword';
      if (stream.match(UNQUOTED)) return 'propertyName';
    } else {
      if (stream.match(NUMBER)) return 'number';
      if (stream.match(/^(?:true|false)(?=$|[\s,}\]#])/)) return 'bool';
      if (stream.match(/^null(?=$|[\s,}\]#])/)) return 'null';
      if (stream.match(UNQUOTED)) return 'string';
    }
    stream.next();
    return 'invalid';
  },
  indent(state, textAfter, context) {
    const closing = /^[}\]]/.test(textAfter) ? 1 : 0;
    return Math.max(0, state.stack.length - closing) * context.unit;
  },
  languageData: { commentTokens: { line: '#' }, closeBrackets: { brackets: ['(', '[', '{', '"'] } },
};

export const hoconLanguage = StreamLanguage.define(parser);

/** Token colours: the caller passes colours from the current Naive UI theme, so both themes read well. */
export interface HoconColors {
  key: string;
  string: string;
  number: string;
  atom: string;
  variable: string;
  comment: string;
  punctuation: string;
  invalid: string;
}

export function hoconHighlightStyle(colors: HoconColors): HighlightStyle {
  return HighlightStyle.define([
    { tag: tags.propertyName, color: colors.key },
    { tag: tags.string, color: colors.string },
    { tag: tags.number, color: colors.number },
    { tag: [tags.bool, tags.null, tags.keyword], color: colors.atom, fontWeight: '600' },
    { tag: tags.special(tags.variableName), color: colors.variable, fontWeight: '600' },
    { tag: tags.comment, color: colors.comment, fontStyle: 'italic' },
    { tag: [tags.brace, tags.squareBracket, tags.operator, tags.punctuation], color: colors.punctuation },
    { tag: tags.invalid, color: colors.invalid, textDecoration: 'underline wavy' },
  ]);
}
