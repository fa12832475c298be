import type { Position } from './model.js';
import { numberFromText } from './numbers.js';
import {
  MAX_DEPTH,
  decodeEscape,
  SourceText,
  sample,
  type ArrayNode,
  type Field,
  type ObjectNode,
  type SyntaxNode,
} from './syntax.js';

/**
 * A strict JSON parser (RFC 8259; a byte order mark is allowed) into the same syntax tree as the
 * HOCON parser, with positions. Keys are literal: `"job.mode"` is one key. Strings stay strings:
 * JSON has no substitution syntax, `${var}` inside a string is text that SeaTunnel replaces.
 */
export function parseJson(text: string): ObjectNode {
  return new JsonParser(text).parseRoot();
}

const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonParser {
  private i = 0;
  private depth = 0;
  private readonly source: SourceText;

  constructor(private readonly text: string) {
    this.source = new SourceText(text);
  }

  parseRoot(): ObjectNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1;
    this.skipWhitespace();
    if (this.peek() !== '{') {
      throw this.fail(this.i, `expected '{' to start the job config object, found ${this.describe(this.i)}`);
    }
    const root = this.parseObject();
    this.skipWhitespace();
    if (this.i < this.text.length) {
      throw this.fail(this.i, `unexpected ${this.describe(this.i)} after the end of the JSON object`);
    }
    return root;
  }

  private peek(): string {
    return this.text.charAt(this.i);
  }

  private pos(offset: number): Position {
    return this.source.position(offset);
  }

  private fail(offset: number, detail: string): Error {
    return this.source.error(offset, detail);
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '/' && (this.text.charAt(this.i + 1) === '/' || this.text.charAt(this.i + 1) === '*')) {
        throw this.fail(this.i, 'comments are not allowed in JSON (use the HOCON format for comments)');
      } else if (c === '#')
        throw this.fail(this.i, 'comments are not allowed in JSON (use the HOCON format for comments)');
      else return;
    }
  }

  private describe(offset: number): string {
    if (offset >= this.text.length) return 'end of input';
    const c = this.text.charAt(offset);
    if (c === '"') {
      const end = this.text.slice(offset + 1).search(/["\n]/);
      return `string "${sample(end === -1 ? this.text.slice(offset + 1) : this.text.slice(offset + 1, offset + 1 + end))}"`;
    }
    const word = /^[A-Za-z0-9_.+-]+/.exec(this.text.slice(offset, offset + 40));
    return word ? `'${sample(word[0])}'` : `'${c}'`;
  }

  private enter(offset: number): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(offset, `objects and arrays nest deeper than ${MAX_DEPTH} levels`);
  }

  private parseValue(context: string): SyntaxNode {
    const offset = this.i;
    const c = this.peek();
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return { kind: 'scalar', value: this.parseString(), pos: this.pos(offset) };
    if (c === '-' || (c >= '0' && c <= '9'))
      return { kind: 'scalar', value: this.parseNumber(), pos: this.pos(offset) };
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, offset) && !/[A-Za-z0-9_]/.test(this.text.charAt(offset + word.length))) {
        this.i += word.length;
        return { kind: 'scalar', value, pos: this.pos(offset) };
      }
    }
    const hint = /[A-Za-z_]/.test(c)
      ? ' (JSON strings need double quotes)'
      : c === "'"
        ? ' (JSON strings use double quotes)'
        : '';
    throw this.fail(offset, `expected a value ${context}, found ${this.describe(offset)}${hint}`);
  }

  private parseObject(): ObjectNode {
    const open = this.i;
    this.enter(open);
    this.i++;
    const fields: Field[] = [];
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.i++;
    } else {
      for (;;) {
        const keyOffset = this.i;
        if (this.peek() !== '"') {
          throw this.fail(keyOffset, `expected a key in double quotes, found ${this.describe(keyOffset)}`);
        }
        const key = this.parseString();
        this.skipWhitespace();
        if (this.peek() !== ':') {
          throw this.fail(this.i, `expected ':' after key "${sample(key)}", found ${this.describe(this.i)}`);
        }
        this.i++;
        this.skipWhitespace();
        const value = this.parseValue(`for key "${sample(key)}"`);
        fields.push({ path: [key], append: false, value, pos: this.pos(keyOffset) });
        this.skipWhitespace();
        const c = this.peek();
        if (c === ',') {
          const comma = this.i;
          this.i++;
          this.skipWhitespace();
          if (this.peek() === '}') throw this.fail(comma, "a trailing ',' before '}' is not allowed in JSON");
          continue;
        }
        if (c === '}') {
          this.i++;
          break;
        }
        const at = this.pos(open);
        const what =
          this.i >= this.text.length ? `(the '{' at line ${at.line}, column ${at.column} is never closed) ` : '';
        throw this.fail(
          this.i,
          `expected ',' or '}' after the value of key "${sample(key)}" ${what}found ${this.describe(this.i)}`,
        );
      }
    }
    this.depth--;
    return { kind: 'object', fields, pos: this.pos(open) };
  }

  private parseArray(): ArrayNode {
    const open = this.i;
    const at = this.pos(open);
    this.enter(open);
    this.i++;
    const items: SyntaxNode[] = [];
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.i++;
    } else {
      for (;;) {
        items.push(this.parseValue(`in the array at line ${at.line}, column ${at.column}`));
        this.skipWhitespace();
        const c = this.peek();
        if (c === ',') {
          const comma = this.i;
          this.i++;
          this.skipWhitespace();
          if (this.peek() === ']') throw this.fail(comma, "a trailing ',' before ']' is not allowed in JSON");
          continue;
        }
        if (c === ']') {
          this.i++;
          break;
        }
        throw this.fail(
          this.i,
          `expected ',' or ']' in the array at line ${at.line}, column ${at.column}, found ${this.describe(this.i)}`,
        );
      }
    }
    this.depth--;
    return { kind: 'array', items, pos: at };
  }

  private parseString(): string {
    const open = this.i;
    this.i++;
    let out = '';
    let from = this.i;
    for (;;) {
      if (this.i >= this.text.length) throw this.fail(open, "unclosed string: no closing '\"' before the end of input");
      const code = this.text.charCodeAt(this.i);
      if (code === 0x22) {
        out += this.text.slice(from, this.i);
        this.i++;
        return out;
      }
      if (code === 0x0a) throw this.fail(open, "unclosed string: no closing '\"' before the end of the line");
      if (code < 0x20) {
        throw this.fail(
          this.i,
          `control character U+${code.toString(16).padStart(4, '0').toUpperCase()} in a string: escape it`,
        );
      }
      if (code === 0x5c) {
        out += this.text.slice(from, this.i);
        out += this.parseEscape();
        from = this.i;
      } else this.i++;
    }
  }

  private parseEscape(): string {
    const decoded = decodeEscape(this.text, this.i);
    if ('problem' in decoded) throw this.fail(this.i, decoded.problem);
    this.i = decoded.next;
    return decoded.value;
  }

  private parseNumber(): number | { $number: string } {
    const offset = this.i;
    NUMBER_AT.lastIndex = offset;
    const match = NUMBER_AT.exec(this.text);
    const end = match ? offset + match[0].length : offset;
    if (!match || /[A-Za-z0-9_.+-]/.test(this.text.charAt(end))) {
      const word = /^[A-Za-z0-9_.+-]+/.exec(this.text.slice(offset))?.[0] ?? this.text.charAt(offset);
      throw this.fail(offset, `invalid number '${sample(word)}'`);
    }
    this.i = end;
    return numberFromText(match[0]);
  }
}
