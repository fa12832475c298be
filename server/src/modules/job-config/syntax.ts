import { ConfigSyntaxError, type Concatenation, type ExactNumber, type Position, type Substitution } from './model.js';

/**
 * The syntax tree both parsers produce: objects keep their fields as written (unmerged, in order),
 * so that the builder can keep repeated plugin keys apart and merge everything else.
 */
export type SyntaxNode = ObjectNode | ArrayNode | ScalarNode;

export interface ObjectNode {
  kind: 'object';
  fields: Field[];
  pos: Position;
}

export interface ArrayNode {
  kind: 'array';
  items: SyntaxNode[];
  pos: Position;
}

export interface ScalarNode {
  kind: 'scalar';
  value: string | number | boolean | null | ExactNumber | Substitution | Concatenation;
  pos: Position;
}

export interface Field {
  /** Key path: HOCON `a.b` is ['a', 'b']; a quoted key or a JSON key is one element. */
  path: string[];
  /** `+=` */
  append: boolean;
  value: SyntaxNode;
  /** Where the key starts. */
  pos: Position;
}

/** Deeper nesting than this is refused, so that no input can exhaust the stack. */
export const MAX_DEPTH = 200;

/** Offsets to 1-based line and column (UTF-16 code units, as editors count). */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(offset: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  error(offset: number, detail: string): ConfigSyntaxError {
    const { line, column } = this.position(offset);
    return new ConfigSyntaxError(line, column, detail);
  }
}

/** A short, quoted sample of text for error messages. */
export function sample(text: string, max = 24): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Decodes the escape sequence whose backslash is at `at` inside a quoted string (HOCON and JSON
 * share JSON's escapes): the character and the offset after the sequence, or the problem to report at `at`.
 */
export function decodeEscape(text: string, at: number): { value: string; next: number } | { problem: string } {
  const c = text.charAt(at + 1);
  if (Object.hasOwn(SIMPLE_ESCAPES, c)) return { value: SIMPLE_ESCAPES[c]!, next: at + 2 };
  if (c === 'u') {
    const hex = text.slice(at + 2, at + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { problem: "invalid escape: '\\u' needs four hex digits" };
    return { value: String.fromCharCode(parseInt(hex, 16)), next: at + 6 };
  }
  if (c === '') return { problem: "unclosed string: no closing '\"' before the end of input" };
  return {
    problem: `invalid escape '\\${c === '\n' ? 'n' : c}' in a string (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`,
  };
}
