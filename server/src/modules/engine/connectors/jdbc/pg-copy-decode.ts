/**
 * A decoder for PostgreSQL's COPY ... TO STDOUT text format, written for speed. Each chunk's
 * complete rows become one JS string in a single native call, read as Latin-1 (one byte, one
 * character: the fastest decode there is, and string offsets stay byte offsets); fields are found
 * with indexOf, and only fields holding a backslash are unescaped. Rows holding bytes beyond ASCII
 * (found with one native scan per chunk and per such row) have their text columns decoded again as
 * UTF-8 from the bytes. Decoding whole chunks as UTF-8 would be about ten times slower on data with
 * a few accented letters, and would make every string of the chunk a two-byte string. A row cut by
 * a chunk boundary waits (as bytes) for the next chunk.
 *
 * Format: rows end with \n, fields are separated by \t, \N is NULL; inside a field backslash escapes
 * \\ \n \r \t \b \f \v, \digits (octal byte) and \xhh (hex byte). The server sends exactly
 * the query's columns, so the last field simply runs to the end of the line.
 */
import { isAscii } from 'node:buffer';
import type { Value } from '../../row.js';
import type { TextDecoder } from './read-types.js';

const NEWLINE = 10;

/**
 * Counts the rows of complete COPY text, up to `max`: `end` is the offset just past the last row
 * counted (a raw newline only ends a row: inside fields it is escaped).
 */
export function scanCopyRows(rows: Buffer, max: number): { rows: number; end: number } {
  let count = 0;
  let end = 0;
  while (count < max) {
    const newline = rows.indexOf(NEWLINE, end);
    if (newline < 0) break;
    count++;
    end = newline + 1;
  }
  return { rows: count, end };
}

export class CopyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyFormatError';
  }
}

export class PgCopyTextDecoder {
  private leftover: Buffer | undefined;
  private readonly columns: number;
  private readonly text: readonly boolean[];

  /**
   * @param decoders one per column; undefined keeps the text
   * @param textColumns columns that may hold characters beyond ASCII (text, arrays of text); the
   *   others (numbers, dates, booleans, bytea's hex) are ASCII by construction. Default: all.
   */
  constructor(
    private readonly decoders: readonly (TextDecoder | undefined)[],
    textColumns?: readonly boolean[],
  ) {
    this.columns = decoders.length;
    this.text = textColumns ?? decoders.map(() => true);
  }

  /** Decodes every complete row of `chunk` into `out`; returns how many rows it added. */
  push(chunk: Buffer, out: Value[][]): number {
    const rows = this.take(chunk);
    return rows ? this.decode(rows, out) : 0;
  }

  /**
   * The complete rows of `chunk` (with what an earlier chunk left), undecoded; the partial row at
   * its end waits for the next chunk. Undefined when no row is complete yet.
   */
  take(chunk: Buffer): Buffer | undefined {
    let data = chunk;
    if (this.leftover) {
      data = Buffer.concat([this.leftover, chunk]);
      this.leftover = undefined;
    }
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.leftover = data;
      return undefined;
    }
    if (last < data.length - 1) this.leftover = data.subarray(last + 1);
    return last === data.length - 1 ? data : data.subarray(0, last + 1);
  }

  /** Decodes complete rows (as take() returns them) into `out`; returns how many rows it added. */
  decode(rows: Buffer, out: Value[][]): number {
    const text = rows.toString('latin1');
    return this.decodeRows(text, isAscii(rows) ? undefined : rows, out);
  }

  /** Call at the end of the stream: a partial row left means the data was cut. */
  end(): void {
    if (this.leftover && this.leftover.length > 0) {
      throw new CopyFormatError(`the COPY data ends inside a row (${this.leftover.length} bytes without a newline)`);
    }
  }

  /** `bytes`: the chunk's bytes when some are beyond ASCII (then `text` holds them as Latin-1). */
  private decodeRows(text: string, bytes: Buffer | undefined, out: Value[][]): number {
    const decoders = this.decoders;
    const textColumns = this.text;
    const columns = this.columns;
    const lastColumn = columns - 1;
    const end = text.length;
    let pos = 0;
    let backslash = text.indexOf('\\');
    if (backslash < 0) backslash = end;
    let count = 0;
    if (columns === 0) {
      // A query without columns: every line is an empty row.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
        out.push([]);
        count++;
      }
      return count;
    }
    while (pos < end) {
      const rowEnd = text.indexOf('\n', pos);
      const utf8 = bytes !== undefined && !isAscii(bytes.subarray(pos, rowEnd));
      const row = new Array<Value>(columns);
      for (let c = 0; c < columns; c++) {
        let fieldEnd: number;
        if (c === lastColumn) fieldEnd = rowEnd;
        else {
          fieldEnd = text.indexOf('\t', pos);
          if (fieldEnd < 0 || fieldEnd > rowEnd) throw this.shortRow(text, pos, c);
        }
        if (backslash < pos) {
          backslash = text.indexOf('\\', pos);
          if (backslash < 0) backslash = end;
        }
        let value: Value;
        if (backslash >= fieldEnd) {
          const raw = utf8 && textColumns[c] ? bytes.toString('utf8', pos, fieldEnd) : text.slice(pos, fieldEnd);
          const decode = decoders[c];
          value = decode === undefined ? raw : decode(raw);
        } else if (fieldEnd - pos === 2 && text.charCodeAt(pos + 1) === 78 /* N */) {
          value = null;
        } else {
          let raw = unescapeCopyText(text, pos, fieldEnd);
          // Escapes stand for ASCII characters or single bytes: the Latin-1 text keeps every byte.
          if (utf8 && textColumns[c]) raw = Buffer.from(raw, 'latin1').toString('utf8');
          const decode = decoders[c];
          value = decode === undefined ? raw : decode(raw);
        }
        row[c] = value;
        pos = fieldEnd + 1;
      }
      out.push(row);
      count++;
    }
    return count;
  }

  private shortRow(text: string, pos: number, column: number): CopyFormatError {
    return new CopyFormatError(
      `a COPY row has ${column + 1} fields where ${this.columns} were expected (near "${text.slice(pos, pos + 40)}")`,
    );
  }
}

/** Resolves COPY text escapes in text[start, end). */
export function unescapeCopyText(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  let i = text.indexOf('\\', start);
  while (i >= 0 && i < end) {
    out += text.slice(from, i);
    const c = text.charCodeAt(i + 1);
    let next = i + 2;
    switch (c) {
      case 110 /* n */:
        out += '\n';
        break;
      case 116 /* t */:
        out += '\t';
        break;
      case 114 /* r */:
        out += '\r';
        break;
      case 98 /* b */:
        out += '\b';
        break;
      case 102 /* f */:
        out += '\f';
        break;
      case 118 /* v */:
        out += '\v';
        break;
      case 120 /* x */: {
        let digits = 0;
        while (digits < 2 && next + digits < end && /[0-9a-fA-F]/.test(text[next + digits]!)) digits++;
        if (digits === 0) out += 'x';
        else out += String.fromCharCode(parseInt(text.slice(next, next + digits), 16));
        next += digits;
        break;
      }
      default:
        if (c >= 48 && c <= 55) {
          let digits = 1;
          while (digits < 3 && next - 1 + digits < end && /[0-7]/.test(text[next - 1 + digits]!)) digits++;
          out += String.fromCharCode(parseInt(text.slice(i + 1, i + 1 + digits), 8));
          next = i + 1 + digits;
        } else if (i + 1 < end) {
          out += text[i + 1]; // \\ and any other escaped character stand for themselves
        } else next = i + 1;
    }
    from = next;
    i = text.indexOf('\\', from);
  }
  return out + text.slice(from, end);
}
