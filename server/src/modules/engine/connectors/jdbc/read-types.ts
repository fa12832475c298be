/**
 * Column types of MySQL/MariaDB and PostgreSQL mapped to the row model, and the value decoders the
 * Jdbc source applies to what the drivers hand over. Decoders are chosen once per column; a column
 * whose driver value already is the row-model value gets none (the hot loop skips it).
 *
 * MySQL follows SeaTunnel's MySQL type mapping: TINYINT(1) and BIT(1) are boolean, unsigned
 * integers widen (INT UNSIGNED → bigint, BIGINT UNSIGNED → decimal(20,0)), YEAR is int, DATETIME
 * and TIMESTAMP are timestamp (sessions run in UTC), JSON/ENUM/SET are strings, BIT(n>1) and the
 * binary types are bytes. Zero dates ('0000-00-00', and any date with month or day 00) have no
 * calendar value and read as null, as SeaTunnel's zeroDateTimeBehavior does. TIME keeps MySQL's
 * whole range as text ("-838:59:59").
 *
 * PostgreSQL: numeric without a precision is decimal(38,18) (sourceType stays "numeric"), timestamptz
 * is timestamp_tz in UTC ("…+00"), timetz/interval/json/jsonb/uuid/inet/enum and other types without
 * a row-model counterpart are strings in PostgreSQL's text form, arrays are array<element>. The
 * sourceType is format_type's text ("character varying(64)", "numeric(12,2)", "integer[]"); a domain
 * declares its base type (a target database may lack the domain), an enum keeps its type's name.
 *
 * Floats: a FLOAT/real value is the shortest decimal that identifies the stored 32-bit float
 * (what PostgreSQL prints and Java's Float.toString gives), so writing it back yields the same float;
 * doubles are exact.
 */
import type { DataType, Field, Value } from '../../row.js';

/** Turns a driver value (never null: the caller skips nulls) into the row-model value. */
export type ValueDecoder = (value: unknown) => Value;
/** Turns PostgreSQL text (never null) into the row-model value. */
export type TextDecoder = (text: string) => Value;

export interface ReadColumn {
  field: Field;
  /** MySQL: what the driver's value needs; undefined when it is already the row-model value. */
  decode?: ValueDecoder;
}

export interface PgReadColumn {
  field: Field;
  /** PostgreSQL COPY text → value; undefined when the text itself is the value. */
  decode?: TextDecoder;
}

// ------------------------------------------------------------------------------------------ MySQL

const MYSQL_INTEGER_BASES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year']);

interface MysqlTypeParts {
  base: string;
  args?: string;
  unsigned: boolean;
  zerofill: boolean;
}

/** Splits "decimal(12,2) unsigned zerofill" into its parts (enum/set keep their value lists as args). */
export function parseMysqlType(columnType: string): MysqlTypeParts {
  const text = columnType.trim().toLowerCase();
  const open = text.indexOf('(');
  if (open < 0) {
    const words = text.split(/\s+/);
    return {
      base: words[0] ?? text,
      unsigned: words.includes('unsigned'),
      zerofill: words.includes('zerofill'),
    };
  }
  const base = text.slice(0, open).trim();
  const close = text.lastIndexOf(')');
  const args = text.slice(open + 1, close < open ? undefined : close);
  const rest = close < open ? '' : text.slice(close + 1);
  return { base, args, unsigned: /\bunsigned\b/.test(rest), zerofill: /\bzerofill\b/.test(rest) };
}

/**
 * The column type as a portable declaration: integer display widths dropped (MySQL 8 no longer
 * reports them, MariaDB still does) except TINYINT(1), which marks a boolean, and widths that
 * ZEROFILL needs.
 */
export function normalizeMysqlType(columnType: string): string {
  const parts = parseMysqlType(columnType);
  if (!MYSQL_INTEGER_BASES.has(parts.base) || parts.args === undefined) return columnType.trim().toLowerCase();
  const keepWidth = parts.zerofill || (parts.base === 'tinyint' && parts.args === '1' && !parts.unsigned);
  return (
    parts.base +
    (keepWidth ? `(${parts.args})` : '') +
    (parts.unsigned ? ' unsigned' : '') +
    (parts.zerofill ? ' zerofill' : '')
  );
}

const toBigInt: ValueDecoder = (v) => BigInt(v as string | number);
/** BIGINT UNSIGNED: a number up to 2^53, exact text beyond; the value is decimal text. */
const toIntegerText: ValueDecoder = (v) => (typeof v === 'string' ? v : String(v));
const numberToBoolean: ValueDecoder = (v) => (typeof v === 'number' ? v !== 0 : Number(v) !== 0);
const bitToBoolean: ValueDecoder = (v) => (Buffer.isBuffer(v) ? v.length > 0 && v[v.length - 1] !== 0 : Boolean(v));
const textToDouble: ValueDecoder = (v) => (typeof v === 'number' ? v : Number(v));
const textToFloat: ValueDecoder = (v) => shortestFloat32(typeof v === 'number' ? v : Number(v));
const geometryToText: ValueDecoder = (v) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v : JSON.stringify(v));
/** Zero dates and dates with month or day 00 have no calendar value: null. */
const zeroDateToNull: ValueDecoder = (v) => {
  const s = v as string;
  // "YYYY-MM-DD…": positions 5-6 month, 8-9 day
  if ((s.charCodeAt(5) === 48 && s.charCodeAt(6) === 48) || (s.charCodeAt(8) === 48 && s.charCodeAt(9) === 48)) {
    return null;
  }
  return s;
};

/**
 * The shortest decimal that names the same 32-bit float, as a double (1.1 rather than
 * 1.100000023841858); infinities, NaN and zero unchanged. More digits never stop naming the float,
 * so the shortest is found by bisection over 1..9 digits.
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const f = Math.fround(value);
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return Number(f.toPrecision(lo));
}

/** How the select list must read a MySQL column so the decoder sees exact text. */
export type MysqlReadAs = 'plain' | 'double-text' | 'float-text' | 'geometry-text';

export interface MysqlReadColumn extends ReadColumn {
  readAs: MysqlReadAs;
}

const GEOMETRY_BASES = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/**
 * Maps a MySQL/MariaDB column (information_schema.COLUMNS.COLUMN_TYPE) to a Field and its decoder.
 * `json` marks MariaDB's JSON alias (LONGTEXT with a json_valid check).
 */
export function mysqlColumn(column: {
  name: string;
  columnType: string;
  nullable: boolean;
  comment?: string;
  json?: boolean;
}): MysqlReadColumn {
  const parts = parseMysqlType(column.columnType);
  const sourceType = column.json ? 'json' : normalizeMysqlType(column.columnType);
  const field: Field = {
    name: column.name,
    type: { kind: 'string' },
    nullable: column.nullable,
    sourceType,
    sourceDialect: 'mysql',
  };
  if (column.comment) field.comment = column.comment;
  let decode: ValueDecoder | undefined;
  let readAs: MysqlReadAs = 'plain';
  const size = parts.args !== undefined ? Number(parts.args.split(',')[0]) : undefined;
  const set = (type: DataType, decoder?: ValueDecoder) => {
    field.type = type;
    decode = decoder;
  };
  switch (parts.base) {
    case 'tinyint':
      if (parts.args === '1' && !parts.unsigned && !parts.zerofill) set({ kind: 'boolean' }, numberToBoolean);
      else set({ kind: parts.unsigned ? 'smallint' : 'tinyint' });
      break;
    case 'bool':
    case 'boolean':
      set({ kind: 'boolean' }, numberToBoolean);
      break;
    case 'smallint':
      set({ kind: parts.unsigned ? 'int' : 'smallint' });
      break;
    case 'mediumint':
    case 'year':
      set({ kind: 'int' });
      break;
    case 'int':
    case 'integer':
      if (parts.unsigned) set({ kind: 'bigint' }, toBigInt);
      else set({ kind: 'int' });
      break;
    case 'bigint':
      if (parts.unsigned) set({ kind: 'decimal', precision: 20, scale: 0 }, toIntegerText);
      else set({ kind: 'bigint' }, toBigInt);
      break;
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed': {
      const [p, s] = (parts.args ?? '10,0').split(',').map((n) => Number(n.trim()));
      set({ kind: 'decimal', precision: p || 10, scale: s ?? 0 });
      break;
    }
    case 'float':
      // FLOAT(p) with p > 24 is a DOUBLE; MySQL reports those as "double" already.
      set({ kind: 'float' }, textToFloat);
      readAs = 'float-text';
      break;
    case 'double':
    case 'real':
    case 'double precision':
      set({ kind: 'double' }, textToDouble);
      readAs = 'double-text';
      break;
    case 'bit':
      if ((size ?? 1) === 1) set({ kind: 'boolean' }, bitToBoolean);
      else set({ kind: 'bytes' });
      break;
    case 'char':
    case 'varchar':
    case 'nchar':
    case 'nvarchar':
      set({ kind: 'string' });
      if (size !== undefined && Number.isFinite(size)) field.length = size;
      break;
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'enum':
    case 'set':
    case 'json':
    case 'uuid':
    case 'inet4':
    case 'inet6':
      set({ kind: 'string' });
      break;
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      set({ kind: 'bytes' });
      break;
    case 'date':
      set({ kind: 'date' }, zeroDateToNull);
      break;
    case 'datetime':
    case 'timestamp':
      set({ kind: 'timestamp' }, zeroDateToNull);
      break;
    case 'time':
      set({ kind: 'time' });
      break;
    default:
      if (GEOMETRY_BASES.has(parts.base)) {
        set({ kind: 'string' }, geometryToText);
        readAs = 'geometry-text';
      } else {
        set({ kind: 'string' });
      }
  }
  return { field, decode, readAs };
}

/** mysql2 column-definition packet, the parts the mapping reads. */
export interface MysqlFieldPacket {
  name: string;
  columnType?: number;
  type?: number;
  flags: number | string[];
  characterSet?: number;
  columnLength?: number;
  decimals: number;
  extendedTypeName?: string;
  extendedFormat?: string;
  /** Database, table and column a result column reads directly (empty for expressions). */
  schema?: string;
  orgTable?: string;
  orgName?: string;
}

/** Text of a scalar driver value (MIN/MAX results), null for null. */
export function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;
const FLAG_NOT_NULL = 1;
const FLAG_UNSIGNED = 32;
const FLAG_ENUM = 256;
const FLAG_SET = 2048;
const BINARY_CHARSET = 63;
/** Result strings arrive in the session's utf8mb4: 4 bytes per character in the reported length. */
const RESULT_BYTES_PER_CHAR = 4;

/**
 * The column type a result column (of a `query`) declares, rebuilt from its definition packet as
 * MySQL would write it in a CREATE TABLE ("varchar(64)", "bigint unsigned", "decimal(12,2)").
 */
export function mysqlPacketType(packet: MysqlFieldPacket): { columnType: string; nullable: boolean; json: boolean } {
  const flags = typeof packet.flags === 'number' ? packet.flags : 0;
  const unsigned = (flags & FLAG_UNSIGNED) !== 0 ? ' unsigned' : '';
  const binary = packet.characterSet === BINARY_CHARSET;
  const length = packet.columnLength ?? 0;
  const chars = Math.max(1, Math.round(length / RESULT_BYTES_PER_CHAR));
  const nullable = (flags & FLAG_NOT_NULL) === 0;
  const json = packet.extendedFormat === 'json';
  const type = packet.columnType ?? packet.type ?? T.VAR_STRING;
  const fraction = packet.decimals > 0 && packet.decimals <= 6 ? `(${packet.decimals})` : '';
  let columnType: string;
  switch (type) {
    case T.TINY:
      columnType = length === 1 && !unsigned ? 'tinyint(1)' : `tinyint${unsigned}`;
      break;
    case T.SHORT:
      columnType = `smallint${unsigned}`;
      break;
    case T.INT24:
      columnType = `mediumint${unsigned}`;
      break;
    case T.LONG:
      columnType = `int${unsigned}`;
      break;
    case T.LONGLONG:
      columnType = `bigint${unsigned}`;
      break;
    case T.YEAR:
      columnType = 'year';
      break;
    case T.DECIMAL:
    case T.NEWDECIMAL: {
      const scale = packet.decimals;
      // The length counts digits, the sign (signed columns) and the point (when there is a scale).
      const precision = Math.max(1, length - (unsigned ? 0 : 1) - (scale > 0 ? 1 : 0));
      columnType = `decimal(${precision},${scale})${unsigned}`;
      break;
    }
    case T.FLOAT:
      columnType = `float${unsigned}`;
      break;
    case T.DOUBLE:
      columnType = `double${unsigned}`;
      break;
    case T.BIT:
      columnType = `bit(${Math.max(1, length)})`;
      break;
    case T.DATE:
    case T.NEWDATE:
      columnType = 'date';
      break;
    case T.TIME:
      columnType = `time${fraction}`;
      break;
    case T.DATETIME:
      columnType = `datetime${fraction}`;
      break;
    case T.TIMESTAMP:
      columnType = `timestamp${fraction}`;
      break;
    case T.JSON:
      columnType = 'json';
      break;
    case T.GEOMETRY:
      columnType = packet.extendedTypeName ?? 'geometry';
      break;
    case T.NULL:
      columnType = binary ? 'binary(0)' : 'char(0)';
      break;
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB: {
      const size = length <= 255 ? 'tiny' : length <= 65535 ? '' : length <= 16777215 ? 'medium' : 'long';
      if (binary) columnType = `${size}blob`;
      else {
        const charLength = length / RESULT_BYTES_PER_CHAR;
        const textSize =
          charLength <= 255 ? 'tiny' : charLength <= 65535 ? '' : charLength <= 16777215 ? 'medium' : 'long';
        columnType = json ? 'json' : `${textSize}text`;
      }
      break;
    }
    case T.ENUM:
      columnType = 'enum';
      break;
    case T.SET:
      columnType = 'set';
      break;
    case T.STRING:
      if ((flags & FLAG_ENUM) !== 0) columnType = 'enum';
      else if ((flags & FLAG_SET) !== 0) columnType = 'set';
      else columnType = binary ? `binary(${Math.max(1, length)})` : `char(${chars})`;
      break;
    case T.VARCHAR:
    case T.VAR_STRING:
    default:
      columnType = binary ? `varbinary(${Math.max(1, length)})` : `varchar(${chars})`;
      if (packet.extendedTypeName && ['uuid', 'inet4', 'inet6'].includes(packet.extendedTypeName)) {
        columnType = packet.extendedTypeName;
      }
      if (json) columnType = 'json';
  }
  return { columnType, nullable, json };
}

// ------------------------------------------------------------------------------------- PostgreSQL

/** One row of pg_type, the parts the mapping reads. */
export interface PgTypeInfo {
  oid: number;
  name: string;
  /** b base, c composite, d domain, e enum, p pseudo, r range, m multirange */
  typtype: string;
  category: string;
  /** Element type of an array type, else 0. */
  elem: number;
  /** Base type of a domain, else 0. */
  baseType: number;
  baseTypmod: number;
  /** format_type(baseType, baseTypmod) for domains. */
  baseFormat?: string;
}

const parseBool: TextDecoder = (s) => s === 't';
const parseBit1: TextDecoder = (s) => s === '1';
const parseNumber: TextDecoder = (s) => +s;
const parseDouble: TextDecoder = (s) => Number(s);
const parseBigInt: TextDecoder = (s) => BigInt(s);
const parseBytea: TextDecoder = (s) => {
  if (s.charCodeAt(0) === 92 && s.charCodeAt(1) === 120) return Buffer.from(s.slice(2), 'hex');
  return decodeByteaEscape(s);
};

/** bytea in the 'escape' output format (bytea_output = escape): \ooo octal and \\. */
function decodeByteaEscape(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      if (s.charCodeAt(i + 1) === 92) {
        out.push(92);
        i++;
      } else {
        out.push(parseInt(s.slice(i + 1, i + 4), 8));
        i += 3;
      }
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** numeric's typmod: ((precision << 16) | scale) + 4; -1 when unconstrained. */
function numericType(typmod: number): DataType {
  if (typmod < 4) return { kind: 'decimal', precision: 38, scale: 18 };
  const precision = ((typmod - 4) >> 16) & 0xffff;
  let scale = (typmod - 4) & 0x7ff;
  if (scale > 1000) scale -= 2048; // PostgreSQL 15 allows negative scales
  return { kind: 'decimal', precision, scale: Math.max(0, Math.min(scale, precision)) };
}

/**
 * Maps a PostgreSQL type (by OID, with the column's typmod) to a row-model type and a COPY-text
 * decoder. `types` holds pg_type rows for the OID, its array element and its domain base.
 */
export function pgType(
  oid: number,
  typmod: number,
  types: ReadonlyMap<number, PgTypeInfo>,
): { type: DataType; decode?: TextDecoder; length?: number } {
  let info = types.get(oid);
  if (!info) return { type: { kind: 'string' } };
  for (let depth = 0; info.typtype === 'd' && depth < 8; depth++) {
    typmod = info.baseTypmod;
    const base = types.get(info.baseType);
    if (!base) return { type: { kind: 'string' } };
    info = base;
  }
  if (info.category === 'A' && info.elem !== 0) {
    const element = pgType(info.elem, typmod, types);
    const elementDecode = element.decode;
    return {
      type: { kind: 'array', element: element.type },
      decode: (s) => parsePgArray(s, elementDecode),
    };
  }
  if (info.typtype === 'e') return { type: { kind: 'string' } };
  switch (info.name) {
    case 'bool':
      return { type: { kind: 'boolean' }, decode: parseBool };
    case 'int2':
      return { type: { kind: 'smallint' }, decode: parseNumber };
    case 'int4':
      return { type: { kind: 'int' }, decode: parseNumber };
    case 'int8':
    case 'oid':
    case 'xid8':
      return { type: { kind: 'bigint' }, decode: parseBigInt };
    case 'xid':
    case 'cid':
      return { type: { kind: 'bigint' }, decode: parseBigInt };
    case 'numeric':
      return { type: numericType(typmod) };
    case 'float4':
      // PostgreSQL 12+ prints the shortest text of a real already.
      return { type: { kind: 'float' }, decode: parseDouble };
    case 'float8':
      return { type: { kind: 'double' }, decode: parseDouble };
    case 'bytea':
      return { type: { kind: 'bytes' }, decode: parseBytea };
    case 'date':
      return { type: { kind: 'date' } };
    case 'time':
      return { type: { kind: 'time' } };
    case 'timestamp':
      return { type: { kind: 'timestamp' } };
    case 'timestamptz':
      return { type: { kind: 'timestamp_tz' } };
    case 'bit':
      if (typmod === 1 || typmod < 0) return { type: { kind: 'boolean' }, decode: parseBit1 };
      return { type: { kind: 'string' } };
    case 'varchar':
    case 'bpchar':
      return { type: { kind: 'string' }, length: typmod >= 4 ? typmod - 4 : undefined };
    default:
      // text, varchar, json(b), uuid, inet, interval, timetz, money, xml, geometric, ranges,
      // composites, extension types: PostgreSQL's text form.
      return { type: { kind: 'string' } };
  }
}

/**
 * Parses PostgreSQL's array text ({1,2,NULL}, {"a b","x\"y"}, {{1,2},{3,4}}, [0:1]={1,2}); NULL
 * elements are null, quoted "NULL" is the text. Elements go through `decode`.
 */
export function parsePgArray(text: string, decode?: TextDecoder): Value[] {
  let pos = 0;
  if (text.charCodeAt(0) === 91 /* [ */) {
    const eq = text.indexOf('=');
    if (eq < 0) throw new Error(`"${text.slice(0, 40)}" is not a PostgreSQL array`);
    pos = eq + 1;
  }
  const parseLevel = (): Value[] => {
    if (text.charCodeAt(pos) !== 123 /* { */) throw new Error(`"${text.slice(0, 40)}" is not a PostgreSQL array`);
    pos++;
    const out: Value[] = [];
    if (text.charCodeAt(pos) === 125 /* } */) {
      pos++;
      return out;
    }
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 123) out.push(parseLevel());
      else if (c === 34 /* " */) {
        pos++;
        let value = '';
        let start = pos;
        for (;;) {
          const q = text.charCodeAt(pos);
          if (Number.isNaN(q))
            throw new Error(`unterminated quoted element in PostgreSQL array "${text.slice(0, 40)}"`);
          if (q === 92 /* \ */) {
            value += text.slice(start, pos) + text[pos + 1];
            pos += 2;
            start = pos;
          } else if (q === 34) {
            value += text.slice(start, pos);
            pos++;
            break;
          } else pos++;
        }
        out.push(decode ? decode(value) : value);
      } else {
        const start = pos;
        while (pos < text.length) {
          const q = text.charCodeAt(pos);
          if (q === 44 /* , */ || q === 125 /* } */) break;
          pos++;
        }
        const raw = text.slice(start, pos).trim();
        if (raw.length === 4 && raw.toUpperCase() === 'NULL') out.push(null);
        else out.push(decode ? decode(raw) : raw);
      }
      const sep = text.charCodeAt(pos);
      pos++;
      if (sep === 125) return out;
      if (sep !== 44) throw new Error(`"${text.slice(0, 40)}" is not a PostgreSQL array`);
    }
  };
  return parseLevel();
}
