import { describe, expect, it } from 'vitest';
import { parseJobConfig } from '../../job-config/index.js';
import { PluginOptions, type PluginContext } from '../plugin.js';
import { parseDataType, type RowBatch, type TableSchema, type Value } from '../row.js';
import { AssertionFailedError, AssertSink } from './assert-sink.js';

function context(): PluginContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, message) => lines.push(`${level} ${message}`),
    signal: new AbortController().signal,
    parallelism: 1,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'test-job',
  };
}

function assertSink(hocon: string): AssertSink {
  const { config } = parseJobConfig(`source { FakeSource {} }\nsink { Assert { ${hocon} } }`, 'HOCON');
  return new AssertSink(new PluginOptions('Assert', config.sink[0]!.options));
}

const table = (name: string, fields: Record<string, string>, extra: Partial<TableSchema> = {}): TableSchema => ({
  path: { database: 'db', table: name },
  fields: Object.entries(fields).map(([n, t]) => ({ name: n, type: parseDataType(t), nullable: true })),
  ...extra,
});

const people = table('people', { id: 'bigint', name: 'string', score: 'int', price: 'decimal(10, 2)' });

/** Opens the sink on `tables`, writes `batches`, finishes: resolves or rejects as a job would. */
async function run(sink: AssertSink, tables: TableSchema[], batches: RowBatch[]) {
  const ctx = context();
  await sink.open(tables, ctx);
  for (const batch of batches) await sink.write(batch);
  await sink.finish();
  return ctx.lines;
}

const rows = (...values: Value[][]): RowBatch => ({ table: 0, rows: values });

describe('Assert sink', () => {
  it('passes when every row and the row count satisfy the rules', async () => {
    const sink = assertSink(`rules {
      row_rules = [{ rule_type = MIN_ROW, rule_value = 2 }, { rule_type = MAX_ROW, rule_value = 3 }]
      field_rules = [
        { field_name = name, field_type = string, field_value = [{ rule_type = NOT_NULL }, { rule_type = MIN_LENGTH, rule_value = 2 }, { rule_type = MAX_LENGTH, rule_value = 5 }] }
        { field_name = score, field_type = int, field_value = [{ rule_type = MIN, rule_value = 10 }, { rule_type = MAX, rule_value = 100 }] }
        { field_name = id, field_type = long, field_value = [{ rule_type = MAX, rule_value = 3 }] }
        { field_name = price, field_type = "decimal(10, 2)", field_value = [{ rule_type = MIN, rule_value = 0.5 }] }
      ]
    }`);
    await expect(
      run(sink, [people], [rows([1n, 'Ann', 10, '0.50'], [2n, 'Bob', 100, '99.00']), rows([3n, 'Cy', 55, '1.00'])]),
    ).resolves.toBeDefined();
  });

  it('fails on the first row breaking a field rule, naming rule, field, row and value', async () => {
    const sink = assertSink(
      `rules { field_rules = [{ field_name = score, field_type = int, field_value = [{ rule_type = MAX, rule_value = 29 }] }] }`,
    );
    const error = await run(
      sink,
      [people],
      [rows([1n, 'a', 20, '1.00'], [2n, 'b', 29, '1.00']), rows([3n, 'c', 31, '1.00'])],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssertionFailedError);
    expect((error as AssertionFailedError).code).toBe('ASSERTION_FAILED');
    expect((error as Error).message).toBe('Assert: field "score" rule MAX 29 failed: row 3 has 31');
  });

  it('fails NOT_NULL, NULL, MIN_LENGTH and MIN on the values that break them', async () => {
    const failing = async (rule: string, value: Value) => {
      const sink = assertSink(`rules { field_rules = [{ field_name = name, field_value = [${rule}] }] }`);
      const error = await run(sink, [people], [rows([1n, value, 1, '1.00'])]).catch((e: unknown) => e);
      return (error as Error).message;
    };
    expect(await failing('{ rule_type = NOT_NULL }', null)).toBe(
      'Assert: field "name" rule NOT_NULL failed: row 1 has null',
    );
    expect(await failing('{ rule_type = NULL }', 'x')).toBe('Assert: field "name" rule NULL failed: row 1 has "x"');
    expect(await failing('{ rule_type = MIN_LENGTH, rule_value = 4 }', 'abc')).toBe(
      'Assert: field "name" rule MIN_LENGTH 4 failed: row 1 has "abc"',
    );
    // MIN on a value that is not a number fails, as in SeaTunnel.
    expect(await failing('{ rule_type = MIN, rule_value = 1 }', 'abc')).toBe(
      'Assert: field "name" rule MIN 1 failed: row 1 has "abc"',
    );
  });

  it('checks row counts at the end', async () => {
    const max = assertSink(`rules { row_rules = [{ rule_type = MAX_ROW, rule_value = 1 }] }`);
    await expect(run(max, [people], [rows([1n, 'a', 1, '1.00'], [2n, 'b', 1, '1.00'])])).rejects.toThrow(
      'Assert: rule MAX_ROW 1 failed: 2 rows',
    );
    const min = assertSink(`rules { row_rules = [{ rule_type = MIN_ROW, rule_value = 1 }] }`);
    await expect(run(min, [people], [])).rejects.toThrow('Assert: rule MIN_ROW 1 failed: 0 rows');
  });

  it('compares equals_to by meaning: decimals by value, maps by key, rows by field, null values skipped', async () => {
    const t = table('t', { d: 'decimal(10, 2)', m: 'map<string, int>', r: '{a = int, b = string}', f: 'float' });
    const sink = assertSink(`rules { field_rules = [
      { field_name = d, field_value = [{ equals_to = 1.5 }] }
      { field_name = m, field_value = [{ equals_to = { y = 2, x = 1 } }] }
      { field_name = r, field_value = [{ equals_to = [7, "seven"] }] }
      { field_name = f, field_value = [{ equals_to = 0.1 }] }
    ] }`);
    const map = new Map<Value, Value>([
      ['x', 1],
      ['y', 2],
    ]);
    await expect(
      run(sink, [t], [rows(['1.50', map, [7, 'seven'], Math.fround(0.1)], [null, null, null, null])]),
    ).resolves.toBeDefined();
    const wrong = assertSink(
      `rules { field_rules = [{ field_name = r, field_value = [{ equals_to = { a = 7, b = "six" } }] }] }`,
    );
    await expect(run(wrong, [t], [rows(['1.50', map, [7, 'seven'], 0.1])])).rejects.toThrow(
      'Assert: field "r" rule equals_to [7, six] failed: row 1 has [7, seven]',
    );
  });

  it('checks field_type against the column type, nested maps and rows included', async () => {
    const t = table('t', { c_map: 'map<string, {c_int = int, c_row = {c_string = string}}>' });
    const ok = assertSink(
      `rules { field_rules = [{ field_name = c_map, field_type = "map<string, {c_int=int,c_row={c_string=string}}>" }] }`,
    );
    await expect(run(ok, [t], [])).resolves.toBeDefined();
    const wrong = assertSink(`rules { field_rules = [{ field_name = c_map, field_type = "map<string, string>" }] }`);
    await expect(run(wrong, [t], [])).rejects.toThrow(
      'Assert: field "c_map" rule field_type map<string, string> failed: the field is map<string, {c_int=int, c_row={c_string=string}}>',
    );
  });

  it('fails on a rule naming a field the table does not have, listing the fields, before any row', async () => {
    const sink = assertSink(`rules {
      row_rules = [{ rule_type = MAX_ROW, rule_value = 2 }]
      field_rules = [
        { field_name = score, field_value = [{ rule_type = MAX, rule_value = 50 }] }
        { field_name = hobby, field_type = string, field_value = [{ rule_type = NOT_NULL }] }
      ]
    }`);
    await expect(run(sink, [people], [])).rejects.toThrow(
      'Assert: rules.field_rules[1].field_name "hobby" failed: db.people has no such field (fields: id, name, score, price)',
    );
  });

  it('checks catalog_table_rule: table, primary key, unique keys and columns', async () => {
    const t = table(
      'fakeTable',
      { id: 'bigint', name: 'string' },
      { path: { database: 'test', table: 'fakeTable' }, primaryKey: ['id'], uniqueKeys: [['id']] },
    );
    const rule = (inner: string) => assertSink(`rules { catalog_table_rule { ${inner} } }`);
    const columns = `column_rule = [{ name = id, type = bigint }, { name = name, type = string }]`;
    await expect(
      run(
        rule(`table_identifier_rule = { catalog_name = FakeSource, table = "test.fakeTable" }
          primary_key_rule = { primary_key_name = "primary key", primary_key_columns = ["id"] }
          constraint_key_rule = [{ constraint_key_name = u, constraint_key_type = UNIQUE_KEY, constraint_key_columns = [{ constraint_key_column_name = id, constraint_key_sort_type = ASC }] }]
          ${columns}`),
        [t],
        [],
      ),
    ).resolves.toBeDefined();
    await expect(run(rule(`table_identifier_rule = { table = "test.other" }`), [t], [])).rejects.toThrow(
      'Assert: catalog_table_rule table_identifier_rule failed: the table is test.fakeTable, expected test.other',
    );
    await expect(
      run(rule(`primary_key_rule = { primary_key_name = pk, primary_key_columns = ["name"] }`), [t], []),
    ).rejects.toThrow('primary_key_rule failed: the primary key is (id), expected (name)');
    await expect(
      run(rule(`column_rule = [{ name = id, type = int }, { name = name, type = string }]`), [t], []),
    ).rejects.toThrow('column_rule failed: the columns are id<bigint>, name<string>, expected id<int>, name<string>');
    await expect(run(rule(`column_rule = [{ name = id, type = bigint }]`), [t], [])).rejects.toThrow(
      'column_rule failed',
    );
    const noKeys = table('x', { id: 'bigint' });
    await expect(
      run(
        rule(
          `constraint_key_rule = [{ constraint_key_type = UNIQUE_KEY, constraint_key_columns = [{ constraint_key_column_name = id }] }]`,
        ),
        [noKeys],
        [],
      ),
    ).rejects.toThrow('constraint_key_rule failed: the table has no unique key');
  });

  it('applies plain rules to each table on its own, and tables_configs rules to their table only', async () => {
    const t1 = table('t1', { id: 'int' });
    const t2 = table('t2', { id: 'int' });
    const both = assertSink(`rules { row_rules = [{ rule_type = MIN_ROW, rule_value = 2 }] }`);
    await expect(run(both, [t1, t2], [rows([1], [2]), { table: 1, rows: [[1]] }])).rejects.toThrow(
      'Assert: table db.t2: rule MIN_ROW 2 failed: 1 rows',
    );

    const perTable = assertSink(`rules { tables_configs = [
      { table_path = "db.t1", row_rules = [{ rule_type = MAX_ROW, rule_value = 1 }] }
      { table_path = "db.t2", field_rules = [{ field_name = id, field_value = [{ rule_type = MIN, rule_value = 5 }] }] }
    ] }`);
    await expect(run(perTable, [t1, t2], [rows([1]), { table: 1, rows: [[5], [4]] }])).rejects.toThrow(
      'Assert: table db.t2: field "id" rule MIN 5 failed: row 2 has 4',
    );
    const missing = assertSink(
      `rules { tables_configs = [{ table_path = "db.t9", row_rules = [{ rule_type = MAX_ROW, rule_value = 1 }] }] }`,
    );
    await expect(run(missing, [t1, t2], [])).rejects.toThrow(
      'Assert: rules.tables_configs[0].table_path "db.t9" is not among the tables received (db.t1, db.t2)',
    );
  });

  it('checks table-names against the tables that received rows', async () => {
    const t1 = table('t1', { id: 'int' });
    const t2 = table('t2', { id: 'int' });
    const sink = () => assertSink(`rules { table-names = ["db.t1", "db.t2"] }`);
    await expect(run(sink(), [t1, t2], [rows([1]), { table: 1, rows: [[1]] }])).resolves.toBeDefined();
    await expect(run(sink(), [t1, t2], [rows([1])])).rejects.toThrow(
      'Assert: rule table-names failed: rows came from [db.t1], expected [db.t1, db.t2]',
    );
  });

  it('ignores keys SeaTunnel does not read, such as the misspelled rule_ruls, and says so', async () => {
    const sink = assertSink(`rules {
      rule_ruls = [{ rule_type = MAX_ROW, rule_value = 1 }]
      field_rules = [{ field_name = id, field_value = [{ rule_type = NOT_NULL }] }]
    }`);
    const lines = await run(sink, [people], [rows([1n, 'a', 1, '1.00'], [2n, 'b', 2, '2.00'])]);
    expect(lines).toContain('warn rules: rule_ruls is not a rule and checks nothing (SeaTunnel ignores it too)');
  });

  it('rejects rules it cannot read, naming the option', () => {
    expect(() => assertSink(``)).toThrow('Assert: option "rules" is required');
    expect(() => assertSink(`rules { rule_ruls = [] }`)).toThrow('Assert: option "rules" has no rule');
    expect(() => assertSink(`rules { row_rules = [{ rule_type = MAX_ROWS, rule_value = 1 }] }`)).toThrow(
      'option "rules.row_rules[0].rule_type" must be one of NULL, NOT_NULL, MIN, MAX, MIN_LENGTH, MAX_LENGTH, MIN_ROW, MAX_ROW, got "MAX_ROWS"',
    );
    expect(() => assertSink(`rules { row_rules = [{ rule_type = MAX_ROW }] }`)).toThrow(
      'option "rules.row_rules[0].rule_value" is required for this rule_type',
    );
    expect(() => assertSink(`rules { field_rules = [{ field_name = a, field_type = "list<int>" }] }`)).toThrow(
      'option "rules.field_rules[0].field_type" type "list<int>": unknown type "list"',
    );
  });

  it('rejects an equals_to value that does not fit the column when it opens', async () => {
    const sink = assertSink(`rules { field_rules = [{ field_name = score, field_value = [{ equals_to = "many" }] }] }`);
    await expect(run(sink, [people], [])).rejects.toThrow(
      'Assert: option "rules.field_rules[0].field_value[0].equals_to" "many" is not a whole number (int)',
    );
  });
});
