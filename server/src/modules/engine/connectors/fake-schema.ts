/**
 * SeaTunnel's `schema { ... }` block, as FakeSource (and file sources) write it, and the conversion
 * of config values into row values of a column type (FakeSource `rows`, column default values,
 * Assert `equals_to`).
 *
 * Two schema forms exist:
 * - `fields { c_int = int, c_row = { c_string = string } }`: type text, or an object for a nested row;
 * - `columns = [{ name, type, nullable, defaultValue, comment, columnLength }]` with `primaryKey
 *   { name, columnNames }` and `constraintKeys [{ constraintName, constraintType, constraintColumns }]`.
 * `table = "db.t"` names the table; without it SeaTunnel names it `default.default.default`.
 */
import { isConfigObject, isExactNumber, type ConfigValue } from '../../job-config/index.js';
import type { PluginOptions } from '../plugin.js';
import {
  DataTypeSyntaxError,
  formatDataType,
  parseDataType,
  parseTablePath,
  type DataType,
  type Field,
  type TablePath,
  type TableSchema,
  type Value,
} from '../row.js';

/** SeaTunnel's TablePath.DEFAULT, used when a schema has no `table`. */
export const DEFAULT_TABLE_PATH: TablePath = { database: 'default', schema: 'default', table: 'default' };

/** A schema plus what only FakeSource needs: per-column constant values (`defaultValue`). */
export interface ParsedSchema {
  table: TableSchema;
  /** One entry per field: the column's default value, or undefined when it is generated. */
  defaults: (Value | undefined)[];
}

/** A value that does not fit its column type; `path` says where in the config it was. */
export class ValueConversionError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'ValueConversionError';
  }
}

/** Parses `schema` (the option named `name`) into a table schema. Errors name the option. */
export function parseSchemaOption(options: PluginOptions, name = 'schema'): ParsedSchema {
  if (!options.object(name)) return options.fail(name, 'is required: schema { fields { name = type, ... } }');
  const at = (key: string) => `${name}.${key}`;
  const failAt = (key: string, detail: string): never => options.fail(at(key), detail);

  const fields: Field[] = [];
  const defaults: (Value | undefined)[] = [];
  const fieldsObject = options.value(at('fields'));
  const columns = options.value(at('columns'));
  if (fieldsObject !== undefined && columns !== undefined) failAt('fields', 'and schema.columns cannot both be set');
  if (fieldsObject !== undefined) {
    if (!isConfigObject(fieldsObject)) return failAt('fields', 'must be an object { name = type, ... }');
    for (const [fieldName, typeValue] of Object.entries(fieldsObject)) {
      fields.push({ name: fieldName, type: typeOf(typeValue, at(`fields.${fieldName}`), options), nullable: true });
      defaults.push(undefined);
    }
  } else if (columns !== undefined) {
    if (!Array.isArray(columns)) return failAt('columns', 'must be a list of { name, type }');
    columns.forEach((column, i) => {
      const where = at(`columns[${i}]`);
      if (!isConfigObject(column)) return options.fail(where, 'must be an object { name = ..., type = ... }');
      const col = options.nested(column, where);
      const columnName = col.string('name');
      if (!columnName) return options.fail(`${where}.name`, 'is required');
      const typeValue = col.value('type');
      if (typeValue === undefined) return options.fail(`${where}.type`, 'is required');
      const type = typeOf(typeValue, `${where}.type`, options);
      const field: Field = { name: columnName, type, nullable: col.boolean('nullable', true) };
      const comment = col.string('comment');
      if (comment !== undefined) field.comment = comment;
      const length = col.int('columnLength');
      if (length !== undefined && length > 0) field.length = length;
      fields.push(field);
      const defaultValue = col.value('defaultValue');
      defaults.push(
        defaultValue === undefined ? undefined : convertOption(options, `${where}.defaultValue`, defaultValue, type),
      );
    });
  } else {
    return failAt('fields', 'is required: schema { fields { name = type, ... } } (or schema.columns)');
  }
  if (fields.length === 0) failAt('fields', 'must list at least one field');
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) failAt('fields', `lists "${field.name}" twice`);
    seen.add(field.name);
  }

  const tableText = options.string(at('table'));
  let path = DEFAULT_TABLE_PATH;
  if (tableText !== undefined) {
    try {
      path = parseTablePath(tableText);
    } catch (err) {
      failAt('table', (err as Error).message);
    }
  }
  const table: TableSchema = { path, fields };

  const checkColumns = (key: string, names: string[]) => {
    for (const column of names) {
      if (!seen.has(column)) {
        failAt(key, `names column "${column}", which is not a field (fields: ${[...seen].join(', ')})`);
      }
    }
  };
  if (options.object(at('primaryKey'))) {
    const names = options.stringList(at('primaryKey.columnNames')) ?? [];
    if (names.length === 0) failAt('primaryKey.columnNames', 'must list at least one column');
    checkColumns('primaryKey.columnNames', names);
    table.primaryKey = names;
  }
  const constraintKeys = options.list(at('constraintKeys'));
  if (constraintKeys) {
    const unique: string[][] = [];
    constraintKeys.forEach((key, i) => {
      const where = `constraintKeys[${i}]`;
      if (!isConfigObject(key)) return failAt(where, 'must be an object');
      const ck = options.nested(key, at(where));
      const type = ck.string('constraintType', 'UNIQUE_KEY').toUpperCase();
      const keyColumns = (ck.list('constraintColumns') ?? []).map((c, j) => {
        const columnName = isConfigObject(c) ? c.columnName : c;
        if (typeof columnName !== 'string') return failAt(`${where}.constraintColumns[${j}]`, 'must name a columnName');
        return columnName;
      });
      checkColumns(`${where}.constraintColumns`, keyColumns);
      // Only unique keys are part of the row model; index keys do not change what rows mean.
      if (type === 'UNIQUE_KEY' && keyColumns.length > 0) unique.push(keyColumns);
    });
    if (unique.length > 0) table.uniqueKeys = unique;
  }
  return { table, defaults };
}

/** The data type of a `fields` entry: type text, or an object for a nested row. */
function typeOf(value: ConfigValue, where: string, options: PluginOptions): DataType {
  if (typeof value === 'string') {
    try {
      return parseDataType(value);
    } catch (err) {
      if (err instanceof DataTypeSyntaxError) return options.fail(where, err.message);
      throw err;
    }
  }
  if (isConfigObject(value)) {
    const fields: Field[] = Object.entries(value).map(([name, inner]) => ({
      name,
      type: typeOf(inner, `${where}.${name}`, options),
      nullable: true,
    }));
    return { kind: 'row', fields };
  }
  return options.fail(
    where,
    `must be a type name such as int, string or "decimal(10, 2)", got ${JSON.stringify(value)}`,
  );
}

/** convertValue with errors reported as the plugin's option errors. */
export function convertOption(options: PluginOptions, where: string, value: ConfigValue, type: DataType): Value {
  try {
    return convertValue(value, type, where);
  } catch (err) {
    if (err instanceof ValueConversionError) return options.fail(err.path, err.message.slice(err.path.length + 2));
    throw err;
  }
}

// ------------------------------------------------------------------ values from config

const INT_RANGES = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
} as const;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Number-ish config values as their exact text (ExactNumber keeps digits a JS number would lose). */
function numericText(value: ConfigValue): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (isExactNumber(value)) return value.$number;
  if (typeof value === 'string') return value.trim();
  return undefined;
}

const describe = (value: ConfigValue): string => (isExactNumber(value) ? value.$number : JSON.stringify(value));

/**
 * Converts a config value to the row value of `type`, as SeaTunnel reads JSON into a row:
 * numbers may be written as text, bigints and decimals keep every digit, dates and times are
 * normalised to the row model's text forms, bytes are base64 text (or a list of byte values),
 * maps come from objects, rows from lists (by position) or objects (by name).
 * `CURRENT_DATE`, `CURRENT_TIME` and `CURRENT_TIMESTAMP` give the current local date and time.
 */
export function convertValue(value: ConfigValue | undefined, type: DataType, path: string): Value {
  if (value === undefined || value === null) return null;
  const fail = (expected: string): never => {
    throw new ValueConversionError(path, `${describe(value)} is not ${expected}`);
  };
  switch (type.kind) {
    case 'null':
      return null;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (isExactNumber(value)) return value.$number;
      return JSON.stringify(plain(value));
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === 'true';
      return fail('a boolean (true or false)');
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const text = numericText(value);
      if (text === undefined || !INTEGER_TEXT.test(text)) return fail(`a whole number (${type.kind})`);
      const n = Number(text);
      const [min, max] = INT_RANGES[type.kind];
      if (n < min || n > max) return fail(`within the ${type.kind} range ${min}..${max}`);
      return n;
    }
    case 'bigint': {
      const text = numericText(value);
      if (text === undefined || !INTEGER_TEXT.test(text)) return fail('a whole number (bigint)');
      const n = BigInt(text);
      if (n < BIGINT_MIN || n > BIGINT_MAX) return fail('within the bigint range');
      return n;
    }
    case 'float':
    case 'double': {
      const text = numericText(value);
      const n = text === undefined || text === '' ? NaN : Number(text);
      if (Number.isNaN(n) && text !== 'NaN') return fail(`a number (${type.kind})`);
      return n;
    }
    case 'decimal': {
      const text = numericText(value);
      if (text === undefined || !DECIMAL_TEXT.test(text)) return fail(`a decimal number`);
      const result = decimalText(text, type.precision, type.scale);
      if (result === undefined) return fail(`a decimal(${type.precision}, ${type.scale}): too many digits`);
      return result;
    }
    case 'bytes':
      if (typeof value === 'string') return Buffer.from(value, 'base64');
      if (
        Array.isArray(value) &&
        value.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)
      ) {
        return Buffer.from(value as number[]);
      }
      return fail('bytes (base64 text or a list of byte values)');
    case 'date': {
      if (typeof value !== 'string') return fail('a date (YYYY-MM-DD)');
      const text = value.trim();
      if (text.toUpperCase() === 'CURRENT_DATE') return localNow().slice(0, 10);
      return normaliseDate(text) ?? fail('a date (YYYY-MM-DD)');
    }
    case 'time': {
      if (typeof value !== 'string') return fail('a time (HH:MM:SS)');
      const text = value.trim();
      if (text.toUpperCase() === 'CURRENT_TIME') return localNow().slice(11);
      return normaliseTime(text) ?? fail('a time (HH:MM:SS)');
    }
    case 'timestamp': {
      if (typeof value !== 'string') return fail('a timestamp (YYYY-MM-DD HH:MM:SS)');
      const text = value.trim();
      if (text.toUpperCase() === 'CURRENT_TIMESTAMP') return localNow();
      const parsed = splitTimestamp(text);
      if (!parsed || parsed.zone !== undefined) return fail('a timestamp (YYYY-MM-DD HH:MM:SS)');
      return `${parsed.date} ${parsed.time}`;
    }
    case 'timestamp_tz': {
      if (typeof value !== 'string') return fail('a timestamp with time zone (YYYY-MM-DD HH:MM:SS+00)');
      const text = value.trim();
      if (text.toUpperCase() === 'CURRENT_TIMESTAMP') return `${utcText(new Date())}+00`;
      const parsed = splitTimestamp(text);
      if (!parsed) return fail('a timestamp with time zone (YYYY-MM-DD HH:MM:SS+00)');
      return toUtc(parsed.date, parsed.time, parsed.zone ?? '+00');
    }
    case 'array':
      if (!Array.isArray(value)) return fail(`a list (${formatDataType(type)})`);
      return value.map((item, i) => convertValue(item, type.element, `${path}[${i}]`));
    case 'map': {
      if (!isConfigObject(value)) return fail(`an object { key = value } (${formatDataType(type)})`);
      const map = new Map<Value, Value>();
      for (const [key, item] of Object.entries(value)) {
        map.set(convertValue(key, type.key, `${path} key "${key}"`), convertValue(item, type.value, `${path}.${key}`));
      }
      return map;
    }
    case 'row': {
      if (Array.isArray(value)) {
        if (value.length > type.fields.length) {
          return fail(`a row of ${type.fields.length} fields (${type.fields.map((f) => f.name).join(', ')})`);
        }
        return type.fields.map((f, i) => convertValue(value[i], f.type, `${path}[${i}]`));
      }
      if (isConfigObject(value)) {
        const known = new Set(type.fields.map((f) => f.name));
        const unknown = Object.keys(value).find((k) => !known.has(k));
        if (unknown !== undefined) {
          throw new ValueConversionError(path, `"${unknown}" is not a field of ${formatDataType(type)}`);
        }
        return type.fields.map((f) => convertValue(value[f.name], f.type, `${path}.${f.name}`));
      }
      return fail(`a row (a list or an object of ${type.fields.map((f) => f.name).join(', ')})`);
    }
  }
}

/** Plain JSON of a config value (exact numbers as their digits), for values read as text. */
function plain(value: ConfigValue): unknown {
  if (isExactNumber(value)) return Number(value.$number);
  if (Array.isArray(value)) return value.map(plain);
  if (isConfigObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * Decimal text with exactly `scale` fraction digits, rounded half up (as databases store it);
 * undefined when the integer part has more than precision - scale digits.
 */
export function decimalText(text: string, precision: number, scale: number): string | undefined {
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [mantissa = '', exponentText] = unsigned.split(/[eE]/);
  const [intPart = '', fracPart = ''] = mantissa.split('.');
  let digits = intPart + fracPart;
  // Position of the decimal point within `digits`.
  let point = intPart.length + Number(exponentText ?? '0');
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let whole = digits.slice(0, point);
  let fraction = digits.slice(point);
  if (fraction.length > scale) {
    const roundUp = fraction.charCodeAt(scale) >= 53; // '5'
    fraction = fraction.slice(0, scale);
    if (roundUp) {
      const bumped = (BigInt(whole + fraction || '0') + 1n).toString().padStart(whole.length + fraction.length, '0');
      whole = bumped.slice(0, bumped.length - scale);
      fraction = bumped.slice(bumped.length - scale);
    }
  }
  fraction = fraction.padEnd(scale, '0');
  whole = whole.replace(/^0+/, '') || '0';
  if (whole !== '0' && whole.length > precision - scale) return undefined;
  const isZero = /^0*$/.test(whole + fraction);
  return `${negative && !isZero ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // leap year: 29 for February
  if (day > days) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return true;
}

/** YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYYMMDD to YYYY-MM-DD. */
function normaliseDate(text: string): string | undefined {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDate(year, month, day)) return undefined;
  return `${m[1]}-${pad2(month)}-${pad2(day)}`;
}

/** HH:MM, HH:MM:SS or HH:MM:SS.ffffff to HH:MM:SS[.ffffff] (at most microseconds). */
function normaliseTime(text: string): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text);
  if (!m) return undefined;
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = (m[4] ?? '').slice(0, 6).replace(/0+$/, '');
  return `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${fraction ? `.${fraction}` : ''}`;
}

function splitTimestamp(text: string): { date: string; time: string; zone?: string } | undefined {
  const m = /^(\S+?)[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text);
  if (!m) {
    const date = normaliseDate(text);
    return date ? { date, time: '00:00:00' } : undefined;
  }
  const date = normaliseDate(m[1]!);
  const time = normaliseTime(m[2]!);
  if (!date || !time) return undefined;
  return m[3] === undefined ? { date, time } : { date, time, zone: m[3] };
}

/** Shifts a wall-clock timestamp at `zone` (Z, +hh, +hh:mm) to UTC, written with "+00". */
function toUtc(date: string, time: string, zone: string): string {
  const sign = zone.startsWith('-') ? -1 : 1;
  const zm = /^[+-](\d{2}):?(\d{2})?$/.exec(zone);
  const offsetMinutes = zone.toUpperCase() === 'Z' || !zm ? 0 : sign * (Number(zm[1]) * 60 + Number(zm[2] ?? '0'));
  const [hms, fraction] = time.split('.');
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = hms!.split(':').map(Number) as [number, number, number];
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0..99 as 1900..1999
  utc.setUTCHours(h, mi - offsetMinutes, s, 0);
  return `${utcText(utc)}${fraction ? `.${fraction}` : ''}+00`;
}

function utcText(date: Date): string {
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

/** The current local date and time, "YYYY-MM-DD HH:MM:SS". */
function localNow(): string {
  const now = new Date();
  return `${String(now.getFullYear()).padStart(4, '0')}-${pad2(now.getMonth() + 1)}-${pad2(now.getDate())} ${pad2(now.getHours())}:${pad2(now.getMinutes())}:${pad2(now.getSeconds())}`;
}
