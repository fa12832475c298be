/**
 * Field values in files, both ways, as SeaTunnel's text and JSON formats write them:
 * - text/csv: scalars as text; arrays, maps and rows nested with the separators \002 .. \007 by
 *   level (array elements and row fields one level down, map entries one level down and key from
 *   value two levels down); NULL as an empty field; bytes as UTF-8 text.
 * - json: numbers as JSON numbers written exactly (bigint and decimal digits are never rounded
 *   through a double), bytes as base64, dates ISO ("2023-04-22", "2023-04-22T23:20:58"), maps and
 *   rows as objects, NULL as null.
 */
import { formatDataType, valueText, type DataType, type Field, type Value } from '../../row.js';
import { formatTemporal, parseTemporal, type TemporalKind, type TemporalPattern } from './datetime.js';

/** A value that does not fit its column; `path` names nested fields below the column. */
export class ValueError extends Error {
  readonly path: string[] = [];
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'ValueError';
  }

  /** "c_row.c_int: detail" below a column, or the detail alone. */
  describe(column: string): string {
    return `field "${[column, ...this.path].join('.')}": ${this.detail}`;
  }
}

export interface TemporalFormats {
  date?: TemporalPattern;
  time?: TemporalPattern;
  datetime?: TemporalPattern;
}

/** SeaTunnel's text separators by nesting level; level 0 is replaced by the field delimiter. */
export const TEXT_SEPARATORS = ['\u0001', '\u0002', '\u0003', '\u0004', '\u0005', '\u0006', '\u0007'];

export interface TextCodec {
  /** separators[0]: the field delimiter (a RegExp when configured as a Java regex, reading only). */
  separators: (string | RegExp)[];
  formats: TemporalFormats;
}

export function typeLabel(type: DataType): string {
  return formatDataType(type).replace(/, /g, ',');
}

function notA(text: string, type: DataType): ValueError {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return new ValueError(`${JSON.stringify(shown)} is not ${article(type)} ${typeLabel(type)}`);
}

function article(type: DataType): string {
  return /^[aeiou]/.test(type.kind) ? 'an' : 'a';
}

const INT_RANGES: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
};
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function temporalPattern(kind: TemporalKind, formats: TemporalFormats): TemporalPattern | undefined {
  if (kind === 'date') return formats.date;
  if (kind === 'time') return formats.time;
  return formats.datetime;
}

/** A scalar from its text (text/csv fields, JSON numbers and strings, map keys). */
export function parseScalar(text: string, type: DataType, formats: TemporalFormats): Value {
  switch (type.kind) {
    case 'string':
      return text;
    case 'null':
      return null;
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      throw notA(text, type);
    }
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const trimmed = text.trim();
      const [min, max] = INT_RANGES[type.kind]!;
      const n = Number(trimmed);
      if (!INTEGER.test(trimmed)) throw notA(text, type);
      if (n < min || n > max) throw new ValueError(`${trimmed} is out of range for ${type.kind} (${min} to ${max})`);
      return n;
    }
    case 'bigint': {
      const trimmed = text.trim();
      if (!INTEGER.test(trimmed)) throw notA(text, type);
      const n = BigInt(trimmed);
      if (n < BIGINT_MIN || n > BIGINT_MAX) throw new ValueError(`${trimmed} is out of range for bigint`);
      return n;
    }
    case 'float':
    case 'double': {
      const trimmed = text.trim();
      if (FLOAT.test(trimmed)) return Number(trimmed);
      if (/^[+-]?(NaN|Infinity)$/.test(trimmed)) return Number(trimmed);
      throw notA(text, type);
    }
    case 'decimal': {
      if (isPlainDecimal(text, type.precision, type.scale)) return text;
      const normalized = normalizeDecimal(text.trim(), type.precision, type.scale);
      if ('value' in normalized) return normalized.value;
      throw normalized.problem === 'syntax'
        ? notA(text, type)
        : new ValueError(`${text.trim()} is out of range for ${typeLabel(type)}`);
    }
    case 'bytes':
      return Buffer.from(text, 'utf8');
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz': {
      const pattern = temporalPattern(type.kind, formats);
      const value = parseTemporal(text, type.kind, pattern);
      if (value === undefined) {
        const shown = JSON.stringify(text);
        throw new ValueError(
          pattern
            ? `${shown} is not a ${type.kind} in the format "${pattern.source}"`
            : `${shown} is not a ${type.kind}`,
        );
      }
      return value;
    }
    case 'array':
    case 'map':
    case 'row':
      throw new ValueError(`${typeLabel(type)} cannot be read from ${JSON.stringify(text)}`);
  }
}

/**
 * Exact decimal text at the declared scale: "12.5" → "12.50" for decimal(10,2); more fraction
 * digits round half up (as databases do on insert); exponents are expanded.
 */
export function normalizeDecimal(
  text: string,
  precision: number,
  scale: number,
): { value: string } | { problem: 'syntax' | 'range' } {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return { problem: 'syntax' };
  let intDigits = m[2]!;
  let fracDigits = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  if (Math.abs(exponent) > 1000) return { problem: 'range' };
  if (exponent > 0) {
    const moved = fracDigits.padEnd(exponent, '0');
    intDigits += moved.slice(0, exponent);
    fracDigits = moved.slice(exponent);
  } else if (exponent < 0) {
    const padded = intDigits.padStart(-exponent, '0');
    fracDigits = padded.slice(padded.length + exponent) + fracDigits;
    intDigits = padded.slice(0, padded.length + exponent);
  }
  let digits = (intDigits + fracDigits.padEnd(scale, '0').slice(0, scale)).replace(/^0+(?=\d)/, '');
  if (digits === '') digits = '0';
  if (fracDigits.length > scale && fracDigits.charCodeAt(scale) >= 53 /* '5' */) digits = incrementDigits(digits);
  digits = digits.replace(/^0+(?=\d)/, '');
  const intLength = Math.max(0, digits.length - scale);
  const significantInt = digits.slice(0, intLength).replace(/^0+/, '');
  if (significantInt.length > precision - scale) return { problem: 'range' };
  const whole = digits.padStart(scale + 1, '0');
  const intPart = whole.slice(0, whole.length - scale);
  const fracPart = whole.slice(whole.length - scale);
  const negative = m[1] === '-' && /[1-9]/.test(whole);
  return { value: `${negative ? '-' : ''}${intPart}${scale > 0 ? `.${fracPart}` : ''}` };
}

/** Already the normalized form: no sign but '-', no leading zero, exactly `scale` fraction digits, fits. */
function isPlainDecimal(text: string, precision: number, scale: number): boolean {
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(text)) return false;
  const dot = text.indexOf('.');
  if (scale === 0 ? dot >= 0 : dot < 0 || text.length - dot - 1 !== scale) return false;
  const negative = text.startsWith('-');
  const intDigits = text.slice(negative ? 1 : 0, dot < 0 ? text.length : dot);
  if ((intDigits === '0' ? 0 : intDigits.length) > precision - scale) return false;
  // "-0.00" is written "0.00"
  return !negative || /[1-9]/.test(text);
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return `1${chars.join('')}`;
}

// ------------------------------------------------------------------ text and csv

function separator(codec: TextCodec, level: number): string | RegExp {
  const sep = level === 0 ? codec.separators[0] : (codec.separators[level] ?? TEXT_SEPARATORS[level]);
  if (sep === undefined) throw new ValueError(`values nested deeper than ${TEXT_SEPARATORS.length - 1} levels`);
  return sep;
}

function split(text: string, sep: string | RegExp): string[] {
  return text.split(sep);
}

/** Splits a line (or a nested row) into its fields at a level. */
export function splitFields(text: string, codec: TextCodec, level = 0): string[] {
  return split(text, separator(codec, level));
}

/**
 * A text/csv field. Empty is NULL (SeaTunnel: blank is NULL; a string keeps spaces-only text);
 * `quotedEmpty` is csv's `""`, an empty string.
 */
export function parseTextValue(text: string, type: DataType, codec: TextCodec, level = 0): Value {
  if (type.kind === 'string') return text === '' ? null : text;
  if (text.trim() === '') return null;
  switch (type.kind) {
    case 'array':
      return split(text, separator(codec, level + 1)).map((element, i) =>
        nested(String(i), () => parseTextValue(element, type.element, codec, level + 1)),
      );
    case 'map': {
      const map = new Map<Value, Value>();
      const kvSep = separatorText(codec, level + 2);
      for (const entry of split(text, separator(codec, level + 1))) {
        const at = entry.indexOf(kvSep);
        const key = at < 0 ? entry : entry.slice(0, at);
        // Keys and values sit two levels down (below the key/value separator); SeaTunnel puts them one
        // level down, where a nested array's separator would be the key/value one. Scalars read the same.
        const k = nested('key', () => parseTextValue(key, type.key, codec, level + 2));
        const v =
          at < 0
            ? null
            : nested(key, () => parseTextValue(entry.slice(at + kvSep.length), type.value, codec, level + 2));
        map.set(k, v);
      }
      return map;
    }
    case 'row':
      return parseTextRow(split(text, separator(codec, level + 1)), type.fields, codec, level + 1);
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
    case 'bytes':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
    case 'null':
      return parseScalar(text, type, codec.formats);
  }
}

function parseTextRow(parts: string[], fields: Field[], codec: TextCodec, level: number): Value[] {
  return fields.map((field, i) => {
    const part = parts[i];
    return part === undefined ? null : nested(field.name, () => parseTextValue(part, field.type, codec, level));
  });
}

function nested<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ValueError) err.path.unshift(name);
    throw err;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A value as text/csv field text (NULL → ''). Dates use the configured patterns. */
export function renderTextValue(value: Value, type: DataType, codec: TextCodec, level = 0): string {
  if (value === null) return '';
  switch (type.kind) {
    case 'array': {
      const sep = separatorText(codec, level + 1);
      return (value as Value[])
        .map((v, i) => nested(String(i), () => renderTextValue(v, type.element, codec, level + 1)))
        .join(sep);
    }
    case 'map': {
      const sep = separatorText(codec, level + 1);
      const kvSep = separatorText(codec, level + 2);
      const parts: string[] = [];
      for (const [k, v] of value as Map<Value, Value>) {
        parts.push(
          renderTextValue(k, type.key, codec, level + 2) + kvSep + renderTextValue(v, type.value, codec, level + 2),
        );
      }
      return parts.join(sep);
    }
    case 'row': {
      const sep = separatorText(codec, level + 1);
      const row = value as Value[];
      return type.fields
        .map((f, i) => nested(f.name, () => renderTextValue(row[i] ?? null, f.type, codec, level + 1)))
        .join(sep);
    }
    case 'bytes': {
      const buffer = value as Buffer;
      try {
        return strictUtf8.decode(buffer);
      } catch {
        throw new ValueError(
          'holds bytes that are not UTF-8 text; text and csv files write bytes as UTF-8 text (as SeaTunnel does): use file_format_type = "json" (base64) for binary data',
        );
      }
    }
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
      return formatTemporal(value as string, type.kind, temporalPattern(type.kind, codec.formats));
    case 'null':
      return '';
    case 'string':
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
      return scalarText(value);
  }
}

function scalarText(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return valueText(value);
}

function separatorText(codec: TextCodec, level: number): string {
  const sep = separator(codec, level);
  if (typeof sep !== 'string') throw new ValueError('a regular-expression delimiter cannot be written');
  return sep;
}

// ------------------------------------------------------------------ json

interface RawJson {
  readonly rawJSON: string;
}
const JSONX = JSON as unknown as {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(text: string, reviver: (key: string, value: unknown, context: { source?: string }) => unknown): unknown;
};

/**
 * Whether the text may hold a number a double cannot hold exactly: a run of 16 digits (dots
 * included) or a digit followed by an exponent. Runs inside strings count too (harmless: the exact
 * parse is only slower).
 */
function mayHoldLongNumber(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46) {
      if (++run >= 16) return true;
    } else {
      if ((c === 101 || c === 69) && run > 0) return true;
      run = 0;
    }
  }
  return false;
}

/**
 * JSON.parse keeping the digits of every number a double cannot hold exactly (as a RawJson with
 * the source text), so bigint and decimal values survive. Lines without such numbers take plain
 * JSON.parse (a reviver makes parsing about six times slower); their numbers have at most 15
 * digits, which a double gives back exactly.
 */
export function parseJsonText(text: string): unknown {
  if (!mayHoldLongNumber(text)) return JSON.parse(text);
  return JSONX.parse(text, (_key, value, context) =>
    typeof value === 'number' && context.source !== undefined ? JSONX.rawJSON(context.source) : value,
  );
}

function isPlainObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !JSONX.isRawJSON(node);
}

function describeJson(node: unknown): string {
  if (JSONX.isRawJSON(node)) return node.rawJSON;
  const text = JSON.stringify(node) ?? String(node);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The value of a field of a JSON object, exact name first, then ignoring case. */
export function jsonField(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/** A JSON node as a value of a column type. */
export function jsonToValue(node: unknown, type: DataType, formats: TemporalFormats): Value {
  if (node === null || node === undefined) return null;
  const raw = JSONX.isRawJSON(node) ? node.rawJSON : undefined;
  switch (type.kind) {
    case 'null':
      return null;
    case 'string':
      if (typeof node === 'string') return node;
      if (raw !== undefined) return raw;
      return typeof node === 'boolean' || typeof node === 'number' ? String(node) : JSON.stringify(node);
    case 'array': {
      if (!Array.isArray(node)) throw new ValueError(`${describeJson(node)} is not a JSON array`);
      return node.map((element, i) => nested(String(i), () => jsonToValue(element, type.element, formats)));
    }
    case 'map': {
      if (!isPlainObject(node)) throw new ValueError(`${describeJson(node)} is not a JSON object`);
      const map = new Map<Value, Value>();
      for (const [key, v] of Object.entries(node)) {
        const k = nested('key', () => parseScalarOrNested(key, type.key, formats));
        map.set(
          k,
          nested(key, () => jsonToValue(v, type.value, formats)),
        );
      }
      return map;
    }
    case 'row': {
      if (Array.isArray(node)) {
        return type.fields.map((f, i) => nested(f.name, () => jsonToValue(node[i], f.type, formats)));
      }
      if (!isPlainObject(node)) throw new ValueError(`${describeJson(node)} is not a JSON object`);
      return type.fields.map((f) => nested(f.name, () => jsonToValue(jsonField(node, f.name), f.type, formats)));
    }
    case 'bytes': {
      if (typeof node !== 'string' || !/^[A-Za-z0-9+/_\-\s]*={0,2}\s*$/.test(node)) {
        throw new ValueError(`${describeJson(node)} is not base64 text (bytes in JSON are base64)`);
      }
      return Buffer.from(node, 'base64');
    }
    case 'boolean':
      if (typeof node === 'boolean') return node;
      break;
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
      if (node === '') return null;
      break;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
      break;
  }
  if (raw !== undefined) return parseScalar(raw, type, formats);
  if (typeof node === 'number') return parseScalar(String(node), type, formats);
  if (typeof node === 'string') {
    if (node.trim() === '') return null;
    return parseScalar(node, type, formats);
  }
  throw new ValueError(`${describeJson(node)} is not ${article(type)} ${typeLabel(type)}`);
}

function parseScalarOrNested(text: string, type: DataType, formats: TemporalFormats): Value {
  if (type.kind === 'array' || type.kind === 'map' || type.kind === 'row') {
    return jsonToValue(parseJsonText(text), type, formats);
  }
  return parseScalar(text, type, formats);
}

const DECIMAL_JSON = /^-?\d+(\.\d+)?$/;

/** A value as JSON text. */
export function renderJsonValue(value: Value, type: DataType, formats: TemporalFormats): string {
  if (value === null) return 'null';
  switch (type.kind) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'float':
    case 'double': {
      const n = value as number;
      return Number.isFinite(n) ? String(n) : JSON.stringify(String(n));
    }
    case 'bigint':
      return scalarText(value);
    case 'decimal': {
      const text = value as string;
      return DECIMAL_JSON.test(text) ? text : JSON.stringify(text);
    }
    case 'bytes':
      return JSON.stringify((value as Buffer).toString('base64'));
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
      return JSON.stringify(formatTemporal(value as string, type.kind, temporalPattern(type.kind, formats), true));
    case 'null':
      return 'null';
    case 'array':
      return `[${(value as Value[]).map((v, i) => nested(String(i), () => renderJsonValue(v, type.element, formats))).join(',')}]`;
    case 'map': {
      const parts: string[] = [];
      for (const [k, v] of value as Map<Value, Value>) {
        const key = typeof k === 'string' ? k : renderTextValue(k, type.key, { separators: TEXT_SEPARATORS, formats });
        parts.push(`${JSON.stringify(key)}:${nested(key, () => renderJsonValue(v, type.value, formats))}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'row':
      return renderJsonObject(value as Value[], type.fields, formats);
  }
}

/** A row as a JSON object text, fields by name in schema order. */
export function renderJsonObject(row: Value[], fields: Field[], formats: TemporalFormats): string {
  const parts = fields.map(
    (f, i) => `${JSON.stringify(f.name)}:${nested(f.name, () => renderJsonValue(row[i] ?? null, f.type, formats))}`,
  );
  return `{${parts.join(',')}}`;
}
