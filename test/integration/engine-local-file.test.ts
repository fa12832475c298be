import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobConfig, type ConfigObject } from '../../server/src/modules/job-config/index.js';
import { localFileSink } from '../../server/src/modules/engine/connectors/file/local-file-sink.js';
import { localFileSource } from '../../server/src/modules/engine/connectors/file/local-file-source.js';
import { PluginOptions, type PluginContext } from '../../server/src/modules/engine/plugin.js';
import {
  parseDataType,
  valuesEqual,
  valueText,
  type Field,
  type RowBatch,
  type TableSchema,
  type Value,
} from '../../server/src/modules/engine/row.js';
import { runJob } from '../../server/src/modules/engine/runner.js';

let root: string;
let n = 0;
/** A fresh directory per test. */
const dir = async (name = 'd'): Promise<string> => {
  const d = join(root, `${name}-${++n}`);
  await mkdir(d, { recursive: true });
  return d;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-localfile-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

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

const field = (name: string, type: string): Field => ({ name, type: parseDataType(type), nullable: true });
const table = (name: string, fields: Field[]): TableSchema => ({ path: { database: 'shop', table: name }, fields });

async function write(options: ConfigObject, tables: TableSchema[], batches: RowBatch[], jobId = 'job-1') {
  const sink = localFileSink({ options: new PluginOptions('LocalFile', options), context: context({ jobId }) });
  await sink.open(tables, context({ jobId }));
  let bytes = 0;
  try {
    for (const batch of batches) bytes += (await sink.write(batch)) ?? 0;
    await sink.finish();
  } catch (err) {
    // as the runner does
    await sink.abort(err);
    throw err;
  }
  return bytes;
}

async function read(options: ConfigObject, parallelism = 1) {
  const source = localFileSource({ options: new PluginOptions('LocalFile', options), context: context() });
  const ctx = context({ parallelism });
  const tables = await source.open(ctx);
  const batches: RowBatch[] = [];
  try {
    for (const reader of await source.readers(ctx)) for await (const b of reader.read()) batches.push(b);
  } finally {
    await source.close();
  }
  const rows = (t = 0) => batches.filter((b) => b.table === t).flatMap((b) => b.rows);
  return { tables, batches, rows };
}

/** Every file below `d` as a relative path, hidden ones included. */
async function tree(d: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    for (const e of await readdir(p, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(p, e.name));
      else out.push(relative(d, join(p, e.name)));
    }
  };
  await walk(d);
  return out.sort();
}

function expectRows(actual: Value[][], expected: Value[][]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, r) => {
    row.forEach((value, c) => {
      if (!valuesEqual(value, expected[r]![c]!)) {
        throw new Error(`row ${r} column ${c}: got ${valueText(value)}, expected ${valueText(expected[r]![c]!)}`);
      }
    });
    expect(row.length).toBe(expected[r]!.length);
  });
}

const ALL_TYPES: Field[] = [
  field('c_string', 'string'),
  field('c_boolean', 'boolean'),
  field('c_tinyint', 'tinyint'),
  field('c_smallint', 'smallint'),
  field('c_int', 'int'),
  field('c_bigint', 'bigint'),
  field('c_float', 'float'),
  field('c_double', 'double'),
  field('c_decimal', 'decimal(20, 4)'),
  field('c_bytes', 'bytes'),
  field('c_date', 'date'),
  field('c_time', 'time'),
  field('c_timestamp', 'timestamp'),
  field('c_timestamp_tz', 'timestamp_tz'),
  field('c_array', 'array<int>'),
  field('c_map', 'map<string, string>'),
  field('c_row', '{a = int, b = string, d = date}'),
];
/** The schema block a source needs to read ALL_TYPES back. */
const ALL_TYPES_SCHEMA: ConfigObject = {
  fields: {
    c_string: 'string',
    c_boolean: 'boolean',
    c_tinyint: 'tinyint',
    c_smallint: 'smallint',
    c_int: 'int',
    c_bigint: 'bigint',
    c_float: 'float',
    c_double: 'double',
    c_decimal: 'decimal(20, 4)',
    c_bytes: 'bytes',
    c_date: 'date',
    c_time: 'time',
    c_timestamp: 'timestamp',
    c_timestamp_tz: 'timestamp_tz',
    c_array: 'array<int>',
    c_map: 'map<string, string>',
    c_row: { a: 'int', b: 'string', d: 'date' },
  },
};

const fullRow = (s: string): Value[] => [
  s,
  true,
  -128,
  32767,
  -2147483648,
  9223372036854775807n,
  1.5,
  0.1,
  '-1234567890123456.7890',
  Buffer.from('bytes ✓ 字节'),
  '2024-02-29',
  '23:59:58.123456',
  '2024-02-29 12:34:56.5',
  '1999-12-31 23:59:59.000001+00',
  [1, null, 3],
  new Map<Value, Value>([
    ['k1', 'v1'],
    ['k2', null],
  ]),
  [7, 'inner', '2000-01-01'],
];
const nullRow: Value[] = ALL_TYPES.map(() => null);

describe('LocalFile round trips (sink then source)', () => {
  it('csv keeps every type, NULL apart from the empty string, and quotes delimiters, quotes and line breaks', async () => {
    const d = await dir();
    const rows = [
      fullRow('plain'),
      fullRow('comma, "quoted" and\nnew line\r\nand ünïcödé 你好 🎉'),
      fullRow(''),
      nullRow,
    ];
    await write({ path: d, file_format_type: 'csv' }, [table('t', ALL_TYPES)], [{ table: 0, rows }]);
    const files = await tree(d);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^T_job-1_[0-9a-f]{10}_0_1_0\.csv$/);
    const text = await readFile(join(d, files[0]!), 'utf8');
    expect(text).toContain('"comma, ""quoted"" and\nnew line\r\nand ünïcödé 你好 🎉"');
    expect(text.split('\n').at(-2)).toBe(','.repeat(ALL_TYPES.length - 1));

    const got = await read({ path: d, file_format_type: 'csv', schema: ALL_TYPES_SCHEMA });
    expect(got.tables[0]!.fields.map((f) => f.name)).toEqual(ALL_TYPES.map((f) => f.name));
    expectRows(got.rows(), rows);
  });

  it('text keeps every type with SeaTunnel’s \\001 delimiter and nested separators; empty text reads as NULL', async () => {
    const d = await dir();
    const rows = [fullRow('ünïcödé 你好'), fullRow(''), nullRow];
    await write({ path: d, file_format_type: 'text' }, [table('t', ALL_TYPES)], [{ table: 0, rows }]);
    const [file] = await tree(d);
    expect(file).toMatch(/\.txt$/);
    const line = (await readFile(join(d, file!), 'utf8')).split('\n')[0]!;
    const fields = line.split('\u0001');
    expect(fields.slice(0, 6)).toEqual(['ünïcödé 你好', 'true', '-128', '32767', '-2147483648', '9223372036854775807']);
    expect(fields[12]).toBe('2024-02-29 12:34:56.5');
    expect(fields[13]).toBe('1999-12-31T23:59:59.000001Z');
    expect(fields[14]).toBe('1\u0002\u00023');
    expect(fields[15]).toBe('k1\u0003v1\u0002k2\u0003');
    expect(fields[16]).toBe('7\u0002inner\u00022000-01-01');

    const got = await read({ path: d, file_format_type: 'text', schema: ALL_TYPES_SCHEMA });
    const expected = [fullRow('ünïcödé 你好'), [null, ...fullRow('').slice(1)], nullRow];
    expectRows(got.rows(), expected);
  });

  it('text with a custom delimiter refuses a value holding it instead of writing an unreadable line', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int'), field('name', 'string')]);
    await write({ path: d, file_format_type: 'text', field_delimiter: '|' }, [t], [{ table: 0, rows: [[1, 'a b']] }]);
    const got = await read({
      path: d,
      file_format_type: 'text',
      field_delimiter: '|',
      schema: { fields: { id: 'int', name: 'string' } },
    });
    expectRows(got.rows(), [[1, 'a b']]);

    const bad = await dir();
    await expect(
      write(
        { path: bad, file_format_type: 'text', field_delimiter: '|' },
        [t],
        [
          {
            table: 0,
            rows: [
              [1, 'a'],
              [2, 'x|y'],
            ],
          },
        ],
      ),
    ).rejects.toThrow('LocalFile: table shop.t, row 2, field "name": holds the field delimiter or a line break');
  });

  it('json lines keep every type; integers beyond 2^53 and decimals are written as exact JSON numbers', async () => {
    const d = await dir();
    const rows = [fullRow('q"uote\n'), fullRow(''), nullRow];
    rows[0]![9] = Buffer.from([0, 255, 128, 10]); // not UTF-8: base64 in JSON
    await write({ path: d, file_format_type: 'json' }, [table('t', ALL_TYPES)], [{ table: 0, rows }]);
    const [file] = await tree(d);
    const first = (await readFile(join(d, file!), 'utf8')).split('\n')[0]!;
    expect(first).toContain('"c_bigint":9223372036854775807,');
    expect(first).toContain('"c_decimal":-1234567890123456.7890,');
    expect(first).toContain('"c_bytes":"AP+ACg=="');
    expect(first).toContain('"c_timestamp":"2024-02-29T12:34:56.5"');
    expect(first).toContain('"c_map":{"k1":"v1","k2":null}');
    expect(first).toContain('"c_row":{"a":7,"b":"inner","d":"2000-01-01"}');

    const got = await read({ path: d, file_format_type: 'json', schema: ALL_TYPES_SCHEMA });
    expectRows(got.rows(), rows);
  });

  it('refuses bytes that are not UTF-8 in csv, naming table, row and field', async () => {
    const d = await dir();
    await expect(
      write(
        { path: d },
        [table('t', [field('b', 'bytes')])],
        [{ table: 0, rows: [[Buffer.from('ok')], [Buffer.from([255])]] }],
      ),
    ).rejects.toThrow('LocalFile: table shop.t, row 2, field "b": holds bytes that are not UTF-8 text');
    expect(await tree(d)).toEqual([]);
  });

  it('writes a header row and reads past it; csv_use_header_line maps columns by name', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int'), field('name', 'string')]);
    await write(
      { path: d, enable_header_write: true },
      [t],
      [
        {
          table: 0,
          rows: [
            [1, 'a'],
            [2, 'b'],
          ],
        },
      ],
    );
    const [file] = await tree(d);
    expect(await readFile(join(d, file!), 'utf8')).toBe('id,name\n1,a\n2,b\n');
    const skipped = await read({
      path: d,
      file_format_type: 'csv',
      skip_header_row_number: 1,
      schema: { fields: { id: 'int', name: 'string' } },
    });
    expectRows(skipped.rows(), [
      [1, 'a'],
      [2, 'b'],
    ]);
    const byName = await read({
      path: d,
      file_format_type: 'csv',
      csv_use_header_line: true,
      schema: { fields: { name: 'string', id: 'int' } },
    });
    expectRows(byName.rows(), [
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('gzip: compress_codec writes .csv.gz files and reads them back', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'bigint'), field('note', 'string')]);
    const rows = Array.from({ length: 5000 }, (_, i): Value[] => [BigInt(i), `note ${i} ${'x'.repeat(i % 50)}`]);
    await write({ path: d, compress_codec: 'gzip' }, [t], [{ table: 0, rows }]);
    const [file] = await tree(d);
    expect(file).toMatch(/\.csv\.gz$/);
    const compressed = await readFile(join(d, file!));
    expect(gunzipSync(compressed).toString('utf8').split('\n')[1]).toBe('1,note 1 x');
    const got = await read({
      path: d,
      file_format_type: 'csv',
      compress_codec: 'gzip',
      schema: { fields: { id: 'bigint', note: 'string' } },
    });
    expectRows(got.rows(), rows);
    // bytes: the compressed file bytes consumed, in batches of at most 2,000 rows
    expect(got.batches.reduce((s, b) => s + (b.bytes ?? 0), 0)).toBe(compressed.length);
    expect(got.batches.map((b) => b.rows.length)).toEqual([2000, 2000, 1000]);
  });

  it('encodings: writes and reads ISO-8859-1, reads GBK', async () => {
    const d = await dir();
    const t = table('t', [field('name', 'string')]);
    await write({ path: d, file_format_type: 'text', encoding: 'ISO-8859-1' }, [t], [{ table: 0, rows: [['café Ø']] }]);
    const [file] = await tree(d);
    expect(await readFile(join(d, file!))).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xd8, 0x0a]));
    expectRows(
      (
        await read({
          path: d,
          file_format_type: 'text',
          encoding: 'ISO-8859-1',
          schema: { fields: { name: 'string' } },
        })
      ).rows(),
      [['café Ø']],
    );

    const g = await dir();
    // "你好,世界" in GBK
    await writeFile(join(g, 'gbk.csv'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x2c, 0xca, 0xc0, 0xbd, 0xe7, 0x0a]));
    const gbk = await read({
      path: g,
      file_format_type: 'csv',
      encoding: 'gbk',
      schema: { fields: { a: 'string', b: 'string' } },
    });
    expectRows(gbk.rows(), [['你好', '世界']]);
  });

  it('encodings: writes GBK (json, text, csv header) and reads it back, a multi-byte character split across chunks included', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int'), field('name', 'string')]);
    const names = Array.from({ length: 40_000 }, (_v, i) => [i, `你好，世界 ${i} 海底隧道`] as Value[]);
    await write(
      { path: d, file_format_type: 'csv', encoding: 'GBK', enable_header_write: true },
      [t],
      [{ table: 0, rows: names }],
    );
    const [file] = await tree(d);
    const bytes = await readFile(join(d, file!));
    // "id,name\n0,你好，世界 0 ..." in GBK: 你 is C4E3, ， is A3AC
    expect(bytes.subarray(0, 12)).toEqual(
      Buffer.from([0x69, 0x64, 0x2c, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x30, 0x2c, 0xc4, 0xe3]),
    );
    expect(bytes.includes(Buffer.from('你', 'utf8'))).toBe(false);
    // Larger than one 256 KiB read: some two-byte characters straddle chunk boundaries.
    expect(bytes.length).toBeGreaterThan(3 * 256 * 1024);
    const got = await read({
      path: d,
      file_format_type: 'csv',
      encoding: 'gbk',
      skip_header_row_number: 1,
      schema: { fields: { id: 'int', name: 'string' } },
    });
    expect(got.rows()).toHaveLength(names.length);
    expect(got.rows().every((row, i) => row[1] === names[i]![1])).toBe(true);

    for (const format of ['json', 'text']) {
      const j = await dir();
      await write(
        { path: j, file_format_type: format, encoding: 'gb18030' },
        [t],
        [{ table: 0, rows: [[1, '测试﨎']] }],
      );
      const back = await read({
        path: j,
        file_format_type: format,
        encoding: 'GB18030',
        schema: { fields: { id: 'int', name: 'string' } },
      });
      expectRows(back.rows(), [[1, '测试﨎']]);
    }
  });

  it('encodings: names the option for an unknown encoding and the character an encoding cannot hold', async () => {
    const d = await dir();
    for (const make of [localFileSink, localFileSource]) {
      expect(() =>
        make({
          options: new PluginOptions('LocalFile', { path: d, file_format_type: 'text', encoding: 'klingon-8' }),
          context: context(),
        }),
      ).toThrow('LocalFile: option "encoding" "klingon-8" is not an encoding the embedded engine knows');
    }
    const t = table('t', [field('name', 'string')]);
    await expect(
      write(
        { path: d, file_format_type: 'text', encoding: 'ISO-8859-1' },
        [t],
        [{ table: 0, rows: [['a?b'], ['5 €']] }],
      ),
    ).rejects.toThrow('LocalFile: table shop.t: the character "€" cannot be written in ISO-8859-1 (option "encoding")');
    await expect(
      write({ path: d, file_format_type: 'csv', encoding: 'gbk' }, [t], [{ table: 0, rows: [['😀']] }]),
    ).rejects.toThrow('the character "😀" cannot be written in gbk (option "encoding")');
    // Nothing half-written stays behind.
    expect(await tree(d)).toEqual([]);
  });
});

describe('LocalFile sink', () => {
  it('writes partition directories, escaping values that would leave them, and the source reads the keys back', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int'), field('region', 'string'), field('day', 'date')]);
    const rows: Value[][] = [
      [1, 'eu', '2024-01-01'],
      [2, 'us', '2024-01-01'],
      [3, 'eu', '2024-01-02'],
      [4, '../../etc', '2024-01-02'],
      [5, 'a/b=c%', '2024-01-02'],
      [6, null, '2024-01-02'],
    ];
    await write({ path: d, have_partition: true, partition_by: ['region', 'day'] }, [t], [{ table: 0, rows }]);
    const files = await tree(d);
    expect(files.map((f) => f.slice(0, f.lastIndexOf('/')))).toEqual([
      'region=..%2F..%2Fetc/day=2024-01-02',
      'region=a%2Fb%3Dc%25/day=2024-01-02',
      'region=eu/day=2024-01-01',
      'region=eu/day=2024-01-02',
      'region=null/day=2024-01-02',
      'region=us/day=2024-01-01',
    ]);
    // Partition fields are not in the files by default.
    expect(await readFile(join(d, files[2]!), 'utf8')).toBe('1\n');

    const got = await read({ path: d, file_format_type: 'csv', schema: { fields: { id: 'int' } } });
    expect(got.tables[0]!.fields.map((f) => `${f.name} ${f.type.kind}`)).toEqual([
      'id int',
      'region string',
      'day string',
    ]);
    const byId = got.rows().sort((a, b) => (a[0] as number) - (b[0] as number));
    expectRows(byId, [
      [1, 'eu', '2024-01-01'],
      [2, 'us', '2024-01-01'],
      [3, 'eu', '2024-01-02'],
      [4, '../../etc', '2024-01-02'],
      [5, 'a/b=c%', '2024-01-02'],
      [6, 'null', '2024-01-02'],
    ]);
  });

  it('follows partition_dir_expression and writes the partition field into the file when asked', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int'), field('k', 'string')]);
    await write(
      {
        path: d,
        have_partition: true,
        partition_by: ['k'],
        partition_dir_expression: 'part_${v0}',
        is_partition_field_write_in_file: true,
      },
      [t],
      [{ table: 0, rows: [[1, 'x']] }],
    );
    const [file] = await tree(d);
    expect(file).toMatch(/^part_x\/T_.*_0\.csv$/);
    expect(await readFile(join(d, file!), 'utf8')).toBe('1,x\n');
  });

  it('shows no file before finish(), renames every file into place on finish, and abort() leaves nothing', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int')]);
    const sink = localFileSink({
      options: new PluginOptions('LocalFile', { path: d, batch_size: 2 }),
      context: context(),
    });
    await sink.open([t], context());
    await sink.write({ table: 0, rows: [[1], [2], [3], [4], [5]] });
    const before = await tree(d);
    expect(before.filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(before.every((f) => f.startsWith('.sluice-tmp-job-1/'))).toBe(true);
    await sink.finish();
    const after = await tree(d);
    expect(after).toHaveLength(3); // batch_size = 2 rows per file
    expect(after.map((f) => f.replace(/^T_job-1_[0-9a-f]{10}_0_1_/, ''))).toEqual(['0.csv', '1.csv', '2.csv']);
    expect((await Promise.all(after.map((f) => readFile(join(d, f), 'utf8')))).join('')).toBe('1\n2\n3\n4\n5\n');

    const aborted = await dir();
    const sink2 = localFileSink({ options: new PluginOptions('LocalFile', { path: aborted }), context: context() });
    await sink2.open([t], context());
    await sink2.write({ table: 0, rows: [[1]] });
    await sink2.abort(new Error('cancelled'));
    expect(await readdir(aborted)).toEqual([]);
  });

  it('without transactions writes straight into the directory', async () => {
    const d = await dir();
    const sink = localFileSink({
      options: new PluginOptions('LocalFile', { path: d, is_enable_transaction: false }),
      context: context(),
    });
    await sink.open([table('t', [field('id', 'int')])], context());
    await sink.write({ table: 0, rows: [[1]] });
    expect((await readdir(d)).filter((f) => f.startsWith('.'))).toEqual([]);
    await sink.finish();
    expect(await tree(d)).toHaveLength(1);
  });

  it('names files from file_name_expression when custom_filename is set', async () => {
    const d = await dir();
    await write(
      {
        path: d,
        custom_filename: true,
        file_name_expression: 'orders_${now}_${uuid}',
        filename_time_format: 'yyyyMMdd',
        file_format_type: 'json',
      },
      [table('t', [field('id', 'int')])],
      [{ table: 0, rows: [[1]] }],
    );
    const [file] = await tree(d);
    // Transactions prefix the transaction id, as SeaTunnel does.
    expect(file).toMatch(/^T_job-1_[0-9a-f]{10}_0_1_orders_\d{8}_[0-9a-f-]{36}_0\.json$/);
  });

  it('save modes: DROP_DATA replaces the files at commit, ERROR_WHEN_DATA_EXISTS refuses, APPEND_DATA adds', async () => {
    const d = await dir();
    const t = table('t', [field('id', 'int')]);
    await writeFile(join(d, 'old.csv'), '0\n');
    await mkdir(join(d, 'sub'));
    await writeFile(join(d, 'sub', 'old2.csv'), '0\n');

    await expect(write({ path: d, data_save_mode: 'ERROR_WHEN_DATA_EXISTS' }, [t], [])).rejects.toThrow(
      'LocalFile: option "data_save_mode" is ERROR_WHEN_DATA_EXISTS and "' +
        d +
        '" already holds 2 entries (old.csv, sub)',
    );
    await write({ path: d }, [t], [{ table: 0, rows: [[1]] }]);
    expect(await tree(d)).toHaveLength(3);

    // A failed DROP_DATA job leaves the old files.
    const failing = localFileSink({
      options: new PluginOptions('LocalFile', { path: d, data_save_mode: 'DROP_DATA' }),
      context: context(),
    });
    await failing.open([t], context());
    await failing.write({ table: 0, rows: [[2]] });
    await failing.abort(new Error('boom'));
    expect(await tree(d)).toHaveLength(3);

    await write({ path: d, data_save_mode: 'DROP_DATA' }, [t], [{ table: 0, rows: [[3]] }]);
    const files = await tree(d);
    expect(files).toHaveLength(1);
    expect(await readFile(join(d, files[0]!), 'utf8')).toBe('3\n');

    const missing = join(d, 'missing');
    await expect(write({ path: missing, schema_save_mode: 'ERROR_WHEN_SCHEMA_NOT_EXIST' }, [t], [])).rejects.toThrow(
      'option "schema_save_mode" is ERROR_WHEN_SCHEMA_NOT_EXIST and the directory',
    );
  });

  it('several tables: one directory per table, by ${table_name} or by table path', async () => {
    const d = await dir();
    const a = table('orders', [field('id', 'int')]);
    const b = table('users', [field('name', 'string')]);
    const batches: RowBatch[] = [
      { table: 0, rows: [[1], [2]] },
      { table: 1, rows: [['ann']] },
    ];
    await write({ path: join(d, 'by-name', '${table_name}') }, [a, b], batches);
    await write({ path: join(d, 'auto') }, [a, b], batches);
    const files = await tree(d);
    expect(files.map((f) => f.slice(0, f.lastIndexOf('/')))).toEqual([
      'auto/shop.orders',
      'auto/shop.users',
      'by-name/orders',
      'by-name/users',
    ]);

    const got = await read({
      tables_configs: [
        { path: join(d, 'by-name', 'orders'), schema: { table: 'shop.orders', fields: { id: 'int' } } },
        { path: join(d, 'by-name', 'users'), schema: { table: 'shop.users', fields: { name: 'string' } } },
      ],
      file_format_type: 'csv',
    });
    expect(got.tables.map((t) => t.path)).toEqual([a.path, b.path]);
    expectRows(got.rows(0), [[1], [2]]);
    expectRows(got.rows(1), [['ann']]);
  });

  it('names the option when sink_columns or partition_by names a missing field', async () => {
    const d = await dir();
    await expect(
      write({ path: d, sink_columns: ['id', 'nope'] }, [table('t', [field('id', 'int')])], []),
    ).rejects.toThrow('LocalFile: option "sink_columns" names "nope", which table shop.t does not have (fields: id)');
  });

  it('writes only sink_columns, in their order', async () => {
    const d = await dir();
    const t = table('t', [field('a', 'int'), field('b', 'int'), field('c', 'int')]);
    await write({ path: d, sink_columns: ['c', 'a'] }, [t], [{ table: 0, rows: [[1, 2, 3]] }]);
    const [file] = await tree(d);
    expect(await readFile(join(d, file!), 'utf8')).toBe('3,1\n');
  });

  it('names lzo and parquet as unavailable', () => {
    expect(() =>
      localFileSink({
        options: new PluginOptions('LocalFile', { path: '/x', compress_codec: 'lzo' }),
        context: context(),
      }),
    ).toThrow(
      'LocalFile: option "compress_codec" "lzo" is not available in the embedded engine (supported: none, gzip)',
    );
    expect(() =>
      localFileSink({
        options: new PluginOptions('LocalFile', { path: '/x', file_format_type: 'parquet' }),
        context: context(),
      }),
    ).toThrow('"parquet" is not supported by the embedded engine');
  });
});

describe('LocalFile source', () => {
  it('names the file, line and field of a value that does not parse', async () => {
    const d = await dir();
    await writeFile(join(d, 'orders.csv'), 'id,amount\n1,10.50\n2,12x\n');
    await expect(
      read({
        path: d,
        file_format_type: 'csv',
        skip_header_row_number: 1,
        schema: { fields: { id: 'int', amount: 'decimal(10,2)' } },
      }),
    ).rejects.toThrow(`LocalFile: ${join(d, 'orders.csv')} line 3, field "amount": "12x" is not a decimal(10,2)`);

    await writeFile(join(d, 'orders.csv'), '{"id": 1}\n{"id": 2, "tags": [1, "x"]}\n');
    await expect(
      read({ path: d, file_format_type: 'json', schema: { fields: { id: 'int', tags: 'array<int>' } } }),
    ).rejects.toThrow(`${join(d, 'orders.csv')} line 2, field "tags.1": "x" is not an int`);

    await writeFile(join(d, 'orders.csv'), '{"id": 1}\n{"id": \n');
    await expect(read({ path: d, file_format_type: 'json', schema: { fields: { id: 'int' } } })).rejects.toThrow(
      `${join(d, 'orders.csv')} line 2: not valid JSON`,
    );

    await writeFile(join(d, 'orders.csv'), 'a,"b\n');
    await expect(
      read({ path: d, file_format_type: 'csv', schema: { fields: { a: 'string', b: 'string' } } }),
    ).rejects.toThrow(`LocalFile: ${join(d, 'orders.csv')}`);
  });

  it('reads every file of a directory tree in path order, skipping hidden entries and honouring file_filter_pattern', async () => {
    const d = await dir();
    await mkdir(join(d, 'b'));
    await mkdir(join(d, '.sluice-tmp-other'));
    await writeFile(join(d, 'b', '1.txt'), 'b1\n');
    await writeFile(join(d, 'a.txt'), 'a\n\nsecond\r\n');
    await writeFile(join(d, 'c.log'), 'c\n');
    await writeFile(join(d, '.hidden.txt'), 'hidden\n');
    await writeFile(join(d, '.sluice-tmp-other', 'half.txt'), 'half\n');
    await symlink(d, join(d, 'b', 'loop'));
    const all = await read({ path: d, file_format_type: 'text' });
    expect(all.tables[0]!.fields).toEqual([{ name: 'content', type: { kind: 'string' }, nullable: true }]);
    expect(all.tables[0]!.path).toEqual({ database: 'default', schema: 'default', table: 'default' });
    expectRows(all.rows(), [['a'], ['second'], ['b1'], ['c']]);
    const txt = await read({ path: d, file_format_type: 'text', file_filter_pattern: '.*\\.txt' });
    expectRows(txt.rows(), [['a'], ['second'], ['b1']]);
    const one = await read({ path: join(d, 'c.log'), file_format_type: 'text' });
    expectRows(one.rows(), [['c']]);
  });

  it('splits files among `parallelism` readers', async () => {
    const d = await dir();
    for (let i = 0; i < 4; i++) await writeFile(join(d, `${i}.txt`), `${i}\n`);
    const source = localFileSource({
      options: new PluginOptions('LocalFile', { path: d, file_format_type: 'text' }),
      context: context(),
    });
    const ctx = context({ parallelism: 3 });
    await source.open(ctx);
    const readers = await source.readers(ctx);
    expect(readers).toHaveLength(3);
    const perReader: Value[][] = [];
    for (const r of readers) {
      const values: Value[] = [];
      for await (const b of r.read()) values.push(...b.rows.map((row) => row[0]!));
      perReader.push(values);
    }
    expect(perReader).toEqual([['0', '3'], ['1'], ['2']]);
  });

  it('projects read_columns in their order, typed dates with date_format and datetime_format', async () => {
    const d = await dir();
    await writeFile(join(d, 'x.txt'), 'a|2024.03.01|2024-03-01T10:20:30|5\n');
    const got = await read({
      path: d,
      file_format_type: 'text',
      delimiter: '\\|',
      date_format: 'yyyy.MM.dd',
      datetime_format: "yyyy-MM-dd'T'HH:mm:ss",
      schema: { fields: { s: 'string', d: 'date', ts: 'timestamp', n: 'int' } },
      read_columns: ['ts', 's', 'd'],
    });
    expect(got.tables[0]!.fields.map((f) => f.name)).toEqual(['ts', 's', 'd']);
    expectRows(got.rows(), [['2024-03-01 10:20:30', 'a', '2024-03-01']]);
    // Partition directories' columns follow the projected ones, as in SeaTunnel.
    const p = await dir();
    await mkdir(join(p, 'name=ann', 'hobby=chess'), { recursive: true });
    await writeFile(join(p, 'name=ann', 'hobby=chess', 'x.txt'), 'a|1|2\n');
    const parted = await read({
      path: p,
      file_format_type: 'text',
      delimiter: '|',
      schema: { fields: { s: 'string', m: 'int', n: 'int' } },
      read_columns: ['n', 's'],
    });
    expect(parted.tables[0]!.fields.map((f) => f.name)).toEqual(['n', 's', 'name', 'hobby']);
    expectRows(parted.rows(), [[2, 'a', 'ann', 'chess']]);
    await expect(
      read({ path: d, file_format_type: 'text', schema: { fields: { s: 'string' } }, read_columns: ['nope'] }),
    ).rejects.toThrow('LocalFile: option "read_columns" names "nope", which is not a field of the table (fields: s)');
  });

  it('reports a missing path and an unsupported archive codec by option', async () => {
    await expect(read({ path: join(root, 'nope'), file_format_type: 'text' })).rejects.toThrow(
      `LocalFile: option "path" "${join(root, 'nope')}" does not exist`,
    );
    expect(() =>
      localFileSource({
        options: new PluginOptions('LocalFile', {
          path: '/x',
          file_format_type: 'text',
          archive_compress_codec: 'rar',
        }),
        context: context(),
      }),
    ).toThrow('option "archive_compress_codec" must be one of none, tar, tar_gz, zip, gz');
  });

  it('stops when the job is cancelled', async () => {
    const d = await dir();
    await writeFile(join(d, 'big.txt'), 'line\n'.repeat(100_000));
    const controller = new AbortController();
    const source = localFileSource({
      options: new PluginOptions('LocalFile', { path: d, file_format_type: 'text' }),
      context: context(),
    });
    const ctx = context({ signal: controller.signal });
    await source.open(ctx);
    const [reader] = await source.readers(ctx);
    let rows = 0;
    await expect(
      (async () => {
        for await (const b of reader!.read()) {
          rows += b.rows.length;
          controller.abort(new Error('cancelled by the test'));
        }
      })(),
    ).rejects.toThrow('cancelled by the test');
    expect(rows).toBeLessThan(100_000);
  });

  describe('archives', () => {
    const members: [string, string][] = [
      ['one.txt', 'a\u00011\nb\u00012\n'],
      ['dir/two.txt', 'c\u00013\n'],
    ];
    const schema = { fields: { s: 'string', n: 'int' } };
    const expected = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ];

    it('reads every member of a tar and a tar.gz', async () => {
      const d = await dir();
      const tar = makeTar(members);
      await writeFile(join(d, 'x.tar'), tar);
      expectRows(
        (await read({ path: d, file_format_type: 'text', archive_compress_codec: 'tar', schema })).rows(),
        expected,
      );
      const g = await dir();
      await writeFile(join(g, 'x.tar.gz'), gzipSync(tar));
      const got = await read({ path: g, file_format_type: 'text', archive_compress_codec: 'tar_gz', schema });
      expectRows(got.rows(), expected);
      expect(got.batches.reduce((s, b) => s + (b.bytes ?? 0), 0)).toBe((await stat(join(g, 'x.tar.gz'))).size);
    });

    it('reads every member of a zip, stored or deflated', async () => {
      const d = await dir();
      await writeFile(join(d, 'x.zip'), makeZip(members));
      expectRows(
        (await read({ path: d, file_format_type: 'text', archive_compress_codec: 'zip', schema })).rows(),
        expected,
      );
    });

    it('names the member of an archive in parse errors', async () => {
      const d = await dir();
      await writeFile(join(d, 'x.tar'), makeTar([['bad.txt', 'a\u0001nope\n']]));
      await expect(read({ path: d, file_format_type: 'text', archive_compress_codec: 'tar', schema })).rejects.toThrow(
        `LocalFile: ${join(d, 'x.tar')} [bad.txt] line 1, field "n": "nope" is not an int`,
      );
    });
  });
});

describe('LocalFile in a job', () => {
  it('runs FakeSource → LocalFile, then LocalFile → Assert (SeaTunnel config syntax)', async () => {
    const d = await dir();
    const sinkJob = parseJobConfig(
      `env { job.mode = "BATCH" }
       source { FakeSource { row.num = 25, schema = { fields { id = bigint, name = string, price = "decimal(10, 2)", day = date } } } }
       sink { LocalFile { path = "${d}", file_format_type = "json", "data_save_mode" = "DROP_DATA" } }`,
      'HOCON',
    ).config;
    const written = await runJob(sinkJob);
    expect(written.error).toBeUndefined();
    expect(written.status).toBe('SUCCEEDED');
    const readJob = parseJobConfig(
      `env { job.mode = "BATCH" }
       source { LocalFile { path = "${d}", file_format_type = "json", result_table_name = "fake",
         schema = { fields { id = bigint, name = string, price = "decimal(10, 2)", day = date } } } }
       sink { Assert { rules { row_rules = [ { rule_type = MAX_ROW, rule_value = 25 }, { rule_type = MIN_ROW, rule_value = 25 } ] } } }`,
      'HOCON',
    ).config;
    const result = await runJob(readJob);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
  });
});

// ------------------------------------------------------------------ archive builders (test data)

function makeTar(files: [string, string][]): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of files) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function makeZip(files: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  files.forEach(([name, text], i) => {
    const data = Buffer.from(text);
    const method = i % 2 === 0 ? 0 : 8; // first stored, then deflated
    const body = method === 8 ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  });
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
