/**
 * Type fidelity of whole jobs: Jdbc source → Jdbc sink run through runJob with SeaTunnel-format
 * configs (generate_sink_sql, save modes creating the targets), for MariaDB → PostgreSQL,
 * PostgreSQL → PostgreSQL and PostgreSQL → MariaDB. Every common column type, with NULLs, empty
 * strings, unicode and emoji, tabs/newlines/backslashes, integer limits, bigint unsigned, full
 * precision decimals, floats, date and time boundaries, time zones, binary and JSON, is compared by
 * value; a 50,000-row table is compared by an order-independent checksum computed in SQL on both
 * sides (the sum of md5 prefixes of a canonical text of every column).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../server/src/modules/engine/index.js';
import { parseJobConfig } from '../../server/src/modules/job-config/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

let pgDb: TestDatabase;
let myDb: TestMariaDb;

const BIG_ROWS = 50_000;

const MYSQL_TYPES = `
CREATE TABLE types (
  id int NOT NULL PRIMARY KEY,
  c_tinyint tinyint, c_tinyint_u tinyint unsigned, c_bool tinyint(1),
  c_smallint smallint, c_smallint_u smallint unsigned, c_mediumint mediumint,
  c_int int, c_int_u int unsigned, c_bigint bigint, c_bigint_u bigint unsigned,
  c_decimal decimal(30,10), c_decimal_max decimal(65,30),
  c_float float, c_double double,
  c_char char(5), c_varchar varchar(100), c_text text, c_longtext longtext,
  c_enum enum('a','b','c d'), c_json json,
  c_varbinary varbinary(300), c_blob blob, c_bit bit(8),
  c_date date, c_time time(6), c_datetime datetime(6), c_timestamp timestamp(6) NULL, c_year year
) CHARACTER SET utf8mb4;
INSERT INTO types VALUES
 (1, 127, 255, 1, 32767, 65535, 8388607, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
  '99999999999999999999.9999999999', '99999999999999999999999999999999999.999999999999999999999999999999',
  3.40282e38, 1.7976931348623157e308, 'abcde', 'max', 'text', REPEAT('long ', 20000), 'c d',
  '{"a": [1, 2, {"b": null}], "u": "😀"}', UNHEX(REPEAT('00FF7F80', 75)), UNHEX(REPEAT('0102', 100)), b'11111111',
  '9999-12-31', '23:59:59.999999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', 2155),
 (2, -128, 0, 0, -32768, 0, -8388608, -2147483648, 0, -9223372036854775808, 0,
  '-99999999999999999999.9999999999', '-99999999999999999999999999999999999.999999999999999999999999999999',
  -1.17549e-38, -2.2250738585072014e-308, '', '', '', '', 'a', '[]', '', '', b'00000000',
  '1000-01-01', '00:00:00', '1000-01-01 00:00:00', '1970-01-01 00:00:01', 1901),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, '0.0000000001', '0.000000000000000000000000000001', 0.1, 0.1,
  'üé😀', '😀 Zoë 山田 \\\\N NULL "q" ''s''', 'tab\\there\\nnew line\\r\\ncrlf \\\\ backslash \\\\N', 'x', 'b',
  '{"k": "tab\\\\tnl\\\\n", "n": 1500}', UNHEX('5C0A09'), UNHEX('00'), b'10000001',
  '2000-02-29', '12:34:56.5', '2000-02-29 12:34:56.5', '2000-02-29 12:34:56.5', 2000);

CREATE TABLE big_my (
  id bigint NOT NULL PRIMARY KEY, n int, d decimal(18,4), s varchar(64), t text NULL, b varbinary(16),
  flag tinyint(1), dt datetime(6), dd date
) CHARACTER SET utf8mb4;
INSERT INTO big_my
SELECT seq,
  CAST(CRC32(CONCAT('n', seq)) % 2000000 AS SIGNED) - 1000000,
  (CRC32(CONCAT('d', seq)) % 100000000) / 10000 - 5000,
  CONCAT(ELT(1 + seq % 6, 'Alice', 'Zoë', '山田', '😀 emoji', 'tab\\there', 'back\\\\slash'), ' ', seq),
  IF(seq % 10 = 3, NULL, REPEAT(CONCAT('x', seq % 7, '\\n'), 1 + seq % 5)),
  UNHEX(LPAD(HEX(CRC32(CONCAT('b', seq))), 8, '0')),
  seq % 2,
  TIMESTAMP('2000-01-01') + INTERVAL (CRC32(CONCAT('t', seq)) % 900000000) SECOND + INTERVAL (seq % 1000000) MICROSECOND,
  DATE('1970-01-01') + INTERVAL (seq % 30000) DAY
FROM seq_1_to_${BIG_ROWS};
`;

const PG_TYPES = String.raw`
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE types_pg (
  id integer PRIMARY KEY,
  c_smallint smallint, c_int integer, c_bigint bigint,
  c_numeric numeric(30,10), c_numeric_free numeric,
  c_real real, c_double double precision, c_bool boolean,
  c_char char(5), c_varchar varchar(100), c_text text, c_bytea bytea,
  c_date date, c_time time(6), c_timestamp timestamp(6), c_timestamptz timestamptz,
  c_json json, c_jsonb jsonb, c_uuid uuid, c_int_arr integer[], c_text_arr text[],
  c_interval interval, c_mood mood, c_inet inet
);
INSERT INTO types_pg VALUES
 (1, 32767, 2147483647, 9223372036854775807, '99999999999999999999.9999999999',
  '12345678901234567890123456789012345.123456789012345678901234567890', 3.4028235e38, 1.7976931348623157e308, true,
  'abcde', 'max', 'text', decode(repeat('00ff7f80', 75), 'hex'), '9999-12-31', '23:59:59.999999',
  '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '{"a": [1, 2, {"b": null}], "u": "😀"}',
  '{"a": [1, 2, {"b": null}], "u": "😀"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,-2147483648}',
  '{"a","NULL",NULL,"x\"y","b\\c",""}', '1 day 02:03:04.5', 'happy', '192.168.0.1'),
 (2, -32768, -2147483648, -9223372036854775808, '-99999999999999999999.9999999999',
  '-0.000000000000000000000000000001', -1.1754944e-38, -2.2250738585072014e-308, false,
  '', '', '', '\x', '1000-01-01', '00:00:00', '1000-01-01 00:00:00', '1000-01-01 00:00:00+00', '[]', '{}',
  '00000000-0000-0000-0000-000000000000', '{}', '{}', '0', 'sad', '::1'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 0, 0, 0, '0.0000000001', '42', 0.1, 0.1, true, 'üé😀',
  E'😀 Zoë 山田 \\N NULL "q" ''s''', E'tab\there\nnew line\r\ncrlf \\ backslash \\N', '\x5c0a09',
  '2000-02-29', '12:34:56.5', '2000-02-29 12:34:56.5', '2024-03-31 01:30:00+02', '{"k": "tab\\tnl\\n"}',
  '{"k": "tab\\tnl\\n", "n": 1500}', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '{0}', '{"😀","tab	x"}',
  '-1 years -2 mons +3 days -04:05:06', 'happy', '10.0.0.0/8');

CREATE TABLE pg_only (
  id integer PRIMARY KEY, c_double double precision, c_real real, c_numeric numeric, c_grid integer[],
  c_money money, c_bits bit(3), c_varbits varbit(10), c_range int4range, c_xml xml, c_timetz timetz, c_point point
);
INSERT INTO pg_only VALUES
 (1, 'NaN', 'Infinity', 'NaN', '{{1,2},{3,4}}', '12.34', B'101', B'1', '[1,10)', '<a>x</a>', '10:00:00+05', '(1.5,-2)'),
 (2, '-Infinity', '-Infinity', '-1e-20', '{{NULL}}', '-0.01', B'000', B'', 'empty', '<b/>', '00:00:00-12', '(0,0)'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- Every column type of types_pg but the arrays (which the MySQL sink does not transcode), 5,000 rows
-- (several batches), with text holding every character COPY escapes and floats whose texts differ.
CREATE TABLE scalars_pg AS
SELECT g * 10 + t.id AS id, c_smallint, c_int, c_bigint, c_numeric, c_numeric_free, c_real, c_double, c_bool, c_char,
  c_varchar, c_text, c_bytea, c_date, c_time, c_timestamp, c_timestamptz, c_json, c_jsonb, c_uuid, c_interval, c_mood,
  c_inet
FROM types_pg t, generate_series(0, 999) g;
INSERT INTO scalars_pg (id, c_real, c_double, c_bool, c_char, c_varchar, c_text, c_bytea, c_time, c_timestamptz, c_jsonb)
SELECT g * 10 + 5, ('{-0,1.5e-7,1e30}'::real[])[1 + g % 3], ('{-0,1e-5,1e21,0.30000000000000004}'::float8[])[1 + g % 4],
  g % 2 = 1, E'\b\f\x0b', E'\f' || g, E'ctl \b\f\x0b\x01 tab\t nl\n cr\r bs\\ \\N \\f end', '\x5c66', '24:00:00',
  timestamptz '1900-01-01 00:00:00.000001+00' + g * interval '1 day', '{"k": "\f\u0001"}'
FROM generate_series(0, 999) g;
ALTER TABLE scalars_pg ADD PRIMARY KEY (id);

CREATE TABLE big_pg (
  id bigint PRIMARY KEY, n integer, d numeric(18,4), s varchar(64), t text NULL, b bytea, flag boolean,
  dt timestamp(6), dd date, tz timestamptz
);
INSERT INTO big_pg
SELECT g,
  hashtext('n' || g) % 1000000,
  round((hashtext('d' || g)::bigint % 100000000) / 10000.0, 4),
  (ARRAY['Alice', 'Zoë', '山田', '😀 emoji', E'tab\there', E'back\\slash'])[1 + g % 6] || ' ' || g,
  CASE WHEN g % 10 = 3 THEN NULL ELSE repeat('x' || (g % 7) || E'\n', 1 + g % 5) END,
  decode(lpad(to_hex(hashtext('b' || g)), 8, '0'), 'hex'),
  g % 2 = 0,
  timestamp '2000-01-01' + (abs(hashtext('t' || g)) % 900000000) * interval '1 second' + (g % 1000000) * interval '1 microsecond',
  date '1970-01-01' + g % 30000,
  timestamptz '2000-01-01 00:00:00+00' + (abs(hashtext('z' || g)) % 900000000) * interval '1 second'
FROM generate_series(1, ${BIG_ROWS}) g;
`;

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createTestDatabase({ empty: true }), createTestMariaDb()]);
  await myDb.query(MYSQL_TYPES);
  await pgDb.query(PG_TYPES);
}, 120_000);

afterAll(async () => {
  await pgDb?.drop();
  await myDb?.drop();
});

const pgUrl = () => `jdbc:postgresql://127.0.0.1:5432/${pgDb.name}`;
const myUrl = () => myDb.jdbcUrl;

/** Runs the job; returns its log messages. */
async function run(source: string, sink: string, transform = ''): Promise<string[]> {
  const text = `
env {
  job.mode = "BATCH"
  parallelism = 2
}
source {
${source}
}
transform {
${transform}
}
sink {
${sink}
}`;
  const { config, diagnostics } = parseJobConfig(text, 'HOCON');
  expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
  const messages: string[] = [];
  const result = await runJob(config, { log: (line) => messages.push(line.message) });
  expect(result.error).toBeUndefined();
  expect(result.status).toBe('SUCCEEDED');
  return messages;
}

const PG_SOURCE = (tables: string[]) => `
  Jdbc {
    url = "${pgUrl()}"
    driver = "org.postgresql.Driver"
    user = "postgres"
    password = ""
    table_list = [${tables.map((t) => `{ table_path = "public.${t}" }`).join(', ')}]
  }`;

const MY_SOURCE = (tables: string[]) => `
  Jdbc {
    url = "${myUrl()}"
    driver = "org.mariadb.jdbc.Driver"
    user = "${myDb.user}"
    password = ""
    table_list = [${tables.map((t) => `{ table_path = "${myDb.name}.${t}" }`).join(', ')}]
  }`;

const PG_SINK = (table: string) => `
  Jdbc {
    url = "${pgUrl()}"
    driver = "org.postgresql.Driver"
    user = "postgres"
    password = ""
    generate_sink_sql = true
    database = "${pgDb.name}"
    table = "${table}"
    primary_keys = ["\${primary_key}"]
    schema_save_mode = "RECREATE_SCHEMA"
    data_save_mode = "APPEND_DATA"
  }`;

const MY_SINK = (table = '${table_name}') => `
  Jdbc {
    url = "${myUrl()}"
    driver = "com.mysql.cj.jdbc.Driver"
    user = "${myDb.user}"
    password = ""
    generate_sink_sql = true
    database = "${myDb.name}"
    table = "${table}"
    primary_keys = ["\${primary_key}"]
    schema_save_mode = "CREATE_SCHEMA_WHEN_NOT_EXIST"
    data_save_mode = "DROP_DATA"
  }`;

// ------------------------------------------------------------------------------ comparing values

/** How two texts of one value are compared. */
type Kind = 'exact' | 'float' | 'double' | 'decimal' | 'json' | 'hex' | 'bitnum' | 'temporal' | 'bool' | 'char';

interface Column {
  name: string;
  kind: Kind;
  /** SQL giving the source's text of the value, and the target's. */
  source: string;
  target: string;
}

function normalize(kind: Kind, value: unknown): unknown {
  // The test's MariaDB connection hands JSON columns over parsed.
  if (kind === 'json') return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  switch (kind) {
    case 'float':
      return Math.fround(Number(text));
    case 'double':
      return Number(text);
    case 'decimal':
      return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
    case 'hex':
      return text.toLowerCase();
    case 'bitnum':
      return parseInt(text, 16);
    case 'temporal':
      return text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    case 'bool':
      return ['1', 't', 'true'].includes(text);
    case 'char':
      return text.replace(/ +$/, '');
    case 'exact':
      return text;
  }
}

type Reader = (sql: string) => Promise<Record<string, unknown>[]>;
const readPg: Reader = (sql) => pgDb.query(sql);
const readMy: Reader = (sql) => myDb.query(sql);

/** Compares every column of every row by value; returns the differences (empty when faithful). */
async function compareByValue(
  columns: Column[],
  source: { read: Reader; table: string },
  target: { read: Reader; table: string },
): Promise<string[]> {
  const select = (side: 'source' | 'target', table: string) =>
    `SELECT ${['id', ...columns.map((c) => `${c[side]} AS ${c.name}`)].join(', ')} FROM ${table} ORDER BY id`;
  const [a, b] = await Promise.all([
    source.read(select('source', source.table)),
    target.read(select('target', target.table)),
  ]);
  const diffs: string[] = [];
  if (a.length !== b.length) diffs.push(`row count ${a.length} → ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    for (const c of columns) {
      const x = a[i]![c.name];
      const y = b[i]![c.name];
      const same =
        x === null || y === null
          ? x === y
          : JSON.stringify(normalize(c.kind, x)) === JSON.stringify(normalize(c.kind, y));
      if (!same) diffs.push(`id ${String(a[i]!.id)} ${c.name}: ${JSON.stringify(x)} → ${JSON.stringify(y)}`);
    }
  }
  return diffs;
}

/** Column of `kind` read the same way on both sides of the same database type. */
const col = (name: string, kind: Kind, source: string, target: string): Column => ({ name, kind, source, target });
const myText = (c: string) => `CAST(${c} AS CHAR)`;
const pgText = (c: string) => `${c}::text`;

// ------------------------------------------------------------------------------ checksums

interface Checksum {
  rows: number;
  sum: number;
}

async function checksum(
  read: Reader,
  table: string,
  canonical: string,
  dialect: 'mysql' | 'postgresql',
): Promise<Checksum> {
  const sql =
    dialect === 'mysql'
      ? `SELECT COUNT(*) AS n, SUM(CONV(LEFT(MD5(${canonical}), 8), 16, 10)) AS s FROM ${table}`
      : `SELECT count(*) AS n, sum(('x' || left(md5(${canonical}), 8))::bit(32)::bigint) AS s FROM ${table}`;
  const [row] = await read(sql);
  return { rows: Number(row!.n), sum: Number(row!.s) };
}

/** Canonical text of a row of the big tables, per dialect ("\N" for NULL, "|" between fields). */
const MY_CANONICAL = (tz: boolean) =>
  `CONCAT_WS('|', id, COALESCE(CAST(n AS CHAR), '\\\\N'), COALESCE(CAST(d AS CHAR), '\\\\N'), COALESCE(s, '\\\\N'),
    COALESCE(t, '\\\\N'), COALESCE(LOWER(HEX(b)), '\\\\N'), COALESCE(CAST(flag AS CHAR), '\\\\N'),
    COALESCE(DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f'), '\\\\N'), COALESCE(DATE_FORMAT(dd, '%Y-%m-%d'), '\\\\N')
    ${tz ? `, COALESCE(DATE_FORMAT(tz, '%Y-%m-%d %H:%i:%s.%f'), '\\\\N')` : ''})`;
const PG_CANONICAL = (tz: boolean) =>
  `concat_ws('|', id::text, coalesce(n::text, '\\N'), coalesce(d::text, '\\N'), coalesce(s, '\\N'), coalesce(t, '\\N'),
    coalesce(encode(b, 'hex'), '\\N'), coalesce(flag::int::text, '\\N'),
    coalesce(to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US'), '\\N'), coalesce(to_char(dd, 'YYYY-MM-DD'), '\\N')
    ${tz ? `, coalesce(to_char(tz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '\\N')` : ''})`;

// ------------------------------------------------------------------------------ the jobs

describe('MariaDB → PostgreSQL', () => {
  beforeAll(async () => {
    await run(MY_SOURCE(['types', 'big_my']), PG_SINK('my2pg.${table_name}'));
  }, 180_000);

  it('creates the target with mapped types', async () => {
    const rows = await pgDb.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = 'my2pg.types'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.type]))).toEqual({
      id: 'integer',
      c_tinyint: 'smallint',
      c_tinyint_u: 'smallint',
      c_bool: 'boolean',
      c_smallint: 'smallint',
      c_smallint_u: 'integer',
      c_mediumint: 'integer',
      c_int: 'integer',
      c_int_u: 'bigint',
      c_bigint: 'bigint',
      c_bigint_u: 'numeric(20,0)',
      c_decimal: 'numeric(30,10)',
      c_decimal_max: 'numeric(65,30)',
      c_float: 'real',
      c_double: 'double precision',
      c_char: 'character varying(5)',
      c_varchar: 'character varying(100)',
      c_text: 'text',
      c_longtext: 'text',
      c_enum: 'text',
      c_json: 'jsonb',
      c_varbinary: 'bytea',
      c_blob: 'bytea',
      c_bit: 'bytea',
      c_date: 'date',
      c_time: 'time without time zone',
      c_datetime: 'timestamp without time zone',
      c_timestamp: 'timestamp without time zone',
      c_year: 'integer',
    });
    const [pk] = await pgDb.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'my2pg.types'::regclass AND contype = 'p'`,
    );
    expect(pk?.def).toBe('PRIMARY KEY (id)');
  });

  it('keeps every value', async () => {
    const same = (name: string, kind: Kind = 'exact') => col(name, kind, myText(name), pgText(name));
    const columns: Column[] = [
      ...[
        'c_tinyint',
        'c_tinyint_u',
        'c_smallint',
        'c_smallint_u',
        'c_mediumint',
        'c_int',
        'c_int_u',
        'c_bigint',
        'c_bigint_u',
      ].map((c) => same(c)),
      same('c_decimal'),
      same('c_decimal_max'),
      col('c_bool', 'bool', myText('c_bool'), pgText('c_bool')),
      // FLOAT as its exact 32-bit value on both sides (MySQL prints only 6 digits of it).
      col('c_float', 'float', 'CAST(c_float AS DOUBLE)', 'c_float::float8::text'),
      same('c_double', 'double'),
      col('c_char', 'exact', 'c_char', 'c_char'),
      col('c_varchar', 'exact', 'c_varchar', 'c_varchar'),
      col('c_text', 'exact', 'c_text', 'c_text'),
      col('c_longtext', 'exact', 'c_longtext', 'c_longtext'),
      col('c_enum', 'exact', myText('c_enum'), 'c_enum'),
      col('c_json', 'json', 'c_json', pgText('c_json')),
      col('c_varbinary', 'hex', 'HEX(c_varbinary)', "encode(c_varbinary, 'hex')"),
      col('c_blob', 'hex', 'HEX(c_blob)', "encode(c_blob, 'hex')"),
      col('c_bit', 'bitnum', 'HEX(c_bit)', "encode(c_bit, 'hex')"),
      same('c_date', 'temporal'),
      same('c_time', 'temporal'),
      same('c_datetime', 'temporal'),
      same('c_timestamp', 'temporal'),
      same('c_year'),
    ];
    expect(
      await compareByValue(columns, { read: readMy, table: 'types' }, { read: readPg, table: 'my2pg.types' }),
    ).toEqual([]);
  });

  it(`keeps every row of a ${BIG_ROWS}-row table (checksum)`, async () => {
    const source = await checksum(readMy, 'big_my', MY_CANONICAL(false), 'mysql');
    expect(source.rows).toBe(BIG_ROWS);
    expect(await checksum(readPg, 'my2pg.big_my', PG_CANONICAL(false), 'postgresql')).toEqual(source);
  });
});

// Without a transform the source's COPY text goes into the target as it is (same column types);
// through a transform (one that keeps every row) each value is decoded and encoded again. Both
// paths must give the same tables.
describe.each([
  ['COPY text passed through', 'pg2pg', ''],
  ['values decoded and encoded', 'pg2pg_rows', 'FilterRowKind {\n    exclude_kinds = ["DELETE"]\n  }'],
])('PostgreSQL → PostgreSQL, %s', (_path, schema, transform) => {
  let messages: string[] = [];
  beforeAll(async () => {
    messages = await run(PG_SOURCE(['types_pg', 'pg_only', 'big_pg']), PG_SINK(`${schema}.\${table_name}`), transform);
  }, 180_000);

  it('takes the expected path', () => {
    const passed = messages.filter((m) => m.includes("the source's COPY text goes in as it is"));
    expect(passed).toHaveLength(transform ? 0 : 3);
  });

  it.each(['types_pg', 'pg_only', 'big_pg'])(
    'copies %s with the same column types and the same row texts',
    async (table) => {
      const shape = (from: string) =>
        pgDb.query(
          `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull FROM pg_attribute a
          WHERE a.attrelid = '${from}.${table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        );
      expect(await shape(schema)).toEqual(await shape('public'));
      const texts = (from: string) =>
        pgDb.query(
          `SELECT count(*)::int AS n, md5(string_agg(t::text, E'\\n' ORDER BY id)) AS h FROM ${from}.${table} t`,
        );
      expect(await texts(schema)).toEqual(await texts('public'));
    },
  );

  it(`keeps every row of a ${BIG_ROWS}-row table (checksum)`, async () => {
    const source = await checksum(readPg, 'public.big_pg', PG_CANONICAL(true), 'postgresql');
    expect(source.rows).toBe(BIG_ROWS);
    expect(await checksum(readPg, `${schema}.big_pg`, PG_CANONICAL(true), 'postgresql')).toEqual(source);
  });
});

// Without a transform the source's COPY text is transcoded into LOAD DATA text for the tables whose
// every column can be (scalars_pg, big_pg; types_pg has arrays); through a transform each value is
// decoded and encoded again. Both paths must give the same tables.
const P2M_TABLES = ['types_pg', 'scalars_pg', 'big_pg'];
const P2M_PATHS = [
  ['COPY text transcoded into LOAD DATA', ''],
  ['values decoded and encoded', 'FilterRowKind {\n    exclude_kinds = ["DELETE"]\n  }'],
] as const;
const p2mTable = (table: string, transform: string) => (transform ? `${table}_rows` : table);

describe.each(P2M_PATHS)('PostgreSQL → MariaDB, %s', (_path, transform) => {
  let messages: string[] = [];
  const target = (table: string) => p2mTable(table, transform);
  beforeAll(async () => {
    messages = await run(PG_SOURCE(P2M_TABLES), MY_SINK(target('${table_name}')), transform);
  }, 180_000);

  it('takes the expected path', () => {
    const transcoded = messages.filter((m) => m.includes("the source's COPY text is transcoded into LOAD DATA"));
    expect(transcoded.map((m) => /(\w+)\W*: the source/.exec(m)?.[1]).sort()).toEqual(
      transform ? [] : [target('big_pg'), target('scalars_pg')],
    );
  });

  it('creates the target with mapped types', async () => {
    const rows = await myDb.query<{ name: string; type: string }>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = '${myDb.name}' AND TABLE_NAME = '${target('types_pg')}' ORDER BY ORDINAL_POSITION`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.type]))).toEqual({
      id: 'int(11)',
      c_smallint: 'smallint(6)',
      c_int: 'int(11)',
      c_bigint: 'bigint(20)',
      c_numeric: 'decimal(30,10)',
      c_numeric_free: 'decimal(65,30)',
      c_real: 'float',
      c_double: 'double',
      c_bool: 'tinyint(1)',
      c_char: 'varchar(5)',
      c_varchar: 'varchar(100)',
      c_text: 'longtext',
      c_bytea: 'longblob',
      c_date: 'date',
      c_time: 'time(6)',
      c_timestamp: 'datetime(6)',
      c_timestamptz: 'datetime(6)',
      c_json: 'longtext',
      c_jsonb: 'longtext',
      c_uuid: 'char(36)',
      c_int_arr: 'longtext',
      c_text_arr: 'longtext',
      c_interval: 'longtext',
      c_mood: 'longtext',
      c_inet: 'longtext',
    });
  });

  it('keeps every value', async () => {
    const same = (name: string, kind: Kind = 'exact') => col(name, kind, pgText(name), myText(name));
    const columns: Column[] = [
      same('c_smallint'),
      same('c_int'),
      same('c_bigint'),
      same('c_numeric'),
      same('c_numeric_free', 'decimal'),
      col('c_real', 'float', 'c_real::float8::text', 'CAST(c_real AS DOUBLE)'),
      same('c_double', 'double'),
      col('c_bool', 'bool', pgText('c_bool'), myText('c_bool')),
      // char(n) pads with spaces; the padded value is what PostgreSQL hands out.
      col('c_char', 'char', 'c_char', 'c_char'),
      col('c_varchar', 'exact', 'c_varchar', 'c_varchar'),
      col('c_text', 'exact', 'c_text', 'c_text'),
      col('c_bytea', 'hex', "encode(c_bytea, 'hex')", 'HEX(c_bytea)'),
      same('c_date', 'temporal'),
      same('c_time', 'temporal'),
      same('c_timestamp', 'temporal'),
      col(
        'c_timestamptz',
        'temporal',
        "to_char(c_timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
        myText('c_timestamptz'),
      ),
      col('c_json', 'json', pgText('c_json'), 'c_json'),
      col('c_jsonb', 'json', pgText('c_jsonb'), 'c_jsonb'),
      col('c_uuid', 'exact', pgText('c_uuid'), 'c_uuid'),
      col('c_int_arr', 'json', 'array_to_json(c_int_arr)::text', 'c_int_arr'),
      col('c_text_arr', 'json', 'array_to_json(c_text_arr)::text', 'c_text_arr'),
      col('c_mood', 'exact', pgText('c_mood'), 'c_mood'),
      // inet's output form (a cast to text would add /32 to a host).
      col('c_inet', 'exact', 'abbrev(c_inet)', 'c_inet'),
    ];
    expect(
      await compareByValue(
        columns,
        { read: readPg, table: 'public.types_pg' },
        { read: readMy, table: target('types_pg') },
      ),
    ).toEqual([]);
    // Intervals travel as ISO 8601 text.
    expect(await myDb.query(`SELECT id, c_interval FROM ${target('types_pg')} ORDER BY id`)).toEqual([
      { id: 1, c_interval: 'P1DT2H3M4.5S' },
      { id: 2, c_interval: 'PT0S' },
      { id: 3, c_interval: null },
      { id: 4, c_interval: 'P-1Y-2M3DT-4H-5M-6S' },
    ]);
  });

  it(`keeps every row of a ${BIG_ROWS}-row table (checksum)`, async () => {
    const source = await checksum(readPg, 'public.big_pg', PG_CANONICAL(true), 'postgresql');
    expect(await checksum(readMy, target('big_pg'), MY_CANONICAL(true), 'mysql')).toEqual(source);
  });
});

describe('PostgreSQL → MariaDB, both paths', () => {
  /** Column names and types of a MariaDB table. */
  const shape = async (table: string) =>
    (
      await myDb.query<{ name: string; type: string; nullable: string }>(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = '${myDb.name}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
      )
    ).map((c) => ({ ...c }));

  it.each(P2M_TABLES)('gives the same %s either way, byte for byte', async (table) => {
    const [a, b] = P2M_PATHS.map(([, transform]) => p2mTable(table, transform));
    const columns = await shape(a!);
    expect(columns.length).toBeGreaterThan(1);
    expect(await shape(b!)).toEqual(columns);
    // Equal as values (floats exactly) and as bytes (text compared without collation or padding rules).
    const same = columns
      .map(
        ({ name }) =>
          `a.\`${name}\` <=> b.\`${name}\` AND CAST(a.\`${name}\` AS BINARY) <=> CAST(b.\`${name}\` AS BINARY)`,
      )
      .join(' AND ');
    const [counts] = await myDb.query<{ a: number; b: number; same: number }>(
      `SELECT (SELECT COUNT(*) FROM \`${a}\`) AS a, (SELECT COUNT(*) FROM \`${b}\`) AS b,
              (SELECT COUNT(*) FROM \`${a}\` a JOIN \`${b}\` b ON ${same}) AS same`,
    );
    const source = await pgDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${table}`);
    const n = source[0]!.n;
    expect({ a: Number(counts!.a), b: Number(counts!.b), same: Number(counts!.same) }).toEqual({ a: n, b: n, same: n });
  });
});
