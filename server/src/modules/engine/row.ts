/**
 * The row model: SeaTunnel's data types, table schemas, row kinds and batches of rows.
 *
 * Values, by type (one representation each, so every connector and transform agrees):
 * - string → string; boolean → boolean; tinyint/smallint/int → number; bigint → bigint
 * - float/double → number; decimal(p,s) → string holding the exact decimal text ("-12.50")
 * - bytes → Buffer
 * - date → "YYYY-MM-DD"; time → "HH:MM:SS[.ffffff]"; timestamp → "YYYY-MM-DD HH:MM:SS[.ffffff]"
 *   (no zone); timestamp_tz → "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (always UTC, offset written)
 * - null → null (any field may hold null when nullable)
 * - array<T> → Value[]; map<K,V> → Map<Value, Value>; row{...} → Value[] in field order
 * Dates and times stay text: JavaScript's Date has milliseconds only and a time zone, and both
 * would lose data (microseconds, year 0000-ish boundaries, wall-clock times).
 */

export type RowKind = 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
export const ROW_KINDS: readonly RowKind[] = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'];
/** SeaTunnel's short form, printed by Console: +I, -U, +U, -D. */
export const ROW_KIND_SHORT: Record<RowKind, string> = {
  INSERT: '+I',
  UPDATE_BEFORE: '-U',
  UPDATE_AFTER: '+U',
  DELETE: '-D',
};

export type Value = null | string | number | boolean | bigint | Buffer | Value[] | Map<Value, Value>;

export type PrimitiveKind =
  | 'string'
  | 'boolean'
  | 'tinyint'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'float'
  | 'double'
  | 'bytes'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamp_tz'
  | 'null';

export type DataType =
  | { kind: PrimitiveKind }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'array'; element: DataType }
  | { kind: 'map'; key: DataType; value: DataType }
  | { kind: 'row'; fields: Field[] };

export interface Field {
  name: string;
  type: DataType;
  nullable: boolean;
  /**
   * The column type as the source database declared it ("varchar(64)", "jsonb", "bigint unsigned",
   * "mediumtext"), when the row came from a database. Sinks of the same dialect use it to create a
   * faithful target table; other sinks map `type`.
   */
  sourceType?: string;
  /** The source dialect of sourceType: "postgresql" or "mysql". */
  sourceDialect?: 'postgresql' | 'mysql';
  /** Character length of string columns (varchar(n)), when known. */
  length?: number;
  comment?: string;
}

/** database.schema.table; schema is PostgreSQL's, absent for MySQL and for plain names. */
export interface TablePath {
  database?: string;
  schema?: string;
  table: string;
}

export interface TableSchema {
  path: TablePath;
  fields: Field[];
  primaryKey?: string[];
  /** Unique keys other than the primary key, each a list of column names. */
  uniqueKeys?: string[][];
  /** Rows expected, when the source knows (for progress and ETA). */
  estimatedRows?: number;
}

/**
 * Rows of one table, moved together. `table` indexes the producing source's table list, as
 * seen by the consumer (transforms keep the index). `kinds` absent means every row is INSERT.
 * `bytes`: the source's measure of what it read for these rows (wire or file bytes), if it has one.
 */
export interface RowBatch {
  table: number;
  rows: Value[][];
  kinds?: RowKind[];
  bytes?: number;
  /** The number of rows, set by sources whose `rows` are decoded on first use (lazyRowBatch). */
  rowCount?: number;
  /** The same rows as PostgreSQL COPY text, when a PostgreSQL source read them so (see lazyRowBatch). */
  pgCopyText?: PgCopyText;
}

/**
 * Rows as PostgreSQL's COPY text format: what a PostgreSQL source received, which a PostgreSQL sink
 * whose target columns have the same types can send on as it is, without decoding and encoding
 * every value. Both ends pin the session settings that shape the text (TimeZone, DateStyle,
 * IntervalStyle, extra_float_digits), so the text means the same to both.
 */
export interface PgCopyText {
  /** Complete rows, in order: exactly the batch's rows. */
  chunks: Buffer[];
  /** The source's declared type of each column (format_type), in field order. */
  types: readonly string[];
}

/** A batch's row count, without decoding lazy rows. */
export function batchRowCount(batch: RowBatch): number {
  return batch.rowCount ?? batch.rows.length;
}

/**
 * A batch whose `rows` are decoded on first use (then kept): a consumer that can take the source's
 * own encoding (pgCopyText) never pays for the decoding. Transforms and other sinks read `rows` as
 * usual.
 */
export function lazyRowBatch(
  table: number,
  rowCount: number,
  bytes: number,
  decode: () => Value[][],
  pgCopyText?: PgCopyText,
): RowBatch {
  let rows: Value[][] | undefined;
  const batch = { table, rowCount, bytes, pgCopyText } as RowBatch;
  Object.defineProperty(batch, 'rows', { enumerable: true, get: () => (rows ??= decode()) });
  return batch;
}

/** The batch as seen under another table index (a lazy batch stays lazy). */
export function withTable(batch: RowBatch, table: number): RowBatch {
  if (batch.table === table) return batch;
  if (batch.rowCount !== undefined && batch.pgCopyText) {
    return lazyRowBatch(table, batch.rowCount, batch.bytes ?? 0, () => batch.rows, batch.pgCopyText);
  }
  return { ...batch, table };
}

/** The batch with only its rows (no source encoding), for consumers that may change the rows. */
export function plainBatch(batch: RowBatch): RowBatch {
  if (batch.rowCount === undefined && !batch.pgCopyText) return batch;
  const plain: RowBatch = { table: batch.table, rows: batch.rows };
  if (batch.kinds) plain.kinds = batch.kinds;
  if (batch.bytes !== undefined) plain.bytes = batch.bytes;
  return plain;
}

export function tablePathText(path: TablePath): string {
  return [path.database, path.schema, path.table].filter((p) => p !== undefined && p !== '').join('.');
}

/** "db.table" or "db.schema.table" or "table"; a two-part name is database.table (SeaTunnel's reading). */
export function parseTablePath(text: string): TablePath {
  const parts = splitQualified(text);
  if (parts.length === 1) return { table: parts[0]! };
  if (parts.length === 2) return { database: parts[0]!, table: parts[1]! };
  if (parts.length === 3) return { database: parts[0]!, schema: parts[1]!, table: parts[2]! };
  throw new Error(`"${text}" is not a table path: use table, database.table or database.schema.table`);
}

/** Splits on dots outside quotes ("a"."b.c" or `a`.`b`), dropping the quotes; parts may be empty. */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of text.trim()) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === '`') quote = ch;
    else if (ch === '.') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function splitQualified(text: string): string[] {
  const parts = splitQualifiedName(text);
  if (parts.some((p) => p === '')) throw new Error(`"${text}" is not a table path`);
  return parts;
}

// ------------------------------------------------------------------ type text

const PRIMITIVE_NAMES: Record<string, PrimitiveKind> = {
  string: 'string',
  varchar: 'string',
  text: 'string',
  boolean: 'boolean',
  bool: 'boolean',
  tinyint: 'tinyint',
  byte: 'tinyint',
  smallint: 'smallint',
  short: 'smallint',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  long: 'bigint',
  float: 'float',
  double: 'double',
  bytes: 'bytes',
  binary: 'bytes',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  timestamp_tz: 'timestamp_tz',
  timestamptz: 'timestamp_tz',
  null: 'null',
};

export class DataTypeSyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`type "${text}": ${detail} at character ${offset + 1}`);
    this.name = 'DataTypeSyntaxError';
  }
}

/**
 * Parses SeaTunnel type text: `int`, `decimal(38, 18)`, `array<int>`, `map<string, array<int>>`,
 * and inline rows `{c_int = int, c_string = string}` (also newline-separated, or JSON-style
 * `{"c_int":"int"}`). Case-insensitive.
 */
export function parseDataType(text: string): DataType {
  let pos = 0;
  const fail = (detail: string): never => {
    throw new DataTypeSyntaxError(text, pos, detail);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const word = (): string => {
    skip();
    const start = pos;
    while (pos < text.length && /[A-Za-z0-9_]/.test(text[pos]!)) pos++;
    if (start === pos) fail('expected a type name');
    return text.slice(start, pos);
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) fail(`expected "${ch}"`);
    pos++;
  };
  const integer = (): number => {
    skip();
    const start = pos;
    while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
    if (start === pos) fail('expected a number');
    return Number(text.slice(start, pos));
  };
  const name = (): string => {
    skip();
    const quote = text[pos];
    if (quote === '"' || quote === "'" || quote === '`') {
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated quoted name');
      const value = text.slice(pos + 1, end);
      pos = end + 1;
      return value;
    }
    return word();
  };
  const rowType = (): DataType => {
    expect('{');
    const fields: Field[] = [];
    for (;;) {
      skip();
      if (text[pos] === '}') {
        pos++;
        break;
      }
      const fieldName = name();
      skip();
      if (text[pos] === '=' || text[pos] === ':') pos++;
      else fail('expected "=" or ":" after a field name');
      skip();
      let type: DataType;
      const quote = text[pos];
      if (quote === '"' || quote === "'") {
        const end = text.indexOf(quote, pos + 1);
        if (end < 0) fail('unterminated quoted type');
        type = parseDataType(text.slice(pos + 1, end));
        pos = end + 1;
      } else type = any();
      fields.push({ name: fieldName, type, nullable: true });
      skip();
      if (text[pos] === ',' || text[pos] === ';') pos++;
    }
    return { kind: 'row', fields };
  };
  const any = (): DataType => {
    skip();
    if (text[pos] === '{') return rowType();
    const lower = word().toLowerCase();
    if (lower === 'decimal' || lower === 'numeric') {
      skip();
      if (text[pos] !== '(') return { kind: 'decimal', precision: 38, scale: 18 };
      pos++;
      const precision = integer();
      skip();
      let scale = 0;
      if (text[pos] === ',') {
        pos++;
        scale = integer();
      }
      expect(')');
      if (precision < 1 || precision > 1000 || scale > precision)
        fail(`decimal(${precision},${scale}) is out of range`);
      return { kind: 'decimal', precision, scale };
    }
    if (lower === 'array') {
      expect('<');
      const element = any();
      expect('>');
      return { kind: 'array', element };
    }
    if (lower === 'map') {
      expect('<');
      const key = any();
      expect(',');
      const value = any();
      expect('>');
      return { kind: 'map', key, value };
    }
    if (lower === 'row') {
      skip();
      if (text[pos] === '<' || text[pos] === '(') fail('write rows as { name = type, ... }');
      return { kind: 'row', fields: [] };
    }
    const kind = PRIMITIVE_NAMES[lower];
    if (!kind) fail(`unknown type "${lower}"`);
    return { kind: kind! };
  };
  const type = any();
  skip();
  if (pos < text.length) fail('unexpected text after the type');
  return type;
}

export function formatDataType(type: DataType): string {
  if (type.kind === 'decimal') return `decimal(${type.precision}, ${type.scale})`;
  if (type.kind === 'array') return `array<${formatDataType(type.element)}>`;
  if (type.kind === 'map') return `map<${formatDataType(type.key)}, ${formatDataType(type.value)}>`;
  if (type.kind === 'row') return `{${type.fields.map((f) => `${f.name}=${formatDataType(f.type)}`).join(', ')}}`;
  return type.kind;
}

/** Equality of values by meaning (Buffers by bytes, Maps by entries, decimals by text). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]!));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    const bEntries = [...b.entries()];
    return [...a.entries()].every(([k, v], i) => valuesEqual(k, bEntries[i]![0]) && valuesEqual(v, bEntries[i]![1]));
  }
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  return false;
}

/** Human text of a value, as Console prints it and error messages quote it. */
export function valueText(value: Value): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (value instanceof Map)
    return `{${[...value.entries()].map(([k, v]) => `${valueText(k)}=${valueText(v)}`).join(', ')}}`;
  return String(value);
}
