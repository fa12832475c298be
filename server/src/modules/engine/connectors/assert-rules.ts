/**
 * The Assert sink's `rules` block, read as SeaTunnel reads it:
 * `row_rules` (MAX_ROW / MIN_ROW), `field_rules` (field_name, field_type, field_value = [{ rule_type,
 * rule_value } | { equals_to }]), `catalog_table_rule` (primary_key_rule, constraint_key_rule,
 * column_rule, table_identifier_rule), `table-names`, and the per-table form
 * `tables_configs = [{ table_path, row_rules, field_rules, catalog_table_rule }]`.
 * Other keys are ignored, as SeaTunnel ignores them (a misspelled `rule_ruls` checks nothing).
 */
import { isConfigObject, type ConfigObject, type ConfigValue } from '../../job-config/index.js';
import type { PluginOptions } from '../plugin.js';
import { DataTypeSyntaxError, parseDataType, type DataType, type Field } from '../row.js';

export type RowRuleType = 'MAX_ROW' | 'MIN_ROW';
export type ValueRuleType = 'NULL' | 'NOT_NULL' | 'MIN' | 'MAX' | 'MIN_LENGTH' | 'MAX_LENGTH';
const RULE_TYPES = ['NULL', 'NOT_NULL', 'MIN', 'MAX', 'MIN_LENGTH', 'MAX_LENGTH', 'MIN_ROW', 'MAX_ROW'] as const;

export interface RowRule {
  type: RowRuleType;
  value: number;
}

export interface ValueRule {
  type?: ValueRuleType;
  value?: number;
  /** The expected value as written; converted to the column type when the sink opens. */
  equalsTo?: ConfigValue;
  /** Where the rule is in the config, for error messages. */
  path: string;
}

export interface FieldRule {
  field: string;
  type?: DataType;
  typeText?: string;
  rules: ValueRule[];
  path: string;
}

export interface ColumnRule {
  name: string;
  type: DataType;
  typeText: string;
  nullable?: boolean;
  comment?: string;
}

export interface CatalogRule {
  primaryKey?: { name?: string; columns: string[] };
  constraintKeys?: { name?: string; type: string; columns: string[] }[];
  columns?: ColumnRule[];
  tableIdentifier?: { catalog?: string; table: string };
}

export interface TableRules {
  rowRules: RowRule[];
  fieldRules: FieldRule[];
  catalog?: CatalogRule;
}

export interface AssertRules {
  /** Rules for every table (the plain form); absent with tables_configs. */
  all?: TableRules;
  /** Rules by table path (tables_configs), in config order. */
  byTable: { table: string; rules: TableRules; path: string }[];
  /** `table-names`: the exact set of tables that must receive rows. */
  tableNames?: string[];
  /** Keys of `rules` that SeaTunnel does not read (reported, not checked). */
  ignored: string[];
}

const KNOWN_KEYS = new Set(['row_rules', 'field_rules', 'catalog_table_rule', 'table-names', 'tables_configs']);

export function parseAssertRules(options: PluginOptions): AssertRules {
  const rules = options.object('rules');
  if (!rules) return options.fail('rules', 'is required: rules { row_rules = [...], field_rules = [...] }');
  const result: AssertRules = { byTable: [], ignored: Object.keys(rules).filter((k) => !KNOWN_KEYS.has(k)) };
  const tablesConfigs = options.list('rules.tables_configs');
  if (tablesConfigs) {
    tablesConfigs.forEach((entry, i) => {
      const path = `rules.tables_configs[${i}]`;
      if (!isConfigObject(entry)) return options.fail(path, 'must be an object { table_path = ..., row_rules = ... }');
      const table = options.nested(entry, path).string('table_path');
      if (!table) return options.fail(`${path}.table_path`, 'is required');
      result.byTable.push({ table, rules: parseTableRules(options, entry, path), path });
    });
  } else {
    result.all = parseTableRules(options, rules, 'rules');
  }
  const tableNames = options.stringList('rules.table-names');
  if (tableNames) result.tableNames = tableNames;
  const empty = (r: TableRules) => r.rowRules.length === 0 && r.fieldRules.length === 0 && !r.catalog;
  if ((!result.all || empty(result.all)) && result.byTable.every((t) => empty(t.rules)) && !result.tableNames) {
    options.fail('rules', 'has no rule: add row_rules, field_rules, catalog_table_rule or table-names');
  }
  return result;
}

function parseTableRules(options: PluginOptions, block: ConfigObject, path: string): TableRules {
  const list = (key: string): ConfigObject[] => {
    const value = block[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return options.fail(`${path}.${key}`, 'must be a list');
    return value.map((item, i) =>
      isConfigObject(item) ? item : options.fail(`${path}.${key}[${i}]`, 'must be an object { ... }'),
    );
  };
  const rowRules = list('row_rules').map((r, i) => {
    const where = `${path}.row_rules[${i}]`;
    const type = ruleType(options, r, where);
    if (type !== 'MAX_ROW' && type !== 'MIN_ROW') {
      return options.fail(`${where}.rule_type`, `must be MAX_ROW or MIN_ROW in row_rules, got ${type ?? 'nothing'}`);
    }
    return { type, value: ruleValue(options, r, where, true)! };
  });
  const fieldRules = list('field_rules').map((r, i) => parseFieldRule(options, r, `${path}.field_rules[${i}]`));
  const catalogBlock = block.catalog_table_rule;
  let catalog: CatalogRule | undefined;
  if (catalogBlock !== undefined && catalogBlock !== null) {
    if (!isConfigObject(catalogBlock)) return options.fail(`${path}.catalog_table_rule`, 'must be an object');
    catalog = parseCatalogRule(options, catalogBlock, `${path}.catalog_table_rule`);
  }
  return catalog ? { rowRules, fieldRules, catalog } : { rowRules, fieldRules };
}

function ruleType(options: PluginOptions, rule: ConfigObject, where: string): (typeof RULE_TYPES)[number] | undefined {
  const text = options.nested(rule, where).string('rule_type');
  if (text === undefined) return undefined;
  const found = RULE_TYPES.find((t) => t === text.trim().toUpperCase());
  if (!found) return options.fail(`${where}.rule_type`, `must be one of ${RULE_TYPES.join(', ')}, got "${text}"`);
  return found;
}

function ruleValue(options: PluginOptions, rule: ConfigObject, where: string, required: boolean): number | undefined {
  const value = options.nested(rule, where).number('rule_value');
  if (value === undefined && required) return options.fail(`${where}.rule_value`, 'is required for this rule_type');
  return value;
}

function parseFieldRule(options: PluginOptions, rule: ConfigObject, where: string): FieldRule {
  const field = options.nested(rule, where).string('field_name');
  if (!field) return options.fail(`${where}.field_name`, 'is required');
  const out: FieldRule = { field, rules: [], path: where };
  const typeValue = rule.field_type;
  if (typeValue !== undefined && typeValue !== null) {
    out.type = typeFromConfig(options, typeValue, `${where}.field_type`);
    out.typeText = typeof typeValue === 'string' ? typeValue : JSON.stringify(typeValue);
  }
  const values = rule.field_value;
  if (values !== undefined && values !== null) {
    if (!Array.isArray(values)) return options.fail(`${where}.field_value`, 'must be a list of { rule_type = ... }');
    out.rules = values.map((v, i) => {
      const at = `${where}.field_value[${i}]`;
      if (!isConfigObject(v)) return options.fail(at, 'must be an object { rule_type = ..., rule_value = ... }');
      const type = ruleType(options, v, at);
      if (type === 'MAX_ROW' || type === 'MIN_ROW') {
        return options.fail(`${at}.rule_type`, `${type} is a row rule: put it in row_rules`);
      }
      const needsValue = type === 'MIN' || type === 'MAX' || type === 'MIN_LENGTH' || type === 'MAX_LENGTH';
      const valueRule: ValueRule = { path: at };
      if (type) valueRule.type = type;
      const value = ruleValue(options, v, at, needsValue);
      if (value !== undefined) valueRule.value = value;
      if (v.equals_to !== undefined && v.equals_to !== null) valueRule.equalsTo = v.equals_to;
      return valueRule;
    });
  }
  return out;
}

/** A type written as text ("map<string, int>") or as an object for a row ({ c_int = int }). */
export function typeFromConfig(options: PluginOptions, value: ConfigValue, where: string): DataType {
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
      type: typeFromConfig(options, inner, `${where}.${name}`),
      nullable: true,
    }));
    return { kind: 'row', fields };
  }
  return options.fail(where, `must be a type such as int or "map<string, int>", got ${JSON.stringify(value)}`);
}

function parseCatalogRule(options: PluginOptions, block: ConfigObject, where: string): CatalogRule {
  const rule: CatalogRule = {};
  const pk = block.primary_key_rule;
  if (pk !== undefined && pk !== null) {
    if (!isConfigObject(pk)) return options.fail(`${where}.primary_key_rule`, 'must be an object');
    const pkOptions = options.nested(pk, `${where}.primary_key_rule`);
    const name = pkOptions.string('primary_key_name');
    rule.primaryKey = { columns: pkOptions.stringList('primary_key_columns') ?? [], ...(name ? { name } : {}) };
  }
  const keys = block.constraint_key_rule;
  if (keys !== undefined && keys !== null) {
    if (!Array.isArray(keys)) return options.fail(`${where}.constraint_key_rule`, 'must be a list');
    rule.constraintKeys = keys.map((key, i) => {
      const at = `${where}.constraint_key_rule[${i}]`;
      if (!isConfigObject(key)) return options.fail(at, 'must be an object');
      const keyOptions = options.nested(key, at);
      const columns = (keyOptions.list('constraint_key_columns') ?? []).map((c, j) => {
        const name = isConfigObject(c) ? c.constraint_key_column_name : c;
        if (typeof name !== 'string') {
          return options.fail(`${at}.constraint_key_columns[${j}]`, 'must name a constraint_key_column_name');
        }
        return name;
      });
      const name = keyOptions.string('constraint_key_name');
      return {
        type: keyOptions.string('constraint_key_type', 'UNIQUE_KEY').toUpperCase(),
        columns,
        ...(name ? { name } : {}),
      };
    });
  }
  const columns = block.column_rule;
  if (columns !== undefined && columns !== null) {
    if (!Array.isArray(columns)) return options.fail(`${where}.column_rule`, 'must be a list of { name, type }');
    rule.columns = columns.map((c, i) => {
      const at = `${where}.column_rule[${i}]`;
      if (!isConfigObject(c)) return options.fail(at, 'must be an object { name = ..., type = ... }');
      const col = options.nested(c, at);
      const name = col.string('name');
      if (!name) return options.fail(`${at}.name`, 'is required');
      if (c.type === undefined || c.type === null) return options.fail(`${at}.type`, 'is required');
      const column: ColumnRule = {
        name,
        type: typeFromConfig(options, c.type, `${at}.type`),
        typeText: typeof c.type === 'string' ? c.type : JSON.stringify(c.type),
      };
      const nullable = col.boolean('nullable');
      if (nullable !== undefined) column.nullable = nullable;
      const comment = col.string('comment');
      if (comment !== undefined) column.comment = comment;
      return column;
    });
  }
  const identifier = block.table_identifier_rule;
  if (identifier !== undefined && identifier !== null) {
    if (!isConfigObject(identifier)) return options.fail(`${where}.table_identifier_rule`, 'must be an object');
    const idOptions = options.nested(identifier, `${where}.table_identifier_rule`);
    const table = idOptions.string('table');
    if (!table) return options.fail(`${where}.table_identifier_rule.table`, 'is required');
    const catalog = idOptions.string('catalog_name');
    rule.tableIdentifier = { table, ...(catalog ? { catalog } : {}) };
  }
  return rule;
}
