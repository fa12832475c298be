/**
 * What both database writers of the Jdbc sink share: the per-table plan, error messages that name
 * the table, row and column, and the routing of each batch to the bulk path (COPY / LOAD DATA) or
 * to the buffered change path (upsert, delete, update, user query).
 *
 * A writer owns one connection and one transaction (BATCH: committed by finish; STREAMING: after
 * every batch). The runner awaits each write before the next, so a writer never runs two
 * statements at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PluginContext } from '../../plugin.js';
import { batchRowCount, type PgCopyText, type RowBatch, type TableSchema, type Value } from '../../row.js';
import type { PendingOp } from './write-upsert.js';
import { RowEncodeError } from './write-values.js';

export const PLUGIN = 'Jdbc sink';

export interface WriteSettings {
  /** A user statement with ? or :name parameters, run once per row. */
  query?: string;
  enableUpsert: boolean;
  batchSize: number;
  maxRetries: number;
  /** use_copy_statement: bulk-load insert-only batches even when upserts would be possible. */
  useCopy: boolean;
  /** STREAMING jobs commit after every batch (rows are visible as they arrive). */
  commitEachBatch: boolean;
}

export interface TablePlan {
  /** Index of the input table (RowBatch.table). */
  index: number;
  schema: TableSchema;
  /** Quoted, qualified target name for SQL; undefined for a user query without a table. */
  sqlName: string;
  /** Readable target name for messages. */
  displayName: string;
  /** Target column names by field position (field_ide applied). */
  columns: string[];
  quotedColumns: string[];
  /** Row positions of the key fields; empty without keys. */
  keyPositions: number[];
  /** Known empty when the job started writing (created, recreated, truncated or found empty). */
  fresh: boolean;
  /** Rows received so far; messages number rows from 1 in arrival order per table. */
  received: number;
  /** Lower-case data type of each target column, by target column name, when the target was read. */
  targetTypes: Map<string, string>;
  /** Which of the sink's writers (connections) writes this table. */
  writer: number;
  /** With a user query: the field position bound to each of its parameters. */
  parameterPositions?: number[];
}

/** A failure writing rows: names the plugin, the target table and, when known, the row and column. */
export class JdbcSinkError extends Error {
  readonly code = 'SINK_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JdbcSinkError';
  }
}

/** The database's own message with its detail and hint, without the driver's noise. */
export function databaseMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { detail?: string; hint?: string; sqlMessage?: string };
  let text = e.sqlMessage ?? e.message;
  if (e.detail) text += ` (${e.detail})`;
  if (e.hint) text += ` Hint: ${e.hint}`;
  return text;
}

export function sinkError(plan: TablePlan, err: unknown, where: { row?: number; column?: string } = {}): JdbcSinkError {
  if (err instanceof JdbcSinkError) return err;
  const place = [
    where.row !== undefined ? `row ${where.row}` : undefined,
    where.column !== undefined ? `column ${where.column}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return new JdbcSinkError(
    `${PLUGIN}: table ${plan.displayName}${place ? `, ${place}` : ''}: ${databaseMessage(err)}`,
    {
      cause: err,
    },
  );
}

/** Turns an encoder failure into an error naming the row (by its number) and the column. */
export function encodeError(plan: TablePlan, err: unknown, rowNumbers: (index: number) => number): JdbcSinkError {
  if (err instanceof RowEncodeError) {
    return sinkError(plan, err.cause, {
      row: rowNumbers(err.rowIndex),
      column: plan.schema.fields[err.position]?.name ?? plan.columns[err.position],
    });
  }
  return sinkError(plan, err);
}

export abstract class BaseWriter {
  private readonly pending = new Map<TablePlan, PendingOp[]>();
  private failure: Error | undefined;
  private closed = false;

  constructor(
    protected readonly settings: WriteSettings,
    protected readonly context: PluginContext,
  ) {}

  // ---- what a dialect provides

  /** Whether insert-only rows for this table can go through the bulk path now. */
  protected abstract bulkAvailable(plan: TablePlan): boolean;
  /** Streams rows into the table's bulk load (starting it, and ending another table's, as needed). Returns bytes sent. */
  protected abstract bulkWrite(plan: TablePlan, rows: Value[][], firstRow: number): Promise<number | undefined>;
  /**
   * Bulk-loads rows given as PostgreSQL COPY text as they are, when this writer and the plan's
   * target can take them (same column types); returns undefined when they cannot be taken.
   */
  protected bulkWriteCopyText(
    _plan: TablePlan,
    _text: PgCopyText,
    _rowCount: number,
    _firstRow: number,
  ): Promise<number | undefined> | undefined {
    return undefined;
  }
  /** Ends the open bulk load, if any (its rows are then in the transaction). */
  protected abstract endBulk(): Promise<void>;
  /** Applies buffered operations for one table. */
  protected abstract applyOps(plan: TablePlan, ops: PendingOp[]): Promise<void>;
  protected abstract begin(): Promise<void>;
  protected abstract commit(): Promise<void>;
  /** Abandons the open bulk load and rolls back; never throws. */
  protected abstract rollback(): Promise<void>;
  protected abstract savepoint(name: string): Promise<void>;
  protected abstract rollbackToSavepoint(name: string): Promise<void>;
  protected abstract releaseSavepoint(name: string): Promise<void>;
  /** Whether a failed statement may simply be run again (lock timeout, serialization failure). */
  protected abstract retryable(err: unknown): boolean;
  /** Closes the connection. */
  protected abstract close(): Promise<void>;

  // ---- the flow

  async start(): Promise<void> {
    await this.begin();
  }

  async write(plan: TablePlan, batch: RowBatch): Promise<number | undefined> {
    if (this.failure) throw this.failure;
    try {
      const bytes = await this.route(plan, batch);
      if (this.settings.commitEachBatch) {
        await this.flushAll();
        await this.commit();
        await this.begin();
      }
      return bytes;
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }

  private async route(plan: TablePlan, batch: RowBatch): Promise<number | undefined> {
    const { kinds } = batch;
    const first = plan.received + 1;
    plan.received += batchRowCount(batch);
    const ops = this.pending.get(plan) ?? [];
    this.pending.set(plan, ops);

    if (this.settings.query === undefined && batch.pgCopyText && batch.rowCount !== undefined && !kinds) {
      const keyed = plan.keyPositions.length > 0;
      if (this.bulkAvailable(plan) && (this.settings.useCopy || !(keyed && this.settings.enableUpsert) || plan.fresh)) {
        if (ops.length) await this.flush(plan);
        const written = this.bulkWriteCopyText(plan, batch.pgCopyText, batch.rowCount, first);
        if (written) return written;
      }
    }

    const rows = batch.rows;
    if (this.settings.query !== undefined) {
      for (let i = 0; i < rows.length; i++) ops.push({ kind: 'insert', row: rows[i]!, rowNumber: first + i });
      if (ops.length >= this.settings.batchSize) await this.flush(plan);
      return undefined;
    }

    const insertOnly = !kinds || kinds.every((k) => k === 'INSERT');
    const keyed = plan.keyPositions.length > 0;
    const upsert = keyed && this.settings.enableUpsert;
    if (insertOnly && this.bulkAvailable(plan) && (this.settings.useCopy || !upsert || plan.fresh)) {
      if (ops.length) await this.flush(plan);
      return this.bulkWrite(plan, rows, first);
    }

    for (let i = 0; i < rows.length; i++) {
      const kind = kinds?.[i] ?? 'INSERT';
      const row = rows[i]!;
      const rowNumber = first + i;
      switch (kind) {
        case 'INSERT':
          ops.push({ kind: upsert ? 'upsert' : 'insert', row, rowNumber });
          break;
        case 'UPDATE_AFTER':
          ops.push({ kind: upsert ? 'upsert' : keyed ? 'update' : 'insert', row, rowNumber });
          break;
        case 'UPDATE_BEFORE':
          if (!keyed) throw this.needsKeys(plan, kind, rowNumber);
          break;
        case 'DELETE':
          if (!keyed) throw this.needsKeys(plan, kind, rowNumber);
          ops.push({ kind: 'delete', row, rowNumber });
          break;
      }
    }
    if (!insertOnly) plan.fresh = false;
    if (ops.length >= this.settings.batchSize) await this.flush(plan);
    return undefined;
  }

  private needsKeys(plan: TablePlan, kind: string, row: number): JdbcSinkError {
    return new JdbcSinkError(
      `${PLUGIN}: table ${plan.displayName}, row ${row}: an ${kind} row needs the table's key to find the row it ` +
        'changes; set primary_keys, or read from a table with a primary key',
    );
  }

  /** Applies one table's buffered operations (retrying transient failures up to max_retries). */
  protected async flush(plan: TablePlan): Promise<void> {
    const ops = this.pending.get(plan);
    if (!ops?.length) return;
    this.pending.set(plan, []);
    await this.endBulk();
    if (this.settings.maxRetries <= 0) {
      await this.applyOps(plan, ops);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      await this.savepoint('sluice_flush');
      try {
        await this.applyOps(plan, ops);
        await this.releaseSavepoint('sluice_flush');
        return;
      } catch (err) {
        const cause = err instanceof JdbcSinkError ? err.cause : err;
        if (attempt >= this.settings.maxRetries || !this.retryable(cause)) throw err;
        this.context.log(
          'warn',
          `${err instanceof Error ? err.message : String(err)}; retrying (${attempt + 1}/${this.settings.maxRetries})`,
        );
        await this.rollbackToSavepoint('sluice_flush');
        await sleep(Math.min(200 * 2 ** attempt, 5000));
      }
    }
  }

  private async flushAll(): Promise<void> {
    await this.endBulk();
    for (const plan of this.pending.keys()) await this.flush(plan);
  }

  /** Writes what is buffered and commits: the rows are durable when this resolves. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.flushAll();
      await this.commit();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      await this.rollback();
      throw err;
    } finally {
      await this.shutdown();
    }
  }

  /** Rolls back what is not committed and closes; never throws. */
  async abort(): Promise<void> {
    this.pending.clear();
    await this.rollback();
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.close().catch(() => undefined);
  }
}
