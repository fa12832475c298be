/**
 * Reading PostgreSQL for the Jdbc source: metadata from pg_catalog (format_type for the declared
 * column types), query metadata from a LIMIT 0 run of the query, and rows streamed with
 * COPY (SELECT …) TO STDOUT in text format, decoded by pg-copy-decode.ts. The copy stream is pulled
 * (pg-copy-streams pauses the socket until the consumer reads), so memory stays bounded.
 */
import { addAbortSignal } from 'node:stream';
import type { Socket } from 'node:net';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Field, TablePath, TableSchema, Value } from '../../row.js';
import { connectPostgres, quoteIdentifier, type JdbcTarget } from './connection.js';
import { PgCopyTextDecoder, scanCopyRows } from './pg-copy-decode.js';
import {
  ReadAbortedError,
  type DescribedTable,
  type JdbcSession,
  type RowChunk,
  type SourceDialect,
  type StreamOptions,
  type TableSpec,
} from './read-dialect.js';
import { pgType, scalarText, type PgReadColumn, type PgTypeInfo } from './read-types.js';

const QUERY_ALIAS = 'sluice_q';

export class PgSession implements JdbcSession {
  busy = false;
  private closed = false;

  constructor(
    readonly client: pg.Client,
    readonly database: string | undefined,
  ) {}

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.busy) return this.destroy();
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  destroy(): void {
    this.closed = true;
    const socket = (this.client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
    socket?.destroy();
    this.client.end().catch(() => undefined);
  }
}

interface ColumnRow {
  name: string;
  typeOid: number;
  typmod: number;
  notNull: boolean;
  sourceType: string;
  comment: string | null;
}

export class PgDialect implements SourceDialect<PgSession, PgReadColumn> {
  readonly name = 'postgresql' as const;

  constructor(
    private readonly target: JdbcTarget,
    private readonly applicationName: string,
  ) {}

  async connect(database: string | undefined): Promise<PgSession> {
    const db = database ?? this.target.database;
    const client = await connectPostgres({ ...this.target, database: db }, this.applicationName);
    const session = new PgSession(client, db);
    try {
      // COPY prints bytea in the session's format; hex is the one the decoder expects first.
      const settings = ["SET bytea_output = 'hex'"];
      if (this.target.properties.currentSchema) {
        settings.push(`SET search_path TO ${quoteIdentifier('postgresql', this.target.properties.currentSchema)}`);
      }
      await client.query(settings.join('; '));
    } catch (err) {
      session.destroy();
      throw err;
    }
    return session;
  }

  quote(name: string): string {
    return quoteIdentifier('postgresql', name);
  }

  async describe(session: PgSession, spec: TableSpec): Promise<DescribedTable<PgReadColumn>> {
    const { client } = session;
    if (spec.query === undefined) {
      const path = spec.path!;
      const relation = await client.query<{ oid: number; relkind: string; reltuples: number }>(
        `SELECT c.oid, c.relkind, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
        [path.schema, path.table],
      );
      const rel = relation.rows[0];
      if (!rel) throw await this.missingTable(client, path);
      const columnRows = await client.query<ColumnRow>(
        `SELECT a.attname AS name, a.atttypid AS "typeOid", a.atttypmod AS typmod, a.attnotnull AS "notNull",
                format_type(a.atttypid, a.atttypmod) AS "sourceType", col_description(a.attrelid, a.attnum) AS comment
           FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [rel.oid],
      );
      const columns = await this.columns(client, columnRows.rows);
      const schema: TableSchema = {
        path,
        fields: columns.map((c) => c.field),
        ...(await this.keys(client, rel.oid)),
      };
      const estimate = await this.estimate(client, rel);
      if (estimate !== undefined) schema.estimatedRows = estimate;
      return {
        schema,
        database: path.database,
        relation: `${this.quote(path.schema!)}.${this.quote(path.table)}`,
        selectList: columns.map((c) => this.quote(c.field.name)).join(', '),
        columns,
      };
    }

    const result = await client.query(`SELECT * FROM (${spec.query}\n) ${QUERY_ALIAS} LIMIT 0`);
    const fields = result.fields;
    // Types as declared (format_type), and NOT NULL of the columns the query returns unchanged.
    const described = await client.query<{ i: number; sourceType: string; notNull: boolean | null }>(
      `SELECT u.i::int AS i, format_type(u.oid, u.mod) AS "sourceType", a.attnotnull AS "notNull"
         FROM unnest($1::oid[], $2::int[], $3::oid[], $4::int[]) WITH ORDINALITY AS u(oid, mod, rel, att, i)
         LEFT JOIN pg_attribute a ON a.attrelid = u.rel AND a.attnum = u.att AND u.rel <> 0
        ORDER BY u.i`,
      [
        fields.map((f) => f.dataTypeID),
        fields.map((f) => f.dataTypeModifier),
        fields.map((f) => f.tableID),
        fields.map((f) => f.columnID),
      ],
    );
    const rows: ColumnRow[] = fields.map((f, i) => ({
      name: f.name,
      typeOid: f.dataTypeID,
      typmod: f.dataTypeModifier,
      notNull: described.rows[i]?.notNull === true,
      sourceType: described.rows[i]?.sourceType ?? 'text',
      comment: null,
    }));
    const columns = await this.columns(client, rows);
    let path = spec.path;
    let keys: Pick<TableSchema, 'primaryKey' | 'uniqueKeys'> = {};
    const names = new Set(columns.map((c) => c.field.name));
    if (path) {
      const oid = await this.relationOid(client, path);
      if (oid !== undefined) {
        const tableKeys = await this.keys(client, oid);
        if (tableKeys.primaryKey?.every((k) => names.has(k))) keys.primaryKey = tableKeys.primaryKey;
        const unique = tableKeys.uniqueKeys?.filter((key) => key.every((k) => names.has(k)));
        if (unique?.length) keys.uniqueKeys = unique;
      }
    } else {
      const origin = fields[0]?.tableID;
      if (origin) {
        const named = await client.query<{ schema: string; table: string }>(
          `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
          [origin],
        );
        const row = named.rows[0];
        if (row) path = { database: session.database, schema: row.schema, table: row.table };
      }
      path ??= { database: session.database ?? 'default', table: 'default' };
      keys = {};
    }
    return {
      schema: { path, fields: columns.map((c) => c.field), ...keys },
      database: session.database,
      // The newline ends a trailing "-- comment" of the query before the closing parenthesis.
      relation: `(${spec.query}\n) ${QUERY_ALIAS}`,
      selectList: '*',
      query: spec.query,
      columns,
    };
  }

  async minMax(
    session: PgSession,
    relation: string,
    column: string,
    where?: string,
  ): Promise<[string | null, string | null]> {
    const c = this.quote(column);
    const result = await session.client.query<{ lo: unknown; hi: unknown }>(
      `SELECT MIN(${c})::text AS lo, MAX(${c})::text AS hi FROM ${relation}${where ? ` WHERE (${where})` : ''}`,
    );
    const row = result.rows[0];
    return [scalarText(row?.lo), scalarText(row?.hi)];
  }

  stream(
    session: PgSession,
    sql: string,
    columns: PgReadColumn[],
    options: StreamOptions,
  ): AsyncGenerator<RowChunk, void, undefined> {
    return streamCopy(session, sql, columns, options);
  }

  private async columns(client: pg.Client, rows: ColumnRow[]): Promise<PgReadColumn[]> {
    const types = await loadTypes(
      client,
      rows.map((r) => r.typeOid),
    );
    return rows.map((r) => {
      const mapped = pgType(r.typeOid, r.typmod, types);
      const field: Field = {
        name: r.name,
        type: mapped.type,
        nullable: !r.notNull,
        sourceType: declaredType(r.typeOid, r.sourceType, types),
        sourceDialect: 'postgresql',
      };
      if (mapped.length !== undefined) field.length = mapped.length;
      if (r.comment) field.comment = r.comment;
      return { field, decode: mapped.decode };
    });
  }

  private async relationOid(client: pg.Client, path: TablePath): Promise<number | undefined> {
    const result = await client.query<{ oid: number }>(
      `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [path.schema, path.table],
    );
    return result.rows[0]?.oid;
  }

  private async keys(client: pg.Client, oid: number): Promise<Pick<TableSchema, 'primaryKey' | 'uniqueKeys'>> {
    const result = await client.query<{ primary: boolean; columns: string[] }>(
      `SELECT i.indisprimary AS primary,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
         FROM pg_index i
        WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
        ORDER BY i.indisprimary DESC, i.indexrelid`,
      [oid],
    );
    const out: Pick<TableSchema, 'primaryKey' | 'uniqueKeys'> = {};
    const unique: string[][] = [];
    for (const row of result.rows) {
      if (row.primary) out.primaryKey = row.columns;
      else unique.push(row.columns);
    }
    if (unique.length > 0) out.uniqueKeys = unique;
    return out;
  }

  private async estimate(
    client: pg.Client,
    rel: { oid: number; relkind: string; reltuples: number },
  ): Promise<number | undefined> {
    if (rel.relkind === 'p') {
      // A partitioned table keeps no statistics of its own: add up its partitions'.
      const result = await client.query<{ n: number | null }>(
        `SELECT sum(c.reltuples)::float8 AS n FROM pg_partition_tree($1::regclass) p
           JOIN pg_class c ON c.oid = p.relid WHERE p.isleaf AND c.reltuples >= 0`,
        [rel.oid],
      );
      const n = result.rows[0]?.n;
      return n === null || n === undefined ? undefined : Math.round(n);
    }
    if (rel.relkind !== 'r' && rel.relkind !== 'm') return undefined;
    // -1: never vacuumed or analyzed (PostgreSQL 14+), so unknown.
    return rel.reltuples >= 0 ? Math.round(rel.reltuples) : undefined;
  }

  private async missingTable(client: pg.Client, path: TablePath): Promise<Error> {
    const schemas = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [path.schema]);
    if (schemas.rowCount === 0) {
      return new Error(`schema "${path.schema}" does not exist in database "${path.database ?? ''}"`);
    }
    return new Error(`table "${path.schema}.${path.table}" does not exist in database "${path.database ?? ''}"`);
  }
}

/**
 * The type to declare in a PostgreSQL target: format_type's text, except that a domain is replaced
 * by its base type (the target database may not have the domain).
 */
function declaredType(oid: number, formatted: string, types: ReadonlyMap<number, PgTypeInfo>): string {
  let info = types.get(oid);
  let declared = formatted;
  for (let depth = 0; info?.typtype === 'd' && depth < 8; depth++) {
    declared = info.baseFormat ?? declared;
    info = types.get(info.baseType);
  }
  return declared;
}

/** pg_type rows for the OIDs, their array elements and domain bases (fetched until none is missing). */
async function loadTypes(client: pg.Client, oids: number[]): Promise<Map<number, PgTypeInfo>> {
  const types = new Map<number, PgTypeInfo>();
  let wanted = [...new Set(oids)];
  for (let round = 0; wanted.length > 0 && round < 10; round++) {
    const result = await client.query<{
      oid: number;
      typname: string;
      typtype: string;
      typcategory: string;
      typelem: number;
      typbasetype: number;
      typtypmod: number;
      base_format: string | null;
    }>(
      `SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, t.typtypmod,
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_format
         FROM pg_type t WHERE t.oid = ANY($1::oid[])`,
      [wanted],
    );
    for (const r of result.rows) {
      types.set(r.oid, {
        oid: r.oid,
        name: r.typname,
        typtype: r.typtype,
        category: r.typcategory,
        elem: r.typelem,
        baseType: r.typbasetype,
        baseTypmod: r.typtypmod,
        baseFormat: r.base_format ?? undefined,
      });
    }
    const next = new Set<number>();
    for (const r of result.rows) {
      if (r.typcategory === 'A' && r.typelem !== 0 && !types.has(r.typelem)) next.add(r.typelem);
      if (r.typtype === 'd' && r.typbasetype !== 0 && !types.has(r.typbasetype)) next.add(r.typbasetype);
    }
    wanted = [...next];
  }
  return types;
}

async function* streamCopy(
  session: PgSession,
  sql: string,
  columns: PgReadColumn[],
  options: StreamOptions,
): AsyncGenerator<RowChunk, void, undefined> {
  const { batchRows, batchBytes, signal } = options;
  // Only text can hold characters beyond ASCII; numbers, dates, booleans and bytea's hex cannot.
  const textColumns = columns.map((c) => ['string', 'array', 'map', 'row'].includes(c.field.type.kind));
  const decoder = new PgCopyTextDecoder(
    columns.map((c) => c.decode),
    textColumns,
  );
  const types = columns.map((c) => c.field.sourceType ?? '');
  // Rows stay COPY text until something reads them: a PostgreSQL sink with the same column types
  // sends the text on as it is (see lazyRowBatch). A batch ends at the chunk where it reaches
  // batchRows rows or batchBytes bytes.
  const lazyChunk = (chunks: Buffer[], rowCount: number, bytes: number): RowChunk => {
    let rows: Value[][] | undefined;
    const chunk = { bytes, lazy: { rowCount, pgCopyText: { chunks, types } } } as unknown as RowChunk;
    Object.defineProperty(chunk, 'rows', {
      enumerable: true,
      get: () => {
        if (!rows) {
          rows = [];
          for (const piece of chunks) decoder.decode(piece, rows);
        }
        return rows;
      },
    });
    return chunk;
  };
  session.busy = true;
  const stream = session.client.query(copyTo(`COPY (${sql}\n) TO STDOUT`));
  addAbortSignal(signal, stream);
  let pieces: Buffer[] = [];
  let count = 0;
  let bytes = 0;
  let completed = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let rest = decoder.take(chunk);
      while (rest) {
        // Batches of exactly batchRows rows (a chunk holds a few hundred), or fewer when wide.
        const { rows, end } = scanCopyRows(rest, batchRows - count);
        const piece = end < rest.length ? rest.subarray(0, end) : rest;
        rest = end < rest.length ? rest.subarray(end) : undefined;
        pieces.push(piece);
        count += rows;
        bytes += piece.length;
        if (count >= batchRows || bytes >= batchBytes) {
          yield lazyChunk(pieces, count, bytes);
          pieces = [];
          count = 0;
          bytes = 0;
        }
      }
    }
    decoder.end();
    if (count > 0) yield lazyChunk(pieces, count, bytes);
    completed = true;
  } catch (err) {
    if (signal.aborted) throw new ReadAbortedError('the table');
    throw err;
  } finally {
    session.busy = false;
    // Abandoned or failed mid-copy: PostgreSQL keeps sending until the connection closes.
    if (!completed) session.destroy();
  }
}
