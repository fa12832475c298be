/**
 * SeaTunnel's LocalFile end-to-end configs (connector-file-local-e2e), run by the embedded engine
 * with only their paths moved into a scratch directory.
 *
 * - Configs reading /seatunnel/read/...: SeaTunnel's Java test copies fixture files there (JSON and
 *   text under name=tyrantlucifer/hobby=coding/, which the Assert rules check as partition
 *   columns). Here the fixtures are written by FakeSource → LocalFile jobs with the config's own
 *   schema; archives are built with Debian's zip and tar; the GBK inputs are what the GBK-writing
 *   configs write. Each config then checks its data with its own Assert sink.
 * - Configs writing files: the files are read back and checked (rows, format, encoding, layout).
 * - lzo: no LZO codec here; those configs must fail with CONFIG_INVALID naming compress_codec.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob, type JobResult, type LogLine } from '../../server/src/modules/engine/index.js';
import { parseJobConfig } from '../../server/src/modules/job-config/index.js';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/conformance/seatunnel-configs');
const PREFIX = 'seatunnel-connector-v2-e2e__connector-file-local-e2e__';
const FILES = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.startsWith(PREFIX) && f.endsWith('.conf'))
      .sort()
  : [];
const short = (file: string) => file.slice(PREFIX.length).replace(/\.conf$/, '');
const source = (name: string) => readFileSync(path.join(CORPUS, `${PREFIX}${name}.conf`), 'utf8');

let root: string;

/** The config with SeaTunnel's container paths moved under the scratch directory. */
function localise(text: string): string {
  return text
    .replaceAll('"/seatunnel/read/', `"${root}/read/`)
    .replaceAll('"/tmp/seatunnel/', `"${root}/out/`)
    .replaceAll('"/tmp/fake_empty', `"${root}/fake_empty`);
}

async function run(text: string): Promise<{ result: JobResult; logs: LogLine[] }> {
  const { config, diagnostics } = parseJobConfig(text, 'HOCON');
  expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
  const logs: LogLine[] = [];
  const result = await runJob(config, { log: (line) => logs.push(line) });
  return { result, logs };
}

async function runConfig(name: string) {
  const text = localise(source(name));
  expect(text).not.toMatch(/"\/seatunnel\/|"\/tmp\/seatunnel\/|"\/tmp\/fake_empty/);
  return run(text);
}

function expectSuccess({ result, logs }: { result: JobResult; logs: LogLine[] }) {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.status).toBe('SUCCEEDED');
  expect(logs.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
}

/** The `schema = { ... }` block of a config's source, as written (the fixture's schema). */
function schemaBlock(text: string): string {
  const start = text.indexOf('schema = {');
  expect(start, 'the config has a schema block').toBeGreaterThan(0);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error('unbalanced schema block');
}

/** Runs FakeSource (with `schema` and `fake`) → LocalFile (with `sink`) and returns the files written. */
async function fakeToFiles(schema: string, fake: string, dir: string, sink: string): Promise<string[]> {
  const { result } = await run(`
    env { parallelism = 1, job.mode = "BATCH" }
    source { FakeSource { ${schema}
      ${fake} } }
    sink { LocalFile { path = "${dir}"
      ${sink} } }`);
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  return listFiles(dir);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Non-empty lines of a file decoded with `encoding`. */
async function lines(file: string, encoding = 'utf-8'): Promise<string[]> {
  return iconv
    .decode(await readFile(file), encoding)
    .split('\n')
    .filter((l) => l !== '');
}

function archive(command: 'zip' | 'tar', args: string[], cwd: string) {
  execFileSync(command, args, { cwd, stdio: 'pipe' });
}

/** Text (or JSON) files of 5 rows each, with the schema of `config`, in `dir` (outside the read tree). */
async function memberFiles(config: string, format: 'text' | 'json', count: number, dir: string): Promise<string[]> {
  const files = await fakeToFiles(
    schemaBlock(source(config)),
    `row.num = ${5 * count}`,
    dir,
    `file_format_type = "${format}"\nbatch_size = 5`,
  );
  expect(files).toHaveLength(count);
  for (const f of files) expect(await lines(f)).toHaveLength(5);
  return files;
}

/** Puts `members` into one archive at `target` (a path under read/). */
async function buildArchive(kind: 'zip' | 'tar' | 'tar_gz', members: string[], target: string) {
  await mkdir(path.dirname(target), { recursive: true });
  const cwd = path.dirname(members[0]!);
  const names = members.map((m) => path.basename(m));
  if (kind === 'zip') archive('zip', ['-q', '-j', target, ...names], cwd);
  else archive('tar', [kind === 'tar' ? '-cf' : '-czf', target, ...names], cwd);
}

async function buildFixtures() {
  const read = path.join(root, 'read');
  const staging = path.join(root, 'staging');
  const partition = 'name=tyrantlucifer/hobby=coding';

  // read/json and read/text: 5 rows under the partition directories, one file each.
  await fakeToFiles(
    schemaBlock(source('json__local_file_json_to_assert')),
    'row.num = 5',
    path.join(read, 'json', partition),
    'file_format_type = "json"',
  );
  await fakeToFiles(
    schemaBlock(source('text__local_file_text_to_assert')),
    'row.num = 5',
    path.join(read, 'text', partition),
    'file_format_type = "text"',
  );

  // read/text_delimiter: "|"-separated text whose c_string is "qwer" and c_boolean true (the Assert's equals_to).
  const delimiter = await fakeToFiles(
    schemaBlock(source('text__local_file_delimiter_assert')),
    'row.num = 5\nstring.template = ["qwer"]',
    path.join(staging, 'delimiter'),
    'file_format_type = "text"\nfield_delimiter = "|"',
  );
  expect(delimiter).toHaveLength(1);
  const delimited = (await lines(delimiter[0]!)).map((line) => {
    const fields = line.split('|');
    expect(fields).toHaveLength(15);
    expect(fields[2]).toBe('qwer');
    fields[3] = 'true';
    return fields.join('|');
  });
  await mkdir(path.join(read, 'text_delimiter'), { recursive: true });
  await writeFile(path.join(read, 'text_delimiter', 'e2e.txt'), delimited.join('\n') + '\n');

  // read/text_time_format: timestamps written as yyyy-MM-dd'T'HH:mm:ss.
  const timeFormat = await fakeToFiles(
    schemaBlock(source('text__local_file_time_format_assert')),
    'row.num = 5',
    path.join(read, 'text_time_format'),
    `file_format_type = "text"\ndatetime_format = "yyyy-MM-dd'T'HH:mm:ss"`,
  );
  for (const line of await lines(timeFormat[0]!)) {
    expect(line.split('\u0001')[13]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  }

  // Archives: single = one member of 5 rows, multifile = two members of 5 rows.
  const jsonOne = await memberFiles('json__local_file_json_zip_to_assert', 'json', 1, path.join(staging, 'json1'));
  const jsonTwo = await memberFiles(
    'json__local_file_json_multi_zip_to_assert',
    'json',
    2,
    path.join(staging, 'json2'),
  );
  const textOne = await memberFiles('text__local_file_zip_text_to_assert', 'text', 1, path.join(staging, 'text1'));
  const textTwo = await memberFiles(
    'text__local_file_multi_zip_text_to_assert',
    'text',
    2,
    path.join(staging, 'text2'),
  );
  await buildArchive('zip', jsonOne, path.join(read, 'zip/json/single/e2e.json.zip'));
  await buildArchive('zip', jsonTwo, path.join(read, 'zip/json/multifile/multi.zip'));
  await buildArchive('zip', textOne, path.join(read, 'zip/txt/single/e2e.txt.zip'));
  await buildArchive('zip', textTwo, path.join(read, 'zip/txt/multifile/multi.zip'));
  await buildArchive('tar', textOne, path.join(read, 'tar/txt/single/e2e-txt.tar'));
  await buildArchive('tar', textTwo, path.join(read, 'tar/txt/multifile/multiTar.tar'));
  await buildArchive('tar_gz', textOne, path.join(read, 'tar_gz/txt/single/e2e-txt.tar.gz'));
  await buildArchive('tar_gz', textTwo, path.join(read, 'tar_gz/txt/multifile/multiTar.tar.gz'));

  // read/encoding/{json,text}: what the GBK-writing configs write.
  for (const [config, format] of [
    ['json__fake_to_local_file_json_with_encoding', 'json'],
    ['text__fake_to_local_file_with_encoding', 'text'],
  ] as const) {
    const text = source(config).replace(`"/tmp/seatunnel/encoding/${format}"`, `"${read}/encoding/${format}"`);
    expect(text).toContain(`${read}/encoding/${format}`);
    const { result } = await run(text);
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  }

  // The empty directory SeaTunnel's test creates.
  await mkdir(path.join(root, 'fake_empty'), { recursive: true });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-file-e2e-'));
  await buildFixtures();
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The Assert-checked reads: the config succeeds, and this many rows went through. */
const ASSERTED_READS: Record<string, number> = {
  json__local_file_json_multi_zip_to_assert: 10,
  json__local_file_json_to_assert: 5,
  json__local_file_json_to_assert_with_multipletable: 10,
  json__local_file_json_zip_to_assert: 5,
  text__local_file_delimiter_assert: 5,
  text__local_file_multi_tar_gz_text_to_assert: 10,
  text__local_file_multi_tar_text_to_assert: 10,
  text__local_file_multi_zip_text_to_assert: 10,
  text__local_file_tar_gz_text_to_assert: 5,
  text__local_file_tar_text_to_assert: 5,
  text__local_file_text_projection_to_assert: 5,
  text__local_file_text_skip_headers: 4,
  text__local_file_text_to_assert: 5,
  text__local_file_text_to_assert_with_multipletable: 10,
  text__local_file_time_format_assert: 5,
  text__local_file_zip_text_to_assert: 5,
};

/** Configs that use LZO, which the embedded engine does not have. */
const LZO = [
  'json__local_file_json_lzo_to_console',
  'text__fake_to_local_file_text',
  'text__fake_to_local_file_with_multiple_table',
  'text__local_file_text_lzo_to_assert',
];

/** The rows of SeaTunnel's encoding configs, as the files must hold them. */
const ENCODED_STRINGS = ['"你好，世界"ABC123!@#', '"海底隧道"', 'GBK"字符﨎"', '"测试字符"'];

const CHECKS: Record<string, () => Promise<void>> = {
  async json__fake_to_local_file_json() {
    const dir = path.join(root, 'out/json');
    // DROP_DATA: what was there before is gone once the job commits.
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'stale.json'), '{}\n');
    const run1 = await runConfig('json__fake_to_local_file_json');
    expectSuccess(run1);
    expect(run1.result.metrics.rowsWritten).toBe(5);
    const files = await listFiles(dir);
    // No partition directories (have_partition is not set), SeaTunnel's T_..._<n>.json name.
    expect(files.map((f) => path.relative(dir, f))).toEqual([expect.stringMatching(/^T_[\w-]+_0\.json$/)]);
    const rows = (await lines(files[0]!)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'c_map',
        'c_array',
        'c_string',
        'c_boolean',
        'c_tinyint',
        'c_smallint',
        'c_int',
        'c_bigint',
        'c_float',
        'c_double',
        'c_bytes',
        'c_date',
        'c_decimal',
        'c_timestamp',
        'c_row',
      ]);
      expect(typeof row.c_map).toBe('object');
      expect(Array.isArray(row.c_array)).toBe(true);
      expect(typeof row.c_boolean).toBe('boolean');
      expect(row.c_date).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(Object.keys(row.c_row as object)).toHaveLength(14);
    }
  },

  async json__fake_to_local_file_json_save_mode() {
    // ${table_name}: FakeSource's table without `table` is default.default.default.
    const dir = path.join(root, 'out/localfile/json/default');
    for (let i = 0; i < 2; i++) {
      const { result } = await runConfig('json__fake_to_local_file_json_save_mode');
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      expect(result.status).toBe('SUCCEEDED');
      // RECREATE_SCHEMA / DROP_DATA: the second run replaces the first run's file.
      const files = await listFiles(dir);
      expect(files).toHaveLength(1);
      expect((await lines(files[0]!)).map((l) => JSON.parse(l) as unknown)).toEqual([
        { c_string: '1', c_tinyint: 1, c_smallint: 1, c_int: 123, c_bigint: 42543, c_float: 1.2 },
        { c_string: '2', c_tinyint: 1, c_smallint: 1, c_int: 123, c_bigint: 42543, c_float: 1.2 },
      ]);
    }
  },

  async json__fake_to_local_file_json_with_encoding() {
    const run1 = await runConfig('json__fake_to_local_file_json_with_encoding');
    expectSuccess(run1);
    const files = await listFiles(path.join(root, 'out/encoding/json'));
    expect(files).toHaveLength(1);
    const bytes = await readFile(files[0]!);
    // GBK bytes, not UTF-8: "你好" is C4E3 BAC3.
    expect(bytes.includes(Buffer.from([0xc4, 0xe3, 0xba, 0xc3]))).toBe(true);
    expect(bytes.includes(Buffer.from('你好', 'utf8'))).toBe(false);
    const rows = (await lines(files[0]!, 'gbk')).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Every row kind is written, as SeaTunnel's file sinks do.
    expect(rows.map((r) => r.c_string)).toEqual(ENCODED_STRINGS);
    expect(rows[0]!.c_map).toEqual({ 'aA"测试"': 'bB"测试"' });
    expect(rows[0]!.c_array_string).toEqual(['测试ABC123!@#']);
    expect(rows[0]!.c_null).toBeNull();
  },

  async json__local_file_json_to_console_with_encoding() {
    const outcome = await runConfig('json__local_file_json_to_console_with_encoding');
    expectSuccess(outcome);
    expect(outcome.result.metrics.rowsRead).toBe(4);
    expect(outcome.result.metrics.rowsWritten).toBe(4);
    const printed = outcome.logs.map((l) => l.message).join('\n');
    for (const s of ENCODED_STRINGS) expect(printed).toContain(s);
  },

  async json__local_file_to_console() {
    // An empty directory: nothing to read, and the job succeeds.
    const outcome = await runConfig('json__local_file_to_console');
    expectSuccess(outcome);
    expect(outcome.result.metrics.rowsRead).toBe(0);
  },

  async text__fake_to_local_file_with_encoding() {
    const run1 = await runConfig('text__fake_to_local_file_with_encoding');
    expectSuccess(run1);
    const files = await listFiles(path.join(root, 'out/encoding/text'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.txt$/);
    expect((await readFile(files[0]!)).includes(Buffer.from('你好', 'utf8'))).toBe(false);
    const rows = (await lines(files[0]!, 'gbk')).map((l) => l.split('\u0001'));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toHaveLength(16);
    expect(rows.map((r) => r[3])).toEqual(ENCODED_STRINGS);
    expect(rows[0]!.slice(4, 11)).toEqual(['true', '117', '15987', '56387395', '7084913402530365000', '1.23', '1.23']);
    expect(rows[0]!.slice(14)).toEqual(['2023-04-22', '2023-04-22 23:20:58']);
  },

  async text__local_file_text_to_console_with_encoding() {
    const outcome = await runConfig('text__local_file_text_to_console_with_encoding');
    expectSuccess(outcome);
    expect(outcome.result.metrics.rowsRead).toBe(4);
    const printed = outcome.logs.map((l) => l.message).join('\n');
    for (const s of ENCODED_STRINGS) expect(printed).toContain(s);
  },
};

for (const [name, rows] of Object.entries(ASSERTED_READS)) {
  CHECKS[name] = async () => {
    const outcome = await runConfig(name);
    expectSuccess(outcome);
    expect(outcome.result.metrics.rowsRead).toBe(rows);
    expect(outcome.result.metrics.rowsWritten).toBe(rows);
  };
}
for (const name of LZO) {
  CHECKS[name] = async () => {
    const { result } = await runConfig(name);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('CONFIG_INVALID');
    expect(result.error?.message).toContain('compress_codec');
    expect(result.error?.message).toContain('"lzo" is not available in the embedded engine');
  };
}

describe('SeaTunnel LocalFile e2e configs on the embedded engine', () => {
  it('finds the 27 configs, each with a check here', () => {
    expect(FILES.map(short).sort()).toEqual(Object.keys(CHECKS).sort());
    expect(FILES).toHaveLength(27);
  });

  it.each(FILES.map(short))('%s', async (name) => {
    const check = CHECKS[name];
    expect(check, `no check for ${name}`).toBeDefined();
    await check!();
  });
});
