/**
 * PostgreSQL COPY FROM STDIN in text format: per-column encoders (chosen once per table), one
 * string per batch, and a COPY stream wrapper whose write resolves only when the stream can take
 * more (the socket's backpressure, end to end).
 *
 * Text format: columns separated by TAB, rows by LF, NULL as \N; backslash, TAB, LF and CR inside
 * a value are written as \\, \t, \n, \r. PostgreSQL text cannot hold NUL characters.
 */
import type pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import type { DataType, Value } from '../../row.js';
import {
  floatText,
  integerText,
  isNativePgArray,
  jsonText,
  needsEscape,
  ValueEncodeError,
  type TextEncoder,
} from './write-values.js';

/** Encodes one non-null value as COPY text (already escaped). */
export type CopyEncoder = TextEncoder;

const COPY_SPECIAL_ALL = /[\\\t\n\r\0]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escapes text for COPY's text format. */
export function escapeCopyText(text: string): string {
  if (!needsEscape(text)) return text;
  return text.replace(COPY_SPECIAL_ALL, (ch) => {
    if (ch === '\0') throw new ValueEncodeError('PostgreSQL text cannot contain the NUL character (\\0)');
    return COPY_ESCAPES[ch]!;
  });
}

/** bytea in hex form, as COPY text (the backslash doubled). */
function byteaCopy(value: Buffer): string {
  return `\\\\x${value.toString('hex')}`;
}

/** Text of a value whose type is not known here (fallback by runtime type). */
function anyText(value: Exclude<Value, null>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return floatText(value);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return jsonText(value, undefined);
}

/** The element text inside an array literal: always double-quoted (so "NULL" stays text), " and \ escaped. */
function arrayElement(value: Value, type: DataType): string {
  if (value === null) return 'NULL';
  // PostgreSQL array types do not declare dimensions: integer[] holds {{1,2},{3,4}} too, so a
  // nested list is a sub-array whatever the declared element type.
  if (Array.isArray(value)) {
    const element = type.kind === 'array' ? type.element : type;
    return `{${value.map((v) => arrayElement(v, element)).join(',')}}`;
  }
  if (type.kind === 'array') throw new ValueEncodeError(`expected an array, got ${typeof value}`);
  let text: string;
  switch (type.kind) {
    case 'boolean':
      text = value === true || value === 't' || value === 1 ? 't' : 'f';
      break;
    case 'bytes':
      text = Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : anyText(value);
      break;
    case 'float':
    case 'double':
      text = typeof value === 'number' ? floatText(value) : anyText(value);
      break;
    case 'string':
    case 'decimal':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
    case 'null':
    case 'map':
    case 'row':
      text = type.kind === 'map' || type.kind === 'row' ? jsonText(value, type) : anyText(value);
  }
  return `"${text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

/** A PostgreSQL array literal ({1,2,NULL}, {"a","b"}, {{1,2},{3,4}}) of a native array type. */
export function pgArrayLiteral(value: Value[], type: DataType & { kind: 'array' }): string {
  return `{${value.map((v) => arrayElement(v, type.element)).join(',')}}`;
}

/** The COPY text encoder for a column of this type. */
export function pgCopyEncoder(type: DataType): CopyEncoder {
  switch (type.kind) {
    case 'string':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
      return (v) => (typeof v === 'string' ? escapeCopyText(v) : escapeCopyText(anyText(v)));
    case 'decimal':
      return (v) => (typeof v === 'string' ? escapeCopyText(v) : anyText(v));
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? (v ? 't' : 'f') : escapeCopyText(anyText(v)));
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (v) => (typeof v === 'number' || typeof v === 'bigint' ? v.toString() : escapeCopyText(integerText(v)));
    case 'float':
    case 'double':
      return (v) => (typeof v === 'number' ? floatText(v) : escapeCopyText(anyText(v)));
    case 'bytes':
      return (v) => (Buffer.isBuffer(v) ? byteaCopy(v) : escapeCopyText(anyText(v)));
    case 'array':
      if (isNativePgArray(type)) {
        return (v) => {
          if (!Array.isArray(v)) return escapeCopyText(anyText(v));
          return escapeCopyText(pgArrayLiteral(v, type));
        };
      }
      return (v) => escapeCopyText(jsonText(v, type));
    case 'map':
    case 'row':
      return (v) => escapeCopyText(jsonText(v, type));
    case 'null':
      return (v) => escapeCopyText(anyText(v));
  }
}

/** How much encoded data may wait in the process before write() waits for the socket. */
const COPY_HIGH_WATER = 4 * 1024 * 1024;

/**
 * One COPY ... FROM STDIN statement on a client. `write` resolves when the stream can take more;
 * a server error (a bad value at some line) rejects the pending or next write and `end`.
 */
export class PgCopyStream {
  private readonly stream: CopyStreamQuery;
  private failure: Error | undefined;
  private done = false;
  private readonly finished: Promise<void>;

  constructor(client: pg.Client, sql: string) {
    this.stream = client.query(copyFrom(sql, { highWaterMark: COPY_HIGH_WATER }));
    this.finished = new Promise<void>((resolve, reject) => {
      this.stream.once('finish', () => {
        this.done = true;
        resolve();
      });
      this.stream.on('error', (err: Error) => {
        this.failure ??= err;
        this.done = true;
        reject(err);
      });
    });
    // Observed through write/end; never an unhandled rejection.
    this.finished.catch(() => undefined);
  }

  get rowCount(): number {
    return this.stream.rowCount;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Writes one chunk; resolves when the stream is below its high-water mark again. */
  async write(chunk: string | Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.done) throw new Error('COPY stream already ended');
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', onError);
      };
      this.stream.on('drain', onDrain);
      this.stream.on('error', onError);
    });
  }

  /** Ends the COPY; resolves with the rows the server took once they are in (in the open transaction). */
  async end(): Promise<number> {
    if (this.failure) throw this.failure;
    if (!this.done) this.stream.end();
    await this.finished;
    return this.stream.rowCount;
  }

  /** Abandons the COPY (CopyFail): the server keeps nothing of it. Never throws. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.stream.destroy(new Error('the job was stopped'));
    await Promise.race([this.finished.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
