/**
 * LocalFile sink: writes rows as text, csv (RFC 4180) or JSON lines into a directory.
 *
 * - Transactions (`is_enable_transaction`, default true): files are written under
 *   `<dir>/.sluice-tmp-<jobId>/` and renamed into place by finish(), so readers never see half a
 *   file; abort() deletes the temporary directory. Readers (LocalFile source) skip dot entries.
 * - File names as SeaTunnel's: `T_<jobId>_<random>_0_1_<n>.<ext>` (the transaction id and a
 *   per-directory counter), or `file_name_expression` (`${transactionId}`, `${now}` formatted by
 *   `filename_time_format`, `${uuid}`) when `custom_filename = true`.
 * - `batch_size` rows per file (default 1,000,000), then the next file.
 * - Partitions (`have_partition`, `partition_by`, `partition_dir_expression`, default
 *   `${k0}=${v0}/${k1}=${v1}/...`): values are escaped so that no value names a parent directory
 *   (`/`, `\`, `%`, `=` and control characters become %XX; `.`/`..` become %2E). NULL is "null".
 * - Several tables: `${table_name}`, `${database_name}`, `${schema_name}` in `path`; without them,
 *   each table gets a sub-directory named after its full table path when more than one arrives.
 * - Save modes: RECREATE_SCHEMA / DROP_DATA empty the directory (at commit when transactional,
 *   so a failed job leaves the old files), ERROR_WHEN_DATA_EXISTS fails when files exist,
 *   ERROR_WHEN_SCHEMA_NOT_EXIST when the directory is missing, APPEND_DATA (default) adds files.
 * - Every row is written whatever its kind (as SeaTunnel's file sinks do).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LogLevel, PluginContext, PluginFactoryInput, PluginOptions, Sink } from '../../plugin.js';
import { tablePathText, type Field, type RowBatch, type TableSchema, type Value } from '../../row.js';
import { TemporalPattern } from './datetime.js';
import {
  encoderFor,
  readCompressCodec,
  readDelimiter,
  readEncoding,
  readFormat,
  readTemporalFormats,
  decodeEscapes,
  type FileFormat,
  type TextEncoderFn,
} from './file-options.js';
import { escapePathPart, isHidden, substitute } from './paths.js';
import { TEXT_SEPARATORS, ValueError, renderJsonObject, renderTextValue, type TextCodec } from './values.js';

const SAVE_MODES = [
  'RECREATE_SCHEMA',
  'CREATE_SCHEMA_WHEN_NOT_EXIST',
  'ERROR_WHEN_SCHEMA_NOT_EXIST',
  'IGNORE',
] as const;
const DATA_SAVE_MODES = ['DROP_DATA', 'APPEND_DATA', 'CUSTOM_PROCESSING', 'ERROR_WHEN_DATA_EXISTS'] as const;
const EXTENSIONS: Record<FileFormat, string> = { text: 'txt', csv: 'csv', json: 'json' };
const TEMP_PREFIX = '.sluice-tmp-';
/** Open files per sink beyond which the least recently written is closed (many partitions). */
const MAX_OPEN_FILES = 128;

interface Settings {
  path: string;
  format: FileFormat;
  codec: TextCodec;
  delimiter: string;
  rowDelimiter: string;
  fileNameExpression: string;
  filenameTimeFormat: TemporalPattern;
  havePartition: boolean;
  partitionBy: string[];
  partitionDirExpression?: string;
  partitionFieldInFile: boolean;
  sinkColumns?: string[];
  batchSize: number;
  header: boolean;
  encoding: string;
  gzip: boolean;
  extension: string;
  transaction: boolean;
  schemaSaveMode: (typeof SAVE_MODES)[number];
  dataSaveMode: (typeof DATA_SAVE_MODES)[number];
}

interface OpenFile {
  /** Where the file is written (the temporary directory when transactional). */
  staged: string;
  final: string;
  writer: Writable;
  done: Promise<void>;
  error?: Error;
  rows: number;
  /** This file's encoder (stateful encodings start afresh in each file). */
  encode: TextEncoderFn;
}

interface Target {
  schema: TableSchema;
  label: string;
  dir: string;
  stageDir: string;
  /** Schema indexes written, in order. */
  columns: number[];
  fields: Field[];
  partitionIndexes: number[];
  drop: boolean;
  open: Map<string, OpenFile>;
  counters: Map<string, number>;
  committed: { staged: string; final: string }[];
  rowsWritten: number;
}

function readSettings(options: PluginOptions): Settings {
  const format = readFormat(options, 'csv');
  const delimiter = readDelimiter(options, format === 'csv' ? ',' : '\u0001', true) as string;
  const rowDelimiter = decodeEscapes(options.string('row_delimiter', '\n')) || '\n';
  const custom = options.boolean('custom_filename', false);
  const expression = custom ? options.string('file_name_expression', '${transactionId}') : '${transactionId}';
  let filenameTimeFormat: TemporalPattern;
  try {
    filenameTimeFormat = new TemporalPattern(options.string('filename_time_format', 'yyyy.MM.dd'));
  } catch (err) {
    return options.fail('filename_time_format', (err as Error).message);
  }
  const havePartition = options.boolean('have_partition', false);
  const partitionBy = havePartition ? (options.stringList('partition_by') ?? []) : [];
  if (havePartition && partitionBy.length === 0)
    options.fail('partition_by', 'must name the partition fields when have_partition is true');
  const batchSize = options.int('batch_size', 1_000_000);
  if (batchSize < 1) options.fail('batch_size', 'must be at least 1');
  const transaction = options.boolean('is_enable_transaction', true);
  const extensionOption = options.string('filename_extension')?.trim().replace(/^\./, '');
  const gzip = readCompressCodec(options) === 'gzip';
  const sinkColumns = options.stringList('sink_columns');
  // tmp_path is not used: temporary files live inside the target directory, so that the final
  // rename never crosses file systems.
  return {
    path: options.requiredString('path'),
    format,
    delimiter,
    codec: { separators: [delimiter, ...TEXT_SEPARATORS.slice(1)], formats: readTemporalFormats(options) },
    rowDelimiter,
    fileNameExpression:
      transaction && !expression.includes('${transactionId}') ? `\${transactionId}_${expression}` : expression,
    filenameTimeFormat,
    havePartition,
    partitionBy,
    partitionDirExpression: havePartition ? options.string('partition_dir_expression') || undefined : undefined,
    partitionFieldInFile: options.boolean('is_partition_field_write_in_file', false),
    sinkColumns: sinkColumns && sinkColumns.length > 0 ? sinkColumns : undefined,
    batchSize,
    header: options.boolean('enable_header_write', false),
    encoding: readEncoding(options),
    gzip,
    extension: `${extensionOption || EXTENSIONS[format]}${gzip ? '.gz' : ''}`,
    transaction,
    schemaSaveMode: options.enumValue('schema_save_mode', SAVE_MODES, 'CREATE_SCHEMA_WHEN_NOT_EXIST'),
    dataSaveMode: options.enumValue('data_save_mode', DATA_SAVE_MODES, 'APPEND_DATA'),
  };
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

export class LocalFileSink implements Sink {
  private readonly settings: Settings;
  private targets: Target[] = [];
  private transactionId = '';
  private now = '';
  private log: (level: LogLevel, message: string) => void = () => {};
  private state: 'new' | 'open' | 'done' = 'new';

  constructor(private readonly options: PluginOptions) {
    this.settings = readSettings(options);
  }

  async open(tables: TableSchema[], context: PluginContext): Promise<void> {
    const s = this.settings;
    this.log = (level, message) => context.log(level, message);
    const jobId = safeName(context.jobId || 'job');
    this.transactionId = `T_${jobId}_${randomBytes(5).toString('hex')}_0_1`;
    this.now = s.filenameTimeFormat.format(localParts(new Date()));
    if (s.fileNameExpression.includes('${now}') && this.now.includes('/')) {
      this.options.fail('filename_time_format', `"${s.filenameTimeFormat.source}" puts "/" in file names`);
    }
    this.targets = tables.map((schema) => this.target(schema, tables.length, jobId));
    const dirs = new Map<string, string>();
    for (const t of this.targets) {
      const other = dirs.get(t.dir);
      if (other !== undefined) {
        this.options.fail(
          'path',
          `tables ${other} and ${t.label} would both write to "${t.dir}": put \${table_name} in the path`,
        );
      }
      dirs.set(t.dir, t.label);
    }
    for (const t of this.targets) await this.prepare(t);
    this.state = 'open';
  }

  private target(schema: TableSchema, tableCount: number, jobId: string): Target {
    const s = this.settings;
    const names = schema.fields.map((f) => f.name);
    const find = (name: string, option: string): number => {
      let i = names.indexOf(name);
      if (i < 0) i = names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
      if (i < 0) {
        this.options.fail(
          option,
          `names "${name}", which table ${tablePathText(schema.path)} does not have (fields: ${names.join(', ')})`,
        );
      }
      return i;
    };
    const partitionIndexes = s.partitionBy.map((p) => find(p, 'partition_by'));
    let columns = s.sinkColumns ? s.sinkColumns.map((c) => find(c, 'sink_columns')) : names.map((_n, i) => i);
    if (s.havePartition && !s.partitionFieldInFile) columns = columns.filter((i) => !partitionIndexes.includes(i));
    const placeholders = {
      table_name: escapePathPart(schema.path.table),
      database_name: escapePathPart(schema.path.database ?? ''),
      schema_name: escapePathPart(schema.path.schema ?? ''),
    };
    const hasPlaceholder = /\$\{(table_name|database_name|schema_name)\}/.test(s.path);
    let dir = resolve(substitute(s.path, placeholders));
    if (!hasPlaceholder && tableCount > 1) dir = join(dir, escapePathPart(tablePathText(schema.path)));
    return {
      schema,
      label: tablePathText(schema.path),
      dir,
      stageDir: s.transaction ? join(dir, `${TEMP_PREFIX}${jobId}`) : dir,
      columns,
      fields: columns.map((i) => schema.fields[i]!),
      partitionIndexes,
      drop: s.schemaSaveMode === 'RECREATE_SCHEMA' || s.dataSaveMode === 'DROP_DATA',
      open: new Map(),
      counters: new Map(),
      committed: [],
      rowsWritten: 0,
    };
  }

  /** Applies the save modes and creates the (temporary) directory. */
  private async prepare(t: Target): Promise<void> {
    const s = this.settings;
    const exists = await stat(t.dir).then(
      (info) => {
        if (!info.isDirectory()) this.options.fail('path', `"${t.dir}" is a file, not a directory`);
        return true;
      },
      () => false,
    );
    if (!exists && s.schemaSaveMode === 'ERROR_WHEN_SCHEMA_NOT_EXIST') {
      this.options.fail(
        'schema_save_mode',
        `is ERROR_WHEN_SCHEMA_NOT_EXIST and the directory "${t.dir}" does not exist`,
      );
    }
    if (s.dataSaveMode === 'CUSTOM_PROCESSING') {
      this.options.fail(
        'data_save_mode',
        'CUSTOM_PROCESSING runs SQL, which a file sink cannot: use DROP_DATA, APPEND_DATA or ERROR_WHEN_DATA_EXISTS',
      );
    }
    if (exists && s.dataSaveMode === 'ERROR_WHEN_DATA_EXISTS') {
      const entries = (await readdir(t.dir)).filter((n) => !isHidden(n));
      if (entries.length > 0) {
        this.options.fail(
          'data_save_mode',
          `is ERROR_WHEN_DATA_EXISTS and "${t.dir}" already holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`,
        );
      }
    }
    if (t.drop && resolve(t.dir) === resolve(sep)) this.options.fail('path', 'refuses to empty the root directory');
    await mkdir(t.dir, { recursive: true });
    if (s.transaction) {
      await rm(t.stageDir, { recursive: true, force: true });
      await mkdir(t.stageDir, { recursive: true });
    } else if (t.drop) {
      await emptyDirectory(t.dir);
    }
  }

  async write(batch: RowBatch): Promise<number> {
    if (this.state !== 'open') throw new Error('LocalFile: write() called on a sink that is not open');
    const t = this.targets[batch.table];
    if (!t)
      throw new Error(
        `LocalFile: a batch for table #${batch.table}, but the sink was opened with ${this.targets.length} table(s)`,
      );
    const groups = new Map<string, Value[][]>();
    if (t.partitionIndexes.length === 0) groups.set('', batch.rows);
    else {
      for (const row of batch.rows) {
        const dir = this.partitionDir(t, row);
        let rows = groups.get(dir);
        if (!rows) groups.set(dir, (rows = []));
        rows.push(row);
      }
    }
    let bytes = 0;
    for (const [dir, rows] of groups) {
      let offset = 0;
      while (offset < rows.length) {
        const file = await this.fileFor(t, dir);
        const take = Math.min(this.settings.batchSize - file.rows, rows.length - offset);
        const chunk = rows.slice(offset, offset + take);
        const text = this.render(t, chunk, t.rowsWritten);
        let data: Buffer;
        try {
          data = file.encode(text);
        } catch (err) {
          throw new Error(`LocalFile: table ${t.label}: ${(err as Error).message}`);
        }
        await writeTo(file, data);
        bytes += data.length;
        file.rows += take;
        t.rowsWritten += take;
        offset += take;
        if (file.rows >= this.settings.batchSize) await this.closeFile(t, dir);
      }
    }
    return bytes;
  }

  private partitionDir(t: Target, row: Value[]): string {
    const s = this.settings;
    const keys = t.partitionIndexes.map((i) => escapePathPart(t.schema.fields[i]!.name));
    const values = t.partitionIndexes.map((i) => {
      const value = row[i] ?? null;
      if (value === null) return 'null';
      try {
        return escapePathPart(renderTextValue(value, t.schema.fields[i]!.type, s.codec, 1));
      } catch (err) {
        if (err instanceof ValueError)
          throw new Error(`LocalFile: table ${t.label}, partition ${err.describe(t.schema.fields[i]!.name)}`);
        throw err;
      }
    });
    if (!s.partitionDirExpression) return keys.map((k, i) => `${k}=${values[i]}`).join('/');
    const placeholders: Record<string, string> = {};
    keys.forEach((k, i) => {
      placeholders[`k${i}`] = k;
      placeholders[`v${i}`] = values[i]!;
    });
    const dir = substitute(s.partitionDirExpression, placeholders).replace(/^\/+|\/+$/g, '');
    const segments = dir.split('/');
    if (segments.some((p) => p === '' || p === '.' || p === '..')) {
      this.options.fail('partition_dir_expression', `gives "${dir}", which is not a plain relative directory`);
    }
    return segments.join('/');
  }

  private async fileFor(t: Target, dir: string): Promise<OpenFile> {
    const existing = t.open.get(dir);
    if (existing) {
      // Most recently used last, so the least recently used is closed first.
      t.open.delete(dir);
      t.open.set(dir, existing);
      return existing;
    }
    const openCount = this.targets.reduce((n, target) => n + target.open.size, 0);
    if (openCount >= MAX_OPEN_FILES) {
      const victim = this.targets.find((target) => target.open.size > 0)!;
      await this.closeFile(victim, victim.open.keys().next().value!);
    }
    const s = this.settings;
    const n = t.counters.get(dir) ?? 0;
    t.counters.set(dir, n + 1);
    const base = substitute(s.fileNameExpression, {
      transactionId: this.transactionId,
      now: this.now,
      uuid: randomUUID(),
    });
    if (base.includes('/') || base.includes('\\') || base === '' || base === '.' || base === '..') {
      this.options.fail('file_name_expression', `gives "${base}", which is not a file name`);
    }
    const name = `${base}_${n}.${s.extension}`;
    const staged = join(t.stageDir, dir, name);
    const final = join(t.dir, dir, name);
    await mkdir(dirname(staged), { recursive: true });
    const out: WriteStream = createWriteStream(staged, { flags: 'wx', highWaterMark: 256 * 1024 });
    let writer: Writable = out;
    let done: Promise<void>;
    if (s.gzip) {
      const gzip = createGzip();
      writer = gzip;
      done = pipeline(gzip, out);
    } else done = finished(out);
    const file: OpenFile = { staged, final, writer, done, rows: 0, encode: encoderFor(s.encoding) };
    done.catch((err: unknown) => {
      file.error = err instanceof Error ? err : new Error(String(err));
    });
    t.open.set(dir, file);
    if (s.header && s.format !== 'json') {
      await writeTo(file, file.encode(this.headerLine(t)));
    }
    return file;
  }

  private headerLine(t: Target): string {
    const s = this.settings;
    const names = t.fields.map((f) => f.name);
    return (
      (s.format === 'csv' ? names.map((n) => csvField(n, s.delimiter, s.rowDelimiter)) : names).join(s.delimiter) +
      s.rowDelimiter
    );
  }

  private render(t: Target, rows: Value[][], firstRow: number): string {
    const s = this.settings;
    let out = '';
    rows.forEach((row, r) => {
      let column = '';
      try {
        if (s.format === 'json') {
          out +=
            renderJsonObject(
              t.columns.map((i) => row[i] ?? null),
              t.fields,
              s.codec.formats,
            ) + s.rowDelimiter;
          return;
        }
        const parts: string[] = [];
        for (const i of t.columns) {
          const field = t.schema.fields[i]!;
          column = field.name;
          const value = row[i] ?? null;
          const text = renderTextValue(value, field.type, s.codec);
          if (s.format === 'csv') parts.push(value === null ? '' : csvField(text, s.delimiter, s.rowDelimiter));
          else {
            if (text.includes(s.delimiter) || text.includes(s.rowDelimiter) || /[\r\n]/.test(text)) {
              throw new ValueError(
                'holds the field delimiter or a line break, which text files cannot quote: use file_format_type = "csv"',
              );
            }
            parts.push(text);
          }
        }
        out += parts.join(s.delimiter) + s.rowDelimiter;
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        const where = s.format === 'json' ? `field "${err.path.join('.')}": ${err.detail}` : err.describe(column);
        throw new Error(`LocalFile: table ${t.label}, row ${firstRow + r + 1}, ${where}`);
      }
    });
    return out;
  }

  private async closeFile(t: Target, dir: string): Promise<void> {
    const file = t.open.get(dir);
    if (!file) return;
    t.open.delete(dir);
    file.writer.end();
    await file.done;
    t.committed.push({ staged: file.staged, final: file.final });
  }

  async finish(): Promise<void> {
    if (this.state !== 'open') return;
    try {
      for (const t of this.targets) {
        for (const dir of [...t.open.keys()]) await this.closeFile(t, dir);
      }
      if (this.settings.transaction) {
        for (const t of this.targets) {
          if (t.drop) await emptyDirectory(t.dir);
          for (const { staged, final } of t.committed) {
            await mkdir(dirname(final), { recursive: true });
            await rename(staged, final);
          }
          await rm(t.stageDir, { recursive: true, force: true });
        }
      }
    } catch (err) {
      // A file that could not be closed or moved: nothing half-written stays behind.
      await this.discard();
      throw err;
    }
    this.state = 'done';
    for (const t of this.targets) {
      this.log('info', `LocalFile: ${t.committed.length} file(s), ${t.rowsWritten} row(s) of ${t.label} in ${t.dir}`);
    }
  }

  async abort(_reason: unknown): Promise<void> {
    await this.discard();
  }

  /** Closes every file without committing and removes the temporary directories. */
  private async discard(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    for (const t of this.targets) {
      for (const file of t.open.values()) {
        file.writer.destroy();
        await file.done.catch(() => undefined);
      }
      t.open.clear();
      if (this.settings.transaction) await rm(t.stageDir, { recursive: true, force: true });
      else if (t.committed.length > 0 || t.rowsWritten > 0) {
        this.log('warn', `LocalFile: is_enable_transaction is false: files already written to ${t.dir} stay`);
      }
    }
  }
}

export function localFileSink({ options }: PluginFactoryInput): Sink {
  return new LocalFileSink(options);
}

async function writeTo(file: OpenFile, data: Buffer): Promise<void> {
  const failure = () => file.error;
  const before = failure();
  if (before) throw before;
  if (!file.writer.write(data)) {
    await Promise.race([once(file.writer, 'drain'), file.done.then(() => undefined)]);
    const error = failure();
    if (error) throw error;
  }
}

/**
 * RFC 4180: quoted when holding the delimiter (any of its characters, so that a multi-character
 * delimiter cannot be formed across a field's edge), a quote or a line break; "" is the empty
 * string, nothing is NULL.
 */
function csvField(text: string, delimiter: string, rowDelimiter: string): string {
  if (text === '') return '""';
  const special =
    text.includes('"') ||
    /[\r\n]/.test(text) ||
    text.includes(rowDelimiter) ||
    (delimiter.length === 1 ? text.includes(delimiter) : [...delimiter].some((c) => text.includes(c)));
  return special ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Removes every entry of a directory except the temporary directories of running jobs. */
async function emptyDirectory(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (name.startsWith(TEMP_PREFIX)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
}

function localParts(date: Date) {
  return {
    year: date.getFullYear(),
    month: date.getMonth() + 1,
    day: date.getDate(),
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds(),
    fraction: String(date.getMilliseconds()).padStart(3, '0'),
  };
}
