/**
 * Types and value conversions of the Sql transform: which types mix in arithmetic and comparison,
 * CAST between the row model's representations, and comparators chosen once per expression.
 */
import {
  formatDataType,
  valueText,
  valuesEqual,
  type DataType,
  type Field,
  type PrimitiveKind,
  type Value,
} from '../../row.js';
import {
  boundedType,
  compareDecimals,
  decimalOf,
  decimalOfNumber,
  fits,
  formatDecimal,
  parseDecimal,
  rescale,
  truncateTo,
  type Decimal,
} from './sql-decimal.js';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from './sql-datetime.js';

/** A query that cannot be compiled against the input schema; `offset` points into the query text. */
export class SqlCompileError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
    /** Said after the position: the list of columns, a hint. */
    readonly suffix = '',
  ) {
    super(detail + suffix);
    this.name = 'SqlCompileError';
  }
}

export type Evaluator = (row: Value[]) => Value;

/** An expression compiled against an input schema: its type and a closure over column indexes. */
export interface Compiled {
  type: DataType;
  nullable: boolean;
  eval: Evaluator;
  /** Depends on no column and is deterministic: evaluated once when the query is compiled. */
  constant: boolean;
  /** Exact text of a numeric literal with a fraction or exponent (typed double, exact when mixed with decimals). */
  exactText?: string;
  /** The input field, when the expression is a plain top-level column (its metadata passes through). */
  field?: Field;
}

/** A value that cannot be evaluated (bad cast, overflow, division by zero); the transform adds the column and row. */
export class SqlEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlEvaluationError';
  }
}

export const T = {
  string: { kind: 'string' },
  boolean: { kind: 'boolean' },
  tinyint: { kind: 'tinyint' },
  smallint: { kind: 'smallint' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  float: { kind: 'float' },
  double: { kind: 'double' },
  bytes: { kind: 'bytes' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  timestamp_tz: { kind: 'timestamp_tz' },
  null: { kind: 'null' },
} as const satisfies Record<PrimitiveKind, DataType>;

export function decimalType(precision: number, scale: number): DataType {
  const bounded = boundedType(precision, scale);
  return { kind: 'decimal', precision: bounded.precision, scale: bounded.scale };
}

export function typeName(type: DataType): string {
  return formatDataType(type);
}

/** Integral types held as JavaScript numbers. */
export function isSmallInt(type: DataType): boolean {
  return type.kind === 'tinyint' || type.kind === 'smallint' || type.kind === 'int';
}

export function isIntegral(type: DataType): boolean {
  return isSmallInt(type) || type.kind === 'bigint';
}

export function isApproximate(type: DataType): boolean {
  return type.kind === 'float' || type.kind === 'double';
}

export function isNumeric(type: DataType): boolean {
  return isIntegral(type) || isApproximate(type) || type.kind === 'decimal';
}

export function isTemporal(type: DataType): boolean {
  return type.kind === 'date' || type.kind === 'time' || type.kind === 'timestamp' || type.kind === 'timestamp_tz';
}

/** Precision of an integral type seen as a decimal. */
export function integralDigits(type: DataType): number {
  if (type.kind === 'tinyint') return 3;
  if (type.kind === 'smallint') return 5;
  if (type.kind === 'int') return 10;
  return 19;
}

/** A numeric type as decimal(p, s), for mixing with decimals. */
export function asDecimalType(type: DataType): { precision: number; scale: number } {
  if (type.kind === 'decimal') return { precision: type.precision, scale: type.scale };
  if (isIntegral(type)) return { precision: integralDigits(type), scale: 0 };
  // A double mixed with a decimal: SeaTunnel keeps decimal; give its digits room.
  return { precision: 38, scale: 10 };
}

const INT_RANGE: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
};
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

export function checkInt(value: number, kind: string): number {
  const range = INT_RANGE[kind]!;
  if (!(value >= range[0] && value <= range[1])) throw new SqlEvaluationError(`${value} is out of the ${kind} range`);
  return value;
}

export function checkBigint(value: bigint): bigint {
  if (value < BIGINT_MIN || value > BIGINT_MAX) throw new SqlEvaluationError(`${value} is out of the bigint range`);
  return value;
}

// ------------------------------------------------------------------ number text (Java's Double.toString)

/** Shortest text that reads back as the same float32 (Java's Float.toString digits). */
function floatDigits(value: number): string {
  for (let p = 1; p <= 9; p++) {
    const text = value.toPrecision(p);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

/** Text of a double or float as Java prints it: 1.0, 0.5, 1.0E10, 1.5E-5. */
export function approximateText(value: number, kind: 'float' | 'double'): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const shortest = kind === 'float' ? floatDigits(value) : String(value);
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = Number(shortest).toString();
    if (/e/i.test(plain)) return plain;
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  // Scientific: d.dddE±n
  const exp = Number(value.toExponential().split('e')[1]);
  const digits = Number(shortest).toExponential().split('e')[0]!.replace('-', '');
  const mantissa = digits.includes('.') ? digits : `${digits}.0`;
  return `${value < 0 ? '-' : ''}${mantissa}E${exp}`;
}

/** A value as text, the way CAST(x AS STRING) and CONCAT print it. */
export function textOf(value: Value, type: DataType): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (type.kind === 'float' || type.kind === 'double') return approximateText(value, type.kind);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return valueText(value);
}

// ------------------------------------------------------------------ casts

export type Converter = (value: Value) => Value;

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function fail(value: Value, from: DataType, to: DataType, why?: string): never {
  const shown = typeof value === 'string' ? `"${value}"` : valueText(value);
  throw new SqlEvaluationError(`cannot cast ${shown} (${typeName(from)}) to ${typeName(to)}${why ? `: ${why}` : ''}`);
}

function toDecimal(value: Value, from: DataType): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? decimalOfNumber(value) : undefined;
  if (typeof value === 'bigint') return { unscaled: value, scale: 0 };
  if (typeof value === 'string') return from.kind === 'decimal' ? decimalOf(value) : parseDecimal(value);
  if (typeof value === 'boolean') return { unscaled: value ? 1n : 0n, scale: 0 };
  return undefined;
}

/** Truncates a decimal toward zero to an integer BigInt. */
function decimalToBigInt(d: Decimal): bigint {
  return truncateTo(d, 0).unscaled;
}

/**
 * A converter from one type to another, for CAST and for implicit conversions (comparison with a
 * string literal, CASE branches of mixed types). Throws SqlEvaluationError for a value that does
 * not convert; compile errors (impossible casts) are reported by `canCast`.
 */
export function converter(from: DataType, to: DataType): Converter {
  if (from.kind === 'null') return () => null;
  if (sameType(from, to) && to.kind !== 'decimal') return (v) => v;
  switch (to.kind) {
    case 'string':
      return (v) => textOf(v, from);
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const kind = to.kind;
      if (isSmallInt(from)) return (v) => checkInt(v as number, kind);
      if (isApproximate(from)) {
        return (v) => {
          const n = v as number;
          if (!Number.isFinite(n)) fail(v, from, to);
          return checkInt(Math.trunc(n), kind);
        };
      }
      return (v) => {
        if (typeof v === 'bigint') return checkInt(Number(v), kind);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string' && from.kind !== 'decimal') {
          if (!INTEGER_TEXT.test(v)) fail(v, from, to, 'not a whole number');
          return checkInt(Number(v), kind);
        }
        const d = toDecimal(v, from);
        if (!d) fail(v, from, to);
        return checkInt(Number(decimalToBigInt(d)), kind);
      };
    }
    case 'bigint':
      return (v) => {
        if (typeof v === 'bigint') return v;
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) fail(v, from, to);
          return checkBigint(BigInt(Math.trunc(v)));
        }
        if (typeof v === 'boolean') return v ? 1n : 0n;
        if (typeof v === 'string' && from.kind !== 'decimal') {
          if (!INTEGER_TEXT.test(v)) fail(v, from, to, 'not a whole number');
          return checkBigint(BigInt(v.trim()));
        }
        const d = toDecimal(v, from);
        if (!d) fail(v, from, to);
        return checkBigint(decimalToBigInt(d));
      };
    case 'float':
    case 'double': {
      const round = to.kind === 'float' ? Math.fround : (n: number) => n;
      return (v) => {
        if (typeof v === 'number') return round(v);
        if (typeof v === 'bigint') return round(Number(v));
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string') {
          const t = v.trim();
          if (NUMBER_TEXT.test(t)) return round(Number(t));
          if (/^[+-]?(Infinity|NaN)$/.test(t)) return round(Number(t));
          fail(v, from, to, 'not a number');
        }
        return fail(v, from, to);
      };
    }
    case 'decimal': {
      const { precision, scale } = to;
      return (v) => {
        const d = toDecimal(v, from);
        if (!d) fail(v, from, to, 'not a number');
        const r = rescale(d, scale);
        if (!fits(r, precision)) fail(v, from, to, `it needs more than ${precision - scale} integer digits`);
        return formatDecimal(r);
      };
    }
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number' || typeof v === 'bigint') {
          if (Number(v) === 1) return true;
          if (Number(v) === 0) return false;
        }
        if (typeof v === 'string') {
          const t = v.trim().toLowerCase();
          if (t === 'true' || t === '1') return true;
          if (t === 'false' || t === '0') return false;
          if (from.kind === 'decimal') {
            const d = decimalOf(v);
            if (d.unscaled === 0n) return false;
            if (compareDecimals(d, { unscaled: 1n, scale: 0 }) === 0) return true;
          }
        }
        return fail(v, from, to, 'use true/false or 1/0');
      };
    case 'date':
      return (v) => {
        if (typeof v !== 'string' || from.kind === 'time') return fail(v, from, to);
        const days = parseDate(v) ?? parseTimestamp(from.kind === 'timestamp_tz' ? v.replace(/\+00$/, '') : v)?.days;
        if (days === undefined) fail(v, from, to, 'use YYYY-MM-DD');
        return formatDate(days);
      };
    case 'time':
      return (v) => {
        if (typeof v !== 'string' || from.kind === 'date') return fail(v, from, to);
        const micros = parseTime(v) ?? parseTimestamp(v)?.micros;
        if (micros === undefined) fail(v, from, to, 'use HH:MM:SS');
        return formatTime(micros);
      };
    case 'timestamp':
      return (v) => {
        if (typeof v !== 'string' || from.kind === 'time') return fail(v, from, to);
        const dt = parseTimestamp(v);
        if (!dt) fail(v, from, to, 'use YYYY-MM-DD HH:MM:SS');
        return formatTimestamp(dt);
      };
    case 'timestamp_tz':
      return (v) => {
        if (typeof v !== 'string' || from.kind === 'time') return fail(v, from, to);
        const dt = parseTimestamp(v);
        if (!dt) fail(v, from, to, 'use YYYY-MM-DD HH:MM:SS[+HH:MM]');
        return `${formatTimestamp(dt)}+00`;
      };
    case 'bytes':
      return (v) => {
        if (Buffer.isBuffer(v)) return v;
        if (typeof v === 'string') return Buffer.from(v, 'utf8');
        return fail(v, from, to);
      };
    case 'null':
      return () => null;
    case 'array':
    case 'map':
    case 'row':
      return (v) => fail(v, from, to);
  }
}

/** Whether CAST(from AS to) can ever succeed (checked when the query is compiled). */
export function canCast(from: DataType, to: DataType): boolean {
  if (from.kind === 'null' || sameType(from, to) || to.kind === 'string') return true;
  if (to.kind === 'array' || to.kind === 'map' || to.kind === 'row') return false;
  if (from.kind === 'array' || from.kind === 'map' || from.kind === 'row') return false;
  if (isNumeric(to) || to.kind === 'boolean')
    return isNumeric(from) || from.kind === 'string' || from.kind === 'boolean';
  if (isTemporal(to)) {
    if (from.kind === 'string') return true;
    if (to.kind === 'time') return from.kind === 'time' || from.kind === 'timestamp' || from.kind === 'timestamp_tz';
    return from.kind === 'date' || from.kind === 'timestamp' || from.kind === 'timestamp_tz';
  }
  if (to.kind === 'bytes') return from.kind === 'string';
  return false;
}

export function sameType(a: DataType, b: DataType): boolean {
  return formatDataType(a) === formatDataType(b);
}

// ------------------------------------------------------------------ comparison

/** Compares two non-null values; NaN when they are unordered (NaN doubles). */
export type Comparator = (a: Value, b: Value) => number;

function normalizeTemporal(text: string): string {
  // "...:05.500000" and "...:05.5" are the same instant; "+00" suffixes are all UTC.
  let t = text.endsWith('+00') ? text.slice(0, -3) : text;
  if (t.length > 10 && t[10] === 'T') t = `${t.slice(0, 10)} ${t.slice(11)}`;
  const dot = t.lastIndexOf('.');
  if (dot > 0 && dot > t.lastIndexOf(':')) {
    let end = t.length;
    while (end > dot + 1 && t[end - 1] === '0') end--;
    t = end === dot + 1 ? t.slice(0, dot) : t.slice(0, end);
  }
  return t;
}

const compareNumbers: Comparator = (a, b) => {
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN;
};

const compareStrings: Comparator = (a, b) => {
  const x = a as string;
  const y = b as string;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Decimals against numbers. Values of at most 15 significant digits compare exactly as doubles
 * (distinct such decimals are distinct doubles, in the same order), so only longer ones pay for
 * BigInt.
 */
function decimalComparator(left: DataType, right: DataType): Comparator {
  const asDecimal =
    (type: DataType) =>
    (v: Value): Decimal | undefined => {
      if (type.kind === 'decimal') return decimalOf(v as string);
      if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
      const n = v as number;
      return Number.isFinite(n) ? decimalOfNumber(n) : undefined;
    };
  const asDouble =
    (type: DataType) =>
    (v: Value): number | undefined => {
      if (type.kind === 'decimal') return (v as string).length <= 15 ? Number(v) : undefined;
      if (typeof v === 'bigint') return v >= -SAFE_BIG && v <= SAFE_BIG ? Number(v) : undefined;
      return v as number;
    };
  const l = asDecimal(left);
  const r = asDecimal(right);
  const ld = asDouble(left);
  const rd = asDouble(right);
  return (a, b) => {
    const xd = ld(a);
    const yd = xd === undefined ? undefined : rd(b);
    if (xd !== undefined && yd !== undefined) return xd < yd ? -1 : xd > yd ? 1 : xd === yd ? 0 : NaN;
    const x = l(a);
    const y = r(b);
    if (x && y) return compareDecimals(x, y);
    // An infinite double against a decimal.
    const xn = x ? 0 : (a as number);
    const yn = y ? 0 : (b as number);
    return compareNumbers(xn, yn);
  };
}

const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** The type both sides of a comparison are brought to, or undefined when they cannot be compared. */
export function comparisonType(left: DataType, right: DataType): DataType | undefined {
  if (left.kind === 'null') return right;
  if (right.kind === 'null') return left;
  if (isNumeric(left) && isNumeric(right)) {
    if (left.kind === 'decimal' || right.kind === 'decimal') return left.kind === 'decimal' ? left : right;
    return isApproximate(left) || isApproximate(right)
      ? T.double
      : left.kind === 'bigint' || right.kind === 'bigint'
        ? T.bigint
        : T.int;
  }
  if (sameType(left, right) || (left.kind === right.kind && left.kind !== 'decimal')) return left;
  if (isTemporal(left) && isTemporal(right)) {
    if (left.kind === 'time' || right.kind === 'time') return undefined;
    return left.kind === 'date' && right.kind === 'date' ? T.date : T.timestamp;
  }
  // A string against a number, date, time or boolean: the string is converted.
  if (left.kind === 'string' && (isNumeric(right) || isTemporal(right) || right.kind === 'boolean')) return right;
  if (right.kind === 'string' && (isNumeric(left) || isTemporal(left) || left.kind === 'boolean')) return left;
  if (left.kind === 'boolean' && isNumeric(right)) return T.boolean;
  if (right.kind === 'boolean' && isNumeric(left)) return T.boolean;
  return undefined;
}

/**
 * A comparator for values of the two given types (after the string side of a mixed comparison
 * was converted to the other side's type by the caller).
 */
export function comparator(left: DataType, right: DataType): Comparator {
  if (isNumeric(left) && isNumeric(right)) {
    if (left.kind === 'decimal' || right.kind === 'decimal') return decimalComparator(left, right);
    return compareNumbers;
  }
  if (isTemporal(left) && isTemporal(right)) {
    const leftDate = left.kind === 'date';
    const rightDate = right.kind === 'date';
    return (a, b) => {
      let x = a as string;
      let y = b as string;
      if (leftDate !== rightDate) {
        if (leftDate) x = `${x} 00:00:00`;
        else y = `${y} 00:00:00`;
      }
      if (x.length > 10 || y.length > 10) {
        x = normalizeTemporal(x);
        y = normalizeTemporal(y);
      }
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
  if (left.kind === 'boolean' && right.kind === 'boolean') return (a, b) => Number(a) - Number(b);
  if (left.kind === 'bytes' && right.kind === 'bytes') return (a, b) => Buffer.compare(a as Buffer, b as Buffer);
  if (left.kind === 'string' && right.kind === 'string') return compareStrings;
  // Arrays, maps and rows: equality only.
  return (a, b) => (valuesEqual(a, b) ? 0 : NaN);
}

/** Whether the comparison is equality-only for this type (collections). */
export function orderable(type: DataType): boolean {
  return type.kind !== 'array' && type.kind !== 'map' && type.kind !== 'row';
}
