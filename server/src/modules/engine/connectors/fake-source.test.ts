import { describe, expect, it } from 'vitest';
import { parseJobConfig, type ConfigObject } from '../../job-config/index.js';
import { PluginConfigError, PluginOptions, type PluginContext } from '../plugin.js';
import type { RowBatch, RowKind, TableSchema, Value } from '../row.js';
import { FakeSource } from './fake-source.js';

function context(parallelism = 1, signal = new AbortController().signal): PluginContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, message) => lines.push(`${level} ${message}`),
    signal,
    parallelism,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'test-job',
  };
}

/** The options of the first source of a HOCON job, as the runner hands them to the plugin. */
function sourceOptions(hocon: string): PluginOptions {
  const { config } = parseJobConfig(`source { FakeSource { ${hocon} } }\nsink { Console {} }`, 'HOCON');
  return new PluginOptions('FakeSource', config.source[0]!.options);
}

async function readAll(
  options: PluginOptions | ConfigObject,
  parallelism = 1,
): Promise<{ tables: TableSchema[]; batches: RowBatch[][] }> {
  const source = new FakeSource(options instanceof PluginOptions ? options : new PluginOptions('FakeSource', options));
  const ctx = context(parallelism);
  const tables = await source.open(ctx);
  const batches: RowBatch[][] = [];
  for (const reader of source.readers(ctx)) {
    const got: RowBatch[] = [];
    for await (const batch of reader.read()) got.push(batch);
    batches.push(got);
  }
  await source.close();
  return { tables, batches };
}

const rowsOf = (batches: RowBatch[], table = 0): Value[][] =>
  batches.filter((b) => b.table === table).flatMap((b) => b.rows);
const kindsOf = (batches: RowBatch[]): RowKind[] =>
  batches.flatMap((b) => b.kinds ?? b.rows.map(() => 'INSERT' as const));

describe('FakeSource', () => {
  it('declares the schema of `fields`, nested rows included, under SeaTunnel’s default table path', async () => {
    const { tables } = await readAll(
      sourceOptions(`schema { fields {
        c_map = "map<string, array<int>>", c_decimal = "decimal(30, 8)", c_null = "null"
        c_row = { c_int = int, c_inner = { c_date = date } }
      } }`),
    );
    expect(tables).toHaveLength(1);
    expect(tables[0]!.path).toEqual({ database: 'default', schema: 'default', table: 'default' });
    expect(tables[0]!.fields.map((f) => [f.name, f.type])).toEqual([
      ['c_map', { kind: 'map', key: { kind: 'string' }, value: { kind: 'array', element: { kind: 'int' } } }],
      ['c_decimal', { kind: 'decimal', precision: 30, scale: 8 }],
      ['c_null', { kind: 'null' }],
      [
        'c_row',
        {
          kind: 'row',
          fields: [
            { name: 'c_int', type: { kind: 'int' }, nullable: true },
            {
              name: 'c_inner',
              type: { kind: 'row', fields: [{ name: 'c_date', type: { kind: 'date' }, nullable: true }] },
              nullable: true,
            },
          ],
        },
      ],
    ]);
    expect(tables[0]!.estimatedRows).toBe(5);
  });

  it('generates row.num rows per reader, every value of its column type and within the type range', async () => {
    const { batches } = await readAll(
      sourceOptions(`row.num = 300, string.length = 7, bytes.length = 3, array.size = 2, map.size = 3
        schema { fields {
          c_string = string, c_boolean = boolean, c_tinyint = tinyint, c_smallint = smallint, c_int = int,
          c_bigint = bigint, c_float = float, c_double = double, c_decimal = "decimal(6, 2)", c_bytes = bytes,
          c_date = date, c_time = time, c_timestamp = timestamp, c_tz = timestamp_tz, c_null = "null",
          c_array = "array<tinyint>", c_map = "map<int, string>", c_row = { a = smallint, b = string }
        } }`),
    );
    const rows = rowsOf(batches[0]!);
    expect(rows).toHaveLength(300);
    const year = new Date().getFullYear();
    for (const row of rows) {
      const [s, b, ti, si, i, bi, f, d, dec, bytes, date, time, ts, tz, nul, arr, map, sub] = row;
      expect(s).toMatch(/^[A-Za-z]{7}$/);
      expect(typeof b).toBe('boolean');
      expect(Number.isInteger(ti) && (ti as number) >= 0 && (ti as number) <= 127).toBe(true);
      expect(Number.isInteger(si) && (si as number) >= 0 && (si as number) <= 32767).toBe(true);
      expect(Number.isInteger(i) && (i as number) >= 0 && (i as number) <= 2147483647).toBe(true);
      expect(typeof bi).toBe('bigint');
      expect((bi as bigint) >= 0n && (bi as bigint) <= 2n ** 63n - 1n).toBe(true);
      expect(Math.fround(f as number)).toBe(f);
      expect(typeof d).toBe('number');
      expect(dec).toMatch(/^\d{1,4}\.\d{2}$/);
      expect(Buffer.isBuffer(bytes) && bytes.length === 3).toBe(true);
      expect(date).toMatch(new RegExp(`^${year}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])$`));
      expect(time).toMatch(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/);
      expect(ts).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(tz).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00$/);
      expect(nul).toBeNull();
      expect(arr).toHaveLength(2);
      expect(map).toBeInstanceOf(Map);
      expect((map as Map<Value, Value>).size).toBeGreaterThan(0);
      expect((map as Map<Value, Value>).size).toBeLessThanOrEqual(3);
      expect(sub).toHaveLength(2);
    }
    // Random, not constant.
    expect(new Set(rows.map((r) => r[4])).size).toBeGreaterThan(250);
  });

  it('keeps values within configured ranges (upper bound excluded, as SeaTunnel) and picks from templates', async () => {
    const { batches } = await readAll(
      sourceOptions(`row.num = 500
        tinyint.min = -5, tinyint.max = 5, smallint.min = 10, smallint.max = 19, int.min = 20, int.max = 29
        bigint.min = 9007199254740993, bigint.max = 9007199254741000, float.min = 40.0, float.max = 43.0
        double.min = -1.5, double.max = 1.5
        string.fake.mode = "template", string.template = ["ab", "cd"]
        date.year.template = [1999, 2024], date.month.template = [2], time.hour.template = [7]
        schema { fields { a = tinyint, b = smallint, c = int, d = bigint, e = float, f = double, g = string, h = timestamp } }`),
    );
    const rows = rowsOf(batches[0]!);
    const column = (i: number) => rows.map((r) => r[i]);
    expect(Math.min(...(column(0) as number[]))).toBe(-5);
    expect(Math.max(...(column(0) as number[]))).toBe(4);
    expect(new Set(column(1))).toEqual(new Set([10, 11, 12, 13, 14, 15, 16, 17, 18]));
    expect((column(2) as number[]).every((v) => v >= 20 && v < 29)).toBe(true);
    expect((column(3) as bigint[]).every((v) => v >= 9007199254740993n && v < 9007199254741000n)).toBe(true);
    expect((column(4) as number[]).every((v) => v >= 40 && v <= 43)).toBe(true);
    expect((column(5) as number[]).every((v) => v >= -1.5 && v < 1.5)).toBe(true);
    expect(new Set(column(6))).toEqual(new Set(['ab', 'cd']));
    expect((column(7) as string[]).every((v) => /^(1999|2024)-02-\d{2} 07:/.test(v))).toBe(true);
  });

  it('emits explicit rows with their kinds, converted exactly to the column types', async () => {
    const { batches } = await readAll(
      sourceOptions(`schema { fields {
          id = bigint, price = "decimal(20, 4)", tags = "map<string, int>", pos = { x = int, y = double }
          at = timestamp, day = date, raw = bytes, list = "array<string>"
        } }
        rows = [
          { kind = INSERT, fields = [9223372036854775807, 12.5, { a = 1, b = "2" }, [3, 4.5], "2024-02-29T10:11:12.5", "2024/3/1", "aGk=", ["x", null]] }
          { kind = UPDATE_BEFORE, fields = ["-7", "0.00005", {}, { y = 1, x = 2 }, "2024-01-01 00:00:00", "20240102", null, []] }
          { kind = delete, fields = { id = 1, price = "123456789.99999" } }
        ]`),
    );
    const rows = rowsOf(batches[0]!);
    expect(rows).toEqual([
      [
        9223372036854775807n,
        '12.5000',
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        [3, 4.5],
        '2024-02-29 10:11:12.5',
        '2024-03-01',
        Buffer.from('hi'),
        ['x', null],
      ],
      [-7n, '0.0001', new Map(), [2, 1], '2024-01-01 00:00:00', '2024-01-02', null, []],
      [1n, '123456790.0000', null, null, null, null, null, null],
    ]);
    expect(kindsOf(batches[0]!)).toEqual(['INSERT', 'UPDATE_BEFORE', 'DELETE']);
  });

  it('names the option, row and field of a value that does not fit its column', () => {
    const make = (hocon: string) => () => new FakeSource(sourceOptions(hocon));
    expect(make(`schema { fields { a = int, b = tinyint } }, rows = [{ fields = [1, 300] }]`)).toThrow(
      'FakeSource: option "rows[0].fields[1]" 300 is not within the tinyint range -128..127',
    );
    expect(make(`schema { fields { a = int } }, rows = [{ fields = [1, 2] }]`)).toThrow(
      'option "rows[0].fields" has 2 values for 1 fields (a)',
    );
    expect(make(`schema { fields { a = "decimal(4, 2)" } }, rows = [{ fields = [123.4] }]`)).toThrow(
      'is not a decimal(4, 2): too many digits',
    );
    expect(make(`schema { fields { a = date } }, rows = [{ fields = ["2023-02-29"] }]`)).toThrow('is not a date');
    expect(make(`schema { fields { a = int } }, rows = [{ kind = UPSERT, fields = [1] }]`)).toThrow(
      'option "rows[0].kind" must be one of INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE, got "UPSERT"',
    );
    expect(make(`schema { fields { a = "varchar2" } }`)).toThrow(
      'option "schema.fields.a" type "varchar2": unknown type',
    );
    expect(make(`schema { fields { a = int }, primaryKey { name = pk, columnNames = [b] } }`)).toThrow(
      'option "schema.primaryKey.columnNames" names column "b", which is not a field (fields: a)',
    );
    expect(make(`int.min = 10, int.max = 5, schema { fields { a = int } }`)).toThrow(
      'option "int.min" (10) must not be greater than int.max (5)',
    );
    expect(make(`tinyint.max = 300, schema { fields { a = tinyint } }`)).toThrow('option "tinyint.max" must be within');
    expect(make(`int.fake.mode = template, schema { fields { a = int } }`)).toThrow(
      'option "int.template" is required when int.fake.mode = template',
    );
    expect(make(`row.num = 5`)).toThrow(PluginConfigError);
  });

  it('reads the columns form with table, primary key, unique keys and constant default values', async () => {
    const { tables, batches } = await readAll(
      sourceOptions(`row.num = 3, schema {
        table = "test.fakeTable"
        columns = [
          { name = id, type = bigint, nullable = false }
          { name = name, type = string, defaultValue = "fixed", comment = "the name" }
          { name = age, type = int }
        ]
        primaryKey = { name = "primary key", columnNames = ["id"] }
        constraintKeys = [
          { constraintName = "unique_name", constraintType = UNIQUE_KEY, constraintColumns = [{ columnName = "name", sortType = ASC }] }
          { constraintName = "idx_age", constraintType = INDEX_KEY, constraintColumns = [{ columnName = "age", sortType = ASC }] }
        ]
      }`),
    );
    expect(tables[0]).toMatchObject({
      path: { database: 'test', table: 'fakeTable' },
      primaryKey: ['id'],
      uniqueKeys: [['name']],
    });
    expect(tables[0]!.fields.map((f) => [f.name, f.nullable, f.comment])).toEqual([
      ['id', false, undefined],
      ['name', true, 'the name'],
      ['age', true, undefined],
    ]);
    expect(rowsOf(batches[0]!).map((r) => r[1])).toEqual(['fixed', 'fixed', 'fixed']);
  });

  it('produces one table per tables_configs entry, each with its own options', async () => {
    const { tables, batches } = await readAll(
      sourceOptions(`tables_configs = [
        { row.num = 3, schema = { table = "db.t1", fields { id = int } } }
        { row.num = 1500, string.length = 2, schema = { table = "db.t2", fields { name = string } } }
        { schema = { table = "db.t3", fields { k = int } }, rows = [{ kind = DELETE, fields = [7] }] }
      ]`),
    );
    expect(tables.map((t) => t.path.table)).toEqual(['t1', 't2', 't3']);
    expect(tables.map((t) => t.estimatedRows)).toEqual([3, 1500, 1]);
    const all = batches[0]!;
    expect(rowsOf(all, 0)).toHaveLength(3);
    expect(rowsOf(all, 1)).toHaveLength(1500);
    expect(rowsOf(all, 1).every((r) => (r[0] as string).length === 2)).toBe(true);
    expect(rowsOf(all, 2)).toEqual([[7]]);
    expect(all.filter((b) => b.table === 2).map((b) => b.kinds)).toEqual([['DELETE']]);
    // Batches hold at most 1,000 rows.
    expect(Math.max(...all.map((b) => b.rows.length))).toBe(1000);
    expect(
      () =>
        new FakeSource(
          sourceOptions(`tables_configs = [{ schema = { fields { a = int } } }, { schema = { fields { b = int } } }]`),
        ),
    ).toThrow('is already the table of tables_configs[0]');
  });

  it('gives each of `parallelism` readers row.num rows in split.num splits, different rows per reader', async () => {
    const { tables, batches } = await readAll(
      sourceOptions(`row.num = 10, split.num = 3, split.read-interval = 0, schema { fields { id = int } }`),
      3,
    );
    expect(tables[0]!.estimatedRows).toBe(30);
    expect(batches).toHaveLength(3);
    // Splits of ceil(10 / 3) = 4 rows: 4, 4, 2.
    expect(batches.map((b) => b.map((x) => x.rows.length))).toEqual([
      [4, 4, 2],
      [4, 4, 2],
      [4, 4, 2],
    ]);
    expect(rowsOf(batches[0]!)).not.toEqual(rowsOf(batches[1]!));
  });

  it('emits explicit rows once per split, as SeaTunnel does', async () => {
    const { batches } = await readAll(
      sourceOptions(
        `row.num = 4, split.num = 2, split.read-interval = 0, schema { fields { id = int } }, rows = [{ fields = [1] }]`,
      ),
    );
    expect(rowsOf(batches[0]!)).toEqual([[1], [1]]);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const read = async (seed: string) =>
      rowsOf(
        (
          await readAll(
            sourceOptions(`${seed}
 row.num = 20, schema { fields { a = int, b = string } }`),
          )
        ).batches[0]!,
      );
    expect(await read('')).toEqual(await read('seed = 0'));
    expect(await read('seed = 1')).toEqual(await read('seed = 1'));
    expect(await read('seed = 1')).not.toEqual(await read('seed = 2'));
  });

  it('stops reading when the job is cancelled, also while waiting between splits', async () => {
    const controller = new AbortController();
    const source = new FakeSource(
      sourceOptions(`row.num = 4, split.num = 4, split.read-interval = 60000, schema { fields { id = int } }`),
    );
    const ctx = context(1, controller.signal);
    await source.open(ctx);
    const [reader] = source.readers(ctx);
    const got: RowBatch[] = [];
    const reading = (async () => {
      for await (const batch of reader!.read()) {
        got.push(batch);
        controller.abort(new Error('cancelled by the test'));
      }
    })();
    await expect(reading).rejects.toThrow('cancelled by the test');
    expect(got).toHaveLength(1);
  });

  it('produces a million rows in batches without holding them', async () => {
    const source = new FakeSource(
      sourceOptions(`row.num = 1000000, schema { fields { id = int, name = string, age = int } }`),
    );
    const ctx = context();
    await source.open(ctx);
    let count = 0;
    let batches = 0;
    for await (const batch of source.readers(ctx)[0]!.read()) {
      count += batch.rows.length;
      batches++;
    }
    expect(count).toBe(1_000_000);
    expect(batches).toBe(1000);
  });
});
