/**
 * The Jdbc source of the embedded engine, for PostgreSQL and MySQL/MariaDB, with SeaTunnel's options.
 *
 * What to read: `query` (any SELECT), `table_path`, both (the query's rows named after the table,
 * keeping the table's keys), or `table_list` = [{ table_path = …, query = … }, …] for several
 * tables. `where_condition` ("where id > 100"; the WHERE is optional) filters table reads and wraps
 * queries (SELECT * FROM (query) WHERE …).
 *
 * Table paths: MySQL `db.table` (or `table` in the URL's database); PostgreSQL `db.schema.table`
 * (another database is read through its own connection), `schema.table` or `table` within the URL's
 * database (schema from the URL's currentSchema, default "public").
 *
 * Splits: the key is `partition_column`, else (for table reads) the first single-column integer
 * primary or unique key. Its range, MIN..MAX or the given `partition_lower_bound` /
 * `partition_upper_bound` (which, as in SeaTunnel, limit the rows read), is cut into `partition_num`
 * ranges; without it into one range per `split.size` rows of the table's estimate when split.size
 * is set, else a few per reader (one reader: no ranges at all). NULL keys get a split of their own.
 * Splits go to `parallelism` readers from one queue, so a reader done early takes the next split.
 *
 * Readers stream (MySQL text protocol with pause/resume, PostgreSQL COPY … TO STDOUT), in batches of
 * `fetch_size` rows (default 2,000), and stop when the job's signal aborts.
 */
import type { PluginContext, PluginOptions, Source, SourceReader } from '../../plugin.js';
import { PluginConfigError } from '../../plugin.js';
import type { SourceFactory } from '../../implementations.js';
import { isConfigObject } from '../../../job-config/index.js';
import {
  lazyRowBatch,
  parseTablePath,
  tablePathText,
  type RowBatch,
  type TablePath,
  type TableSchema,
} from '../../row.js';
import { jdbcTarget, type JdbcTarget } from './connection.js';
import {
  ReadAbortedError,
  type DescribedTable,
  type JdbcSession,
  type SourceDialect,
  type TableSpec,
} from './read-dialect.js';
import { MysqlDialect } from './read-mysql.js';
import { PgDialect } from './read-postgres.js';
import { chooseSplitKey, defaultSplitCount, isNumericText, rangeConditions, splitKeyKind } from './source-splits.js';

/** Rows per batch unless fetch_size says otherwise. */
export const DEFAULT_BATCH_ROWS = 2000;
/** A batch also ends at about this many bytes read. */
const BATCH_BYTES = 8 * 1024 * 1024;

interface ReadTable extends DescribedTable<unknown> {
  index: number;
  spec: TableSpec;
}

interface Split {
  table: ReadTable;
  /** Condition selecting this split's rows; undefined reads them all. */
  condition?: string;
}

export const jdbcSource: SourceFactory = ({ options }) => new JdbcSource(options);

class JdbcSource implements Source {
  private readonly plugin: string;
  private readonly target: JdbcTarget;
  private readonly dialect: SourceDialect<JdbcSession, unknown>;
  private readonly specs: TableSpec[];
  private readonly batchRows: number;
  private readonly splitSize: number | undefined;
  private readonly sessions = new Set<JdbcSession>();
  private tables: ReadTable[] = [];
  private splits: Split[] = [];
  private closed = false;

  constructor(options: PluginOptions) {
    this.plugin = options.plugin;
    this.target = jdbcTarget(options);
    this.dialect =
      this.target.dialect === 'mysql'
        ? new MysqlDialect(this.target)
        : new PgDialect(this.target, 'sluice-engine jdbc source');
    this.specs = readSpecs(options, this.target);
    const fetchSize = options.int('fetch_size', 0);
    if (fetchSize < 0) options.fail('fetch_size', `must be 0 or more, got ${fetchSize}`);
    this.batchRows = fetchSize > 0 ? Math.min(fetchSize, 100_000) : DEFAULT_BATCH_ROWS;
    const splitSize = options.has('split.size') ? options.int('split.size') : undefined;
    if (splitSize !== undefined && splitSize < 1) options.fail('split.size', `must be 1 or more, got ${splitSize}`);
    this.splitSize = splitSize;
  }

  async open(context: PluginContext): Promise<TableSchema[]> {
    const metadata = new Map<string | undefined, JdbcSession>();
    try {
      for (const [index, spec] of this.specs.entries()) {
        if (context.signal.aborted) throw new ReadAbortedError(spec.label);
        const database = this.databaseOf(spec);
        let session = metadata.get(database);
        if (!session) {
          session = await this.connect(database);
          metadata.set(database, session);
        }
        let described: DescribedTable<unknown>;
        try {
          described = await this.dialect.describe(session, spec);
        } catch (err) {
          throw new Error(`${this.plugin}: cannot read ${spec.label}: ${this.cause(err)}`, { cause: err });
        }
        const table: ReadTable = { ...described, index, spec };
        this.tables.push(table);
        const splits = await this.planSplits(session, table, context);
        this.splits.push(...splits);
      }
    } finally {
      for (const session of metadata.values()) await this.release(session);
    }
    return this.tables.map((t) => t.schema);
  }

  readers(context: PluginContext): SourceReader[] {
    const queue = this.splits;
    let next = 0;
    const take = (): Split | undefined => (next < queue.length ? queue[next++] : undefined);
    const count = Math.max(1, Math.min(context.parallelism, queue.length));
    return Array.from({ length: count }, () => ({ read: () => this.readSplits(take, context) }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.sessions];
    this.sessions.clear();
    await Promise.all(open.map((s) => s.close().catch(() => undefined)));
  }

  // -------------------------------------------------------------------------------------- reading

  private async *readSplits(take: () => Split | undefined, context: PluginContext): AsyncGenerator<RowBatch> {
    let session: JdbcSession | undefined;
    let sessionDatabase: string | undefined;
    try {
      for (let split = take(); split; split = take()) {
        const { table } = split;
        if (context.signal.aborted) throw new ReadAbortedError(table.spec.label);
        if (!session || sessionDatabase !== table.database) {
          if (session) await this.release(session);
          session = undefined;
          session = await this.connect(table.database);
          sessionDatabase = table.database;
        }
        const sql = splitSql(table, split.condition);
        try {
          const chunks = this.dialect.stream(session, sql, table.columns, {
            batchRows: this.batchRows,
            batchBytes: BATCH_BYTES,
            signal: context.signal,
          });
          for await (const chunk of chunks) {
            yield chunk.lazy
              ? lazyRowBatch(table.index, chunk.lazy.rowCount, chunk.bytes, () => chunk.rows, chunk.lazy.pgCopyText)
              : { table: table.index, rows: chunk.rows, bytes: chunk.bytes };
          }
        } catch (err) {
          // The stream tore its connection down.
          this.sessions.delete(session);
          session = undefined;
          if (context.signal.aborted || err instanceof ReadAbortedError) {
            throw new ReadAbortedError(`${table.spec.label} (${this.plugin})`);
          }
          throw new Error(
            `${this.plugin}: reading ${table.spec.label} failed: ${this.cause(err)} (SQL: ${shorten(sql)})`,
            { cause: err },
          );
        }
      }
    } finally {
      if (session) await this.release(session);
    }
  }

  // -------------------------------------------------------------------------------------- splits

  private async planSplits(session: JdbcSession, table: ReadTable, context: PluginContext): Promise<Split[]> {
    const { spec, schema } = table;
    let column: string | undefined;
    if (spec.partitionColumn !== undefined) {
      const field =
        schema.fields.find((f) => f.name === spec.partitionColumn) ??
        schema.fields.find((f) => f.name.toLowerCase() === spec.partitionColumn!.toLowerCase());
      if (!field) {
        throw new PluginConfigError(
          this.plugin,
          'partition_column',
          `names "${spec.partitionColumn}", which ${spec.label} does not have (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
        );
      }
      if (!splitKeyKind(field.type)) {
        context.log(
          'warn',
          `partition_column "${field.name}" of ${spec.label} is not numeric (${field.sourceType ?? field.type.kind}); reading it in one split`,
        );
      } else column = field.name;
    } else if (spec.query === undefined) {
      column = chooseSplitKey(schema);
    }
    const whole: Split[] = [{ table }];
    if (column === undefined) {
      if (context.parallelism > 1 && spec.partitionColumn === undefined) {
        context.log(
          'info',
          `reading ${spec.label} in one split: ${spec.query === undefined ? 'it has no single-column integer primary or unique key' : 'a query is split only on partition_column'} (set partition_column to split it)`,
        );
      }
      return whole;
    }
    const field = schema.fields.find((f) => f.name === column)!;
    const lowerGiven = spec.lowerBound !== undefined;
    const upperGiven = spec.upperBound !== undefined;
    const count =
      spec.partitionNum ??
      defaultSplitCount({
        parallelism: context.parallelism,
        estimatedRows: schema.estimatedRows,
        splitSize: this.splitSize,
      });
    if (count <= 1 && !lowerGiven && !upperGiven) return whole;

    let min = spec.lowerBound ?? null;
    let max = spec.upperBound ?? null;
    if (min === null || max === null) {
      let range: [string | null, string | null];
      try {
        range = await this.dialect.minMax(session, table.relation, column, spec.where);
      } catch (err) {
        throw new Error(`${this.plugin}: cannot find the range of "${column}" in ${spec.label}: ${this.cause(err)}`, {
          cause: err,
        });
      }
      min ??= range[0];
      max ??= range[1];
    }
    const quoted = this.dialect.quote(column);
    if (min === null || max === null) {
      // No key values (an empty table, or only NULLs): one split, still within the given bounds.
      const bound = [lowerGiven ? `${quoted} >= ${min}` : '', upperGiven ? `${quoted} <= ${max}` : '']
        .filter((c) => c !== '')
        .join(' AND ');
      return [{ table, condition: bound || undefined }];
    }
    const conditions = rangeConditions({
      column: quoted,
      min,
      max,
      count,
      lowerGiven,
      upperGiven,
      nullable: field.nullable,
    });
    context.log('info', `reading ${spec.label} in ${conditions.length} split(s) on "${column}" (${min} … ${max})`);
    return conditions.map((condition) => ({ table, condition: condition === '' ? undefined : condition }));
  }

  // ---------------------------------------------------------------------------------- connections

  private databaseOf(spec: TableSpec): string | undefined {
    if (this.target.dialect === 'postgresql' && spec.query === undefined) return spec.path?.database;
    return this.target.database;
  }

  private async connect(database: string | undefined): Promise<JdbcSession> {
    if (this.closed) throw new Error(`${this.plugin}: the source is closed`);
    let session: JdbcSession;
    try {
      session = await this.dialect.connect(database);
    } catch (err) {
      const { host, port, user } = this.target;
      throw new Error(
        `${this.plugin}: cannot connect to ${this.target.dialect} at ${host}:${port}${database ? `/${database}` : ''} as "${user}": ${this.cause(err)}`,
        { cause: err },
      );
    }
    if (this.closed) {
      session.destroy();
      throw new Error(`${this.plugin}: the source is closed`);
    }
    this.sessions.add(session);
    return session;
  }

  private async release(session: JdbcSession): Promise<void> {
    this.sessions.delete(session);
    await session.close().catch(() => undefined);
  }

  /** The error's message, with the password masked should a driver ever echo it. */
  private cause(err: unknown): string {
    let message = err instanceof Error ? err.message : String(err);
    if (err instanceof AggregateError && err.errors.length > 0) {
      message = err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
    }
    if (message === '' && err instanceof Error && 'code' in err) message = String(err.code);
    const password = this.target.password;
    if (password.length >= 3) message = message.split(password).join('***');
    return message;
  }
}

function splitSql(table: ReadTable, condition: string | undefined): string {
  const conditions = [table.spec.where, condition].filter((c): c is string => c !== undefined && c !== '');
  if (table.query !== undefined && conditions.length === 0 && table.selectList === '*') return table.query;
  const where = conditions.length > 0 ? ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
  return `SELECT ${table.selectList} FROM ${table.relation}${where}`;
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

// ----------------------------------------------------------------------------------------- options

function readSpecs(options: PluginOptions, target: JdbcTarget): TableSpec[] {
  const where = normalizeWhere(options.string('where_condition'));
  const list = options.list('table_list');
  if (list !== undefined) {
    if (list.length === 0) options.fail('table_list', 'is empty: list tables as [{ table_path = "db.table" }, ...]');
    return list.map((entry, i) => {
      const name = `table_list[${i}]`;
      if (!isConfigObject(entry)) return options.fail(name, 'must be an object { table_path = ..., query = ... }');
      const nested = options.nested(entry, name);
      const spec = tableSpec(nested, target, name);
      if (spec.where === undefined && where !== undefined) spec.where = where;
      return spec;
    });
  }
  return [tableSpec(options, target, undefined)];
}

function tableSpec(options: PluginOptions, target: JdbcTarget, entry: string | undefined): TableSpec {
  const pathText = options.string('table_path');
  const rawQuery = options.string('query');
  const query = rawQuery === undefined ? undefined : normalizeQuery(rawQuery);
  if ((pathText === undefined || pathText.trim() === '') && (query === undefined || query === '')) {
    if (entry) options.fail(undefined, 'needs table_path or query');
    options.fail('query', 'is required: set query, table_path or table_list');
  }
  if (query === '') options.fail('query', 'is empty');
  const path = pathText !== undefined && pathText.trim() !== '' ? resolvePath(options, target, pathText) : undefined;
  const label = path
    ? `table "${tablePathText(path)}"${query !== undefined ? ' (query)' : ''}`
    : `query "${shorten(query!).slice(0, 60)}"`;
  const spec: TableSpec = { label, path, query };
  const where = normalizeWhere(options.string('where_condition'));
  if (where !== undefined) spec.where = where;
  const column = options.string('partition_column');
  if (column !== undefined && column.trim() !== '') spec.partitionColumn = column.trim();
  if (options.has('partition_num')) {
    const n = options.int('partition_num', 0);
    if (n < 1) options.fail('partition_num', `must be 1 or more, got ${n}`);
    spec.partitionNum = n;
  }
  for (const [option, key] of [
    ['partition_lower_bound', 'lowerBound'],
    ['partition_upper_bound', 'upperBound'],
  ] as const) {
    const text = options.string(option);
    if (text === undefined || text.trim() === '') continue;
    if (!isNumericText(text)) options.fail(option, `must be a number, got "${text}"`);
    spec[key] = text.trim().replace(/^\+/, '');
  }
  if (
    spec.lowerBound !== undefined &&
    spec.upperBound !== undefined &&
    Number(spec.lowerBound) > Number(spec.upperBound)
  ) {
    options.fail('partition_lower_bound', `(${spec.lowerBound}) is above partition_upper_bound (${spec.upperBound})`);
  }
  if ((spec.lowerBound !== undefined || spec.upperBound !== undefined) && spec.partitionColumn === undefined && !path) {
    options.fail('partition_column', 'is required with partition_lower_bound / partition_upper_bound on a query');
  }
  return spec;
}

/**
 * MySQL: "db.table" or "table" (the URL's database). PostgreSQL: "db.schema.table",
 * "schema.table" or "table" (the URL's database and currentSchema).
 */
function resolvePath(options: PluginOptions, target: JdbcTarget, text: string): TablePath {
  let parsed: TablePath;
  try {
    parsed = parseTablePath(text);
  } catch (err) {
    return options.fail('table_path', err instanceof Error ? err.message : String(err));
  }
  if (target.dialect === 'mysql') {
    if (parsed.schema !== undefined) {
      options.fail('table_path', `"${text}" has three parts; MySQL tables are database.table`);
    }
    const database = parsed.database ?? target.database;
    if (!database) {
      options.fail('table_path', `"${text}" names no database: write database.table or put the database in the url`);
    }
    return { database, table: parsed.table };
  }
  if (parsed.schema !== undefined) return parsed;
  // Two parts on PostgreSQL are schema.table: a connection reaches one database, named by the URL.
  const schema = parsed.database ?? target.schema ?? 'public';
  const database = target.database;
  if (!database) options.fail('url', 'names no database; PostgreSQL table paths are read within the URL database');
  return { database, schema, table: parsed.table };
}

function normalizeWhere(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const condition = text
    .trim()
    .replace(/;+\s*$/, '')
    .replace(/^where\b/i, '')
    .trim();
  return condition === '' ? undefined : condition;
}

function normalizeQuery(text: string): string {
  return text.trim().replace(/(\s*;)+\s*$/, '');
}
