/**
 * LocalFile source: reads text, csv and JSON-lines files (a file, or every file under a directory,
 * recursively and sorted) into rows, streamed with backpressure in batches of 2,000 rows.
 *
 * - With `schema`, each field is parsed into its type (text/csv by position, JSON by name); without
 *   one, each line is one `content` string column (as SeaTunnel does).
 * - `k=v` directories below `path` become string columns (SeaTunnel's parse_partition_from_path),
 *   after the `read_columns` projection when there is one.
 * - `tables_configs` lists several tables, each with its own path and schema (options not given in
 *   an entry are taken from the block).
 * - Parse errors name the file, line and field: `orders.csv line 42, field "amount": "12x" is not a decimal(10,2)`.
 */
import { stat } from 'node:fs/promises';
import { isConfigObject } from '../../../job-config/index.js';
import type { PluginContext, PluginFactoryInput, PluginOptions, Source, SourceReader } from '../../plugin.js';
import type { Field, RowBatch, TablePath, TableSchema, Value } from '../../row.js';
import { CsvSplitter, CsvSyntaxError, type CsvRecord } from './csv-splitter.js';
import { fileContents, type ArchiveCodec, type ByteCounter } from './contents.js';
import {
  decoderFor,
  readCompressCodec,
  readDelimiter,
  readEncoding,
  readFormat,
  readTemporalFormats,
  type FileFormat,
  type TextDecoderLike,
} from './file-options.js';
import { listFiles, partitionsOf } from './paths.js';
import { readSchema } from './schema.js';
import {
  TEXT_SEPARATORS,
  ValueError,
  jsonField,
  jsonToValue,
  parseJsonText,
  parseScalar,
  parseTextValue,
  splitFields,
  type TextCodec,
} from './values.js';

export const SOURCE_BATCH_ROWS = 2000;
const DEFAULT_TABLE: TablePath = { database: 'default', schema: 'default', table: 'default' };
const CONTENT_FIELD: Field = { name: 'content', type: { kind: 'string' }, nullable: true };

/** A row that could not be read: names the file (and archive member), line and field. */
export class FileReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileReadError';
  }
}

interface TableSpec {
  options: PluginOptions;
  path: string;
  format: FileFormat;
  codec: TextCodec;
  skipHeader: number;
  csvHeader: boolean;
  encoding: string;
  gzip: boolean;
  archive: ArchiveCodec;
  fileFilter?: RegExp;
  declared?: Field[];
  table: TablePath;
  primaryKey?: string[];
  readColumns?: string[];
  parsePartitions: boolean;
}

type Column =
  { from: 'file'; index: number; field: Field } | { from: 'partition'; key: string; field: Field; fileIndex?: number };

interface OpenTable {
  index: number;
  spec: TableSpec;
  schema: TableSchema;
  files: string[];
  /** Fields as they are in the files (declared schema or `content`). */
  fileFields: Field[];
  /** Whether lines are rows of `content` (no schema). */
  contentOnly: boolean;
  columns: Column[];
}

const ARCHIVES: ArchiveCodec[] = ['none', 'tar', 'tar_gz', 'zip', 'gz'];

function readSpec(options: PluginOptions): TableSpec {
  const path = options.requiredString('path');
  const format = readFormat(options, undefined);
  const schema = readSchema(options);
  const archiveText = options.string('archive_compress_codec')?.trim().toLowerCase().replace(/[.-]/g, '_');
  const archive = archiveText === undefined || archiveText === '' ? 'none' : (archiveText as ArchiveCodec);
  if (!ARCHIVES.includes(archive))
    options.fail('archive_compress_codec', `must be one of none, tar, tar_gz, zip, gz, got "${archiveText}"`);
  let fileFilter: RegExp | undefined;
  const filter = options.string('file_filter_pattern');
  if (filter !== undefined && filter !== '') {
    try {
      fileFilter = new RegExp(`^(?:${filter})$`);
    } catch (err) {
      options.fail('file_filter_pattern', `is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const skipHeader = options.int('skip_header_row_number', 0);
  if (skipHeader < 0) options.fail('skip_header_row_number', 'must not be negative');
  const readColumns = options.stringList('read_columns');
  return {
    options,
    path,
    format,
    codec: {
      separators: [readDelimiter(options, format === 'csv' ? ',' : '\u0001', false), ...TEXT_SEPARATORS.slice(1)],
      formats: readTemporalFormats(options),
    },
    skipHeader,
    csvHeader: options.boolean('csv_use_header_line', false),
    encoding: readEncoding(options),
    gzip: readCompressCodec(options) === 'gzip',
    archive,
    fileFilter,
    declared: schema?.fields,
    table: schema?.table ?? DEFAULT_TABLE,
    primaryKey: schema?.primaryKey,
    readColumns: readColumns && readColumns.length > 0 ? readColumns : undefined,
    parsePartitions: options.boolean('parse_partition_from_path', true),
  };
}

export class LocalFileSource implements Source {
  private readonly specs: TableSpec[];
  private tables: OpenTable[] = [];

  constructor(private readonly options: PluginOptions) {
    const configs = options.list('tables_configs');
    if (configs && configs.length > 0) {
      const { tables_configs: _ignored, ...shared } = options.raw;
      this.specs = configs.map((entry, i) => {
        if (!isConfigObject(entry))
          return options.fail(`tables_configs[${i}]`, 'must be an object { path = ..., schema { ... } }');
        return readSpec(options.nested({ ...shared, ...entry }, `tables_configs[${i}]`));
      });
    } else {
      this.specs = [readSpec(options)];
    }
  }

  async open(_context: PluginContext): Promise<TableSchema[]> {
    this.tables = [];
    for (const [index, spec] of this.specs.entries()) this.tables.push(await openTable(index, spec));
    return this.tables.map((t) => t.schema);
  }

  readers(context: PluginContext): SourceReader[] {
    const work = this.tables.flatMap((table) => table.files.map((file) => ({ table, file })));
    const count = Math.max(1, Math.min(context.parallelism || 1, work.length));
    const groups: { table: OpenTable; file: string }[][] = Array.from({ length: count }, () => []);
    work.forEach((item, i) => groups[i % count]!.push(item));
    return groups.map((items) => ({ read: () => readFiles(items, context.signal) }));
  }

  async close(): Promise<void> {
    // Readers close their files as they finish (or are abandoned); nothing is held between reads.
  }
}

export function localFileSource({ options }: PluginFactoryInput): Source {
  return new LocalFileSource(options);
}

async function openTable(index: number, spec: TableSpec): Promise<OpenTable> {
  const { options } = spec;
  let files: string[];
  try {
    files = await listFiles(spec.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') options.fail('path', `"${spec.path}" does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      options.fail('path', `"${spec.path}" cannot be read (permission denied)`);
    throw err;
  }
  if (spec.fileFilter) {
    const filter = spec.fileFilter;
    files = files.filter((f) => filter.test(f.slice(f.lastIndexOf('/') + 1)) || filter.test(f));
  }

  const contentOnly = !spec.declared;
  const fileFields = spec.declared ?? [CONTENT_FIELD];
  let columns: Column[] = fileFields.map((field, i) => ({ from: 'file', index: i, field }));
  if (spec.parsePartitions && files.length > 0) {
    for (const [key] of partitionsOf(spec.path, files[0]!)) {
      const at = columns.findIndex((c) => c.field.name === key);
      const existing = columns[at];
      // A declared field also named by the path: filled from the path where the file has no value.
      if (existing?.from === 'file')
        columns[at] = { from: 'partition', key, field: existing.field, fileIndex: existing.index };
      else if (!existing)
        columns.push({ from: 'partition', key, field: { name: key, type: { kind: 'string' }, nullable: true } });
    }
  }
  if (spec.readColumns) {
    const available = columns;
    columns = spec.readColumns.map((name) => {
      const column =
        available.find((c) => c.field.name === name) ??
        available.find((c) => c.field.name.toLowerCase() === name.toLowerCase());
      if (!column) {
        return options.fail(
          'read_columns',
          `names "${name}", which is not a field of the table (fields: ${available.map((c) => c.field.name).join(', ')})`,
        );
      }
      return column;
    });
    // As SeaTunnel does, the path's partition columns follow the projected ones.
    for (const column of available) {
      if (column.from === 'partition' && column.fileIndex === undefined && !columns.includes(column))
        columns.push(column);
    }
  }
  return {
    index,
    spec,
    files,
    fileFields,
    contentOnly,
    columns,
    schema: {
      path: spec.table,
      fields: columns.map((c) => c.field),
      primaryKey: spec.primaryKey?.filter((k) => columns.some((c) => c.field.name === k)),
    },
  };
}

// ------------------------------------------------------------------ reading

async function* readFiles(items: { table: OpenTable; file: string }[], signal: AbortSignal): AsyncGenerator<RowBatch> {
  let rows: Value[][] = [];
  let table = -1;
  let reported = 0;
  const counter: ByteCounter = { bytes: 0 };
  /** A batch of at most SOURCE_BATCH_ROWS rows, with the bytes read since the last one. */
  const flush = (): RowBatch => {
    const take = Math.min(rows.length, SOURCE_BATCH_ROWS);
    const batch: RowBatch = {
      table,
      rows: take === rows.length ? rows : rows.slice(0, take),
      bytes: counter.bytes - reported,
    };
    rows = take === rows.length ? [] : rows.slice(take);
    reported = counter.bytes;
    return batch;
  };
  for (const { table: open, file } of items) {
    if (rows.length > 0 && table !== open.index) yield flush();
    table = open.index;
    for await (const chunk of readFile(open, file, counter, signal)) {
      for (const row of chunk) rows.push(row);
      while (rows.length >= SOURCE_BATCH_ROWS) yield flush();
    }
  }
  while (rows.length > 0 || counter.bytes > reported) yield flush();
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the job was cancelled');
}

/** Rows of one file, a chunk at a time (each input chunk's complete lines or records). */
async function* readFile(
  table: OpenTable,
  file: string,
  counter: ByteCounter,
  signal: AbortSignal,
): AsyncGenerator<Value[][]> {
  const { spec } = table;
  const start = counter.bytes;
  const partitions = new Map(spec.parsePartitions ? partitionsOf(spec.path, file) : []);
  const contents = fileContents(file, spec.gzip, spec.archive, counter, signal);
  try {
    for await (const content of contents) {
      const where = content.member === undefined ? file : `${file} [${content.member}]`;
      const decoder = decoderFor(spec.encoding);
      const builder = rowBuilder(table, where, partitions);
      if (spec.format === 'csv' && !table.contentOnly) {
        yield* readCsv(content.chunks, decoder, table, builder, signal);
      } else {
        yield* readLines(content.chunks, decoder, table, builder, signal);
      }
    }
  } catch (err) {
    checkAborted(signal);
    if (err instanceof FileReadError || (err as Error).name === 'PluginConfigError') throw err;
    throw new FileReadError(`LocalFile: cannot read ${file}: ${(err as Error).message}`);
  }
  // Count every byte of the file (archive directories and headers included) once it is done.
  const { size } = await stat(file);
  if (counter.bytes - start < size) counter.bytes = start + size;
}

type RowBuilder = {
  /** The file (and archive member) for messages. */
  where: string;
  /** A row from a line's fields or a JSON object; throws FileReadError naming line and field. */
  fromParts(parts: (string | null)[], line: number, csv: boolean): Value[];
  fromJson(node: unknown, line: number): Value[];
  fromContent(line: string): Value[];
};

function rowBuilder(table: OpenTable, where: string, partitions: Map<string, string>): RowBuilder {
  const { spec, columns, fileFields } = table;
  const { codec } = spec;
  const fail = (line: number, column: string, err: unknown): never => {
    if (err instanceof ValueError) throw new FileReadError(`LocalFile: ${where} line ${line}, ${err.describe(column)}`);
    throw err;
  };
  const partitionValue = (column: Column & { from: 'partition' }, line: number): Value => {
    const text = partitions.get(column.key);
    if (text === undefined) return null;
    try {
      return parseScalar(text, column.field.type, codec.formats);
    } catch (err) {
      return fail(line, column.field.name, err);
    }
  };
  return {
    where,
    fromParts(parts, line, csv) {
      return columns.map((column) => {
        const index = column.from === 'file' ? column.index : column.fileIndex;
        let value: Value = null;
        if (index !== undefined) {
          const text = parts[index];
          const field = fileFields[index]!;
          if (text !== undefined && text !== null) {
            try {
              value = csv && field.type.kind === 'string' ? text : parseTextValue(text, field.type, codec);
            } catch (err) {
              fail(line, field.name, err);
            }
          }
        }
        if (value === null && column.from === 'partition') value = partitionValue(column, line);
        return value;
      });
    },
    fromJson(node, line) {
      if (typeof node !== 'object' || node === null) {
        throw new FileReadError(
          `LocalFile: ${where} line ${line}: expected a JSON object, found ${JSON.stringify(node)}`,
        );
      }
      return columns.map((column) => {
        const index = column.from === 'file' ? column.index : column.fileIndex;
        let value: Value = null;
        if (index !== undefined) {
          const field = fileFields[index]!;
          const raw = Array.isArray(node)
            ? (node as unknown[])[index]
            : jsonField(node as Record<string, unknown>, field.name);
          try {
            value = jsonToValue(raw, field.type, codec.formats);
          } catch (err) {
            fail(line, field.name, err);
          }
        }
        if (value === null && column.from === 'partition') value = partitionValue(column, line);
        return value;
      });
    },
    fromContent(text) {
      return columns.map((column) => (column.from === 'file' ? text : partitionValue(column, 0)));
    },
  };
}

async function* decodedLines(
  chunks: AsyncIterable<Buffer>,
  decoder: TextDecoderLike,
  signal: AbortSignal,
): AsyncGenerator<string[]> {
  let carry = '';
  for await (const chunk of chunks) {
    checkAborted(signal);
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    carry = lines.pop()!;
    yield lines;
  }
  const rest = carry + decoder.decode();
  if (rest !== '') yield [rest];
}

async function* readLines(
  chunks: AsyncIterable<Buffer>,
  decoder: TextDecoderLike,
  table: OpenTable,
  builder: RowBuilder,
  signal: AbortSignal,
): AsyncGenerator<Value[][]> {
  const { spec } = table;
  let lineNumber = 0;
  const needed = new Set(
    table.columns.flatMap((c) => (c.from === 'file' ? [c.index] : c.fileIndex === undefined ? [] : [c.fileIndex])),
  );
  const maxIndex = Math.max(-1, ...needed);
  for await (const lines of decodedLines(chunks, decoder, signal)) {
    const rows: Value[][] = [];
    for (let line of lines) {
      lineNumber++;
      if (lineNumber <= spec.skipHeader) continue;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') continue;
      if (table.contentOnly) rows.push(builder.fromContent(line));
      else if (spec.format === 'json') {
        if (line.trim() === '') continue;
        let node: unknown;
        try {
          node = parseJsonText(line);
        } catch (err) {
          throw new FileReadError(
            `LocalFile: ${builder.where} line ${lineNumber}: not valid JSON (${(err as Error).message})`,
          );
        }
        rows.push(builder.fromJson(node, lineNumber));
      } else {
        const parts = splitFields(line, spec.codec);
        if (parts.length > maxIndex + 1) parts.length = maxIndex + 1;
        rows.push(builder.fromParts(parts, lineNumber, false));
      }
    }
    if (rows.length > 0) yield rows;
  }
}

async function* readCsv(
  chunks: AsyncIterable<Buffer>,
  decoder: TextDecoderLike,
  table: OpenTable,
  builder: RowBuilder,
  signal: AbortSignal,
): AsyncGenerator<Value[][]> {
  const { spec } = table;
  const delimiter = spec.codec.separators[0];
  if (typeof delimiter !== 'string') {
    return spec.options.fail(
      'field_delimiter',
      'must be plain text for csv (a regular expression works for text files only)',
    );
  }
  const splitter = new CsvSplitter(delimiter, table.fileFields.length === 1);
  let mapping: number[] | undefined;
  const toRows = (records: CsvRecord[]): Value[][] => {
    const rows: Value[][] = [];
    for (const { fields, line } of records) {
      if (line <= spec.skipHeader) continue;
      let record = fields;
      if (spec.csvHeader && !mapping) {
        const names = record.map((n) => (n ?? '').trim());
        mapping = table.fileFields.map((f) => {
          const exact = names.indexOf(f.name);
          return exact >= 0 ? exact : names.findIndex((n) => n.toLowerCase() === f.name.toLowerCase());
        });
        continue;
      }
      if (mapping) record = mapping.map((i) => (i < 0 ? null : (fields[i] ?? null)));
      rows.push(builder.fromParts(record, line, true));
    }
    return rows;
  };
  try {
    for await (const chunk of chunks) {
      checkAborted(signal);
      const rows = toRows(splitter.push(decoder.decode(chunk, { stream: true })));
      if (rows.length > 0) yield rows;
    }
    const rows = toRows([...splitter.push(decoder.decode()), ...splitter.end()]);
    if (rows.length > 0) yield rows;
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      throw new FileReadError(`LocalFile: ${builder.where} line ${err.line}: ${err.message}`);
    throw err;
  }
}
