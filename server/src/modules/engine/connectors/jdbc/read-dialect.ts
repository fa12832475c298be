/**
 * What the Jdbc source needs from each database (MySQL/MariaDB in read-mysql.ts, PostgreSQL in
 * read-postgres.ts): sessions, table and query metadata, key ranges and a streaming read.
 */
import type { PgCopyText, TablePath, TableSchema, Value } from '../../row.js';

/** One table (or query) to read, as the options describe it. */
export interface TableSpec {
  /** For messages: 'table "db.t"', 'query "select …"'. */
  label: string;
  /** Parsed table_path, database filled in from the URL where the path leaves it out. */
  path?: TablePath;
  /** The query, trimmed of trailing semicolons. */
  query?: string;
  /** where_condition without its leading WHERE. */
  where?: string;
  partitionColumn?: string;
  partitionNum?: number;
  lowerBound?: string;
  upperBound?: string;
}

/** A table described by the database, ready to read. */
export interface DescribedTable<C> {
  schema: TableSchema;
  /** The database the reading connection must use (PostgreSQL connects per database). */
  database?: string;
  /** What the rows come from: a quoted table name, or "(query) alias". */
  relation: string;
  /** Columns to select from the relation (quoted, with the casts the dialect needs to read them exactly). */
  selectList: string;
  /** For a query: the query itself, run unchanged when nothing needs wrapping it. */
  query?: string;
  /** Per-column reading plan (decoders) of the dialect. */
  columns: C[];
}

export interface JdbcSession {
  /** Ends the connection politely when idle, or tears it down when a read is still running. */
  close(): Promise<void>;
  /** Tears the connection down at once. */
  destroy(): void;
}

export interface RowChunk {
  rows: Value[][];
  /** Bytes read from the wire for these rows (approximate at chunk boundaries). */
  bytes: number;
  /** Set when `rows` decode on first use: the row count, and the rows as PostgreSQL COPY text. */
  lazy?: { rowCount: number; pgCopyText: PgCopyText };
}

export interface StreamOptions {
  /** Rows per batch (the last may hold fewer). */
  batchRows: number;
  /** A batch also ends at about this many bytes, so wide rows do not pile up in memory. */
  batchBytes: number;
  signal: AbortSignal;
}

export interface SourceDialect<S extends JdbcSession, C> {
  readonly name: 'postgresql' | 'mysql';
  connect(database: string | undefined): Promise<S>;
  quote(name: string): string;
  /** Reads a table's or a query's columns, keys and row estimate. */
  describe(session: S, spec: TableSpec): Promise<DescribedTable<C>>;
  /** MIN and MAX of a column over the relation (as numeric text), null when there are no values. */
  minMax(session: S, relation: string, column: string, where?: string): Promise<[string | null, string | null]>;
  /** Streams the rows of `sql` in batches; stops (and tears the session down) when the signal aborts. */
  stream(session: S, sql: string, columns: C[], options: StreamOptions): AsyncGenerator<RowChunk, void, undefined>;
}

/** Raised when the job's signal stopped a read. */
export class ReadAbortedError extends Error {
  constructor(what: string) {
    super(`reading ${what} was cancelled`);
    this.name = 'AbortError';
  }
}
