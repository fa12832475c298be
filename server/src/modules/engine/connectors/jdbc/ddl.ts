/**
 * Target tables for the Jdbc sink: row-model types → PostgreSQL / MySQL column types, and the
 * CREATE TABLE statements the save modes run. docs/type-mapping.md documents this mapping table
 * by table; ddl.test.ts checks every row of that document against columnType().
 *
 * Rules, in order:
 * 1. Same database kind as the source (field.sourceDialect equals the target's): the source's
 *    declared type verbatim (varchar(64), jsonb, bigint unsigned, datetime(6) ...), so same-database
 *    copies are faithful. PostgreSQL types the target server does not know (a user-defined enum,
 *    a domain, an extension's type) fall through to the rules below.
 * 2. Source-type hints that the row type alone cannot tell (json, uuid, enum, the text kinds,
 *    bigint unsigned, unconstrained numeric).
 * 3. The row type.
 */
import type { DataType, Field } from '../../row.js';
import type { Dialect } from './connection.js';
import { isNativePgArray } from './write-values.js';

export type FieldIde = 'ORIGINAL' | 'UPPERCASE' | 'LOWERCASE';
export const FIELD_IDE_VALUES: readonly FieldIde[] = ['ORIGINAL', 'UPPERCASE', 'LOWERCASE'];

/** field_ide applied to a table or column name. */
export function applyFieldIde(name: string, ide: FieldIde): string {
  if (ide === 'UPPERCASE') return name.toUpperCase();
  if (ide === 'LOWERCASE') return name.toLowerCase();
  return name;
}

/** Every kind a DataType can have (the type-mapping document has a row for each). */
export const DATA_TYPE_KINDS: readonly DataType['kind'][] = [
  'string',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
  'decimal',
  'bytes',
  'date',
  'time',
  'timestamp',
  'timestamp_tz',
  'null',
  'array',
  'map',
  'row',
];

/** PostgreSQL's varchar limit (characters). */
const PG_MAX_VARCHAR = 10_485_760;
/** MySQL's varchar limit in utf8mb4 characters (65,535 bytes / 4). */
const MYSQL_MAX_VARCHAR = 16_383;
/** InnoDB's index key limit in bytes, shared by the key's columns; utf8mb4 takes 4 bytes a character. */
const MYSQL_KEY_BYTES = 3072;

export interface ColumnTypeContext {
  /** Whether a same-dialect source type can be used verbatim (PostgreSQL: the target server knows it). */
  verbatim?: (sourceType: string) => boolean;
  /** The column belongs to the primary key (MySQL needs bounded types for indexed text and bytes). */
  key?: boolean;
  /** How many text/bytes columns share the key (they split InnoDB's key length). */
  keyTextColumns?: number;
}

/** The target column type for a field. */
export function columnType(field: Field, dialect: Dialect, context: ColumnTypeContext = {}): string {
  const source = field.sourceType?.trim();
  if (source && field.sourceDialect === dialect && (context.verbatim?.(source) ?? true)) return source;
  const hinted = source ? hintedType(source, field, dialect) : undefined;
  if (hinted) return hinted;
  return dialect === 'postgresql' ? pgType(field.type, field.length) : mysqlType(field, context);
}

function hintedType(sourceType: string, field: Field, dialect: Dialect): string | undefined {
  const text = sourceType.toLowerCase().replace(/\s+/g, ' ').trim();
  const base = text.replace(/\(.*?\)/g, '').trim();
  if (base === 'json' || base === 'jsonb') return dialect === 'postgresql' ? 'jsonb' : 'json';
  if (base === 'uuid') return dialect === 'postgresql' ? 'uuid' : 'char(36)';
  if (dialect === 'postgresql') {
    if (/^bigint\b.*\bunsigned\b/.test(base)) return 'numeric(20,0)';
    if (/^(tiny|medium|long)?text\b/.test(base)) return 'text';
    if (/^(enum|set)\b/.test(base))
      return field.length && field.type.kind === 'string' ? `varchar(${field.length})` : 'text';
    return undefined;
  }
  if (/^(numeric|decimal)$/.test(base) && !text.includes('(')) return 'decimal(65,30)';
  return undefined;
}

function pgType(type: DataType, length?: number): string {
  switch (type.kind) {
    case 'string':
      return length && length > 0 && length <= PG_MAX_VARCHAR ? `varchar(${length})` : 'text';
    case 'boolean':
      return 'boolean';
    case 'tinyint':
    case 'smallint':
      return 'smallint';
    case 'int':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'real';
    case 'double':
      return 'double precision';
    case 'decimal':
      return `numeric(${Math.min(type.precision, 1000)},${Math.min(type.scale, type.precision, 1000)})`;
    case 'bytes':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamp_tz':
      return 'timestamptz';
    case 'null':
      return 'text';
    case 'array': {
      if (!isNativePgArray(type)) return 'jsonb';
      let element = type.element;
      while (element.kind === 'array') element = element.element;
      return `${pgType(element)}[]`;
    }
    case 'map':
    case 'row':
      return 'jsonb';
  }
}

function mysqlType(field: Field, context: ColumnTypeContext): string {
  const { type, length } = field;
  const keyBudget = Math.floor(MYSQL_KEY_BYTES / 4 / Math.max(1, context.keyTextColumns ?? 1));
  switch (type.kind) {
    case 'string':
      if (context.key) return `varchar(${Math.min(length && length > 0 ? length : keyBudget, keyBudget)})`;
      return length && length > 0 && length <= MYSQL_MAX_VARCHAR ? `varchar(${length})` : 'longtext';
    case 'boolean':
      return 'tinyint(1)';
    case 'tinyint':
      return 'tinyint';
    case 'smallint':
      return 'smallint';
    case 'int':
      return 'int';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'float';
    case 'double':
      return 'double';
    case 'decimal': {
      const scale = Math.min(type.scale, 30);
      return type.precision <= 65 && type.scale <= 30 ? `decimal(${type.precision},${scale})` : `decimal(65,${scale})`;
    }
    case 'bytes':
      if (context.key) return `varbinary(${Math.min(length && length > 0 ? length : keyBudget * 4, keyBudget * 4)})`;
      return 'longblob';
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'timestamp':
    case 'timestamp_tz':
      return 'datetime(6)';
    case 'null':
      return 'text';
    case 'array':
    case 'map':
    case 'row':
      return 'json';
  }
}

export interface ColumnDefinition {
  /** Target column name (field_ide applied). */
  name: string;
  type: string;
  nullable: boolean;
  comment?: string;
  /** True when the type came from the mapping (not verbatim): MySQL may widen it to fit the row size. */
  mapped: boolean;
}

/**
 * Column definitions for the fields. Primary-key columns are NOT NULL; columns of any index
 * (primary or unique key) get bounded types on MySQL, whose indexes cannot hold TEXT or BLOB.
 */
export function columnDefinitions(
  fields: readonly Field[],
  names: readonly string[],
  dialect: Dialect,
  primaryKey: readonly string[],
  uniqueKeys: readonly (readonly string[])[] = [],
  verbatim?: (sourceType: string) => boolean,
): ColumnDefinition[] {
  const indexes = [primaryKey, ...uniqueKeys].filter((k) => k.length > 0);
  const isText = (name: string) => {
    const kind = fields.find((f) => f.name === name)?.type.kind;
    return kind === 'string' || kind === 'bytes';
  };
  const columns = fields.map((field, i): ColumnDefinition => {
    const containing = indexes.filter((k) => k.includes(field.name));
    const keyTextColumns = Math.max(1, ...containing.map((k) => k.filter(isText).length));
    const source = field.sourceType?.trim();
    const isVerbatim = !!source && field.sourceDialect === dialect && (verbatim?.(source) ?? true);
    return {
      name: names[i]!,
      type: columnType(field, dialect, { verbatim, key: containing.length > 0, keyTextColumns }),
      nullable: primaryKey.includes(field.name) ? false : field.nullable,
      comment: field.comment,
      mapped: !isVerbatim,
    };
  });
  if (dialect === 'mysql') fitMysqlRowSize(columns);
  return columns;
}

/** InnoDB rows hold at most 65,535 bytes of inline columns: widen the largest mapped varchars to text until they fit. */
function fitMysqlRowSize(columns: ColumnDefinition[]): void {
  const LIMIT = 65_000;
  const varcharBytes = (c: ColumnDefinition) => {
    const m = /^varchar\((\d+)\)$/.exec(c.type);
    return m ? Number(m[1]) * 4 + 2 : 0;
  };
  let total = columns.reduce((sum, c) => sum + (varcharBytes(c) || 16), 0);
  const candidates = columns
    .filter((c) => c.mapped && varcharBytes(c) > 0)
    .sort((a, b) => varcharBytes(b) - varcharBytes(a));
  for (const column of candidates) {
    if (total <= LIMIT) break;
    total -= varcharBytes(column) - 16;
    column.type = 'mediumtext';
  }
}

function quote(dialect: Dialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
}

function sqlString(dialect: Dialect, text: string): string {
  const body = text.replaceAll("'", "''");
  return dialect === 'mysql' ? `'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/**
 * CREATE TABLE (and PostgreSQL's COMMENT ON statements) for a target. `table` is the quoted,
 * qualified name; `primaryKey` and `uniqueKeys` hold target column names. `mysqlCharset` adds
 * DEFAULT CHARSET=utf8mb4 (for a database whose default character set is another).
 */
export function createTableStatements(
  dialect: Dialect,
  table: string,
  columns: readonly ColumnDefinition[],
  primaryKey: readonly string[],
  uniqueKeys: readonly (readonly string[])[] = [],
  options: { mysqlCharset?: boolean } = {},
): string[] {
  const lines = columns.map((c) => {
    let line = `  ${quote(dialect, c.name)} ${c.type}${c.nullable ? ' NULL' : ' NOT NULL'}`;
    if (dialect === 'mysql' && c.comment) line += ` COMMENT ${sqlString(dialect, c.comment)}`;
    return line;
  });
  if (primaryKey.length) lines.push(`  PRIMARY KEY (${primaryKey.map((k) => quote(dialect, k)).join(', ')})`);
  for (const unique of uniqueKeys) {
    if (unique.length) lines.push(`  UNIQUE (${unique.map((k) => quote(dialect, k)).join(', ')})`);
  }
  const body = `CREATE TABLE ${table} (\n${lines.join(',\n')}\n)`;
  // MySQL: utf8mb4 (4-byte UTF-8). Without the clause the table takes the database's collation.
  if (dialect === 'mysql') return [`${body} ENGINE=InnoDB${options.mysqlCharset ? ' DEFAULT CHARSET=utf8mb4' : ''}`];
  const comments = columns
    .filter((c) => c.comment)
    .map((c) => `COMMENT ON COLUMN ${table}.${quote(dialect, c.name)} IS ${sqlString(dialect, c.comment!)}`);
  return [body, ...comments];
}
