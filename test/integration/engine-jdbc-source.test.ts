/**
 * The engine's Jdbc source against real MariaDB and PostgreSQL servers: type mapping and exact
 * values, the ways to name what to read, split reading, cancellation and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jdbcSource } from '../../server/src/modules/engine/connectors/jdbc/source.js';
import { PluginConfigError, PluginOptions, type PluginContext } from '../../server/src/modules/engine/plugin.js';
import type { Field, RowBatch, TableSchema, Value } from '../../server/src/modules/engine/row.js';
import { runJob } from '../../server/src/modules/engine/runner.js';
import { parseJobConfig, type ConfigObject } from '../../server/src/modules/job-config/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ADMIN_URL } from '../support/env.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

function context(over: Partial<PluginContext> = {}): PluginContext {
  return {
    log: () => {},
    signal: new AbortController().signal,
    parallelism: 1,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'job-1',
    ...over,
  };
}

interface ReadResult {
  tables: TableSchema[];
  /** Rows per table, in arrival order. */
  rows: Value[][][];
  batches: RowBatch[];
  readers: number;
}

async function readAll(options: ConfigObject, over: Partial<PluginContext> = {}): Promise<ReadResult> {
  const ctx = context(over);
  const source = jdbcSource({ options: new PluginOptions('Jdbc', options), context: ctx });
  try {
    const tables = await source.open(ctx);
    const readers = await source.readers(ctx);
    const rows: Value[][][] = tables.map(() => []);
    const batches: RowBatch[] = [];
    await Promise.all(
      readers.map(async (reader) => {
        for await (const batch of reader.read()) {
          batches.push(batch);
          rows[batch.table]!.push(...batch.rows);
        }
      }),
    );
    return { tables, rows, batches, readers: readers.length };
  } finally {
    await source.close();
  }
}

async function openError(options: ConfigObject): Promise<Error> {
  const ctx = context();
  let source;
  try {
    source = jdbcSource({ options: new PluginOptions('Jdbc', options), context: ctx });
    await source.open(ctx);
    const readers = await source.readers(ctx);
    for (const reader of readers) for await (const _ of reader.read());
  } catch (err) {
    return err as Error;
  } finally {
    await source?.close();
  }
  throw new Error('expected an error');
}

const byId = (rows: Value[][]) => [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));
const fieldSummary = (f: Field) => ({
  name: f.name,
  type: f.type,
  sourceType: f.sourceType,
  nullable: f.nullable,
  ...(f.length !== undefined ? { length: f.length } : {}),
});

/** Polls until `check` returns true (connections go away asynchronously on the server). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still not true after 10 s: ${what}`);
}

const HARD_TEXT = 'tab\there\nline\r\nback\\slash "dq" \'sq\' 😀 山田 Zoë \\N';

// ============================================================================== MySQL / MariaDB
describe('Jdbc source on MariaDB', () => {
  let my: TestMariaDb;
  let base: ConfigObject;

  beforeAll(async () => {
    my = await createTestMariaDb();
    base = { url: my.jdbcUrl, driver: 'org.mariadb.jdbc.Driver', user: my.user, password: my.password };
    await my.query(
      `
      SET SESSION sql_mode = '';
      CREATE TABLE types_all (
        id INT NOT NULL PRIMARY KEY,
        c_bool TINYINT(1), c_tinyint TINYINT, c_tinyint_u TINYINT UNSIGNED,
        c_smallint SMALLINT, c_smallint_u SMALLINT UNSIGNED, c_mediumint MEDIUMINT, c_mediumint_u MEDIUMINT UNSIGNED,
        c_int INT, c_int_u INT UNSIGNED, c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,
        c_decimal DECIMAL(65,30), c_decimal_u DECIMAL(10,2) UNSIGNED, c_float FLOAT, c_double DOUBLE,
        c_bit1 BIT(1), c_bit12 BIT(12),
        c_char CHAR(3) NOT NULL DEFAULT '', c_varchar VARCHAR(64), c_tinytext TINYTEXT, c_text TEXT,
        c_mediumtext MEDIUMTEXT, c_longtext LONGTEXT,
        c_enum ENUM('a','b','c d'), c_set SET('x','y'), c_json JSON,
        c_binary BINARY(4), c_varbinary VARBINARY(16), c_tinyblob TINYBLOB, c_blob BLOB, c_mediumblob MEDIUMBLOB,
        c_longblob LONGBLOB,
        c_date DATE, c_time TIME, c_time3 TIME(3), c_datetime DATETIME, c_datetime6 DATETIME(6),
        c_timestamp TIMESTAMP NULL, c_timestamp3 TIMESTAMP(3) NULL, c_year YEAR,
        UNIQUE KEY uq_varchar (c_varchar), UNIQUE KEY uq_pair (c_int, c_bigint)
      );
      INSERT INTO types_all VALUES
      (1, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
       '-99999999999999999999999999999999999.999999999999999999999999999999', 0.00, -3.4028234663852886e38,
       -1.7976931348623157e308, b'0', b'000000000000', 'a', '', '', '', '', '', 'a', '', '[]',
       x'00', x'', x'', x'', x'', x'', '1000-01-01', '-838:59:59', '-838:59:59.000', '1000-01-01 00:00:00',
       '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01', '1970-01-01 00:00:01.000', 1901),
      (2, 1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
       18446744073709551615, '99999999999999999999999999999999999.999999999999999999999999999999', 99999999.99,
       3.4028234663852886e38, 1.7976931348623157e308, b'1', b'111111111111', 'zzz', ?, ?, ?, ?, ?, 'c d', 'x,y',
       '{"a": [1, 2.5, "x"]}', x'ffffffff', x'00ff0a0d09', x'01', x'0203', x'04', x'05', '9999-12-31', '838:59:59',
       '838:59:59.999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07',
       '2038-01-19 03:14:07.999', 2155),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL),
      (4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0.000000000000000000000000000001', 0.01, 1.1754943508222875e-38, 5e-324,
       NULL, NULL, 'é', 'x', NULL, NULL, NULL, NULL, NULL, 'y', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       '0000-00-00', '00:00:00', '12:34:56.789', '0000-00-00 00:00:00', '2020-02-29 12:00:00.000001',
       '0000-00-00 00:00:00', NULL, 0),
      (5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, '0.1', 0.1, 0.1, 0.1, NULL, NULL, 'b', 'y', NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2020-00-15', NULL, NULL, NULL, NULL, NULL, NULL,
       NULL)`,
      [HARD_TEXT, 'tiny ' + HARD_TEXT, 'text ' + HARD_TEXT, 'medium ' + HARD_TEXT, 'long ' + HARD_TEXT],
    );
    // A double of 16 significant digits, which mysql2's own float parsing gets one bit wrong.
    await my.query('UPDATE types_all SET c_double = 90454.67368196345e0, c_float = 16777217 WHERE id = 5');
    await my.query('ANALYZE TABLE types_all');
  });

  afterAll(async () => {
    await my?.drop();
  });

  it('maps every column type and reads exact values', async () => {
    const { tables, rows, batches } = await readAll({ ...base, table_path: `${my.name}.types_all` });
    expect(tables).toHaveLength(1);
    const schema = tables[0]!;
    expect(schema.path).toEqual({ database: my.name, table: 'types_all' });
    expect(schema.primaryKey).toEqual(['id']);
    expect(schema.uniqueKeys).toEqual([['c_int', 'c_bigint'], ['c_varchar']]);
    expect(schema.estimatedRows).toBeGreaterThanOrEqual(0);
    expect(schema.fields.every((f) => f.sourceDialect === 'mysql')).toBe(true);
    expect(schema.fields.map(fieldSummary)).toEqual([
      { name: 'id', type: { kind: 'int' }, sourceType: 'int', nullable: false },
      { name: 'c_bool', type: { kind: 'boolean' }, sourceType: 'tinyint(1)', nullable: true },
      { name: 'c_tinyint', type: { kind: 'tinyint' }, sourceType: 'tinyint', nullable: true },
      { name: 'c_tinyint_u', type: { kind: 'smallint' }, sourceType: 'tinyint unsigned', nullable: true },
      { name: 'c_smallint', type: { kind: 'smallint' }, sourceType: 'smallint', nullable: true },
      { name: 'c_smallint_u', type: { kind: 'int' }, sourceType: 'smallint unsigned', nullable: true },
      { name: 'c_mediumint', type: { kind: 'int' }, sourceType: 'mediumint', nullable: true },
      { name: 'c_mediumint_u', type: { kind: 'int' }, sourceType: 'mediumint unsigned', nullable: true },
      { name: 'c_int', type: { kind: 'int' }, sourceType: 'int', nullable: true },
      { name: 'c_int_u', type: { kind: 'bigint' }, sourceType: 'int unsigned', nullable: true },
      { name: 'c_bigint', type: { kind: 'bigint' }, sourceType: 'bigint', nullable: true },
      {
        name: 'c_bigint_u',
        type: { kind: 'decimal', precision: 20, scale: 0 },
        sourceType: 'bigint unsigned',
        nullable: true,
      },
      {
        name: 'c_decimal',
        type: { kind: 'decimal', precision: 65, scale: 30 },
        sourceType: 'decimal(65,30)',
        nullable: true,
      },
      {
        name: 'c_decimal_u',
        type: { kind: 'decimal', precision: 10, scale: 2 },
        sourceType: 'decimal(10,2) unsigned',
        nullable: true,
      },
      { name: 'c_float', type: { kind: 'float' }, sourceType: 'float', nullable: true },
      { name: 'c_double', type: { kind: 'double' }, sourceType: 'double', nullable: true },
      { name: 'c_bit1', type: { kind: 'boolean' }, sourceType: 'bit(1)', nullable: true },
      { name: 'c_bit12', type: { kind: 'bytes' }, sourceType: 'bit(12)', nullable: true },
      { name: 'c_char', type: { kind: 'string' }, sourceType: 'char(3)', nullable: false, length: 3 },
      { name: 'c_varchar', type: { kind: 'string' }, sourceType: 'varchar(64)', nullable: true, length: 64 },
      { name: 'c_tinytext', type: { kind: 'string' }, sourceType: 'tinytext', nullable: true },
      { name: 'c_text', type: { kind: 'string' }, sourceType: 'text', nullable: true },
      { name: 'c_mediumtext', type: { kind: 'string' }, sourceType: 'mediumtext', nullable: true },
      { name: 'c_longtext', type: { kind: 'string' }, sourceType: 'longtext', nullable: true },
      { name: 'c_enum', type: { kind: 'string' }, sourceType: "enum('a','b','c d')", nullable: true },
      { name: 'c_set', type: { kind: 'string' }, sourceType: "set('x','y')", nullable: true },
      { name: 'c_json', type: { kind: 'string' }, sourceType: 'json', nullable: true },
      { name: 'c_binary', type: { kind: 'bytes' }, sourceType: 'binary(4)', nullable: true },
      { name: 'c_varbinary', type: { kind: 'bytes' }, sourceType: 'varbinary(16)', nullable: true },
      { name: 'c_tinyblob', type: { kind: 'bytes' }, sourceType: 'tinyblob', nullable: true },
      { name: 'c_blob', type: { kind: 'bytes' }, sourceType: 'blob', nullable: true },
      { name: 'c_mediumblob', type: { kind: 'bytes' }, sourceType: 'mediumblob', nullable: true },
      { name: 'c_longblob', type: { kind: 'bytes' }, sourceType: 'longblob', nullable: true },
      { name: 'c_date', type: { kind: 'date' }, sourceType: 'date', nullable: true },
      { name: 'c_time', type: { kind: 'time' }, sourceType: 'time', nullable: true },
      { name: 'c_time3', type: { kind: 'time' }, sourceType: 'time(3)', nullable: true },
      { name: 'c_datetime', type: { kind: 'timestamp' }, sourceType: 'datetime', nullable: true },
      { name: 'c_datetime6', type: { kind: 'timestamp' }, sourceType: 'datetime(6)', nullable: true },
      { name: 'c_timestamp', type: { kind: 'timestamp' }, sourceType: 'timestamp', nullable: true },
      { name: 'c_timestamp3', type: { kind: 'timestamp' }, sourceType: 'timestamp(3)', nullable: true },
      { name: 'c_year', type: { kind: 'int' }, sourceType: 'year', nullable: true },
    ]);

    const got = byId(rows[0]!);
    expect(got).toHaveLength(5);
    const [min, max, nulls, zeros, small] = got;
    expect(min).toEqual([
      1,
      false,
      -128,
      0,
      -32768,
      0,
      -8388608,
      0,
      -2147483648,
      0n,
      -9223372036854775808n,
      '0',
      '-99999999999999999999999999999999999.999999999999999999999999999999',
      '0.00',
      -3.4028235e38,
      -1.7976931348623157e308,
      false,
      Buffer.from([0, 0]),
      'a',
      '',
      '',
      '',
      '',
      '',
      'a',
      '',
      '[]',
      Buffer.from([0, 0, 0, 0]),
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.alloc(0),
      '1000-01-01',
      '-838:59:59',
      '-838:59:59.000',
      '1000-01-01 00:00:00',
      '1000-01-01 00:00:00.000000',
      '1970-01-01 00:00:01',
      '1970-01-01 00:00:01.000',
      1901,
    ]);
    expect(max).toEqual([
      2,
      true,
      127,
      255,
      32767,
      65535,
      8388607,
      16777215,
      2147483647,
      4294967295n,
      9223372036854775807n,
      '18446744073709551615',
      '99999999999999999999999999999999999.999999999999999999999999999999',
      '99999999.99',
      3.4028235e38,
      1.7976931348623157e308,
      true,
      Buffer.from([0x0f, 0xff]),
      'zzz',
      HARD_TEXT,
      'tiny ' + HARD_TEXT,
      'text ' + HARD_TEXT,
      'medium ' + HARD_TEXT,
      'long ' + HARD_TEXT,
      'c d',
      'x,y',
      '{"a": [1, 2.5, "x"]}',
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x00, 0xff, 0x0a, 0x0d, 0x09]),
      Buffer.from([1]),
      Buffer.from([2, 3]),
      Buffer.from([4]),
      Buffer.from([5]),
      '9999-12-31',
      '838:59:59',
      '838:59:59.999',
      '9999-12-31 23:59:59',
      '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07',
      '2038-01-19 03:14:07.999',
      2155,
    ]);
    expect(nulls).toEqual([3, ...Array<null>(17).fill(null), '', ...Array<null>(22).fill(null)]);
    // Zero dates read as null; the extremes of float and double survive exactly.
    expect(zeros![14]).toBe(1.1754944e-38);
    expect(zeros![15]).toBe(5e-324);
    expect(zeros![12]).toBe('0.000000000000000000000000000001');
    expect(zeros![18]).toBe('é');
    expect(zeros!.slice(33)).toEqual([
      null,
      '00:00:00',
      '12:34:56.789',
      null,
      '2020-02-29 12:00:00.000001',
      null,
      null,
      0,
    ]);
    expect(small![13]).toBe('0.10');
    expect(small![14]).toBe(16777216); // FLOAT keeps 24 bits: 16777217 is stored as 16777216
    expect(small![15]).toBe(90454.67368196345);
    expect(small![33]).toBeNull(); // 2020-00-15
    expect(batches.every((b) => b.table === 0 && (b.bytes ?? 0) > 0)).toBe(true);
  });

  it('derives a query schema from the result columns, exact for plain column references', async () => {
    const { tables, rows } = await readAll({
      ...base,
      query: `SELECT id, c_bool, c_int_u, c_bigint_u, c_decimal, c_varchar, c_float, c_double, c_datetime6, c_blob,
                     c_bigint - 1 AS next_big, CONCAT(c_varchar, '!') AS shout, c_enum
                FROM types_all WHERE id IN (2, 3) ORDER BY id;`,
    });
    const schema = tables[0]!;
    expect(schema.path).toEqual({ database: my.name, table: 'types_all' });
    expect(schema.estimatedRows).toBeUndefined();
    expect(schema.fields.map((f) => [f.name, f.type.kind, f.sourceType, f.nullable])).toEqual([
      ['id', 'int', 'int', false],
      ['c_bool', 'boolean', 'tinyint(1)', true],
      ['c_int_u', 'bigint', 'int unsigned', true],
      ['c_bigint_u', 'decimal', 'bigint unsigned', true],
      ['c_decimal', 'decimal', 'decimal(65,30)', true],
      ['c_varchar', 'string', 'varchar(64)', true],
      ['c_float', 'float', 'float', true],
      ['c_double', 'double', 'double', true],
      ['c_datetime6', 'timestamp', 'datetime(6)', true],
      ['c_blob', 'bytes', 'blob', true],
      ['next_big', 'bigint', 'bigint', true],
      ['shout', 'string', 'varchar(65)', true],
      ['c_enum', 'string', "enum('a','b','c d')", true],
    ]);
    expect(rows[0]).toEqual([
      [
        2,
        true,
        4294967295n,
        '18446744073709551615',
        '99999999999999999999999999999999999.999999999999999999999999999999',
        HARD_TEXT,
        3.4028235e38,
        1.7976931348623157e308,
        '9999-12-31 23:59:59.999999',
        Buffer.from([2, 3]),
        9223372036854775806n,
        HARD_TEXT + '!',
        'c d',
      ],
      [3, null, null, null, null, null, null, null, null, null, null, null, null],
    ]);
  });

  it('reads table_list entries as separate tables, with where_condition with or without WHERE', async () => {
    await my.query(`
      CREATE TABLE list_a (id INT PRIMARY KEY, name VARCHAR(10));
      CREATE TABLE list_b (id BIGINT PRIMARY KEY, amount DECIMAL(8,2) NOT NULL);
      INSERT INTO list_a VALUES (1, 'one'), (2, 'two'), (3, 'three');
      INSERT INTO list_b VALUES (1, 1.50), (2, 2.50), (3, 3.50), (4, 4.50);`);
    const { tables, rows, batches } = await readAll({
      ...base,
      table_list: [
        { table_path: `${my.name}.list_a` },
        { table_path: `${my.name}.list_b`, query: `select id, amount from ${my.name}.list_b` },
      ],
      where_condition: 'where id >= 2',
    });
    expect(tables.map((t) => t.path)).toEqual([
      { database: my.name, table: 'list_a' },
      { database: my.name, table: 'list_b' },
    ]);
    expect(tables[1]!.primaryKey).toEqual(['id']);
    expect(tables[1]!.fields.map((f) => [f.name, f.sourceType, f.nullable])).toEqual([
      ['id', 'bigint', false],
      ['amount', 'decimal(8,2)', false],
    ]);
    expect(byId(rows[0]!)).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(byId(rows[1]!)).toEqual([
      [2n, '2.50'],
      [3n, '3.50'],
      [4n, '4.50'],
    ]);
    expect(new Set(batches.map((b) => b.table))).toEqual(new Set([0, 1]));

    const commented = await readAll({
      ...base,
      query: 'select id from list_a -- a trailing comment',
      where_condition: 'id > 1',
    });
    expect(byId(commented.rows[0]!)).toEqual([[2], [3]]);

    const plain = await readAll({ ...base, table_path: 'list_a', where_condition: "name <> 'two'" });
    expect(byId(plain.rows[0]!)).toEqual([
      [1, 'one'],
      [3, 'three'],
    ]);
  });

  describe('split reading', () => {
    const ids: number[] = [];
    beforeAll(async () => {
      // Uneven keys: a dense run, a gap of a billion, a sparse tail; k is a nullable unique key.
      await my.query(`
        CREATE TABLE split_t (id BIGINT NOT NULL PRIMARY KEY, k INT NULL, v VARCHAR(20), UNIQUE KEY uq_k (k));
        INSERT INTO split_t SELECT seq, IF(seq % 7 = 0, NULL, seq * 3), CONCAT('v', seq) FROM seq_1_to_2000;
        INSERT INTO split_t VALUES (1000000000, NULL, 'far'), (1000000001, -5, 'far2'), (5000000000, 10, 'farther');
        ANALYZE TABLE split_t;`);
      for (let i = 1; i <= 2000; i++) ids.push(i);
      ids.push(1000000000, 1000000001, 5000000000);
    });

    const expectEveryRowOnce = (rows: Value[][]) => {
      const got = rows.map((r) => Number(r[0])).sort((a, b) => a - b);
      expect(got).toEqual(ids);
    };

    it.each([2, 3, 4])('reads every row exactly once with parallelism %i on the primary key', async (parallelism) => {
      const logs: string[] = [];
      const result = await readAll(
        { ...base, table_path: 'split_t', fetch_size: 100 },
        { parallelism, log: (_level, message) => logs.push(message) },
      );
      expect(result.readers).toBe(parallelism);
      expectEveryRowOnce(result.rows[0]!);
      expect(result.batches.every((b) => b.rows.length <= 100)).toBe(true);
      expect(logs.join('\n')).toMatch(/split\(s\) on "id"/);
    });

    it('splits on a nullable partition_column and still reads the NULL keys', async () => {
      const result = await readAll(
        { ...base, table_path: 'split_t', partition_column: 'k', partition_num: 5 },
        { parallelism: 3 },
      );
      expectEveryRowOnce(result.rows[0]!);
    });

    it('splits a query on partition_column', async () => {
      const result = await readAll(
        { ...base, query: 'select id, v from split_t', partition_column: 'id', partition_num: 6 },
        { parallelism: 2 },
      );
      expect(result.readers).toBe(2);
      expectEveryRowOnce(result.rows[0]!);
    });

    it('honours split.size with the table estimate', async () => {
      const logs: string[] = [];
      const result = await readAll(
        { ...base, table_path: 'split_t', 'split.size': 500 },
        { log: (_l, m) => logs.push(m) },
      );
      expectEveryRowOnce(result.rows[0]!);
      const count = Number(/in (\d+) split/.exec(logs.join('\n'))?.[1]);
      expect(count).toBeGreaterThanOrEqual(3);
    });

    it('limits the rows to partition_lower_bound and partition_upper_bound', async () => {
      const result = await readAll(
        {
          ...base,
          table_path: 'split_t',
          partition_column: 'id',
          partition_num: 3,
          partition_lower_bound: 100,
          partition_upper_bound: 1000000000,
        },
        { parallelism: 2 },
      );
      const got = result.rows[0]!.map((r) => Number(r[0])).sort((a, b) => a - b);
      expect(got).toEqual(ids.filter((id) => id >= 100 && id <= 1000000000));
    });

    it('applies where_condition to every split', async () => {
      const result = await readAll(
        { ...base, table_path: 'split_t', where_condition: 'WHERE id % 2 = 0;' },
        { parallelism: 3 },
      );
      const got = result.rows[0]!.map((r) => Number(r[0])).sort((a, b) => a - b);
      expect(got).toEqual(ids.filter((id) => id % 2 === 0));
    });
  });

  /** Connections to the test database other than the one asking. */
  const connections = async () =>
    Number(
      (
        await my.query<{ n: number }>(
          'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
          [my.name],
        )
      )[0]!.n,
    );

  it('runs in a job config through the engine runner', async () => {
    const { config } = parseJobConfig(
      `env { job.mode = "BATCH", parallelism = 2 }
       source { Jdbc {
         url = "${my.jdbcUrl}", driver = "com.mysql.cj.jdbc.Driver", user = "${my.user}", password = "${my.password}"
         table_path = "${my.name}.split_t", where_condition = "where id <= 1000"
       } }
       sink { Console { log.print.data = false } }`,
      'HOCON',
    );
    const result = await runJob(config);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.metrics.tables).toEqual([
      expect.objectContaining({ table: `${my.name}.split_t`, rowsRead: 1000, rowsWritten: 1000 }),
    ]);
  });

  it('stops reading and releases its connections when the signal aborts', async () => {
    await my.query(`CREATE TABLE big_t (id INT PRIMARY KEY, pad VARCHAR(200));
      INSERT INTO big_t SELECT seq, REPEAT('x', 200) FROM seq_1_to_200000;`);
    const controller = new AbortController();
    const ctx = context({ signal: controller.signal, parallelism: 2 });
    const source = jdbcSource({ options: new PluginOptions('Jdbc', { ...base, table_path: 'big_t' }), context: ctx });
    await source.open(ctx);
    const readers = await source.readers(ctx);
    let rows = 0;
    const results = await Promise.allSettled(
      readers.map(async (reader) => {
        for await (const batch of reader.read()) {
          rows += batch.rows.length;
          if (rows >= 4000) controller.abort();
          // Backpressure: the consumer is slow, so the reader must pause rather than buffer the table.
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    expect(results.some((r) => r.status === 'rejected' && /cancelled/.test(String(r.reason)))).toBe(true);
    expect(rows).toBeLessThan(200000);
    await source.close();
    await eventually(async () => (await connections()) === 0, 'the source closed its MariaDB connections');
  });

  it('closes every connection when open fails', async () => {
    const err = await openError({
      ...base,
      table_list: [{ table_path: 'list_a' }, { table_path: 'no_such_table' }],
    });
    expect(err.message).toMatch(
      /Jdbc: cannot read table ".*\.no_such_table": table ".*\.no_such_table" does not exist/,
    );
    await eventually(async () => (await connections()) === 0, 'the failed open closed its connections');
  });

  it('names the table and the cause of an SQL error', async () => {
    const err = await openError({ ...base, table_path: 'list_a', where_condition: 'no_column > 1' });
    expect(err.message).toMatch(/Jdbc: reading table ".*\.list_a" failed: .*no_column/);
  });

  it('never shows the password in a connection error', async () => {
    const err = await openError({ ...base, user: 'nobody_here', password: 'S3cret-pw!', table_path: 'list_a' });
    expect(err.message).toMatch(/Jdbc: cannot connect to mysql at .* as "nobody_here": .*denied/i);
    expect(err.message).not.toContain('S3cret-pw!');
  });

  it('reports a missing database', async () => {
    const err = await openError({ ...base, table_path: 'nowhere_db_x.t' });
    expect(err.message).toMatch(/database "nowhere_db_x" does not exist/);
  });
});

// =================================================================================== PostgreSQL
describe('Jdbc source on PostgreSQL', () => {
  let pg: TestDatabase;
  let base: ConfigObject;
  const admin = new URL(ADMIN_URL);

  beforeAll(async () => {
    pg = await createTestDatabase({ empty: true });
    base = {
      url: `jdbc:postgresql://${admin.hostname}:${admin.port || 5432}/${pg.name}`,
      driver: 'org.postgresql.Driver',
      user: decodeURIComponent(admin.username || 'postgres'),
      ...(admin.password ? { password: decodeURIComponent(admin.password) } : {}),
    };
    await pg.query(`
      CREATE TYPE mood AS ENUM ('sad', 'happy');
      CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
      CREATE TABLE types_all (
        id int PRIMARY KEY,
        c_int2 int2, c_int4 int4, c_int8 int8, c_numeric numeric(12,2), c_numeric_free numeric,
        c_float4 float4, c_float8 float8, c_bool bool,
        c_text text, c_varchar varchar(64), c_char char(3), c_bytea bytea,
        c_date date, c_time time, c_time3 time(3), c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz,
        c_timestamptz3 timestamp(3) with time zone, c_interval interval,
        c_json json, c_jsonb jsonb, c_uuid uuid, c_inet inet, c_cidr cidr, c_macaddr macaddr,
        c_int_array int[], c_text_array text[], c_numeric_array numeric(5,1)[], c_matrix int[][],
        c_mood mood, c_positive positive, c_bit1 bit(1), c_varbit varbit(8), c_oid oid,
        c_notnull text NOT NULL DEFAULT 'x',
        UNIQUE (c_varchar)
      );
      COMMENT ON COLUMN types_all.c_text IS 'free text';`);
    await pg.query(
      `INSERT INTO types_all VALUES
      (1, -32768, -2147483648, -9223372036854775808, -9999999999.99, '-12345678901234567890.123456789012345678901234567890',
       '-3.4028235e38', '-1.7976931348623157e308', false, '', '', 'a', '\\x', '4713-01-01 BC', '00:00:00', '00:00:00.000',
       '00:00:00+14', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '1970-01-01 00:00:00.001+00', '-1 years -2 mons',
       '[]', '{}', '00000000-0000-0000-0000-000000000000', '0.0.0.0', '10.0.0.0/8', '00:00:00:00:00:00',
       '{}', '{}', '{}', '{}', 'sad', 1, B'0', B'', 0, 'x'),
      (2, 32767, 2147483647, 9223372036854775807, 9999999999.99, 'NaN', '3.4028235e38', '1.7976931348623157e308', true,
       $1, $2, 'zzz', $3, '5874897-12-31', '24:00:00', '23:59:59.999', '23:59:59.999999-12', '294276-12-31 23:59:59.999999',
       '2020-06-01 12:00:00.123456+02', '2020-06-01 12:00:00.5-02:30', '1 year 2 mons 3 days 04:05:06.789',
       '{"a": [1, 2.5, "x"], "b": null}', '{"b": null, "a": [1, 2.5, "x"]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '2001:db8::1/64', '192.168.0.0/16', '08:00:2b:01:02:03',
       '{1,NULL,-3}', $4, '{1.5,NULL,-2.0}', '{{1,2},{3,4}}', 'happy', 2147483647, B'1', B'10101', 4294967295, $5),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT),
      (4, 0, 0, 0, 0, '0.1', '1e-45', '5e-324', NULL, NULL, NULL, NULL, NULL, 'infinity', NULL, NULL, NULL, '-infinity',
       'infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       DEFAULT),
      (5, 1, 1, 1, 0.1, '1e-30', 'Infinity', 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT)`,
      [
        HARD_TEXT,
        'varchar ' + HARD_TEXT,
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        ['a', 'b c', 'NULL', null, 'x"y\\z', '', HARD_TEXT, '{}', 'a,b'],
        'not null ' + HARD_TEXT,
      ],
    );
    await pg.query('ANALYZE types_all');
  });

  afterAll(async () => {
    await pg?.drop();
  });

  /** The source's connections to the test database. */
  const connections = async () =>
    Number(
      (
        await pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'sluice-engine%'`,
          [pg.name],
        )
      )[0]!.n,
    );

  it('maps every column type and reads exact values', async () => {
    const { tables, rows } = await readAll({ ...base, table_path: `${pg.name}.public.types_all` });
    const schema = tables[0]!;
    expect(schema.path).toEqual({ database: pg.name, schema: 'public', table: 'types_all' });
    expect(schema.primaryKey).toEqual(['id']);
    expect(schema.uniqueKeys).toEqual([['c_varchar']]);
    expect(schema.estimatedRows).toBe(5);
    expect(schema.fields.every((f) => f.sourceDialect === 'postgresql')).toBe(true);
    expect(schema.fields.find((f) => f.name === 'c_text')!.comment).toBe('free text');
    expect(schema.fields.map(fieldSummary)).toEqual([
      { name: 'id', type: { kind: 'int' }, sourceType: 'integer', nullable: false },
      { name: 'c_int2', type: { kind: 'smallint' }, sourceType: 'smallint', nullable: true },
      { name: 'c_int4', type: { kind: 'int' }, sourceType: 'integer', nullable: true },
      { name: 'c_int8', type: { kind: 'bigint' }, sourceType: 'bigint', nullable: true },
      {
        name: 'c_numeric',
        type: { kind: 'decimal', precision: 12, scale: 2 },
        sourceType: 'numeric(12,2)',
        nullable: true,
      },
      {
        name: 'c_numeric_free',
        type: { kind: 'decimal', precision: 38, scale: 18 },
        sourceType: 'numeric',
        nullable: true,
      },
      { name: 'c_float4', type: { kind: 'float' }, sourceType: 'real', nullable: true },
      { name: 'c_float8', type: { kind: 'double' }, sourceType: 'double precision', nullable: true },
      { name: 'c_bool', type: { kind: 'boolean' }, sourceType: 'boolean', nullable: true },
      { name: 'c_text', type: { kind: 'string' }, sourceType: 'text', nullable: true },
      { name: 'c_varchar', type: { kind: 'string' }, sourceType: 'character varying(64)', nullable: true, length: 64 },
      { name: 'c_char', type: { kind: 'string' }, sourceType: 'character(3)', nullable: true, length: 3 },
      { name: 'c_bytea', type: { kind: 'bytes' }, sourceType: 'bytea', nullable: true },
      { name: 'c_date', type: { kind: 'date' }, sourceType: 'date', nullable: true },
      { name: 'c_time', type: { kind: 'time' }, sourceType: 'time without time zone', nullable: true },
      { name: 'c_time3', type: { kind: 'time' }, sourceType: 'time(3) without time zone', nullable: true },
      { name: 'c_timetz', type: { kind: 'string' }, sourceType: 'time with time zone', nullable: true },
      { name: 'c_timestamp', type: { kind: 'timestamp' }, sourceType: 'timestamp without time zone', nullable: true },
      { name: 'c_timestamptz', type: { kind: 'timestamp_tz' }, sourceType: 'timestamp with time zone', nullable: true },
      {
        name: 'c_timestamptz3',
        type: { kind: 'timestamp_tz' },
        sourceType: 'timestamp(3) with time zone',
        nullable: true,
      },
      { name: 'c_interval', type: { kind: 'string' }, sourceType: 'interval', nullable: true },
      { name: 'c_json', type: { kind: 'string' }, sourceType: 'json', nullable: true },
      { name: 'c_jsonb', type: { kind: 'string' }, sourceType: 'jsonb', nullable: true },
      { name: 'c_uuid', type: { kind: 'string' }, sourceType: 'uuid', nullable: true },
      { name: 'c_inet', type: { kind: 'string' }, sourceType: 'inet', nullable: true },
      { name: 'c_cidr', type: { kind: 'string' }, sourceType: 'cidr', nullable: true },
      { name: 'c_macaddr', type: { kind: 'string' }, sourceType: 'macaddr', nullable: true },
      {
        name: 'c_int_array',
        type: { kind: 'array', element: { kind: 'int' } },
        sourceType: 'integer[]',
        nullable: true,
      },
      {
        name: 'c_text_array',
        type: { kind: 'array', element: { kind: 'string' } },
        sourceType: 'text[]',
        nullable: true,
      },
      {
        name: 'c_numeric_array',
        type: { kind: 'array', element: { kind: 'decimal', precision: 5, scale: 1 } },
        sourceType: 'numeric(5,1)[]',
        nullable: true,
      },
      { name: 'c_matrix', type: { kind: 'array', element: { kind: 'int' } }, sourceType: 'integer[]', nullable: true },
      { name: 'c_mood', type: { kind: 'string' }, sourceType: 'mood', nullable: true },
      { name: 'c_positive', type: { kind: 'int' }, sourceType: 'integer', nullable: true },
      { name: 'c_bit1', type: { kind: 'boolean' }, sourceType: 'bit(1)', nullable: true },
      { name: 'c_varbit', type: { kind: 'string' }, sourceType: 'bit varying(8)', nullable: true },
      { name: 'c_oid', type: { kind: 'bigint' }, sourceType: 'oid', nullable: true },
      { name: 'c_notnull', type: { kind: 'string' }, sourceType: 'text', nullable: false },
    ]);

    const [min, max, nulls, inf, small] = byId(rows[0]!);
    expect(min).toEqual([
      1,
      -32768,
      -2147483648,
      -9223372036854775808n,
      '-9999999999.99',
      '-12345678901234567890.123456789012345678901234567890',
      -3.4028235e38,
      -1.7976931348623157e308,
      false,
      '',
      '',
      'a  ',
      Buffer.alloc(0),
      '4713-01-01 BC',
      '00:00:00',
      '00:00:00',
      '00:00:00+14',
      '0001-01-01 00:00:00',
      '0001-01-01 00:00:00+00',
      '1970-01-01 00:00:00.001+00',
      'P-1Y-2M',
      '[]',
      '{}',
      '00000000-0000-0000-0000-000000000000',
      '0.0.0.0',
      '10.0.0.0/8',
      '00:00:00:00:00:00',
      [],
      [],
      [],
      [],
      'sad',
      1,
      false,
      '',
      0n,
      'x',
    ]);
    expect(max).toEqual([
      2,
      32767,
      2147483647,
      9223372036854775807n,
      '9999999999.99',
      'NaN',
      3.4028235e38,
      1.7976931348623157e308,
      true,
      HARD_TEXT,
      'varchar ' + HARD_TEXT,
      'zzz',
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      '5874897-12-31',
      '24:00:00',
      '23:59:59.999',
      '23:59:59.999999-12',
      '294276-12-31 23:59:59.999999',
      '2020-06-01 10:00:00.123456+00',
      '2020-06-01 14:30:00.5+00',
      'P1Y2M3DT4H5M6.789S',
      '{"a": [1, 2.5, "x"], "b": null}',
      '{"a": [1, 2.5, "x"], "b": null}',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '2001:db8::1/64',
      '192.168.0.0/16',
      '08:00:2b:01:02:03',
      [1, null, -3],
      ['a', 'b c', 'NULL', null, 'x"y\\z', '', HARD_TEXT, '{}', 'a,b'],
      ['1.5', null, '-2.0'],
      [
        [1, 2],
        [3, 4],
      ],
      'happy',
      2147483647,
      true,
      '10101',
      4294967295n,
      'not null ' + HARD_TEXT,
    ]);
    expect(nulls).toEqual([3, ...Array<null>(35).fill(null), 'x']);
    expect(inf!.slice(0, 8)).toEqual([4, 0, 0, 0n, '0.00', '0.1', 1e-45, 5e-324]);
    expect(inf![13]).toBe('infinity');
    expect(inf![17]).toBe('-infinity');
    expect(inf![18]).toBe('infinity');
    expect(small!.slice(4, 8)).toEqual(['0.10', '0.000000000000000000000000000001', Infinity, NaN]);
  });

  it('derives a query schema from the result columns', async () => {
    const { tables, rows } = await readAll({
      ...base,
      query: `SELECT id, c_numeric, c_varchar, c_int_array, c_mood, c_notnull, id::int8 * 2 AS doubled,
                     c_text || '!' AS shout, now() IS NOT NULL AS ok
                FROM types_all WHERE id <= 2 ORDER BY id`,
    });
    const schema = tables[0]!;
    expect(schema.path).toEqual({ database: pg.name, schema: 'public', table: 'types_all' });
    expect(schema.fields.map((f) => [f.name, f.type.kind, f.sourceType, f.nullable])).toEqual([
      ['id', 'int', 'integer', false],
      ['c_numeric', 'decimal', 'numeric(12,2)', true],
      ['c_varchar', 'string', 'character varying(64)', true],
      ['c_int_array', 'array', 'integer[]', true],
      ['c_mood', 'string', 'mood', true],
      ['c_notnull', 'string', 'text', false],
      ['doubled', 'bigint', 'bigint', true],
      ['shout', 'string', 'text', true],
      ['ok', 'boolean', 'boolean', true],
    ]);
    expect(rows[0]!.map((r) => [r[0], r[1], r[6], r[8]])).toEqual([
      [1, '-9999999999.99', 2n, true],
      [2, '9999999999.99', 4n, true],
    ]);
  });

  it('wraps a query that ends in a comment', async () => {
    const { rows } = await readAll({
      ...base,
      query: 'SELECT id FROM types_all -- every row',
      where_condition: 'id < 3',
    });
    expect(byId(rows[0]!)).toEqual([[1], [2]]);
  });

  it('reads schema.table, table and database.schema.table paths, and table_list', async () => {
    await pg.query(`
      CREATE SCHEMA other;
      CREATE TABLE other.items (id bigint PRIMARY KEY, name text);
      CREATE TABLE public.items (id bigint PRIMARY KEY, name text);
      INSERT INTO other.items VALUES (1, 'other one'), (2, 'other two');
      INSERT INTO public.items VALUES (10, 'public ten');`);
    const two = await readAll({ ...base, table_path: 'other.items' });
    expect(two.tables[0]!.path).toEqual({ database: pg.name, schema: 'other', table: 'items' });
    expect(byId(two.rows[0]!)).toEqual([
      [1n, 'other one'],
      [2n, 'other two'],
    ]);
    const one = await readAll({ ...base, table_path: 'items' });
    expect(one.rows[0]).toEqual([[10n, 'public ten']]);
    const current = await readAll({ ...base, url: `${base.url as string}?currentSchema=other`, table_path: 'items' });
    expect(current.tables[0]!.path.schema).toBe('other');
    const list = await readAll({
      ...base,
      table_list: [
        { table_path: `${pg.name}.other.items`, where_condition: 'id > 1' },
        { table_path: 'public.items' },
        { query: 'SELECT 42 AS answer' },
      ],
    });
    expect(list.tables.map((t) => t.path)).toEqual([
      { database: pg.name, schema: 'other', table: 'items' },
      { database: pg.name, schema: 'public', table: 'items' },
      { database: pg.name, table: 'default' },
    ]);
    expect(list.rows).toEqual([[[2n, 'other two']], [[10n, 'public ten']], [[42]]]);
  });

  describe('split reading', () => {
    const ids: number[] = [];
    beforeAll(async () => {
      await pg.query(`
        CREATE TABLE split_t (id bigint PRIMARY KEY, k numeric(20,0) UNIQUE, v text);
        INSERT INTO split_t SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g * 1000000000000 END, 'v' || g
          FROM generate_series(1, 3000) g;
        INSERT INTO split_t VALUES (9000000000000000000, 1, 'far'), (-9000000000000000000, NULL, 'negative');
        ANALYZE split_t;`);
      for (let i = 1; i <= 3000; i++) ids.push(i);
      ids.push(9000000000000000000, -9000000000000000000);
      ids.sort((a, b) => a - b);
    });
    const expectEveryRowOnce = (rows: Value[][]) => {
      const got = rows.map((r) => r[0] as bigint).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(got).toEqual([...ids].map((i) => BigInt(i)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    };

    it.each([2, 4])('reads every row exactly once with parallelism %i', async (parallelism) => {
      const result = await readAll({ ...base, table_path: 'split_t', fetch_size: 100 }, { parallelism });
      expect(result.readers).toBe(parallelism);
      expectEveryRowOnce(result.rows[0]!);
      expect(result.batches.every((b) => b.rows.length <= 100 && (b.bytes ?? 0) > 0)).toBe(true);
      expect(result.batches.filter((b) => b.rows.length === 100).length).toBeGreaterThanOrEqual(29);
    });

    it('splits on a nullable decimal partition_column and keeps NULL keys', async () => {
      const result = await readAll(
        { ...base, table_path: 'split_t', partition_column: 'k', partition_num: 7 },
        { parallelism: 3 },
      );
      expectEveryRowOnce(result.rows[0]!);
    });
  });

  it('stops reading and releases its connections when the signal aborts', async () => {
    await pg.query(`CREATE TABLE big_t AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 200000) g`);
    const controller = new AbortController();
    const ctx = context({ signal: controller.signal });
    const source = jdbcSource({
      options: new PluginOptions('Jdbc', { ...base, query: 'SELECT * FROM big_t' }),
      context: ctx,
    });
    await source.open(ctx);
    const [reader] = await source.readers(ctx);
    let rows = 0;
    const read = (async () => {
      for await (const batch of reader!.read()) {
        rows += batch.rows.length;
        if (rows >= 4000) controller.abort();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await expect(read).rejects.toThrow(/cancelled/);
    expect(rows).toBeLessThan(200000);
    await source.close();
    await eventually(async () => (await connections()) === 0, 'the source closed its PostgreSQL connections');
  });

  it('reports a missing table and a missing schema, and closes its connections', async () => {
    expect((await openError({ ...base, table_path: 'public.nope' })).message).toMatch(
      /cannot read table ".*public\.nope": table "public\.nope" does not exist in database/,
    );
    expect((await openError({ ...base, table_path: 'nosuchschema.t' })).message).toMatch(
      /schema "nosuchschema" does not exist/,
    );
    await eventually(async () => (await connections()) === 0, 'the failed open closed its connections');
  });

  it('names the query and the cause of an SQL error', async () => {
    const err = await openError({ ...base, query: 'SELECT 1 / (id - id) FROM types_all' });
    expect(err.message).toMatch(/Jdbc: reading query "SELECT 1 \/ \(id - id\).*" failed: division by zero/);
  });
});

// ====================================================================================== options
describe('Jdbc source options', () => {
  const make = (options: ConfigObject) =>
    jdbcSource({ options: new PluginOptions('Jdbc', options), context: context() });

  it('rejects an unsupported driver or URL before connecting', () => {
    expect(() =>
      make({ url: 'jdbc:oracle:thin:@localhost:1521/x', driver: 'oracle.jdbc.OracleDriver', query: 'select 1' }),
    ).toThrow(PluginConfigError);
    expect(() =>
      make({ url: 'jdbc:mysql://localhost/db', driver: 'oracle.jdbc.OracleDriver', query: 'select 1' }),
    ).toThrow(/option "driver" names oracle.jdbc.OracleDriver, which the embedded engine does not connect to/);
  });

  it('needs something to read', () => {
    expect(() => make({ url: 'jdbc:mysql://localhost/db' })).toThrow(/option "query" is required/);
    expect(() => make({ url: 'jdbc:mysql://localhost/db', table_list: [] })).toThrow(/table_list" is empty/);
    expect(() => make({ url: 'jdbc:mysql://localhost/db', table_list: [{ where_condition: 'x' }] })).toThrow(
      /table_list\[0\]: needs table_path or query/,
    );
  });

  it('checks table paths and partition options', () => {
    expect(() => make({ url: 'jdbc:mysql://localhost', table_path: 't' })).toThrow(/names no database/);
    expect(() => make({ url: 'jdbc:mysql://localhost/db', table_path: 'a.b.c' })).toThrow(/three parts/);
    expect(() => make({ url: 'jdbc:mysql://localhost/db', table_path: 't', partition_num: 0 })).toThrow(
      /partition_num" must be 1 or more/,
    );
    expect(() => make({ url: 'jdbc:mysql://localhost/db', table_path: 't', partition_lower_bound: 'abc' })).toThrow(
      /partition_lower_bound" must be a number/,
    );
    expect(() =>
      make({
        url: 'jdbc:mysql://localhost/db',
        table_path: 't',
        partition_lower_bound: 10,
        partition_upper_bound: 1,
      }),
    ).toThrow(/is above partition_upper_bound/);
  });
});
