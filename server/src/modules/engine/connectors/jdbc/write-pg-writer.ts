/**
 * The Jdbc sink's PostgreSQL writer. Insert-only batches stream through one COPY FROM STDIN per
 * table (text format); changes are staged with COPY into a temp table per target and merged
 * (INSERT ... ON CONFLICT DO UPDATE, DELETE ... USING, UPDATE ... FROM). Everything runs in one
 * transaction per writer: an aborted job keeps nothing it wrote.
 */
import type pg from 'pg';
import type { PluginContext } from '../../plugin.js';
import type { DataType, PgCopyText, Value } from '../../row.js';
import { BaseWriter, encodeError, PLUGIN, sinkError, type TablePlan, type WriteSettings } from './write-base.js';
import { pgArrayLiteral, pgCopyEncoder, PgCopyStream } from './write-pg-copy.js';
import {
  lastPerKey,
  pgDeleteSql,
  pgMergeSql,
  pgUpdateSql,
  reduceByKey,
  runsInOrder,
  toPgPlaceholders,
  type OpRun,
  type PendingOp,
} from './write-upsert.js';
import { encodeTextRows, floatText, isNativePgArray, jsonText, type TextEncoder } from './write-values.js';

interface OpenCopy {
  plan: TablePlan;
  stream: PgCopyStream;
  /** Row number of the COPY's first line. */
  firstRow: number;
  /** Row number the next batch must start at to continue this COPY. */
  nextRow: number;
}

const RETRYABLE = new Set(['40001', '40P01', '55P03']);

function quotePg(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The row number a COPY error points at ("COPY t, line 12, column c: ..."), and the column. */
function copyErrorPlace(err: unknown): { line?: number; column?: string } {
  const where = (err as { where?: string } | null)?.where;
  const match = where ? /COPY [^,]*, line (\d+)(?:, column ([^:]+))?/.exec(where) : null;
  if (!match) return {};
  return { line: Number(match[1]), column: match[2]?.trim() };
}

export class PgWriter extends BaseWriter {
  private copy: OpenCopy | undefined;
  private readonly encoders = new Map<TablePlan, TextEncoder[]>();
  private readonly staging = new Map<string, boolean>();
  private readonly copyTextVerdicts = new Map<TablePlan, boolean>();
  private statement: { text: string; count: number } | undefined;

  constructor(
    private readonly client: pg.Client,
    settings: WriteSettings,
    context: PluginContext,
  ) {
    super(settings, context);
    if (settings.query !== undefined) this.statement = toPgPlaceholders(settings.query);
  }

  private encodersFor(plan: TablePlan): TextEncoder[] {
    let encoders = this.encoders.get(plan);
    if (!encoders) {
      encoders = plan.schema.fields.map((f) => pgCopyEncoder(f.type));
      this.encoders.set(plan, encoders);
    }
    return encoders;
  }

  private copyFailure(plan: TablePlan, err: unknown, rowOfLine: (line: number) => number | undefined): Error {
    const place = copyErrorPlace(err);
    return sinkError(plan, err, {
      row: place.line !== undefined ? rowOfLine(place.line) : undefined,
      column: place.column,
    });
  }

  protected bulkAvailable(): boolean {
    return true;
  }

  protected async bulkWrite(plan: TablePlan, rows: Value[][], firstRow: number): Promise<number> {
    const copy = await this.openCopy(plan, firstRow);
    let bytes: Buffer;
    try {
      bytes = encodeTextRows(rows, this.encodersFor(plan));
    } catch (err) {
      throw encodeError(plan, err, (i) => firstRow + i);
    }
    copy.nextRow += rows.length;
    try {
      await copy.stream.write(bytes);
    } catch (err) {
      throw this.copyFailure(plan, err, (line) => copy.firstRow + line - 1);
    }
    return bytes.length;
  }

  protected override bulkWriteCopyText(
    plan: TablePlan,
    text: PgCopyText,
    rowCount: number,
    firstRow: number,
  ): Promise<number> | undefined {
    if (!this.takesCopyText(plan, text.types)) return undefined;
    return this.writeCopyText(plan, text.chunks, rowCount, firstRow);
  }

  /**
   * Whether the source's COPY text can go into the plan's target as it is: the same number of
   * columns and, column by column, the same declared type (so the text parses to the same values).
   */
  private takesCopyText(plan: TablePlan, types: readonly string[]): boolean {
    let verdict = this.copyTextVerdicts.get(plan);
    if (verdict === undefined) {
      const normalize = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
      verdict =
        types.length === plan.columns.length &&
        plan.columns.every((column, i) => {
          const target = plan.targetTypes.get(column) ?? plan.targetTypes.get(column.toLowerCase());
          return target !== undefined && types[i] !== '' && normalize(target) === normalize(types[i]!);
        });
      this.copyTextVerdicts.set(plan, verdict);
      if (verdict) this.context.log('info', `${PLUGIN}: ${plan.displayName}: the source's COPY text goes in as it is`);
    }
    return verdict;
  }

  private async writeCopyText(plan: TablePlan, chunks: Buffer[], rowCount: number, firstRow: number): Promise<number> {
    const copy = await this.openCopy(plan, firstRow);
    copy.nextRow += rowCount;
    let bytes = 0;
    try {
      for (const chunk of chunks) {
        bytes += chunk.length;
        await copy.stream.write(chunk);
      }
    } catch (err) {
      throw this.copyFailure(plan, err, (line) => copy.firstRow + line - 1);
    }
    return bytes;
  }

  /** The COPY running into the plan's table from this row on (a new one when that is not it). */
  private async openCopy(plan: TablePlan, firstRow: number): Promise<OpenCopy> {
    if (this.copy && (this.copy.plan !== plan || this.copy.nextRow !== firstRow)) await this.endBulk();
    if (!this.copy) {
      const sql = `COPY ${plan.sqlName} (${plan.quotedColumns.join(', ')}) FROM STDIN`;
      this.copy = { plan, stream: new PgCopyStream(this.client, sql), firstRow, nextRow: firstRow };
    }
    return this.copy;
  }

  protected async endBulk(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = undefined;
    try {
      await copy.stream.end();
    } catch (err) {
      throw this.copyFailure(copy.plan, err, (line) => copy.firstRow + line - 1);
    }
  }

  /** COPY a run's rows (all columns, or the key columns) into a table, in one statement. */
  private async copyRun(plan: TablePlan, table: string, run: OpRun, positions?: number[]): Promise<void> {
    const columns = (positions ?? plan.columns.map((_, i) => i)).map((i) => plan.quotedColumns[i]!);
    let bytes: Buffer;
    try {
      bytes = encodeTextRows(run.rows, this.encodersFor(plan), positions);
    } catch (err) {
      throw encodeError(plan, err, (i) => run.rowNumbers[i]!);
    }
    const stream = new PgCopyStream(this.client, `COPY ${table} (${columns.join(', ')}) FROM STDIN`);
    try {
      await stream.write(bytes);
      await stream.end();
    } catch (err) {
      await stream.abort();
      throw this.copyFailure(plan, err, (line) => run.rowNumbers[line - 1]);
    }
  }

  /** A temp table shaped like the target's written columns (or its key columns), emptied. */
  private async stage(plan: TablePlan, what: 'rows' | 'keys'): Promise<string> {
    const name = quotePg(`sluice_${what}_${plan.index}`);
    const positions = what === 'keys' ? plan.keyPositions : plan.columns.map((_, i) => i);
    const columns = positions.map((i) => plan.quotedColumns[i]!).join(', ');
    try {
      if (this.staging.get(name)) await this.client.query(`TRUNCATE ${name}`);
      else {
        await this.client.query(
          `CREATE TEMP TABLE IF NOT EXISTS ${name} AS SELECT ${columns} FROM ${plan.sqlName} WITH NO DATA`,
        );
        this.staging.set(name, true);
      }
    } catch (err) {
      throw sinkError(plan, err);
    }
    return name;
  }

  private async run(plan: TablePlan, sql: string): Promise<void> {
    try {
      await this.client.query(sql);
    } catch (err) {
      throw sinkError(plan, err);
    }
  }

  protected async applyOps(plan: TablePlan, ops: PendingOp[]): Promise<void> {
    if (this.statement) return this.runStatement(plan, ops);
    const keys = plan.keyPositions.map((i) => plan.quotedColumns[i]!);
    if (keys.length && this.settings.enableUpsert) {
      const { deletes, upserts } = reduceByKey(ops, plan.keyPositions);
      if (deletes.rows.length) await this.deleteRun(plan, deletes, keys);
      if (upserts.rows.length) {
        const staged = await this.stage(plan, 'rows');
        await this.copyRun(plan, staged, upserts);
        await this.run(plan, pgMergeSql(plan.sqlName, staged, plan.quotedColumns, keys));
      }
      return;
    }
    for (const run of runsInOrder(ops)) {
      switch (run.kind) {
        case 'insert':
        case 'upsert':
          await this.copyRun(plan, plan.sqlName, run);
          break;
        case 'update': {
          // Only key columns: an update changes nothing.
          if (plan.quotedColumns.every((c) => keys.includes(c))) break;
          const staged = await this.stage(plan, 'rows');
          await this.copyRun(plan, staged, lastPerKey(run, plan.keyPositions));
          await this.run(plan, pgUpdateSql(plan.sqlName, staged, plan.quotedColumns, keys)!);
          break;
        }
        case 'delete':
          await this.deleteRun(plan, run, keys);
          break;
      }
    }
  }

  private async deleteRun(plan: TablePlan, run: OpRun, keys: string[]): Promise<void> {
    const staged = await this.stage(plan, 'keys');
    await this.copyRun(plan, staged, run, plan.keyPositions);
    await this.run(plan, pgDeleteSql(plan.sqlName, staged, keys));
  }

  /** The user's statement, once per row, its parameters bound to the row's fields. */
  private async runStatement(plan: TablePlan, ops: PendingOp[]): Promise<void> {
    const { text, count } = this.statement!;
    const fields = plan.schema.fields;
    const positions = plan.parameterPositions ?? Array.from({ length: count }, (_, i) => i);
    for (const op of ops) {
      const values = positions.map((p) => pgParam(op.row[p] ?? null, fields[p]!.type));
      try {
        await this.client.query({ name: 'sluice_sink_query', text, values });
      } catch (err) {
        throw sinkError(plan, err, { row: op.rowNumber });
      }
    }
  }

  protected async begin(): Promise<void> {
    await this.client.query('BEGIN');
  }

  protected async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }

  protected async rollback(): Promise<void> {
    const copy = this.copy;
    this.copy = undefined;
    if (copy) await copy.stream.abort();
    await Promise.race([
      this.client.query('ROLLBACK').catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
  }

  protected async savepoint(name: string): Promise<void> {
    await this.client.query(`SAVEPOINT ${name}`);
  }

  protected async rollbackToSavepoint(name: string): Promise<void> {
    await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
    // Temp tables created after the savepoint are gone again.
    this.staging.clear();
  }

  protected async releaseSavepoint(name: string): Promise<void> {
    await this.client.query(`RELEASE SAVEPOINT ${name}`);
  }

  protected retryable(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && RETRYABLE.has(code);
  }

  protected async close(): Promise<void> {
    await this.client.end();
  }
}

/** A row-model value as a pg query parameter (text where the driver's own conversion would differ). */
export function pgParam(value: Value, type: DataType): unknown {
  if (value === null) return null;
  if (Buffer.isBuffer(value) || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return floatText(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value) && type.kind === 'array' && isNativePgArray(type)) return pgArrayLiteral(value, type);
  return jsonText(value, type);
}
