/**
 * The engine's Jdbc sink against real PostgreSQL and MariaDB servers: save modes, field_ide,
 * upserts and deletes by key, user queries, multi-table targets, the escaping of the COPY and
 * LOAD DATA fast paths, rollback on abort, backpressure, the local_infile fallback and errors.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jdbcSink } from '../../server/src/modules/engine/connectors/jdbc/sink.js';
import { PluginOptions, type PluginContext, type Sink } from '../../server/src/modules/engine/plugin.js';
import {
  parseDataType,
  type RowBatch,
  type RowKind,
  type TableSchema,
  type Value,
} from '../../server/src/modules/engine/row.js';
import type { ConfigObject } from '../../server/src/modules/job-config/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

type Dialect = 'postgresql' | 'mysql';

let pgDb: TestDatabase;
let myDb: TestMariaDb;

beforeAll(async () => {
  pgDb = await createTestDatabase({ empty: true });
  myDb = await createTestMariaDb();
});

afterAll(async () => {
  await pgDb?.drop();
  await myDb?.drop();
});

interface Target {
  dialect: Dialect;
  url: string;
  user: string;
  /** Runs SQL on the target database. */
  query<R = Record<string, unknown>>(sql: string): Promise<R[]>;
  /** The qualified name of a table in the test database / default schema. */
  name(table: string): string;
  /** Column name → declared type of a table. */
  columnTypes(table: string): Promise<Record<string, string>>;
}

function target(dialect: Dialect): Target {
  if (dialect === 'postgresql') {
    return {
      dialect,
      url: `jdbc:postgresql://127.0.0.1:5432/${pgDb.name}`,
      user: 'postgres',
      query: <R>(sql: string) => pgDb.query(sql) as Promise<R[]>,
      name: (t) => `public."${t}"`,
      async columnTypes(table) {
        const rows = await pgDb.query<{ name: string; type: string }>(
          `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
            WHERE a.attrelid = 'public."${table}"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        );
        return Object.fromEntries(rows.map((r) => [r.name, r.type]));
      },
    };
  }
  return {
    dialect,
    url: myDb.jdbcUrl,
    user: myDb.user,
    query: <R>(sql: string) => myDb.query<R>(sql),
    name: (t) => `\`${t}\``,
    async columnTypes(table) {
      const rows = await myDb.query<{ name: string; type: string }>(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = '${myDb.name}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.type]));
    },
  };
}

interface TestContext extends PluginContext {
  lines: string[];
}

function context(over: Partial<PluginContext> = {}): TestContext {
  const lines: string[] = [];
  return {
    log: (level, message) => lines.push(`${level} ${message}`),
    signal: new AbortController().signal,
    parallelism: 1,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'job-1',
    lines,
    ...over,
  };
}

function makeSink(t: Target, options: ConfigObject, ctx: PluginContext): Sink {
  return jdbcSink({
    options: new PluginOptions('Jdbc', { url: t.url, user: t.user, password: '', generate_sink_sql: true, ...options }),
    context: ctx,
  });
}

/** Opens, writes every batch and finishes; on failure aborts and rethrows. */
async function runSink(
  t: Target,
  options: ConfigObject,
  tables: TableSchema[],
  batches: RowBatch[],
  ctx: TestContext = context(),
): Promise<TestContext> {
  const sink = makeSink(t, options, ctx);
  await sink.open(tables, ctx);
  try {
    for (const batch of batches) await sink.write(batch);
    await sink.finish();
  } catch (err) {
    await sink.abort(err);
    throw err;
  }
  return ctx;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

let tableCounter = 0;
const uniqueName = (base: string) => `${base}_${++tableCounter}`;

/** A table schema from "name type" pairs; the first field is the key unless `keys` says otherwise. */
function schema(
  table: string,
  fields: [string, string, number?][],
  keys: string[] | null = [fields[0]![0]],
): TableSchema {
  return {
    path: { database: 'src', table },
    fields: fields.map(([name, type, length]) => ({
      name,
      type: parseDataType(type),
      nullable: !keys?.includes(name),
      ...(length ? { length } : {}),
    })),
    ...(keys ? { primaryKey: keys } : {}),
  };
}

const batch = (rows: Value[][], kinds?: RowKind[]): RowBatch => ({ table: 0, rows, ...(kinds ? { kinds } : {}) });

const SIMPLE: [string, string, number?][] = [
  ['id', 'bigint'],
  ['name', 'string', 20],
];

async function rowsOf(t: Target, table: string): Promise<[string, string | null][]> {
  const rows = await t.query<{ id: string | number; name: string | null }>(
    `SELECT id, name FROM ${t.name(table)} ORDER BY id`,
  );
  return rows.map((r) => [String(r.id), r.name]);
}

async function createSimple(t: Target, table: string, rows: [number, string][] = []): Promise<void> {
  await t.query(`CREATE TABLE ${t.name(table)} (id bigint NOT NULL PRIMARY KEY, name varchar(100) NULL)`);
  for (const [id, name] of rows) await t.query(`INSERT INTO ${t.name(table)} (id, name) VALUES (${id}, '${name}')`);
}

describe.each(['postgresql', 'mysql'] as const)('Jdbc sink on %s', (dialect) => {
  const t = () => target(dialect);

  describe('schema save modes', () => {
    it('creates a missing table from the input schema, then appends to it (CREATE_SCHEMA_WHEN_NOT_EXIST, APPEND_DATA)', async () => {
      const name = uniqueName('created');
      const input = schema(name, [
        ['id', 'bigint'],
        ['name', 'string', 20],
        ['amount', 'decimal(10, 2)'],
        ['at', 'timestamp'],
        ['ok', 'boolean'],
      ]);
      const ctx = await runSink(
        t(),
        { table: name },
        [input],
        [batch([[1n, 'a', '1.50', '2024-01-01 10:00:00', true]])],
      );
      expect(ctx.lines.some((l) => l.includes('created table'))).toBe(true);
      expect(await t().columnTypes(name)).toEqual(
        dialect === 'postgresql'
          ? {
              id: 'bigint',
              name: 'character varying(20)',
              amount: 'numeric(10,2)',
              at: 'timestamp without time zone',
              ok: 'boolean',
            }
          : { id: 'bigint(20)', name: 'varchar(20)', amount: 'decimal(10,2)', at: 'datetime(6)', ok: 'tinyint(1)' },
      );
      await runSink(t(), { table: name }, [input], [batch([[2n, 'b', '2.00', '2024-01-02 10:00:00', false]])]);
      expect(await rowsOf(t(), name)).toEqual([
        ['1', 'a'],
        ['2', 'b'],
      ]);
    });

    it('drops and recreates an existing table (RECREATE_SCHEMA)', async () => {
      const name = uniqueName('recreated');
      await t().query(`CREATE TABLE ${t().name(name)} (id int, name varchar(5), extra int)`);
      await t().query(`INSERT INTO ${t().name(name)} VALUES (9, 'old', 1)`);
      await runSink(
        t(),
        { table: name, schema_save_mode: 'RECREATE_SCHEMA' },
        [schema(name, SIMPLE)],
        [batch([[1n, 'new']])],
      );
      expect(Object.keys(await t().columnTypes(name))).toEqual(['id', 'name']);
      expect(await rowsOf(t(), name)).toEqual([['1', 'new']]);
    });

    it('fails on a missing table with ERROR_WHEN_SCHEMA_NOT_EXIST, and writes into an existing one', async () => {
      const name = uniqueName('must_exist');
      const err = await failure(
        runSink(t(), { table: name, schema_save_mode: 'ERROR_WHEN_SCHEMA_NOT_EXIST' }, [schema(name, SIMPLE)], []),
      );
      expect(err.message).toMatch(
        new RegExp(
          `Jdbc sink: table \\S*${name}\\S* does not exist \\(schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST\\)`,
        ),
      );
      await createSimple(t(), name);
      await runSink(
        t(),
        { table: name, schema_save_mode: 'ERROR_WHEN_SCHEMA_NOT_EXIST' },
        [schema(name, SIMPLE)],
        [batch([[1n, 'x']])],
      );
      expect(await rowsOf(t(), name)).toEqual([['1', 'x']]);
    });

    it('leaves the table as it is with IGNORE, and fails when there is none', async () => {
      const name = uniqueName('ignored');
      const err = await failure(runSink(t(), { table: name, schema_save_mode: 'IGNORE' }, [schema(name, SIMPLE)], []));
      expect(err.message).toMatch(/does not exist, and schema_save_mode = IGNORE does not create it/);
      await createSimple(t(), name);
      await runSink(t(), { table: name, schema_save_mode: 'IGNORE' }, [schema(name, SIMPLE)], [batch([[1n, 'x']])]);
      expect((await t().columnTypes(name)).name).toMatch(/^(character )?varying|varchar\(100\)/);
      expect(await rowsOf(t(), name)).toEqual([['1', 'x']]);
    });
  });

  describe('data save modes', () => {
    it('empties the table first with DROP_DATA', async () => {
      const name = uniqueName('dropped');
      await createSimple(t(), name, [
        [1, 'old'],
        [2, 'old'],
      ]);
      await runSink(t(), { table: name, data_save_mode: 'DROP_DATA' }, [schema(name, SIMPLE)], [batch([[3n, 'new']])]);
      expect(await rowsOf(t(), name)).toEqual([['3', 'new']]);
    });

    it('runs custom_sql before writing with CUSTOM_PROCESSING, and requires it', async () => {
      const name = uniqueName('custom');
      await createSimple(t(), name, [
        [1, 'gone'],
        [2, 'kept'],
      ]);
      await runSink(
        t(),
        { table: name, data_save_mode: 'CUSTOM_PROCESSING', custom_sql: `DELETE FROM ${t().name(name)} WHERE id = 1` },
        [schema(name, SIMPLE)],
        [batch([[3n, 'new']])],
      );
      expect(await rowsOf(t(), name)).toEqual([
        ['2', 'kept'],
        ['3', 'new'],
      ]);
      expect(() => makeSink(t(), { table: name, data_save_mode: 'CUSTOM_PROCESSING' }, context())).toThrow(
        'Jdbc: option "custom_sql" is required when data_save_mode = CUSTOM_PROCESSING',
      );
    });

    it('refuses a table with rows with ERROR_WHEN_DATA_EXISTS, and writes into an empty one', async () => {
      const name = uniqueName('must_be_empty');
      await createSimple(t(), name, [[1, 'there']]);
      const err = await failure(
        runSink(
          t(),
          { table: name, data_save_mode: 'ERROR_WHEN_DATA_EXISTS' },
          [schema(name, SIMPLE)],
          [batch([[2n, 'x']])],
        ),
      );
      expect(err.message).toMatch(/already has rows \(data_save_mode = ERROR_WHEN_DATA_EXISTS\)/);
      expect(await rowsOf(t(), name)).toEqual([['1', 'there']]);
      await t().query(`DELETE FROM ${t().name(name)}`);
      await runSink(
        t(),
        { table: name, data_save_mode: 'ERROR_WHEN_DATA_EXISTS' },
        [schema(name, SIMPLE)],
        [batch([[2n, 'x']])],
      );
      expect(await rowsOf(t(), name)).toEqual([['2', 'x']]);
    });
  });

  it('names created tables and columns in upper or lower case with field_ide', async () => {
    const upper = uniqueName('ide_up');
    await runSink(
      t(),
      { table: upper, field_ide: 'UPPERCASE' },
      [
        schema(
          upper,
          [
            ['Id', 'int'],
            ['userName', 'string'],
          ],
          ['Id'],
        ),
      ],
      [batch([[1, 'a']])],
    );
    expect(Object.keys(await t().columnTypes(upper.toUpperCase()))).toEqual(['ID', 'USERNAME']);
    const lower = uniqueName('IDE_Low');
    await runSink(
      t(),
      { table: lower, field_ide: 'LOWERCASE' },
      [
        schema(
          lower,
          [
            ['Id', 'int'],
            ['userName', 'string'],
          ],
          ['Id'],
        ),
      ],
      [batch([[1, 'a']]), batch([[1, 'b']], ['UPDATE_AFTER'])],
    );
    expect(Object.keys(await t().columnTypes(lower.toLowerCase()))).toEqual(['id', 'username']);
    const rows = await t().query<{ username: string }>(`SELECT username FROM ${t().name(lower.toLowerCase())}`);
    expect(rows).toEqual([{ username: 'b' }]);
  });

  describe('keys', () => {
    it('upserts rows whose key exists into a table that already has rows', async () => {
      const name = uniqueName('upsert');
      await createSimple(t(), name, [
        [1, 'old'],
        [2, 'old'],
      ]);
      await runSink(
        t(),
        { table: name },
        [schema(name, SIMPLE)],
        [
          batch([
            [1n, 'new'],
            [3n, 'three'],
          ]),
          batch([[1n, 'newer']]),
        ],
      );
      expect(await rowsOf(t(), name)).toEqual([
        ['1', 'newer'],
        ['2', 'old'],
        ['3', 'three'],
      ]);
    });

    it('applies updates and deletes by key, skipping UPDATE_BEFORE, after a bulk insert', async () => {
      const name = uniqueName('changes');
      await runSink(
        t(),
        { table: name, batch_size: 2 },
        [schema(name, SIMPLE)],
        [
          batch([
            [1n, 'a'],
            [2n, 'b'],
            [3n, 'c'],
            [4n, 'd'],
          ]),
          batch(
            [
              [2n, 'b'],
              [2n, 'B'],
              [3n, 'c'],
              [5n, 'e'],
              [5n, 'E'],
              [4n, 'd'],
              [4n, 'D'],
              [1n, 'a'],
            ],
            ['UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE', 'INSERT', 'UPDATE_AFTER', 'DELETE', 'INSERT', 'DELETE'],
          ),
          batch([[6n, 'f']]),
        ],
      );
      expect(await rowsOf(t(), name)).toEqual([
        ['2', 'B'],
        ['4', 'D'],
        ['5', 'E'],
        ['6', 'f'],
      ]);
    });

    it('takes keys from primary_keys = ["${primary_key}"] and from a plain list', async () => {
      const name = uniqueName('keys_option');
      await createSimple(t(), name, [[1, 'old']]);
      await runSink(
        t(),
        { table: name, primary_keys: ['${primary_key}'] },
        [schema(name, SIMPLE)],
        [batch([[1n, 'new']])],
      );
      await runSink(t(), { table: name, primary_keys: ['id'] }, [schema(name, SIMPLE, null)], [batch([[1n, 'newer']])]);
      expect(await rowsOf(t(), name)).toEqual([['1', 'newer']]);
      const err = await failure(
        runSink(t(), { table: name, primary_keys: ['nope'] }, [schema(name, SIMPLE)], [batch([[1n, 'x']])]),
      );
      expect(err.message).toBe(
        'Jdbc: option "primary_keys" names "nope", which input src.' + name + ' does not have (its fields: id, name)',
      );
    });

    it('with enable_upsert = false, updates UPDATE_AFTER rows and fails on a duplicate INSERT', async () => {
      const name = uniqueName('no_upsert');
      await createSimple(t(), name, [[1, 'a']]);
      await runSink(
        t(),
        { table: name, enable_upsert: false },
        [schema(name, SIMPLE)],
        [batch([[1n, 'b']], ['UPDATE_AFTER'])],
      );
      expect(await rowsOf(t(), name)).toEqual([['1', 'b']]);
      const err = await failure(
        runSink(
          t(),
          { table: name, enable_upsert: false },
          [schema(name, SIMPLE)],
          [
            batch([
              [2n, 'x'],
              [1n, 'dup'],
            ]),
          ],
        ),
      );
      expect(err.message).toMatch(new RegExp(`^Jdbc sink: table \\S+${name}\\S*(, row 2)?: .*[Dd]uplicate`));
      expect(await rowsOf(t(), name)).toEqual([['1', 'b']]);
    });

    it('bulk-loads with use_copy_statement even when keys exist, so a duplicate key fails', async () => {
      const name = uniqueName('use_copy');
      await createSimple(t(), name, [[1, 'old']]);
      const err = await failure(
        runSink(
          t(),
          { table: name, use_copy_statement: true },
          [schema(name, SIMPLE)],
          [
            batch([
              [2n, 'b'],
              [1n, 'dup'],
            ]),
          ],
        ),
      );
      expect(err.message).toMatch(new RegExp(`^Jdbc sink: table \\S+${name}\\S*(, row 2)?: .*[Dd]uplicate`));
      expect(await rowsOf(t(), name)).toEqual([['1', 'old']]);
    });

    it('refuses a DELETE row for a table without keys, naming the table and row', async () => {
      const name = uniqueName('no_keys');
      const err = await failure(
        runSink(
          t(),
          { table: name },
          [schema(name, SIMPLE, null)],
          [
            batch(
              [
                [1n, 'a'],
                [1n, 'a'],
              ],
              ['INSERT', 'DELETE'],
            ),
          ],
        ),
      );
      expect(err.message).toMatch(
        new RegExp(`^Jdbc sink: table \\S+${name}\\S*, row 2: an DELETE row needs the table's key`),
      );
    });
  });

  it('runs a user INSERT with ? placeholders bound in field order', async () => {
    const name = uniqueName('user_query');
    await t().query(
      `CREATE TABLE ${t().name(name)} (id bigint, name varchar(100), data ${dialect === 'postgresql' ? 'bytea' : 'blob'}, note varchar(20))`,
    );
    const input = schema(
      name,
      [
        ['id', 'bigint'],
        ['name', 'string'],
        ['data', 'bytes'],
      ],
      null,
    );
    await runSink(
      t(),
      {
        generate_sink_sql: false,
        query: `INSERT INTO ${t().name(name)} (id, name, data, note) VALUES (?, ?, ?, 'what?')`,
      },
      [input],
      [
        batch([
          [1n, `it's "quoted" \\ and ? too`, Buffer.from([0, 255])],
          [2n, null, null],
        ]),
      ],
    );
    const rows = await t().query<{ id: string | number; name: string | null; data: Buffer | null; note: string }>(
      `SELECT id, name, data, note FROM ${t().name(name)} ORDER BY id`,
    );
    expect(
      rows.map((r) => [String(r.id), r.name, r.data ? Buffer.from(r.data).toString('hex') : null, r.note]),
    ).toEqual([
      ['1', `it's "quoted" \\ and ? too`, '00ff', 'what?'],
      ['2', null, null, 'what?'],
    ]);
  });

  it('writes each input table to its own target through ${table_name}', async () => {
    const suffix = uniqueName('multi');
    const orders = { ...schema('orders', SIMPLE), path: { database: 'shop', table: 'orders' } };
    const customers = {
      ...schema('customers', [
        ['cid', 'int'],
        ['email', 'string', 50],
      ]),
      path: { database: 'shop', table: 'customers' },
    };
    const ctx = context({ parallelism: 2 });
    await runSink(
      t(),
      { table: `\${table_name}_${suffix}` },
      [orders, customers],
      [
        { table: 0, rows: [[1n, 'o1']] },
        { table: 1, rows: [[7, 'a@x']] },
        { table: 0, rows: [[2n, 'o2']] },
      ],
      ctx,
    );
    expect(await rowsOf(t(), `orders_${suffix}`)).toEqual([
      ['1', 'o1'],
      ['2', 'o2'],
    ]);
    expect(await t().query(`SELECT cid, email FROM ${t().name(`customers_${suffix}`)}`)).toEqual([
      { cid: 7, email: 'a@x' },
    ]);
  });

  describe('escaping on the bulk path and the upsert path', () => {
    const HARD = [
      'tab\there',
      'new\nline',
      'cr\rhere',
      'crlf\r\n',
      'back\\slash',
      '\\N',
      'NULL',
      '',
      ' ',
      `"double" 'single' \`tick\``,
      '😀 emoji, ü, 山田, Ωmega',
      'mixed \t\n\r\\ end\\',
      '\\',
      '\\\\t not a tab',
      'comma, {brace} [bracket]',
    ];
    const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

    function hardRows(offset: number): Value[][] {
      const rows: Value[][] = HARD.map((s, i) => [offset + i, s, Buffer.from(s, 'utf8')]);
      rows.push(
        [offset + 100, null, null],
        [offset + 101, 'bytes', ALL_BYTES],
        [offset + 102, 'empty bytes', Buffer.alloc(0)],
      );
      return rows;
    }

    it('keeps every hard character, NULLs apart from empty strings, and all 256 byte values', async () => {
      const name = uniqueName('hard');
      const input = schema(name, [
        ['id', 'int'],
        ['s', 'string'],
        ['b', 'bytes'],
      ]);
      // First run: a fresh table (COPY / LOAD DATA); second: rows into a table that has rows (upsert path).
      await runSink(t(), { table: name }, [input], [batch(hardRows(0))]);
      await runSink(t(), { table: name }, [input], [batch(hardRows(1000))]);
      const rows = await t().query<{ id: number; s: string | null; b: Buffer | null }>(
        `SELECT id, s, b FROM ${t().name(name)} ORDER BY id`,
      );
      const expected = [...hardRows(0), ...hardRows(1000)].map(([id, s, b]) => [
        id,
        s,
        b === null ? null : (b as Buffer).toString('hex'),
      ]);
      expect(rows.map((r) => [r.id, r.s, r.b === null ? null : Buffer.from(r.b).toString('hex')])).toEqual(expected);
    });

    it('writes arrays, maps and rows', async () => {
      const name = uniqueName('nested');
      const input = schema(name, [
        ['id', 'int'],
        ['tags', 'array<string>'],
        ['grid', 'array<array<int>>'],
        ['attrs', 'map<string, int>'],
        ['point', '{x = double, label = string}'],
      ]);
      const tags = ['a', null, 'NULL', 'x"y', 'b\\c', 'tab\tnew\nline', '', '😀', 'comma,brace}'];
      const rows: Value[][] = [
        [
          1,
          tags,
          [
            [1, 2],
            [3, null],
          ],
          new Map<Value, Value>([
            ['k\t1', 1],
            ['k"2', null],
          ]),
          [1.5, 'p\\q'],
        ],
        [2, [], [], new Map(), [null, null]],
        [3, null, null, null, null],
      ];
      await runSink(t(), { table: name }, [input], [batch(rows)]);
      await runSink(t(), { table: name }, [input], [batch([[4, tags, [[5]], new Map([['z', 0]]), [0, '']]])]);
      const read = await t().query<Record<string, unknown>>(`SELECT * FROM ${t().name(name)} ORDER BY id`);
      const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
      if (dialect === 'postgresql') {
        expect(read.map((r) => [r.id, r.tags, r.grid, r.attrs, r.point])).toEqual([
          [
            1,
            tags,
            [
              [1, 2],
              [3, null],
            ],
            { 'k\t1': 1, 'k"2': null },
            { x: 1.5, label: 'p\\q' },
          ],
          [2, [], [], {}, { x: null, label: null }],
          [3, null, null, null, null],
          [4, tags, [[5]], { z: 0 }, { x: 0, label: '' }],
        ]);
      } else {
        expect(read.map((r) => [r.id, json(r.tags), json(r.grid), json(r.attrs), json(r.point)])).toEqual([
          [
            1,
            tags,
            [
              [1, 2],
              [3, null],
            ],
            { 'k\t1': 1, 'k"2': null },
            { x: 1.5, label: 'p\\q' },
          ],
          [2, [], [], {}, { x: null, label: null }],
          [3, null, null, null, null],
          [4, tags, [[5]], { z: 0 }, { x: 0, label: '' }],
        ]);
      }
    });
  });

  describe('transactions', () => {
    it('keeps nothing of an aborted job: no rows of a bulk load, old rows intact after upserts', async () => {
      const name = uniqueName('aborted');
      const ctx = context();
      const sink = makeSink(t(), { table: name }, ctx);
      await sink.open([schema(name, SIMPLE)], ctx);
      for (let b = 0; b < 3; b++) {
        await sink.write(batch(Array.from({ length: 500 }, (_, i): Value[] => [BigInt(b * 500 + i), `r${i}`])));
      }
      await sink.abort(new Error('stop'));
      expect(await rowsOf(t(), name)).toEqual([]);

      await t().query(`INSERT INTO ${t().name(name)} (id, name) VALUES (1, 'kept')`);
      const again = makeSink(t(), { table: name, batch_size: 1 }, ctx);
      await again.open([schema(name, SIMPLE)], ctx);
      await again.write(
        batch([
          [1n, 'changed'],
          [2n, 'added'],
        ]),
      );
      await again.write(batch([[1n, 'changed']], ['DELETE']));
      await again.abort(new Error('stop'));
      expect(await rowsOf(t(), name)).toEqual([['1', 'kept']]);
    });

    it('commits after every batch in a STREAMING job', async () => {
      const name = uniqueName('streaming');
      const ctx = context({ jobMode: 'STREAMING' });
      const sink = makeSink(t(), { table: name }, ctx);
      await sink.open([schema(name, SIMPLE)], ctx);
      await sink.write(batch([[1n, 'a']]));
      expect(await rowsOf(t(), name)).toEqual([['1', 'a']]);
      await sink.write(batch([[1n, 'b']], ['UPDATE_AFTER']));
      expect(await rowsOf(t(), name)).toEqual([['1', 'b']]);
      await sink.finish();
    });
  });

  it('does not resolve write while the database cannot take rows (backpressure)', async () => {
    const name = uniqueName('blocked');
    await createSimple(t(), name);
    const ctx = context();
    const sink = makeSink(t(), { table: name }, ctx);
    await sink.open([schema(name, SIMPLE)], ctx);
    // A batch larger than what the sink lets wait in memory (4 MiB).
    const big = batch(Array.from({ length: 60_000 }, (_, i): Value[] => [BigInt(i), 'x'.repeat(90)]));
    let release: () => Promise<void>;
    let waiting: () => Promise<boolean>;
    if (dialect === 'postgresql') {
      const locker = new pg.Client({ connectionString: pgDb.url });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${t().name(name)} IN ACCESS EXCLUSIVE MODE`);
      release = async () => {
        await locker.query('COMMIT');
        await locker.end();
      };
      waiting = async () =>
        (
          await pgDb.query(
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY %${name}%' AND wait_event_type = 'Lock'`,
          )
        ).length > 0;
    } else {
      const locker = await mysql.createConnection({
        host: myDb.host,
        port: myDb.port,
        user: myDb.user,
        database: myDb.name,
      });
      await locker.query(`LOCK TABLES ${t().name(name)} WRITE`);
      release = async () => {
        await locker.query('UNLOCK TABLES');
        await locker.end();
      };
      waiting = async () =>
        (
          await myDb.query(
            `SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE 'LOAD DATA%${name}%' AND STATE LIKE '%lock%'`,
          )
        ).length > 0;
    }
    let settled = false;
    const write = sink.write(big).finally(() => {
      settled = true;
    });
    try {
      let seen = false;
      for (let i = 0; i < 200 && !seen; i++) {
        seen = await waiting();
        if (!seen) await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toBe(true);
      expect(settled).toBe(false);
    } finally {
      await release();
    }
    await write;
    await sink.finish();
    expect(Number((await t().query<{ n: string | number }>(`SELECT count(*) AS n FROM ${t().name(name)}`))[0]!.n)).toBe(
      60000,
    );
  });

  describe('errors name the table, row and column', () => {
    it('a value too long for its column on the bulk path', async () => {
      const name = uniqueName('too_long');
      await t().query(`CREATE TABLE ${t().name(name)} (id int NOT NULL PRIMARY KEY, name varchar(5))`);
      const input = schema(name, [
        ['id', 'int'],
        ['name', 'string'],
      ]);
      const err = await failure(
        runSink(
          t(),
          { table: name },
          [input],
          [
            batch([
              [1, 'ok'],
              [2, 'fine'],
            ]),
            batch([
              [3, 'ok'],
              [4, 'much too long'],
            ]),
          ],
        ),
      );
      expect(err.message).toMatch(
        new RegExp(`^Jdbc sink: table \\S+${name}\\S*, row 4, column name: .*(too long|truncated)`, 'i'),
      );
      expect(await rowsOf(t(), name)).toEqual([]);
    });

    it('a value too long for its column on the upsert path', async () => {
      const name = uniqueName('too_long_upsert');
      await t().query(`CREATE TABLE ${t().name(name)} (id int NOT NULL PRIMARY KEY, name varchar(5))`);
      await t().query(`INSERT INTO ${t().name(name)} VALUES (1, 'x')`);
      const input = schema(name, [
        ['id', 'int'],
        ['name', 'string'],
      ]);
      const err = await failure(
        runSink(
          t(),
          { table: name },
          [input],
          [
            batch([
              [2, 'ok'],
              [3, 'much too long'],
            ]),
          ],
        ),
      );
      expect(err.message).toMatch(
        new RegExp(`^Jdbc sink: table \\S+${name}\\S*, (row 2, )?column name: .*(too long)`, 'i'),
      );
      expect(await rowsOf(t(), name)).toEqual([['1', 'x']]);
    });

    it('a column the target does not have', async () => {
      const name = uniqueName('missing_column');
      await createSimple(t(), name);
      const err = await failure(
        runSink(
          t(),
          { table: name },
          [
            schema(name, [
              ['id', 'bigint'],
              ['nope', 'string'],
            ]),
          ],
          [batch([[1n, 'x']])],
        ),
      );
      expect(err.message).toMatch(
        new RegExp(`^Jdbc sink: table \\S+${name}\\S* has no column "nope" \\(it has id, name`),
      );
    });
  });
});

describe('PostgreSQL specifics', () => {
  const t = () => target('postgresql');

  it('creates the target schema from ${database_name} and copies same-database column types verbatim', async () => {
    const table = uniqueName('verbatim');
    const input: TableSchema = {
      path: { database: `shop_${table}`, table },
      primaryKey: ['id'],
      fields: [
        { name: 'id', type: { kind: 'bigint' }, nullable: false, sourceType: 'bigint', sourceDialect: 'postgresql' },
        { name: 'doc', type: { kind: 'string' }, nullable: true, sourceType: 'jsonb', sourceDialect: 'postgresql' },
        { name: 'u', type: { kind: 'string' }, nullable: true, sourceType: 'uuid', sourceDialect: 'postgresql' },
        {
          name: 'mood',
          type: { kind: 'string' },
          nullable: true,
          sourceType: 'mood_not_here',
          sourceDialect: 'postgresql',
        },
        {
          name: 'n',
          type: { kind: 'decimal', precision: 38, scale: 18 },
          nullable: true,
          sourceType: 'numeric',
          sourceDialect: 'postgresql',
        },
        {
          name: 'ts',
          type: { kind: 'timestamp_tz' },
          nullable: true,
          sourceType: 'timestamp(3) with time zone',
          sourceDialect: 'postgresql',
        },
      ],
    };
    await runSink(
      t(),
      { table: '${database_name}.${table_name}' },
      [input],
      [
        batch([
          [
            1n,
            '{"a": [1, 2]}',
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
            'happy',
            '123456789012345678901234.5678901234567890123',
            '2024-02-29 23:59:59.123+00',
          ],
        ]),
      ],
    );
    const types = await pgDb.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = '"shop_${table}"."${table}"'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    expect(types.map((r) => r.type)).toEqual([
      'bigint',
      'jsonb',
      'uuid',
      'text',
      'numeric',
      'timestamp(3) with time zone',
    ]);
    const [row] = await pgDb.query(`SELECT doc::text, n::text, ts::text FROM "shop_${table}"."${table}"`);
    expect(row).toEqual({
      doc: '{"a": [1, 2]}',
      n: '123456789012345678901234.5678901234567890123',
      ts: '2024-02-29 23:59:59.123+00',
    });
  });

  it('says which COPY line failed on a value PostgreSQL rejects', async () => {
    const table = uniqueName('bad_int');
    const input = schema(table, [
      ['id', 'int'],
      ['n', 'int'],
    ]);
    await pgDb.query(`CREATE TABLE public."${table}" (id int, n smallint)`);
    const err = await failure(
      runSink(
        t(),
        { table },
        [input],
        [
          batch([
            [1, 1],
            [2, 40000],
            [3, 3],
          ]),
        ],
      ),
    );
    expect(err.message).toMatch(
      new RegExp(
        `^Jdbc sink: table "public"\\."${table}", row 2, column n: value "40000" is out of range for type smallint`,
      ),
    );
  });
});

describe('MySQL specifics', () => {
  const t = () => target('mysql');

  it('stores booleans into BIT(1) and bytes into VARBINARY of an existing table', async () => {
    const name = uniqueName('bits');
    await myDb.query(`CREATE TABLE \`${name}\` (id int PRIMARY KEY, flag bit(1), raw varbinary(8), bits bit(16))`);
    const input = schema(name, [
      ['id', 'int'],
      ['flag', 'boolean'],
      ['raw', 'bytes'],
      ['bits', 'bytes'],
    ]);
    const rows: Value[][] = [
      [1, true, Buffer.from([0, 1]), Buffer.from([0x80, 0x01])],
      [2, false, Buffer.alloc(0), null],
    ];
    await runSink(t(), { table: name, schema_save_mode: 'IGNORE' }, [input], [batch(rows)]);
    await runSink(
      t(),
      { table: name, schema_save_mode: 'IGNORE' },
      [input],
      [batch([[3, true, Buffer.from([9]), Buffer.from([0, 2])]])],
    );
    expect(
      await myDb.query(`SELECT id, flag + 0 AS flag, HEX(raw) AS raw, bits + 0 AS bits FROM \`${name}\` ORDER BY id`),
    ).toEqual([
      { id: 1, flag: 1, raw: '0001', bits: '32769' },
      { id: 2, flag: 0, raw: '', bits: null },
      { id: 3, flag: 1, raw: '09', bits: '2' },
    ]);
  });

  it('refuses NaN, naming the row and column', async () => {
    const name = uniqueName('nan');
    const err = await failure(
      runSink(
        t(),
        { table: name },
        [
          schema(name, [
            ['id', 'int'],
            ['d', 'double'],
          ]),
        ],
        [
          batch([
            [1, 1.5],
            [2, NaN],
          ]),
        ],
      ),
    );
    expect(err.message).toMatch(
      new RegExp(`^Jdbc sink: table \`\\S+\`\\.\`${name}\`, row 2, column d: MySQL cannot store NaN`),
    );
  });

  it('falls back to multi-row INSERT when the server has local_infile OFF, and says so once', async () => {
    const [setting] = await myDb.query<{ value: number | string }>('SELECT @@GLOBAL.local_infile AS value');
    const input = (name: string) =>
      schema(name, [
        ['id', 'int'],
        ['s', 'string'],
        ['b', 'bytes'],
      ]);
    const rows: Value[][] = [
      [1, 'tab\tnew\nline\\ "q" \'q\' 😀 \\N', Buffer.from([0, 39, 92, 255])],
      [2, '', Buffer.alloc(0)],
      [3, null, null],
    ];
    try {
      // Off before the job starts: the sink knows from the start.
      await myDb.query('SET GLOBAL local_infile = 0');
      const before = uniqueName('no_infile');
      const ctx = await runSink(t(), { table: before }, [input(before)], [batch(rows), batch([[4, 'more', null]])]);
      expect(ctx.lines.filter((l) => l.includes('LOAD DATA LOCAL INFILE is not available'))).toHaveLength(1);
      // Turned off while the job runs: the first LOAD DATA is refused and the sink switches over.
      await myDb.query('SET GLOBAL local_infile = 1');
      const during = uniqueName('infile_off_later');
      const ctx2 = context();
      const sink = makeSink(t(), { table: during }, ctx2);
      await sink.open([input(during)], ctx2);
      await myDb.query('SET GLOBAL local_infile = 0');
      await sink.write(batch(rows));
      await sink.write(batch([[4, 'more', null]]));
      await sink.finish();
      expect(ctx2.lines.filter((l) => l.includes('LOAD DATA LOCAL INFILE is not available'))).toHaveLength(1);
      for (const name of [before, during]) {
        expect(await myDb.query(`SELECT id, s, HEX(b) AS b FROM \`${name}\` ORDER BY id`)).toEqual([
          { id: 1, s: rows[0]![1], b: '00275CFF' },
          { id: 2, s: '', b: '' },
          { id: 3, s: null, b: null },
          { id: 4, s: 'more', b: null },
        ]);
      }
    } finally {
      await myDb.query(`SET GLOBAL local_infile = ${Number(setting?.value ?? 1)}`);
    }
  });
});
