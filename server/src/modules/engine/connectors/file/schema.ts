/**
 * SeaTunnel's `schema` block for file sources:
 *   schema { table = "db.orders", fields { id = bigint, amount = "decimal(10, 2)", address { city = string } } }
 * or the column form
 *   schema { columns = [{ name = id, type = bigint, nullable = false }], primaryKey { columnNames = [id] } }
 */
import { isConfigObject, isExactNumber, type ConfigObject, type ConfigValue } from '../../../job-config/index.js';
import type { PluginOptions } from '../../plugin.js';
import { parseDataType, parseTablePath, type DataType, type Field, type TablePath } from '../../row.js';

export interface DeclaredSchema {
  fields: Field[];
  table?: TablePath;
  primaryKey?: string[];
}

/** The schema option, or undefined when absent or without fields (`schema {}`). */
export function readSchema(options: PluginOptions, option = 'schema'): DeclaredSchema | undefined {
  const schema = options.object(option);
  if (!schema) return undefined;
  const result: DeclaredSchema = { fields: [] };

  const table = schema.table;
  if (table !== undefined && table !== null) {
    if (typeof table !== 'string' || table.trim() === '') options.fail(`${option}.table`, 'must be a table name');
    try {
      result.table = parseTablePath(table);
    } catch (err) {
      options.fail(`${option}.table`, (err as Error).message);
    }
  }

  const fields = schema.fields;
  const columns = schema.columns;
  if (fields !== undefined && fields !== null) {
    if (!isConfigObject(fields)) options.fail(`${option}.fields`, 'must be an object { name = type, ... }');
    result.fields = fieldsOf(fields, `${option}.fields`, options);
  } else if (columns !== undefined && columns !== null) {
    if (!Array.isArray(columns)) options.fail(`${option}.columns`, 'must be a list of { name, type } objects');
    result.fields = columns.map((column, i) => columnOf(column, `${option}.columns[${i}]`, options));
  }
  const names = new Set<string>();
  for (const f of result.fields) {
    if (names.has(f.name)) options.fail(option, `declares the field "${f.name}" twice`);
    names.add(f.name);
  }

  const pk = schema.primaryKey;
  if (isConfigObject(pk) && Array.isArray(pk.columnNames)) {
    result.primaryKey = pk.columnNames.map(String);
  }
  return result.fields.length === 0 ? undefined : result;
}

function fieldsOf(object: ConfigObject, at: string, options: PluginOptions): Field[] {
  return Object.entries(object).map(([name, value]) => ({
    name,
    type: typeOf(value, `${at}.${name}`, options),
    nullable: true,
  }));
}

function typeOf(value: ConfigValue, at: string, options: PluginOptions): DataType {
  if (typeof value === 'string') {
    try {
      return parseDataType(value);
    } catch (err) {
      return options.fail(at, (err as Error).message);
    }
  }
  if (isConfigObject(value) && !isExactNumber(value)) return { kind: 'row', fields: fieldsOf(value, at, options) };
  return options.fail(
    at,
    'must be a type name such as int, "decimal(10, 2)", "array<string>" or a { field = type } row',
  );
}

function columnOf(column: ConfigValue, at: string, options: PluginOptions): Field {
  if (!isConfigObject(column)) return options.fail(at, 'must be an object { name = ..., type = ... }');
  const name = column.name;
  if (typeof name !== 'string' || name === '') return options.fail(`${at}.name`, 'is required');
  const field: Field = { name, type: typeOf(column.type ?? null, `${at}.type`, options), nullable: true };
  if (column.nullable === false || column.nullable === 'false') field.nullable = false;
  if (typeof column.comment === 'string') field.comment = column.comment;
  const length = column.columnLength;
  if (typeof length === 'number' && Number.isInteger(length) && length > 0) field.length = length;
  return field;
}
