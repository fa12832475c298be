/**
 * Assert sink: checks what reaches it against `rules` (assert-rules.ts) and fails the job with
 * ASSERTION_FAILED when a rule does not hold, naming the rule, the table, the field, the row
 * number and the offending value. Field rules are checked on every row as it arrives, row counts
 * and `table-names` at the end, catalog rules (schema, keys) when the sink opens.
 * Without `tables_configs` every rule applies to every table the sink receives, each table
 * counted on its own. A field rule naming a field the table does not have fails the job when the
 * sink opens, as SeaTunnel fails on the first row ("Field name ... not found in row type").
 */
import type { PluginContext, PluginOptions, Sink } from '../plugin.js';
import {
  formatDataType,
  parseTablePath,
  tablePathText,
  valueText,
  type DataType,
  type RowBatch,
  type TableSchema,
  type Value,
} from '../row.js';
import {
  parseAssertRules,
  type AssertRules,
  type CatalogRule,
  type RowRule,
  type TableRules,
  type ValueRule,
} from './assert-rules.js';
import { convertOption } from './fake-schema.js';

/** A rule of the Assert sink did not hold. The runner reports it with code ASSERTION_FAILED. */
export class AssertionFailedError extends Error {
  readonly code = 'ASSERTION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'AssertionFailedError';
  }
}

interface CompiledValueRule {
  rule: ValueRule;
  /** equals_to converted to the column type. */
  expected?: Value;
}

interface CompiledFieldRule {
  index: number;
  name: string;
  type: DataType;
  rules: CompiledValueRule[];
}

interface TableState {
  name: string;
  rowRules: RowRule[];
  fieldRules: CompiledFieldRule[];
  rows: number;
}

export class AssertSink implements Sink {
  private readonly rules: AssertRules;
  private states: TableState[] = [];
  private prefix = (_table: TableState) => 'Assert: ';

  constructor(private readonly options: PluginOptions) {
    this.rules = parseAssertRules(options);
  }

  open(tables: TableSchema[], context: PluginContext): Promise<void> {
    if (this.rules.ignored.length > 0) {
      context.log(
        'warn',
        `rules: ${this.rules.ignored.join(', ')} is not a rule and checks nothing (SeaTunnel ignores it too)`,
      );
    }
    const names = tables.map((t, i) => tablePathText(t.path) || `table ${i}`);
    if (tables.length > 1) this.prefix = (table) => `Assert: table ${table.name}: `;
    const byTable = new Map<number, TableRules>();
    for (const entry of this.rules.byTable) {
      const wanted = normaliseTableName(entry.table);
      const index = names.findIndex((n) => normaliseTableName(n) === wanted);
      if (index < 0) {
        throw new AssertionFailedError(
          `Assert: ${entry.path}.table_path "${entry.table}" is not among the tables received (${names.join(', ')})`,
        );
      }
      byTable.set(index, entry.rules);
    }
    this.states = tables.map((table, i) => {
      const rules = this.rules.all ?? byTable.get(i);
      const state: TableState = { name: names[i]!, rowRules: rules?.rowRules ?? [], fieldRules: [], rows: 0 };
      if (!rules) return state;
      if (rules.catalog) this.checkCatalog(rules.catalog, table, state, context);
      state.fieldRules = rules.fieldRules.flatMap((fieldRule) => {
        const index = table.fields.findIndex((f) => f.name === fieldRule.field);
        if (index < 0) {
          throw new AssertionFailedError(
            `${this.prefix(state)}${fieldRule.path}.field_name "${fieldRule.field}" failed: ${state.name} has no such field (fields: ${table.fields.map((f) => f.name).join(', ')})`,
          );
        }
        const field = table.fields[index]!;
        if (fieldRule.type && !typeMatches(field.type, fieldRule.type)) {
          throw new AssertionFailedError(
            `${this.prefix(state)}field "${field.name}" rule field_type ${fieldRule.typeText} failed: the field is ${formatDataType(field.type)}`,
          );
        }
        const compiled: CompiledFieldRule = {
          index,
          name: field.name,
          type: field.type,
          rules: fieldRule.rules.map((rule) =>
            rule.equalsTo === undefined
              ? { rule }
              : { rule, expected: convertOption(this.options, `${rule.path}.equals_to`, rule.equalsTo, field.type) },
          ),
        };
        return [compiled];
      });
      return state;
    });
    return Promise.resolve();
  }

  write(batch: RowBatch): Promise<void> {
    const state = this.states[batch.table];
    if (!state) return Promise.reject(new Error(`Assert: batch for table ${batch.table}, which was not opened`));
    const rules = state.fieldRules;
    if (rules.length === 0) {
      state.rows += batch.rows.length;
      return Promise.resolve();
    }
    for (const row of batch.rows) {
      state.rows++;
      for (const fieldRule of rules) {
        const value = row[fieldRule.index] ?? null;
        for (const compiled of fieldRule.rules) {
          if (!passes(compiled, value, fieldRule.type)) {
            return Promise.reject(
              new AssertionFailedError(
                `${this.prefix(state)}field "${fieldRule.name}" rule ${ruleText(compiled)} failed: row ${state.rows} has ${shown(value)}`,
              ),
            );
          }
        }
      }
    }
    return Promise.resolve();
  }

  finish(): Promise<void> {
    for (const state of this.states) {
      for (const rule of state.rowRules) {
        const ok = rule.type === 'MAX_ROW' ? state.rows <= rule.value : state.rows >= rule.value;
        if (!ok) {
          return Promise.reject(
            new AssertionFailedError(`${this.prefix(state)}rule ${rule.type} ${rule.value} failed: ${state.rows} rows`),
          );
        }
      }
    }
    const expected = this.rules.tableNames;
    if (expected) {
      const got = this.states.filter((s) => s.rows > 0).map((s) => normaliseTableName(s.name));
      const want = expected.map(normaliseTableName);
      const same = new Set(got).size === new Set(want).size && want.every((w) => got.includes(w));
      if (!same) {
        return Promise.reject(
          new AssertionFailedError(
            `Assert: rule table-names failed: rows came from [${got.join(', ')}], expected [${want.join(', ')}]`,
          ),
        );
      }
    }
    return Promise.resolve();
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  private checkCatalog(rule: CatalogRule, table: TableSchema, state: TableState, context: PluginContext): void {
    const fail = (what: string, detail: string): never => {
      throw new AssertionFailedError(`${this.prefix(state)}catalog_table_rule ${what} failed: ${detail}`);
    };
    if (rule.tableIdentifier) {
      const want = normaliseTableName(rule.tableIdentifier.table);
      if (want !== normaliseTableName(state.name))
        fail('table_identifier_rule', `the table is ${state.name}, expected ${want}`);
    }
    if (rule.primaryKey) {
      const actual = table.primaryKey ?? [];
      if (actual.length === 0) fail('primary_key_rule', 'the table has no primary key');
      if (rule.primaryKey.columns.length > 0 && !sameCollection(actual, rule.primaryKey.columns)) {
        fail(
          'primary_key_rule',
          `the primary key is (${actual.join(', ')}), expected (${rule.primaryKey.columns.join(', ')})`,
        );
      }
      if (rule.primaryKey.name !== undefined) {
        context.log('info', `primary_key_name "${rule.primaryKey.name}" is not checked: key names are not kept`);
      }
    }
    if (rule.constraintKeys) {
      const actual = table.uniqueKeys ?? [];
      const unique = rule.constraintKeys.filter((k) => k.type === 'UNIQUE_KEY');
      const others = rule.constraintKeys.filter((k) => k.type !== 'UNIQUE_KEY');
      if (others.length > 0) {
        context.log(
          'info',
          `constraint_key_rule: ${others.map((k) => k.type).join(', ')} keys are not checked, only UNIQUE_KEY`,
        );
      }
      if (unique.length > 0 || others.length === 0) {
        if (actual.length === 0) fail('constraint_key_rule', 'the table has no unique key');
        const key = (columns: string[]) => columns.join('\u0000');
        if (
          !sameCollection(
            actual.map(key),
            unique.map((k) => key(k.columns)),
          )
        ) {
          const text = (keys: string[][]) => keys.map((k) => `(${k.join(', ')})`).join(', ') || 'none';
          fail(
            'constraint_key_rule',
            `the unique keys are ${text(actual)}, expected ${text(unique.map((k) => k.columns))}`,
          );
        }
      }
    }
    if (rule.columns) {
      const columns = rule.columns;
      const describe = (name: string, type: string) => `${name}<${type}>`;
      const actualText = table.fields.map((f) => describe(f.name, formatDataType(f.type))).join(', ');
      const expectedText = columns.map((c) => describe(c.name, formatDataType(c.type))).join(', ');
      const remaining = [...table.fields];
      const matched = columns.every((c) => {
        const at = remaining.findIndex(
          (f) =>
            f.name === c.name &&
            typeMatches(f.type, c.type, true) &&
            (c.nullable === undefined || c.nullable === f.nullable) &&
            (c.comment === undefined || c.comment === (f.comment ?? '')),
        );
        if (at < 0) return false;
        remaining.splice(at, 1);
        return true;
      });
      if (!matched || remaining.length > 0)
        fail('column_rule', `the columns are ${actualText}, expected ${expectedText}`);
    }
  }
}

/** "db.t" and `"db"."t"` name the same table. */
function normaliseTableName(name: string): string {
  try {
    return tablePathText(parseTablePath(name));
  } catch {
    return name;
  }
}

function sameCollection(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const rest = [...b];
  return a.every((x) => {
    const at = rest.indexOf(x);
    if (at < 0) return false;
    rest.splice(at, 1);
    return true;
  });
}

/**
 * Whether a field of type `actual` satisfies `expected`. Decimals pass with the same scale and
 * no more precision (as SeaTunnel checks a value's precision), unless `exact`.
 */
export function typeMatches(actual: DataType, expected: DataType, exact = false): boolean {
  if (expected.kind === 'decimal') {
    return (
      actual.kind === 'decimal' &&
      actual.scale === expected.scale &&
      (exact ? actual.precision === expected.precision : actual.precision <= expected.precision)
    );
  }
  if (expected.kind === 'array') return actual.kind === 'array' && typeMatches(actual.element, expected.element, exact);
  if (expected.kind === 'map') {
    return (
      actual.kind === 'map' &&
      typeMatches(actual.key, expected.key, exact) &&
      typeMatches(actual.value, expected.value, exact)
    );
  }
  if (expected.kind === 'row') {
    return (
      actual.kind === 'row' &&
      actual.fields.length === expected.fields.length &&
      actual.fields.every(
        (f, i) => f.name === expected.fields[i]!.name && typeMatches(f.type, expected.fields[i]!.type, exact),
      )
    );
  }
  return actual.kind === expected.kind;
}

function passes(compiled: CompiledValueRule, value: Value, type: DataType): boolean {
  const { rule } = compiled;
  if (rule.type && !passesType(rule, value, type)) return false;
  // As in SeaTunnel, equals_to is not checked on null values.
  if (compiled.expected !== undefined && value !== null) return sameValue(value, compiled.expected, type);
  return true;
}

function passesType(rule: ValueRule, value: Value, type: DataType): boolean {
  switch (rule.type) {
    case undefined:
      return true;
    case 'NULL':
      return value === null;
    case 'NOT_NULL':
      return value !== null;
    case 'MIN':
    case 'MAX': {
      const n = numeric(value, type);
      if (n === undefined) return false;
      return rule.type === 'MIN' ? n >= rule.value! : n <= rule.value!;
    }
    case 'MIN_LENGTH':
    case 'MAX_LENGTH': {
      const length = value === null ? 0 : typeof value === 'string' ? value.length : valueText(value).length;
      return rule.type === 'MIN_LENGTH' ? length >= rule.value! : length <= rule.value!;
    }
  }
}

/** A value as a number for MIN/MAX, or undefined when it is not numeric. */
function numeric(value: Value, type: DataType): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && type.kind === 'decimal') return Number(value);
  return undefined;
}

/** equals_to comparison by meaning: floats at float precision, decimals by value, maps by key. */
function sameValue(actual: Value, expected: Value, type: DataType): boolean {
  if (actual === null || expected === null) return actual === expected;
  switch (type.kind) {
    case 'float':
      return (
        typeof actual === 'number' && typeof expected === 'number' && Math.fround(actual) === Math.fround(expected)
      );
    case 'decimal':
      return (
        typeof actual === 'string' &&
        typeof expected === 'string' &&
        canonicalDecimal(actual) === canonicalDecimal(expected)
      );
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
      return (
        typeof actual === 'string' && typeof expected === 'string' && trimFraction(actual) === trimFraction(expected)
      );
    case 'bytes':
      return Buffer.isBuffer(actual) && Buffer.isBuffer(expected) && actual.equals(expected);
    case 'array':
      return (
        Array.isArray(actual) &&
        Array.isArray(expected) &&
        actual.length === expected.length &&
        actual.every((v, i) => sameValue(v, expected[i]!, type.element))
      );
    case 'row':
      return (
        Array.isArray(actual) &&
        Array.isArray(expected) &&
        actual.length === expected.length &&
        actual.every((v, i) => sameValue(v, expected[i]!, type.fields[i]?.type ?? { kind: 'string' }))
      );
    case 'map': {
      if (!(actual instanceof Map) || !(expected instanceof Map) || actual.size !== expected.size) return false;
      const entries = [...actual.entries()];
      return [...expected.entries()].every(([key, want]) => {
        const found = entries.find(([k]) => sameValue(k, key, type.key));
        return found !== undefined && sameValue(found[1], want, type.value);
      });
    }
    case 'null':
    case 'string':
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'double':
    case 'date':
      return actual === expected;
  }
}

function canonicalDecimal(text: string): string {
  const negative = text.startsWith('-');
  let [whole = '', fraction = ''] = text.replace(/^[+-]/, '').split('.');
  whole = whole.replace(/^0+/, '') || '0';
  fraction = fraction.replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return negative && body !== '0' ? `-${body}` : body;
}

function trimFraction(text: string): string {
  return text.replace(/\.(\d*?)0+(?=$|[+-])/, (_m, digits: string) => (digits ? `.${digits}` : ''));
}

function ruleText(compiled: CompiledValueRule): string {
  const { rule } = compiled;
  const parts: string[] = [];
  if (rule.type) parts.push(rule.value === undefined ? rule.type : `${rule.type} ${rule.value}`);
  if (compiled.expected !== undefined) parts.push(`equals_to ${shown(compiled.expected)}`);
  return parts.join(' and ');
}

function shown(value: Value): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : valueText(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
