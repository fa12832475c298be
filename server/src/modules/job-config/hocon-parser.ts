import { recordNode, type Concatenation, type Position, type Substitution } from './model.js';
import { NUMBER_TEXT, numberFromText } from './numbers.js';
import {
  MAX_DEPTH,
  decodeEscape,
  SourceText,
  sample,
  type ArrayNode,
  type Field,
  type ObjectNode,
  type ScalarNode,
  type SyntaxNode,
} from './syntax.js';

/**
 * A HOCON parser that keeps what SeaTunnel needs kept: substitutions unresolved, repeated keys
 * unmerged (the builder decides), and the position of every key and value. It reads one string
 * and never touches files: `include` is refused.
 */
export function parseHocon(text: string): ObjectNode {
  return new HoconParser(text).parseRoot();
}

// Characters HOCON forbids in unquoted text (besides whitespace); `//` starts a comment.
const FORBIDDEN = new Set([...'$"{}[]:=,+#`^?!@*&\\']);
const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INCLUDE_TARGET = /include[^\S\n]*(?:"|(?:file|url|classpath|required)\s*\()/y;

const isWhitespace = (c: number): boolean =>
  c === 0x20 ||
  c === 0x09 ||
  c === 0x0d ||
  c === 0x0b ||
  c === 0x0c ||
  c === 0xa0 ||
  c === 0xfeff ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000;

type Piece =
  | { kind: 'text'; text: string; quoted: boolean; offset: number }
  | { kind: 'substitution'; value: Substitution; offset: number }
  | { kind: 'whitespace'; text: string; offset: number }
  | { kind: 'object'; node: ObjectNode; offset: number }
  | { kind: 'array'; node: ArrayNode; offset: number };

class HoconParser {
  private i = 0;
  private depth = 0;
  private readonly source: SourceText;

  constructor(private readonly text: string) {
    this.source = new SourceText(text);
  }

  parseRoot(): ObjectNode {
    this.skipBlank();
    if (this.peek() === '{') {
      const root = this.parseObject();
      this.skipBlank();
      if (!this.atEnd()) {
        throw this.fail(this.i, `unexpected ${this.describe(this.i)} after the '}' that closes the root object`);
      }
      return root;
    }
    if (this.peek() === '[') {
      throw this.fail(this.i, "a job config must be an object of keys, found '['");
    }
    const pos = this.pos(0);
    return { kind: 'object', fields: this.parseFields(null), pos };
  }

  // ---- characters ----

  private atEnd(): boolean {
    return this.i >= this.text.length;
  }

  private peek(offset = 0): string {
    return this.text.charAt(this.i + offset);
  }

  private pos(offset: number): Position {
    return this.source.position(offset);
  }

  private fail(offset: number, detail: string): Error {
    return this.source.error(offset, detail);
  }

  private isCommentStart(at: number): boolean {
    const c = this.text.charAt(at);
    return c === '#' || (c === '/' && this.text.charAt(at + 1) === '/');
  }

  /** Skips whitespace and comments on this line; stops at a newline. */
  private skipInline(): void {
    while (!this.atEnd()) {
      const code = this.text.charCodeAt(this.i);
      if (isWhitespace(code)) this.i++;
      else if (this.isCommentStart(this.i)) this.skipComment();
      else return;
    }
  }

  /** Skips whitespace, comments and newlines. */
  private skipBlank(): void {
    while (!this.atEnd()) {
      const code = this.text.charCodeAt(this.i);
      if (code === 0x0a || isWhitespace(code)) this.i++;
      else if (this.isCommentStart(this.i)) this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.i);
    this.i = end === -1 ? this.text.length : end;
  }

  private isUnquotedChar(at: number): boolean {
    if (at >= this.text.length) return false;
    const code = this.text.charCodeAt(at);
    if (code === 0x0a || isWhitespace(code)) return false;
    const c = this.text.charAt(at);
    if (FORBIDDEN.has(c)) return false;
    return !(c === '/' && this.text.charAt(at + 1) === '/');
  }

  /** What is at `offset`, for "found ..." in messages. */
  private describe(offset: number): string {
    if (offset >= this.text.length) return 'end of input';
    const c = this.text.charAt(offset);
    const code = this.text.charCodeAt(offset);
    if (c === '\n' || (c === '\r' && this.text.charAt(offset + 1) === '\n')) return 'end of line';
    if (isWhitespace(code)) return 'whitespace';
    if (this.isCommentStart(offset)) return 'a comment';
    if (c === '"') {
      const end = this.text.slice(offset + 1).search(/["\n]/);
      const body = end === -1 ? this.text.slice(offset + 1) : this.text.slice(offset + 1, offset + 1 + end);
      return `string "${sample(body)}"`;
    }
    if (c === '$' && this.text.charAt(offset + 1) === '{') return "substitution '${'";
    if (FORBIDDEN.has(c) || c === '/') return `'${c}'`;
    let end = offset;
    while (this.isUnquotedChar(end)) end++;
    return `'${sample(this.text.slice(offset, end))}'`;
  }

  private enter(offset: number): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(offset, `objects and arrays nest deeper than ${MAX_DEPTH} levels`);
  }

  // ---- objects ----

  private parseObject(): ObjectNode {
    const open = this.i;
    this.enter(open);
    this.i++;
    const fields = this.parseFields(open);
    this.depth--;
    return { kind: 'object', fields, pos: this.pos(open) };
  }

  /** Fields up to the '}' matching `open`, or to the end of input for the brace-less root. */
  private parseFields(open: number | null): Field[] {
    const fields: Field[] = [];
    for (;;) {
      this.skipBlank();
      if (this.atEnd()) {
        if (open === null) return fields;
        const at = this.pos(open);
        throw this.fail(
          this.i,
          `expected '}' to close the '{' at line ${at.line}, column ${at.column}, found end of input`,
        );
      }
      const c = this.peek();
      if (c === '}') {
        if (open === null) throw this.fail(this.i, "unexpected '}' with no '{' to close");
        this.i++;
        return fields;
      }
      const field = this.parseField();
      fields.push(field);
      this.skipInline();
      if (this.atEnd()) continue;
      const next = this.peek();
      if (next === ',') this.i++;
      else if (next !== '\n' && next !== '}') {
        throw this.fail(
          this.i,
          `expected ',' or a new line after the value of key "${field.path.join('.')}", found ${this.describe(this.i)}`,
        );
      }
    }
  }

  private parseField(): Field {
    const start = this.i;
    INCLUDE_TARGET.lastIndex = start;
    if (INCLUDE_TARGET.test(this.text)) {
      throw this.fail(
        start,
        "'include' is not supported: a job config must be self-contained (Sluice never reads other files); " +
          'write "include" in quotes if it is meant as a key',
      );
    }
    const path = this.parseKey();
    const keyText = path.join('.');
    this.skipBlank();
    const c = this.peek();
    let append = false;
    let separator = '{';
    if (c === '=' || c === ':') {
      separator = c;
      this.i++;
    } else if (c === '+' && this.peek(1) === '=') {
      separator = '+=';
      append = true;
      this.i += 2;
    } else if (c !== '{') {
      throw this.fail(this.i, `expected '=' or ':' after key "${keyText}", found ${this.describe(this.i)}`);
    }
    this.skipBlank();
    const value = this.parseValue(`after '${separator}' for key "${keyText}"`, `of key "${keyText}"`);
    return { path, append, value, pos: this.pos(start) };
  }

  /** A key path: unquoted text split at dots, quoted parts kept whole, inner whitespace kept. */
  private parseKey(): string[] {
    const start = this.i;
    const segments: string[] = [];
    let current = '';
    let started = false; // the current segment has text or a quoted part (a quoted "" counts)
    let afterDot = -1; // offset of a '.' not yet followed by a part
    let pendingSpace = '';
    for (;;) {
      if (this.atEnd()) break;
      const code = this.text.charCodeAt(this.i);
      const c = this.text.charAt(this.i);
      if (code === 0x0a || c === '=' || c === ':' || c === '{' || this.isCommentStart(this.i)) break;
      if (c === '+' && this.peek(1) === '=') break;
      if (isWhitespace(code)) {
        pendingSpace += c;
        this.i++;
        continue;
      }
      if (c === '$') throw this.fail(this.i, 'substitutions are not allowed in keys');
      const isQuote = c === '"';
      if (!isQuote && FORBIDDEN.has(c)) {
        if (segments.length === 0 && !started) {
          throw this.fail(this.i, `expected a key, found ${this.describe(this.i)}`);
        }
        break; // the caller reports the missing separator
      }
      if (started && pendingSpace) current += pendingSpace;
      pendingSpace = '';
      if (isQuote) {
        if (this.text.startsWith('"""', this.i)) throw this.fail(this.i, 'a key cannot be a triple-quoted string');
        current += this.readQuoted();
        started = true;
        afterDot = -1;
        continue;
      }
      while (this.isUnquotedChar(this.i)) {
        const ch = this.text.charAt(this.i);
        if (ch === '.') {
          if (!started) throw this.fail(this.i, "a key cannot have an empty part (a '.' at its start or two in a row)");
          segments.push(current);
          current = '';
          started = false;
          afterDot = this.i;
        } else {
          current += ch;
          started = true;
          afterDot = -1;
        }
        this.i++;
      }
    }
    if (afterDot !== -1) throw this.fail(afterDot, "a key cannot end with '.'");
    if (!started && segments.length === 0) throw this.fail(start, `expected a key, found ${this.describe(start)}`);
    segments.push(current);
    return segments;
  }

  // ---- values ----

  /**
   * A value: one or more pieces on one line (value concatenation). `expected` completes "expected
   * a value ..." and `owner` names what the value belongs to, for messages.
   */
  private parseValue(expected: string, owner: string): SyntaxNode {
    const start = this.i;
    const pieces: Piece[] = [];
    for (;;) {
      if (this.atEnd()) break;
      const c = this.peek();
      const offset = this.i;
      if (c === '\n' || c === ',' || c === '}' || c === ']' || this.isCommentStart(offset)) break;
      if (c === '{') pieces.push({ kind: 'object', node: this.parseObject(), offset });
      else if (c === '[') pieces.push({ kind: 'array', node: this.parseArray(), offset });
      else if (c === '"') {
        const text = this.text.startsWith('"""', offset) ? this.readTripleQuoted() : this.readQuoted();
        pieces.push({ kind: 'text', text, quoted: true, offset });
      } else if (c === '$') {
        if (this.peek(1) !== '{') {
          throw this.fail(offset, "'$' must start a substitution such as ${name}; put other text with '$' in quotes");
        }
        pieces.push({ kind: 'substitution', value: this.readSubstitution(), offset });
      } else if (FORBIDDEN.has(c)) {
        const hint = c === ':' || c === '=' ? ' (put text containing it in quotes)' : '';
        throw this.fail(offset, `unexpected '${c}' in the value ${owner}${hint}`);
      } else pieces.push({ kind: 'text', text: this.readUnquoted(), quoted: false, offset });
      const space = this.i;
      while (!this.atEnd() && isWhitespace(this.text.charCodeAt(this.i))) this.i++;
      if (this.i > space) pieces.push({ kind: 'whitespace', text: this.text.slice(space, this.i), offset: space });
    }
    while (pieces.at(-1)?.kind === 'whitespace') pieces.pop();
    if (pieces.length === 0) throw this.fail(this.i, `expected a value ${expected}, found ${this.describe(this.i)}`);
    return this.combine(pieces, start, owner);
  }

  private combine(pieces: Piece[], start: number, owner: string): SyntaxNode {
    const solid = pieces.filter((p) => p.kind !== 'whitespace');
    const pos = this.pos(start);
    const [first] = solid;
    if (solid.length === 1 && first) {
      switch (first.kind) {
        case 'object':
        case 'array':
          return first.node;
        case 'substitution':
          return { kind: 'scalar', value: first.value, pos };
        case 'text':
          return { kind: 'scalar', value: first.quoted ? first.text : this.unquotedValue(first.text), pos };
      }
    }
    if (solid.every((p) => p.kind === 'object')) {
      return { kind: 'object', fields: solid.flatMap((p) => p.node.fields), pos };
    }
    if (solid.every((p) => p.kind === 'array')) {
      return { kind: 'array', items: solid.flatMap((p) => p.node.items), pos };
    }
    const structured = solid.find((p) => p.kind === 'object' || p.kind === 'array');
    if (structured) {
      throw this.fail(
        structured.offset,
        `the value ${owner} joins ${structured.kind === 'object' ? 'an object' : 'an array'} with text or a substitution; ` +
          'only objects with objects and arrays with arrays can be concatenated',
      );
    }
    // Text and substitutions: whitespace between pieces is part of the value.
    const parts: (string | Substitution)[] = [];
    for (const piece of pieces) {
      const part =
        piece.kind === 'substitution'
          ? piece.value
          : piece.kind === 'text' || piece.kind === 'whitespace'
            ? piece.text
            : '';
      const last = parts.at(-1);
      if (typeof part === 'string') {
        if (part === '') continue;
        if (typeof last === 'string') parts[parts.length - 1] = last + part;
        else parts.push(part);
      } else parts.push(part);
    }
    if (parts.length === 1 && parts[0] !== undefined) return { kind: 'scalar', value: parts[0], pos };
    if (parts.every((p) => typeof p === 'string')) return { kind: 'scalar', value: parts.join(''), pos };
    const concat: Concatenation = { $concat: parts };
    recordNode(concat, pos);
    return { kind: 'scalar', value: concat, pos } satisfies ScalarNode;
  }

  private unquotedValue(text: string): ScalarNode['value'] {
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (text === 'null') return null;
    if (NUMBER_TEXT.test(text)) return numberFromText(text);
    return text;
  }

  private parseArray(): ArrayNode {
    const open = this.i;
    const at = this.pos(open);
    this.enter(open);
    this.i++;
    const items: SyntaxNode[] = [];
    const where = `in the array at line ${at.line}, column ${at.column}`;
    for (;;) {
      this.skipBlank();
      if (this.atEnd()) {
        throw this.fail(
          this.i,
          `expected ']' to close the '[' at line ${at.line}, column ${at.column}, found end of input`,
        );
      }
      const c = this.peek();
      if (c === ']') {
        this.i++;
        break;
      }
      if (c === ',') throw this.fail(this.i, `expected a value ${where}, found ','`);
      items.push(this.parseValue(where, where));
      this.skipInline();
      if (this.atEnd()) continue;
      const next = this.peek();
      if (next === ',') this.i++;
      else if (next !== '\n' && next !== ']') {
        throw this.fail(this.i, `expected ',' or ']' after an element ${where}, found ${this.describe(this.i)}`);
      }
    }
    this.depth--;
    return { kind: 'array', items, pos: at };
  }

  // ---- tokens ----

  private readUnquoted(): string {
    const start = this.i;
    const c = this.text.charCodeAt(start);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      // A number may contain '+' in its exponent (1e+21), which unquoted text may not.
      NUMBER_AT.lastIndex = start;
      const match = NUMBER_AT.exec(this.text);
      if (match && !this.isUnquotedChar(start + match[0].length)) {
        this.i = start + match[0].length;
        return match[0];
      }
    }
    while (this.isUnquotedChar(this.i)) this.i++;
    return this.text.slice(start, this.i);
  }

  /** A "..." string with JSON escapes. */
  private readQuoted(): string {
    const open = this.i;
    this.i++;
    let out = '';
    let from = this.i;
    for (;;) {
      if (this.atEnd()) throw this.fail(open, "unclosed string: no closing '\"' before the end of input");
      const c = this.text.charAt(this.i);
      if (c === '"') {
        out += this.text.slice(from, this.i);
        this.i++;
        return out;
      }
      if (c === '\n') {
        throw this.fail(
          open,
          'unclosed string: no closing \'"\' before the end of the line (use """ for text over several lines)',
        );
      }
      if (c === '\\') {
        out += this.text.slice(from, this.i);
        out += this.readEscape();
        from = this.i;
      } else this.i++;
    }
  }

  private readEscape(): string {
    const decoded = decodeEscape(this.text, this.i);
    if ('problem' in decoded) throw this.fail(this.i, decoded.problem);
    this.i = decoded.next;
    return decoded.value;
  }

  /** A """...""" string: raw, may span lines; quotes right before the closing """ belong to it. */
  private readTripleQuoted(): string {
    const open = this.i;
    const bodyStart = open + 3;
    const close = this.text.indexOf('"""', bodyStart);
    if (close === -1) throw this.fail(open, 'unclosed string: no closing """ before the end of input');
    let end = close + 3;
    while (this.text.charAt(end) === '"') end++;
    this.i = end;
    return this.text.slice(bodyStart, end - 3);
  }

  /** `${name}`, `${?name}`, `${name:default}`, `${name:}`. */
  private readSubstitution(): Substitution {
    const open = this.i;
    this.i += 2;
    const optional = this.peek() === '?';
    if (optional) this.i++;
    const nameStart = this.i;
    while (this.isUnquotedChar(this.i)) this.i++;
    const name = this.text.slice(nameStart, this.i);
    const opening = optional ? '${?' : '${';
    if (name === '') {
      const found = this.peek() === '"' ? "'\"' (quoted names are not supported)" : this.describe(this.i);
      throw this.fail(this.i, `expected a variable name after '${opening}', found ${found}`);
    }
    if (name.split('.').some((part) => part === '')) {
      throw this.fail(
        nameStart,
        `bad substitution '${opening}${sample(name)}': a name cannot have an empty part around '.'`,
      );
    }
    const substitution: Substitution = { $substitution: name };
    if (optional) substitution.optional = true;
    const c = this.peek();
    if (c === ':') {
      let end = this.i + 1;
      while (end < this.text.length && this.text.charAt(end) !== '}' && this.text.charAt(end) !== '\n') end++;
      if (this.text.charAt(end) !== '}') {
        throw this.fail(
          open,
          `unclosed substitution '${opening}${sample(name)}:': expected '}' before the end of the line`,
        );
      }
      substitution.default = this.text.slice(this.i + 1, end);
      this.i = end + 1;
    } else if (c === '}') {
      this.i++;
    } else {
      throw this.fail(
        this.i,
        `expected '}' to close substitution '${opening}${sample(name)}', found ${this.describe(this.i)}`,
      );
    }
    recordNode(substitution, this.pos(open));
    return substitution;
  }
}
