/**
 * Value conversions shared by the Jdbc sink's writers (PostgreSQL COPY, MySQL LOAD DATA and the
 * INSERT paths): JSON text of nested values, UTC timestamps without an offset, number text.
 */
import type { DataType, Field, Value } from '../../row.js';

/** A value the writer cannot put into the target; the sink adds the table, row and column. */
export class ValueEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueEncodeError';
  }
}

/**
 * Whether text holds a character the tab-separated formats escape (backslash, TAB, LF, CR, NUL).
 * Five indexOf scans beat one regular expression here (most values need no escaping at all).
 */
export function needsEscape(text: string): boolean {
  return (
    text.indexOf('\\') >= 0 ||
    text.indexOf('\t') >= 0 ||
    text.indexOf('\n') >= 0 ||
    text.indexOf('\r') >= 0 ||
    text.indexOf('\0') >= 0
  );
}

/** Number text both databases read back to the same value; NaN and infinities in PostgreSQL spelling. */
export function floatText(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** Integer text of a number, bigint, boolean or numeric string. */
export function integerText(value: Value): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new ValueEncodeError(`${value} is not a whole number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return value;
  throw new ValueEncodeError(`expected a whole number, got ${Buffer.isBuffer(value) ? 'bytes' : typeof value}`);
}

const OFFSET = /([+-])(\d{2})(?::?(\d{2}))?$/;

/**
 * "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (the row model's timestamp_tz) as UTC wall-clock text without
 * an offset, for columns that store no zone (MySQL DATETIME). A non-zero offset is applied.
 */
export function utcTimestampText(value: string): string {
  const text = value.endsWith('Z') ? value.slice(0, -1) : value;
  const match = OFFSET.exec(text);
  if (!match || !/\d{2}:\d{2}:\d{2}(\.\d+)?[+-]/.test(text)) return text;
  const base = text.slice(0, match.index);
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? '0');
  if (minutes === 0) return base;
  const parsed = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(base);
  if (!parsed) throw new ValueEncodeError(`"${value}" is not a timestamp with a time zone`);
  const [, y, mo, d, h, mi, s, fraction] = parsed;
  const sign = match[1] === '+' ? -1 : 1;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi) + sign * minutes, Number(s), 0);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction ?? ''}`
  );
}

/** True when an array type maps to a native PostgreSQL array (elements primitive, nested arrays allowed). */
export function isNativePgArray(type: DataType): boolean {
  if (type.kind !== 'array') return false;
  let element = type.element;
  while (element.kind === 'array') element = element.element;
  return element.kind !== 'map' && element.kind !== 'row' && element.kind !== 'null';
}

/**
 * JSON text of a value, guided by its type: decimals and bigints as exact JSON numbers, bytes as
 * base64 strings, maps as objects (keys as text), rows as objects keyed by field name.
 */
export function jsonText(value: Value, type: DataType | undefined): string {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (type?.kind === 'decimal' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return value;
    return JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(floatText(value));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (value instanceof Map) {
    const valueType = type?.kind === 'map' ? type.value : undefined;
    const parts: string[] = [];
    for (const [k, v] of value) {
      const key = typeof k === 'string' ? k : Buffer.isBuffer(k) ? k.toString('base64') : jsonKey(k);
      parts.push(`${JSON.stringify(key)}:${jsonText(v, valueType)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (type?.kind === 'row') {
    const fields: Field[] = type.fields;
    return `{${value.map((v, i) => `${JSON.stringify(fields[i]?.name ?? `f${i}`)}:${jsonText(v, fields[i]?.type)}`).join(',')}}`;
  }
  const element = type?.kind === 'array' ? type.element : undefined;
  return `[${value.map((v) => jsonText(v, element)).join(',')}]`;
}

function jsonKey(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return jsonText(value, undefined);
  return String(value);
}

/** Encodes one non-null value as escaped field text. */
export type TextEncoder = (value: Exclude<Value, null>) => string;

/** Scratch space for encodeTextRows (synchronous, so one per process is enough). */
let scratch = Buffer.allocUnsafe(1 << 20);
const SCRATCH_KEEP = 16 << 20;

/**
 * Encodes rows as tab-separated lines: PostgreSQL COPY text and MySQL LOAD DATA (as the sink states
 * it) share the layout (TAB between fields, LF after each row, NULL as \N); the encoders differ.
 * `columns` picks and orders the row positions to write (all by default). Returns the UTF-8 bytes.
 * A bad value throws RowEncodeError carrying the batch row index and the field position.
 *
 * Each line is written into a scratch buffer as soon as it is built: one large string of a whole
 * batch would cost a flattening copy and a slower UTF-8 conversion on top.
 */
export function encodeTextRows(rows: readonly Value[][], encoders: readonly TextEncoder[], columns?: number[]): Buffer {
  const picks = columns ?? encoders.map((_, i) => i);
  const count = picks.length;
  let offset = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = '';
    for (let c = 0; c < count; c++) {
      const position = picks[c]!;
      const value = row[position];
      if (c > 0) line += '\t';
      if (value === null || value === undefined) line += '\\N';
      else {
        try {
          line += encoders[position]!(value);
        } catch (err) {
          throw new RowEncodeError(err, r, position);
        }
      }
    }
    line += '\n';
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 for 2 units).
    if (scratch.length - offset < line.length * 3) {
      const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, offset + line.length * 3));
      scratch.copy(bigger, 0, 0, offset);
      scratch = bigger;
    }
    offset += scratch.write(line, offset, 'utf8');
  }
  const out = Buffer.allocUnsafe(offset);
  scratch.copy(out, 0, 0, offset);
  if (scratch.length > SCRATCH_KEEP) scratch = Buffer.allocUnsafe(1 << 20);
  return out;
}

/** A value that could not be encoded, with where it was (batch row index, field position). */
export class RowEncodeError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly rowIndex: number,
    readonly position: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RowEncodeError';
  }
}
