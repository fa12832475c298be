/**
 * SeaTunnel's JDBC end-to-end configs, run by the embedded engine against the local MariaDB and
 * PostgreSQL. The configs name docker hosts (mysql-e2e, postgresql) and fixed databases; the
 * harness points them at scratch databases and creates the fixture tables SeaTunnel's Java tests
 * create (the same columns), then compares the target with the source.
 * Oracle and DB2 configs must be refused with a message that sends them to the SeaTunnel engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob, type JobResult, type LogLine } from '../../server/src/modules/engine/index.js';
import { parseJobConfig } from '../../server/src/modules/job-config/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/conformance/seatunnel-configs');
const PREFIX = 'seatunnel-connector-v2-e2e__connector-jdbc-e2e__connector-jdbc-e2e-part-1__';
const read = (name: string) => readFileSync(path.join(CORPUS, `${PREFIX}${name}.conf`), 'utf8');

/** The columns of SeaTunnel's MySQL e2e `source`/`sink` tables. */
const MYSQL_COLUMNS: [string, string][] = [
  ['c_bit_1', 'bit(1)'],
  ['c_bit_8', 'bit(8)'],
  ['c_bit_16', 'bit(16)'],
  ['c_bit_32', 'bit(32)'],
  ['c_bit_64', 'bit(64)'],
  ['c_boolean', 'tinyint(1)'],
  ['c_tinyint', 'tinyint'],
  ['c_tinyint_unsigned', 'tinyint unsigned'],
  ['c_smallint', 'smallint'],
  ['c_smallint_unsigned', 'smallint unsigned'],
  ['c_mediumint', 'mediumint'],
  ['c_mediumint_unsigned', 'mediumint unsigned'],
  ['c_int', 'int'],
  ['c_integer', 'integer'],
  ['c_bigint', 'bigint'],
  ['c_bigint_unsigned', 'bigint unsigned'],
  ['c_decimal', 'decimal(20, 0)'],
  ['c_decimal_unsigned', 'decimal(38, 18)'],
  ['c_float', 'float'],
  ['c_float_unsigned', 'float unsigned'],
  ['c_double', 'double'],
  ['c_double_unsigned', 'double unsigned'],
  ['c_char', 'char(1)'],
  ['c_tinytext', 'tinytext'],
  ['c_mediumtext', 'mediumtext'],
  ['c_text', 'text'],
  ['c_varchar', 'varchar(255)'],
  ['c_json', 'json'],
  ['c_longtext', 'longtext'],
  ['c_date', 'date'],
  ['c_datetime', 'datetime'],
  ['c_time', 'time'],
  ['c_timestamp', 'timestamp NULL'],
  ['c_tinyblob', 'tinyblob'],
  ['c_mediumblob', 'mediumblob'],
  ['c_blob', 'blob'],
  ['c_longblob', 'longblob'],
  ['c_varbinary', 'varbinary(255)'],
  ['c_binary', 'binary(1)'],
  ['c_year', 'year'],
  ['c_int_unsigned', 'int unsigned'],
  ['c_integer_unsigned', 'integer unsigned'],
  ['c_bigint_30', 'bigint(40) unsigned'],
  ['c_decimal_unsigned_30', 'decimal(30) unsigned'],
  ['c_decimal_30', 'decimal(30)'],
];
const ROWS = 100;

const createTable = (name: string) =>
  `CREATE TABLE ${name} (${MYSQL_COLUMNS.map(([c, t]) => `${c} ${t} NULL`).join(', ')}) DEFAULT CHARSET=utf8mb4`;

/**
 * Deterministic rows exercising each column's range; every 10th row is all NULL but the keys (c_bit_1,
 * c_boolean, and c_bigint_30: the split key of the bounded config, never NULL in SeaTunnel's data
 * either, since given partition bounds limit the rows read and a NULL key lies outside them).
 */
function insertRows(table: string): string {
  const values: string[] = [];
  for (let i = 1; i <= ROWS; i++) {
    const n = (v: string) => (i % 10 === 0 ? 'NULL' : v);
    values.push(
      `(${[
        `b'${i % 2}'`,
        `b'${(i % 256).toString(2)}'`,
        n(`${i * 311}`),
        n(`${i * 1_000_003}`),
        n(`${BigInt(i) * 92_233_720_368_547n}`),
        `${i % 2}`,
        n(`${(i % 256) - 128}`),
        n(`${i % 256}`),
        n(`${i * 300 - 32768}`),
        n(`${i * 600}`),
        n(`${i * 80_000 - 8_388_608}`),
        n(`${i * 160_000}`),
        n(`${i * 21_474_836 - 2_147_483_648}`),
        n(`${-i}`),
        n(`${BigInt(i) * 92_233_720_368_547_758n - 9_223_372_036_854_775_808n}`),
        n(`${BigInt(i) * 184_467_440_737_095_516n}`),
        n(`${BigInt(i) * 12_345_678_901_234_567n}`),
        n(`'${i}.${String(i).padStart(18, '0')}'`),
        n(`${i}.5`),
        n(`${i}.25`),
        n(`${i}.000123456789`),
        n(`${i * 1e300}`),
        n(`'${String.fromCharCode(64 + (i % 26) + 1)}'`),
        n(`'tiny ${i}\\ttab'`),
        n(`'medium ${i} é 😀'`),
        n(`'text ${i}\\nnewline \\\\ backslash'`),
        n(`'varchar ${i} "dq" ''sq'''`),
        n(`'{"id": ${i}, "tags": ["a", "b"], "nested": {"x": ${i / 2}}}'`),
        n(`REPEAT('long ${i} ', 50)`),
        n(`'${1970 + i}-0${(i % 9) + 1}-1${i % 10}'`),
        n(`'${1970 + i}-12-31 23:59:${String(i % 60).padStart(2, '0')}'`),
        n(`'${i % 24}:30:00'`),
        n(`'2020-01-01 00:00:00' + INTERVAL ${i * 86_399} SECOND`),
        n(`X'${Buffer.from(`tiny${i}`).toString('hex')}'`),
        n(`X'00ff${i.toString(16).padStart(4, '0')}'`),
        n(`X'${Buffer.from(`blob ${i}`).toString('hex')}'`),
        n(`REPEAT(X'DEADBEEF', ${i})`),
        n(`X'0102${i.toString(16).padStart(2, '0')}'`),
        n(`X'${(i % 256).toString(16).padStart(2, '0')}'`),
        n(`${1901 + i}`),
        n(`${i * 42_949_672}`),
        n(`${i * 7}`),
        `${2_844_674_407_371_055_000n + BigInt(i - 1)}`,
        n(`${BigInt(i) * 10_000_000_000_000_000_000_000_000n}`),
        n(`${-BigInt(i) * 10_000_000_000_000_000_000_000_000n}`),
      ].join(', ')})`,
    );
  }
  return `INSERT INTO ${table} VALUES ${values.join(',\n')}`;
}

/** Order-independent digest of every column (binary as hex, numbers by value). */
const digest = (table: string) =>
  `SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', ${MYSQL_COLUMNS.map(([c, t]) =>
    /blob|binary|bit/.test(t) ? `COALESCE(HEX(${c}), 'N')` : `COALESCE(CAST(${c} AS CHAR), 'N')`,
  ).join(', ')})), 1, 15), 16, 10) AS UNSIGNED)), 0) AS h FROM ${table}`;

/** Points the config at the scratch databases and the local servers' accounts. */
function pointAt(text: string, my: TestMariaDb, replacements: Record<string, string> = {}): string {
  let out = text
    .replaceAll('mysql-e2e:3306/seatunnel', `${my.host}:${my.port}/${my.name}`)
    .replace(/password\s*=\s*"Abc!@#135_seatunnel"/g, `password = "${my.password}"`)
    .replace(/user\s*=\s*"root"/g, `user = "${my.user}"`);
  for (const [from, to] of Object.entries(replacements)) out = out.replaceAll(from, to);
  return out;
}

async function run(text: string): Promise<{ result: JobResult; logs: LogLine[] }> {
  const { config, diagnostics } = parseJobConfig(text, 'HOCON');
  expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
  const logs: LogLine[] = [];
  const result = await runJob(config, { log: (l) => logs.push(l) });
  return { result, logs };
}

describe('SeaTunnel JDBC e2e configs on the embedded engine', () => {
  let my: TestMariaDb;
  let sourceDb: TestMariaDb;
  let sinkDb: TestMariaDb;
  let pg: TestDatabase;

  beforeAll(async () => {
    expect(existsSync(CORPUS), `the conformance configs are missing: looked in ${CORPUS}`).toBe(true);
    [my, sourceDb, sinkDb, pg] = await Promise.all([
      createTestMariaDb(),
      createTestMariaDb(),
      createTestMariaDb(),
      createTestDatabase({ empty: true }),
    ]);
    await my.query(createTable('source'));
    await my.query(insertRows('source'));
    for (const t of ['table1', 'table2']) {
      await sourceDb.query(createTable(t));
      await sourceDb.query(insertRows(t));
    }
  });
  afterAll(async () => {
    await Promise.all([my?.drop(), sourceDb?.drop(), sinkDb?.drop(), pg?.drop()]);
  });

  const sourceDigest = async () => (await my.query<{ n: number; h: string }>(digest('source')))[0]!;

  for (const name of [
    'jdbc_mysql_source_and_sink',
    'jdbc_mysql_source_and_sink_parallel',
    'jdbc_mysql_source_and_sink_parallel_upper_lower',
  ]) {
    it(`${name}: the sink table equals the source, every column`, async () => {
      await my.query('DROP TABLE IF EXISTS sink');
      await my.query(createTable('sink'));
      const { result } = await run(pointAt(read(name), my));
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      expect(result.metrics.rowsWritten).toBe(ROWS);
      expect((await my.query(digest('sink')))[0]).toEqual(await sourceDigest());
    });
  }

  it('jdbc_mysql_source_and_sink_xa: the 42 columns it inserts equal the source', async () => {
    await my.query('DROP TABLE IF EXISTS sink');
    await my.query(createTable('sink'));
    const { result } = await run(pointAt(read('jdbc_mysql_source_and_sink_xa'), my));
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    const columns = MYSQL_COLUMNS.slice(0, 42)
      .map(([c]) => c)
      .join(', ');
    const [diff] = await my.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT ${columns} FROM source EXCEPT SELECT ${columns} FROM sink) d`,
    );
    expect(Number(diff!.n)).toBe(0);
    expect(Number((await my.query<{ n: number }>('SELECT COUNT(*) AS n FROM sink'))[0]!.n)).toBe(ROWS);
  });

  it('jdbc_mysql_source_and_sink_with_multiple_tables: table_list into ${table_name} targets the sink creates', async () => {
    const text = pointAt(read('jdbc_mysql_source_and_sink_with_multiple_tables'), my, {
      '"source.table1"': `"${sourceDb.name}.table1"`,
      '"source.table2"': `"${sourceDb.name}.table2"`,
      'from source.table2': `from ${sourceDb.name}.table2`,
      'database = "sink"': `database = "${sinkDb.name}"`,
    });
    const { result } = await run(text);
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    for (const t of ['table1', 'table2']) {
      // The where_condition "c_int >= 0" keeps the rows whose c_int is not negative.
      const [expected] = await sourceDb.query(digest(`(SELECT * FROM ${t} WHERE c_int >= 0) s`));
      expect(await sinkDb.query(digest(t)), t).toEqual([expected]);
    }
  });

  it('jdbc_mysql_source_using_table_path: table_path into a created table', async () => {
    const text = pointAt(read('jdbc_mysql_source_using_table_path'), my, {
      '"source.table1"': `"${sourceDb.name}.table1"`,
      'database = "sink"': `database = "${sinkDb.name}"`,
    });
    await sinkDb.query('DROP TABLE IF EXISTS table1');
    const { result } = await run(text);
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    expect(await sinkDb.query(digest('table1'))).toEqual(await sourceDb.query(digest('table1')));
  });

  const pointAtPg = (text: string) =>
    text
      .replaceAll('postgresql:5432/test', `127.0.0.1:${new URL(pg.url).port || 5432}/${pg.name}`)
      .replace(/user\s*=\s*"?test"?/g, 'user = "postgres"')
      .replace(/password\s*=\s*"?test"?/g, 'password = ""')
      .replace(/database\s*=\s*test\b/g, `database = ${pg.name}`);

  for (const [name, table] of [
    ['jdbc_sink_auto_generate_sql', 'sink'],
    ['jdbc_sink_auto_generate_upsql_sql', 'sink'],
  ] as const) {
    it(`${name}: FakeSource rows land in a PostgreSQL table the sink creates`, async () => {
      await pg.query(`DROP TABLE IF EXISTS public.${table}`);
      const { result } = await run(pointAtPg(read(name)));
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      const [row] = await pg.query<{ n: string }>(`SELECT COUNT(*) AS n FROM public.${table}`);
      expect(Number(row!.n)).toBe(100);
    });
  }

  it('jdbc_sink_name_parameter_sql: a query with :named parameters', async () => {
    await pg.query('DROP TABLE IF EXISTS public.sink');
    await pg.query('CREATE TABLE public.sink (user_id bigint, name text, age int)');
    const { result } = await run(pointAtPg(read('jdbc_sink_name_parameter_sql')));
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    const [row] = await pg.query<{ n: string; ages: string }>(
      'SELECT COUNT(*) AS n, COUNT(age) AS ages FROM public.sink WHERE name IS NOT NULL',
    );
    expect(row).toEqual({ n: '100', ages: '0' });
  });

  it.skip('jdbc_postgres_ide_source_and_sink: needs PostGIS (geometry, geography columns), which this machine has not', () => {});

  for (const name of [
    'jdbc_db2_source_and_sink',
    'jdbc_db2_source_and_sink_upsert',
    'jdbc_oracle_source_to_sink',
    'jdbc_oracle_source_to_sink_use_select1',
    'jdbc_oracle_source_to_sink_use_select2',
    'jdbc_oracle_source_to_sink_use_select3',
    'jdbc_oracle_source_to_sink_without_decimal_type_narrowing',
    'jdbc_oracle_source_with_multiple_tables_to_sink',
  ]) {
    it(`${name}: refused, naming the database and the SeaTunnel engine`, async () => {
      const { result } = await run(read(name));
      expect(result.status).toBe('FAILED');
      expect(result.error?.code).toBe('CONFIG_INVALID');
      expect(result.error?.message).toMatch(/(oracle|db2).*embedded engine does not connect to.*SeaTunnel engine/i);
    });
  }
});
