/**
 * PostgreSQL COPY text turned straight into MySQL LOAD DATA text (as the MySQL writer states it:
 * TAB between fields, LF after rows, ESCAPED BY '\\'), for the columns where that gives exactly the
 * bytes the decode-then-encode path would write: a PostgreSQL → MySQL copy then never builds a JS
 * value per field.
 *
 * What the two formats agree on: \N is NULL, TAB and LF end fields and rows, and \\ \t \n \r mean
 * the same. PostgreSQL (COPY TO, text format) escapes only backslash, the delimiter and six control
 * characters (\b \f \n \r \t \v) and sends every other byte as it is. LOAD DATA reads \f and \v as
 * the letters f and v, and the row path writes backspace, form feed and vertical tab as raw bytes:
 * so \b \f \v become the raw bytes here, the rest stays. A field holding no backslash is copied.
 *
 * Per column (chosen once per plan by pgLoadTranscoder):
 * - pass: integers, numeric (NaN goes on as "NaN" exactly like the row path, and fails the load the
 *   same way), date, time, timestamp, and every PostgreSQL type the source reads as a string
 *   (text, varchar, char(n) with its padding, json, jsonb, uuid, enums, intervals, inet, ...);
 * - boolean: t/f → 1/0; bytea: "\\x0a0b" → "0a0b" (for the UNHEX(@v) column);
 * - timestamptz: the session runs in UTC, so its "+00" is dropped (utcTimestampText, as the row path);
 * - real/double: Number → the row path's number text (Math.fround for real); NaN and infinities
 *   make the batch go the row path, which fails it naming the row and column.
 * Arrays, bit(1) booleans, floats into BIT, anything but bytea into a binary column and anything but
 * integers and booleans into BIT are not transcoded: the whole plan goes the row path.
 *
 * A batch whose text is not what PostgreSQL sends (an unknown escape, a short row, a bad boolean,
 * bytes that are not UTF-8) is not transcoded either (transcode returns undefined): the row path
 * decodes it and reports what is wrong.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { DataType } from '../../row.js';
import { utcTimestampText } from './write-values.js';

/** How one field is rewritten. */
export type FieldOp = 'pass' | 'bool' | 'bytea' | 'timestamptz' | 'real' | 'double';

/** What the MySQL writer does with one column (see MysqlColumnWrite). */
export interface LoadColumn {
  /** The row-model type the source decodes the column to. */
  type: DataType;
  /** Written as hex into UNHEX(@v). */
  hex: boolean;
  /** Written as a number into CAST(@v AS UNSIGNED) (BIT). */
  bit: boolean;
}

const NUMERIC = /^numeric(\(\d+,-?\d+\))?$/;
const TIME = /^time(\(\d\))? without time zone$/;
const TIMESTAMP = /^timestamp(\(\d\))? without time zone$/;
const TIMESTAMPTZ = /^timestamp(\(\d\))? with time zone$/;

/**
 * The op for one column: its PostgreSQL type (format_type) and what the writer does with it;
 * undefined when the column cannot be transcoded exactly.
 */
export function fieldOp(pgType: string, column: LoadColumn): FieldOp | undefined {
  const type = pgType.trim().toLowerCase();
  const kind = column.type.kind;
  let op: FieldOp | undefined;
  switch (kind) {
    case 'boolean':
      if (type === 'boolean') op = 'bool';
      break;
    case 'smallint':
      if (type === 'smallint') op = 'pass';
      break;
    case 'int':
      if (type === 'integer') op = 'pass';
      break;
    case 'bigint':
      if (type === 'bigint') op = 'pass';
      break;
    case 'decimal':
      if (NUMERIC.test(type)) op = 'pass';
      break;
    case 'float':
      if (type === 'real') op = 'real';
      break;
    case 'double':
      if (type === 'double precision') op = 'double';
      break;
    case 'bytes':
      if (type === 'bytea') op = 'bytea';
      break;
    case 'date':
      if (type === 'date') op = 'pass';
      break;
    case 'time':
      if (TIME.test(type)) op = 'pass';
      break;
    case 'timestamp':
      if (TIMESTAMP.test(type)) op = 'pass';
      break;
    case 'timestamp_tz':
      if (TIMESTAMPTZ.test(type)) op = 'timestamptz';
      break;
    case 'string':
      // The source reads every such type as its text, undecoded; arrays are arrays.
      if (type !== '' && !type.endsWith(']')) op = 'pass';
      break;
    case 'tinyint': // no PostgreSQL type reads as tinyint
    case 'null':
    case 'array':
    case 'map':
    case 'row':
      break;
  }
  if (op === undefined) return undefined;
  if (column.hex) return op === 'bytea' ? op : undefined;
  if (op === 'bytea') return undefined;
  if (column.bit) {
    const integer = kind === 'smallint' || kind === 'int' || kind === 'bigint';
    return integer || op === 'bool' ? op : undefined;
  }
  return op;
}

export interface PgLoadTranscoder {
  /** LOAD DATA text of complete COPY text rows; undefined when this batch must go the row path. */
  transcode(chunks: readonly Buffer[]): Buffer | undefined;
}

/** A transcoder for these PostgreSQL column types into these columns; undefined when one column cannot be. */
export function pgLoadTranscoder(
  pgTypes: readonly string[],
  columns: readonly LoadColumn[],
): PgLoadTranscoder | undefined {
  if (pgTypes.length !== columns.length || columns.length === 0) return undefined;
  const ops: FieldOp[] = [];
  for (let i = 0; i < columns.length; i++) {
    const op = fieldOp(pgTypes[i]!, columns[i]!);
    if (op === undefined) return undefined;
    ops.push(op);
  }
  return {
    transcode(chunks) {
      const out: Buffer[] = [];
      for (const chunk of chunks) {
        const piece = transcodeChunk(chunk, ops);
        if (piece === undefined) return undefined;
        out.push(piece);
      }
      return out.length === 1 ? out[0] : Buffer.concat(out);
    },
  };
}

class NotTranscodable extends Error {}
const NOT_TRANSCODABLE = new NotTranscodable('not transcodable');

const BACKSLASH = 92;

/** LOAD DATA text of one chunk of complete COPY rows, or undefined. */
export function transcodeChunk(chunk: Buffer, ops: readonly FieldOp[]): Buffer | undefined {
  // The row path decodes non-ASCII text as UTF-8: bytes that are not UTF-8 would come out changed.
  if (!isAscii(chunk) && !isUtf8(chunk)) return undefined;
  if (chunk.length && chunk[chunk.length - 1] !== 10) return undefined;
  // Only text columns can hold a backslash: without one, pass-through columns are the chunk itself
  // (PostgreSQL sends exactly the query's columns; the row shape is checked when fields are visited).
  if (ops.every((op) => op === 'pass') && chunk.indexOf(BACKSLASH) < 0) return chunk;
  try {
    const text = transcodeText(chunk.toString('latin1'), ops);
    return text === undefined ? chunk : Buffer.from(text, 'latin1');
  } catch (err) {
    if (err === NOT_TRANSCODABLE) return undefined;
    throw err;
  }
}

/**
 * The text of complete rows (Latin-1: one character per byte) transcoded, undefined when it stays as
 * it is; throws NOT_TRANSCODABLE. Untouched stretches are copied as slices of the input: `from` is
 * where the pending stretch starts.
 */
function transcodeText(text: string, ops: readonly FieldOp[]): string | undefined {
  const columns = ops.length;
  const last = columns - 1;
  const end = text.length;
  let out = '';
  let from = 0;
  let changed = false;
  let pos = 0;
  let backslash = text.indexOf('\\');
  if (backslash < 0) backslash = end;
  while (pos < end) {
    const rowEnd = text.indexOf('\n', pos);
    for (let c = 0; c < columns; c++) {
      let fieldEnd: number;
      if (c === last) {
        fieldEnd = rowEnd;
        const tab = text.indexOf('\t', pos);
        if (tab >= 0 && tab < rowEnd) throw NOT_TRANSCODABLE;
      } else {
        fieldEnd = text.indexOf('\t', pos);
        if (fieldEnd < 0 || fieldEnd > rowEnd) throw NOT_TRANSCODABLE;
      }
      if (backslash < pos) {
        backslash = text.indexOf('\\', pos);
        if (backslash < 0) backslash = end;
      }
      const escaped = backslash < fieldEnd;
      const isNull = escaped && fieldEnd - pos === 2 && text.charCodeAt(pos + 1) === 78; /* N */
      const op = ops[c]!;
      if (isNull) {
        // \N in both formats.
      } else if (op === 'pass') {
        const rewritten = escaped ? rewriteEscapes(text, pos, fieldEnd) : undefined;
        if (rewritten !== undefined) {
          out += text.slice(from, pos) + rewritten;
          from = fieldEnd;
          changed = true;
        }
      } else {
        const field = escaped ? byteaOrFail(op, text, pos, fieldEnd) : text.slice(pos, fieldEnd);
        out += text.slice(from, pos) + rewriteField(op, field);
        from = fieldEnd;
        changed = true;
      }
      pos = fieldEnd + 1;
    }
  }
  return changed ? out + text.slice(from) : undefined;
}

/** Only bytea's text starts with an (escaped) backslash: "\\x…" stands for "\x…". */
function byteaOrFail(op: FieldOp, text: string, start: number, end: number): string {
  if (op !== 'bytea' || text.charCodeAt(start + 1) !== BACKSLASH) throw NOT_TRANSCODABLE;
  const rest = text.slice(start + 2, end);
  if (rest.includes('\\')) throw NOT_TRANSCODABLE;
  return '\\' + rest;
}

const HEX = /^[0-9a-f]*$/;

/** A non-null field of a rewritten column (its COPY escapes resolved) as LOAD DATA text. */
function rewriteField(op: FieldOp, field: string): string {
  switch (op) {
    case 'bool':
      if (field === 't') return '1';
      if (field === 'f') return '0';
      throw NOT_TRANSCODABLE;
    case 'bytea': {
      // PostgreSQL's hex output (bytea_output = hex): "\x" and lower-case digit pairs.
      const hex = field.slice(2);
      if (field.charCodeAt(0) !== BACKSLASH || field.charCodeAt(1) !== 120 || hex.length % 2 || !HEX.test(hex)) {
        throw NOT_TRANSCODABLE;
      }
      return hex;
    }
    case 'timestamptz':
      // "…+00" (the session runs in UTC) without its offset, as the row path writes it; infinity
      // and BC stamps stay as they are there too.
      try {
        return utcTimestampText(field);
      } catch {
        throw NOT_TRANSCODABLE;
      }
    case 'real': {
      const value = Math.fround(Number(field));
      if (!Number.isFinite(value)) throw NOT_TRANSCODABLE;
      return String(value);
    }
    case 'double': {
      const value = Number(field);
      if (!Number.isFinite(value)) throw NOT_TRANSCODABLE;
      return String(value);
    }
    case 'pass':
      return field;
  }
}

/**
 * text[start, end) with COPY's escapes as LOAD DATA reads them: \\ \t \n \r stay, \b \f \v become
 * the raw bytes (what the row path writes); any other escape is not something COPY TO sends.
 * Undefined when the field stays as it is.
 */
function rewriteEscapes(text: string, start: number, end: number): string | undefined {
  let out = '';
  let from = start;
  let i = text.indexOf('\\', start);
  while (i >= 0 && i < end) {
    if (i + 1 >= end) throw NOT_TRANSCODABLE;
    switch (text.charCodeAt(i + 1)) {
      case BACKSLASH:
      case 116 /* t */:
      case 110 /* n */:
      case 114 /* r */:
        break;
      case 98 /* b */:
        out += text.slice(from, i) + '\b';
        from = i + 2;
        break;
      case 102 /* f */:
        out += text.slice(from, i) + '\f';
        from = i + 2;
        break;
      case 118 /* v */:
        out += text.slice(from, i) + '\v';
        from = i + 2;
        break;
      default:
        throw NOT_TRANSCODABLE;
    }
    i = text.indexOf('\\', i + 2);
  }
  return from === start ? undefined : out + text.slice(from, end);
}
