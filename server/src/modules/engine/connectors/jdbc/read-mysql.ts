/**
 * Reading MySQL and MariaDB for the Jdbc source: table metadata from information_schema, query
 * metadata from the prepared statement's column definitions, and rows streamed over the text
 * protocol (mysql2, rows as arrays) with real backpressure: the connection is paused while two
 * batches wait for the consumer, so memory holds a few batches whatever the table size.
 *
 * Values come from mysql2 as the session pins them (dates as text, BIGINT and DECIMAL as exact
 * text, JSON as text); the column's decoder finishes the job in place, only for the columns that
 * need it. FLOAT and DOUBLE columns are selected as text (CAST … AS CHAR): mysql2's own float
 * parsing can be one bit off for 16–17 digit values, and FLOAT's default text has only 6 digits.
 */
import type { Socket } from 'node:net';
import type mysql from 'mysql2';
import type { TablePath, TableSchema, Value } from '../../row.js';
import { connectMysql, endMysql, quoteIdentifier, type JdbcTarget } from './connection.js';
import {
  ReadAbortedError,
  type DescribedTable,
  type JdbcSession,
  type RowChunk,
  type SourceDialect,
  type StreamOptions,
  type TableSpec,
} from './read-dialect.js';
import { mysqlColumn, mysqlPacketType, scalarText, type MysqlFieldPacket, type MysqlReadColumn } from './read-types.js';

const QUERY_ALIAS = 'sluice_q';
/** How long the server waits for us to take rows (a slow sink pauses the stream): 8 hours. */
const NET_WRITE_TIMEOUT_SECONDS = 28_800;

export class MysqlSession implements JdbcSession {
  /** A streaming read is running: closing must tear the connection down. */
  busy = false;
  private closed = false;

  constructor(readonly connection: mysql.Connection) {}

  get socket(): Socket | undefined {
    return (this.connection as unknown as { stream?: Socket }).stream;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.busy) return this.destroy();
    this.closed = true;
    await endMysql(this.connection);
  }

  destroy(): void {
    this.closed = true;
    // mysql2's destroy() only half-closes (socket.end()): a server blocked writing rows we no longer
    // read would wait for net_write_timeout. Closing the socket resets the connection at once.
    this.connection.destroy();
    this.socket?.destroy();
  }
}

function run(connection: mysql.Connection, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    connection.query<mysql.RowDataPacket[]>(sql, values, (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

function prepareColumns(connection: mysql.Connection, sql: string): Promise<MysqlFieldPacket[]> {
  return new Promise((resolve, reject) => {
    connection.prepare(sql, (err, statement) => {
      if (err) return reject(err);
      const columns = (statement as unknown as { columns?: MysqlFieldPacket[] }).columns ?? [];
      connection.unprepare(sql);
      resolve(columns);
    });
  });
}

/** Quoted `db`.`table`. */
function qualified(path: TablePath): string {
  const q = (n: string) => quoteIdentifier('mysql', n);
  return path.database ? `${q(path.database)}.${q(path.table)}` : q(path.table);
}

function selectItem(column: MysqlReadColumn): string {
  const name = quoteIdentifier('mysql', column.field.name);
  switch (column.readAs) {
    case 'plain':
      return name;
    case 'double-text':
      return `CAST(${name} AS CHAR) AS ${name}`;
    case 'float-text':
      // + 0e0 widens the stored 32-bit float to a double exactly; its text then has every digit.
      return `CAST(${name} + 0e0 AS CHAR) AS ${name}`;
    case 'geometry-text':
      return `ST_AsText(${name}) AS ${name}`;
  }
}

interface CatalogColumn {
  name: string;
  columnType: string;
  nullable: boolean;
  comment: string;
  json: boolean;
}

export class MysqlDialect implements SourceDialect<MysqlSession, MysqlReadColumn> {
  readonly name = 'mysql' as const;

  constructor(private readonly target: JdbcTarget) {}

  async connect(database: string | undefined): Promise<MysqlSession> {
    // BIGINT arrives as a number when it is a safe integer (cheaper to turn into a bigint than text)
    // and as exact text beyond; the decoders take both.
    const connection = await connectMysql(
      { ...this.target, database: database ?? this.target.database },
      { bigNumberStrings: false },
    );
    const session = new MysqlSession(connection);
    try {
      await run(connection, `SET SESSION net_write_timeout = ${NET_WRITE_TIMEOUT_SECONDS}`);
    } catch (err) {
      session.destroy();
      throw err;
    }
    return session;
  }

  quote(name: string): string {
    return quoteIdentifier('mysql', name);
  }

  async describe(session: MysqlSession, spec: TableSpec): Promise<DescribedTable<MysqlReadColumn>> {
    const connection = session.connection;
    if (spec.query === undefined) {
      const path = spec.path!;
      const catalog = await this.catalogColumns(connection, path);
      if (catalog.length === 0) throw await this.missingTable(connection, path);
      const columns = catalog.map((c) => mysqlColumn(c));
      const keys = await this.keys(connection, path);
      const estimatedRows = await this.estimate(connection, path);
      const schema: TableSchema = { path, fields: columns.map((c) => c.field), ...keys };
      if (estimatedRows !== undefined) schema.estimatedRows = estimatedRows;
      return {
        schema,
        relation: qualified(path),
        selectList: columns.map(selectItem).join(', '),
        columns,
      };
    }

    const packets = await prepareColumns(connection, spec.query);
    const byTable = new Map<string, CatalogColumn[]>();
    const catalogFor = async (db: string, table: string): Promise<CatalogColumn[]> => {
      const key = `${db}\u0000${table}`;
      let found = byTable.get(key);
      if (!found) {
        found = await this.catalogColumns(connection, { database: db, table });
        byTable.set(key, found);
      }
      return found;
    };
    const columns: MysqlReadColumn[] = [];
    for (const packet of packets) {
      const derived = mysqlPacketType(packet);
      let column = mysqlColumn({ name: packet.name, ...derived });
      const origin = packet;
      if (origin.schema && origin.orgTable && origin.orgName) {
        const match = (await catalogFor(origin.schema, origin.orgTable)).find((c) => c.name === origin.orgName);
        if (match) {
          const exact = mysqlColumn({ ...match, name: packet.name, nullable: derived.nullable });
          // A direct column reference: take the declared type when the result kept its kind.
          if (exact.field.type.kind === column.field.type.kind) column = exact;
        }
      }
      columns.push(column);
    }
    const names = new Set(columns.map((c) => c.field.name));
    const first = packets[0];
    const path: TablePath =
      spec.path ??
      (first?.schema && first.orgTable
        ? { database: first.schema, table: first.orgTable }
        : { database: this.target.database ?? 'default', table: 'default' });
    const schema: TableSchema = { path, fields: columns.map((c) => c.field) };
    if (spec.path) {
      // table_path with a query: the table's keys still hold when the query returns their columns.
      const keys = await this.keys(connection, spec.path);
      if (keys.primaryKey?.every((k) => names.has(k))) schema.primaryKey = keys.primaryKey;
      const uniqueKeys = keys.uniqueKeys?.filter((key) => key.every((k) => names.has(k)));
      if (uniqueKeys?.length) schema.uniqueKeys = uniqueKeys;
      for (const column of columns) {
        const declared = (await catalogFor(spec.path.database ?? '', spec.path.table)).find(
          (c) => c.name === column.field.name,
        );
        if (declared && !declared.nullable && column.field.nullable) {
          const exact = mysqlColumn(declared);
          if (exact.field.type.kind === column.field.type.kind) column.field.nullable = false;
        }
      }
    }
    const needsCasts = columns.some((c) => c.readAs !== 'plain');
    return {
      schema,
      // The newline ends a trailing "-- comment" of the query before the closing parenthesis.
      relation: `(${spec.query}\n) ${QUERY_ALIAS}`,
      // Casts need the names; duplicate names (a join's two "id"s) cannot be wrapped, so they read as they come.
      selectList: needsCasts && names.size === columns.length ? columns.map(selectItem).join(', ') : '*',
      query: spec.query,
      columns: needsCasts && names.size === columns.length ? columns : columns.map(plainRead),
    };
  }

  async minMax(
    session: MysqlSession,
    relation: string,
    column: string,
    where?: string,
  ): Promise<[string | null, string | null]> {
    const c = this.quote(column);
    const rows = await run(
      session.connection,
      `SELECT MIN(${c}) AS lo, MAX(${c}) AS hi FROM ${relation}${where ? ` WHERE (${where})` : ''}`,
    );
    return [scalarText(rows[0]?.lo), scalarText(rows[0]?.hi)];
  }

  stream(
    session: MysqlSession,
    sql: string,
    columns: MysqlReadColumn[],
    options: StreamOptions,
  ): AsyncGenerator<RowChunk, void, undefined> {
    return streamRows(session, sql, columns, options);
  }

  private async catalogColumns(connection: mysql.Connection, path: TablePath): Promise<CatalogColumn[]> {
    const rows = await run(
      connection,
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, COLUMN_COMMENT AS comment
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [path.database, path.table],
    );
    if (rows.length === 0) return [];
    const jsonColumns = await this.mariadbJsonColumns(connection, path);
    return rows.map((r) => ({
      name: String(r.name),
      columnType: String(r.columnType),
      nullable: r.nullable === 'YES',
      comment: typeof r.comment === 'string' ? r.comment : '',
      json: jsonColumns.has(String(r.name)),
    }));
  }

  /** MariaDB's JSON is LONGTEXT with a CHECK (json_valid(`col`)); MySQL 8 has no TABLE_NAME there (and a real JSON type). */
  private async mariadbJsonColumns(connection: mysql.Connection, path: TablePath): Promise<Set<string>> {
    const names = new Set<string>();
    try {
      const rows = await run(
        connection,
        `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
        [path.database, path.table],
      );
      for (const row of rows) {
        const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(row.clause).trim());
        if (match) names.add(match[1]!.replaceAll('``', '`'));
      }
    } catch {
      // not MariaDB
    }
    return names;
  }

  private async keys(
    connection: mysql.Connection,
    path: TablePath,
  ): Promise<Pick<TableSchema, 'primaryKey' | 'uniqueKeys'>> {
    const rows = await run(
      connection,
      `SELECT INDEX_NAME AS name, COLUMN_NAME AS col, SUB_PART AS sub
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
        ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
      [path.database, path.table],
    );
    const indexes = new Map<string, { columns: string[]; prefix: boolean }>();
    for (const row of rows) {
      const name = String(row.name);
      const index = indexes.get(name) ?? { columns: [], prefix: false };
      index.columns.push(String(row.col));
      if (row.sub !== null && row.sub !== undefined) index.prefix = true;
      indexes.set(name, index);
    }
    const out: Pick<TableSchema, 'primaryKey' | 'uniqueKeys'> = {};
    const unique: string[][] = [];
    for (const [name, index] of indexes) {
      if (name === 'PRIMARY') out.primaryKey = index.columns;
      else if (!index.prefix) unique.push(index.columns); // a prefix index does not make the column unique
    }
    if (unique.length > 0) out.uniqueKeys = unique;
    return out;
  }

  private async estimate(connection: mysql.Connection, path: TablePath): Promise<number | undefined> {
    const rows = await run(
      connection,
      'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [path.database, path.table],
    );
    const n = rows[0]?.n;
    if (n === null || n === undefined) return undefined;
    const value = Number(n);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }

  private async missingTable(connection: mysql.Connection, path: TablePath): Promise<Error> {
    const databases = await run(connection, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      path.database,
    ]);
    if (databases.length === 0) return new Error(`database "${path.database}" does not exist`);
    return new Error(`table "${path.database}.${path.table}" does not exist`);
  }
}

/** A column read as mysql2 hands it over (no cast in the select list): the decoder copes with numbers. */
function plainRead(column: MysqlReadColumn): MysqlReadColumn {
  return { ...column, readAs: 'plain' };
}

/** The in-place conversion of a row's driver values; undefined when no column needs one. */
export function mysqlRowConverter(columns: readonly MysqlReadColumn[]): ((row: unknown[]) => Value[]) | undefined {
  const indexes: number[] = [];
  const decoders: ((v: unknown) => Value)[] = [];
  columns.forEach((c, i) => {
    if (c.decode) {
      indexes.push(i);
      decoders.push(c.decode);
    }
  });
  if (indexes.length === 0) return undefined;
  const n = indexes.length;
  return (row) => {
    for (let k = 0; k < n; k++) {
      const i = indexes[k]!;
      const v = row[i];
      if (v !== null) row[i] = decoders[k]!(v);
    }
    return row as Value[];
  };
}

async function* streamRows(
  session: MysqlSession,
  sql: string,
  columns: MysqlReadColumn[],
  options: StreamOptions,
): AsyncGenerator<RowChunk, void, undefined> {
  const { connection } = session;
  const socket = session.socket;
  const convert = mysqlRowConverter(columns);
  const { batchRows, batchBytes, signal } = options;
  const ready: RowChunk[] = [];
  let current: Value[][] = [];
  let bytesMark = socket?.bytesRead ?? 0;
  let paused = false;
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const flush = () => {
    const now = socket?.bytesRead ?? bytesMark;
    ready.push({ rows: current, bytes: now - bytesMark });
    bytesMark = now;
    current = [];
  };

  session.busy = true;
  const query = connection.query({ sql, rowsAsArray: true });
  query.on('fields', (fields: unknown[]) => {
    if (fields.length !== columns.length) {
      failure = new Error(
        `the query returned ${fields.length} columns where ${columns.length} were described (did the table change?)`,
      );
      session.destroy();
      notify();
    }
  });
  query.on('result', (row: unknown[]) => {
    current.push(convert ? convert(row) : (row as Value[]));
    const n = current.length;
    if (n >= batchRows || (socket !== undefined && socket.bytesRead - bytesMark >= batchBytes)) {
      flush();
      if (ready.length >= 2 && !paused) {
        paused = true;
        connection.pause();
      }
      notify();
    }
  });
  query.on('error', (err: unknown) => {
    failure ??= err;
    notify();
  });
  query.on('end', () => {
    finished = true;
    notify();
  });
  const onAbort = () => {
    failure ??= new ReadAbortedError('the table');
    session.destroy();
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let completed = false;
  try {
    if (signal.aborted) onAbort();
    for (;;) {
      if (failure !== undefined)
        throw failure instanceof Error ? failure : new Error(scalarText(failure) ?? 'unknown error');
      const chunk = ready.shift();
      if (chunk) {
        if (paused && ready.length < 2) {
          paused = false;
          connection.resume();
        }
        yield chunk;
        continue;
      }
      if (finished) {
        if (current.length > 0) flush();
        const last = ready.shift();
        if (last) yield last;
        completed = true;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    session.busy = false;
    // Abandoned or failed mid-stream: the rest of the result is not wanted; MySQL cannot stop
    // sending it except by closing the connection.
    if (!completed) session.destroy();
  }
}
