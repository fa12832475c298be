/**
 * The Jdbc sink's MySQL/MariaDB writer. Insert-only batches stream through one LOAD DATA LOCAL
 * INFILE per table (rows from a PostgreSQL source go as their COPY text transcoded, see
 * pg-text-to-load.ts); when the server refuses LOCAL INFILE (local_infile = OFF) it says so once in
 * the log and writes multi-row INSERTs instead. Changes use INSERT ... ON DUPLICATE KEY UPDATE,
 * DELETE ... WHERE key IN (...) and UPDATE. One transaction per writer (InnoDB): an aborted job
 * keeps nothing it wrote.
 */
import type mysql from 'mysql2';
import type { PluginContext } from '../../plugin.js';
import type { PgCopyText, Value } from '../../row.js';
import { pgLoadTranscoder, type PgLoadTranscoder } from './pg-text-to-load.js';
import { BaseWriter, encodeError, PLUGIN, sinkError, type TablePlan, type WriteSettings } from './write-base.js';
import {
  loadDataSql,
  MysqlLoadStream,
  mysqlLiteralEncoder,
  mysqlLoadEncoder,
  mysqlQuery,
  type MysqlColumnWrite,
} from './write-mysql.js';
import {
  lastPerKey,
  mysqlDeleteSql,
  mysqlInsertSql,
  mysqlUpdateSql,
  reduceByKey,
  runsInOrder,
  splitPlaceholders,
  type OpRun,
  type PendingOp,
} from './write-upsert.js';
import { encodeTextRows, RowEncodeError, type TextEncoder } from './write-values.js';

const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
/** Lock wait timeout: only the statement was rolled back, so it can run again. */
const RETRYABLE_ERRNOS = new Set([1205]);
/**
 * The server (or this client) does not allow LOAD DATA LOCAL INFILE: ER_NOT_ALLOWED_COMMAND (1148),
 * MySQL 8's ER_CLIENT_LOCAL_FILES_DISABLED (3948) and CR_LOAD_DATA_LOCAL_INFILE_REJECTED (2068),
 * MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED (4166).
 */
const LOCAL_INFILE_REFUSED = new Set([1148, 2068, 3948, 4166]);

interface ColumnCodecs {
  writes: MysqlColumnWrite[];
  load: TextEncoder[];
  literal: TextEncoder[];
}

interface OpenLoad {
  plan: TablePlan;
  stream: MysqlLoadStream;
  firstRow: number;
  nextRow: number;
}

interface Warning {
  Level: string;
  Code: number;
  Message: string;
}

/** The row and column a MySQL message names ("... for column 'name' at row 3"). */
function mysqlPlace(message: string): { row?: number; column?: string } {
  const row = /\bat row (\d+)/.exec(message)?.[1];
  const column = /column '([^']+)'/.exec(message)?.[1] ?? /column `(?:[^`]*`\.`)*([^`]+)`/.exec(message)?.[1];
  return { row: row ? Number(row) : undefined, column };
}

export interface MysqlWriterOptions {
  /** LOAD DATA LOCAL INFILE may be tried (the server's local_infile is ON). */
  loadData: boolean;
  /** Largest statement to send (below max_allowed_packet). */
  maxStatementBytes: number;
  /** Called once when the writer falls back from LOAD DATA to INSERT. */
  onLoadRefused(reason: string): void;
}

export class MysqlWriter extends BaseWriter {
  private load: OpenLoad | undefined;
  private readonly codecs = new Map<TablePlan, ColumnCodecs>();
  /** Per plan: how the source's PostgreSQL COPY text becomes LOAD DATA text (null: it does not). */
  private readonly transcoders = new Map<TablePlan, PgLoadTranscoder | null>();
  private readonly noted = new Set<TablePlan>();
  private loadData: boolean;
  /** A LOAD DATA LOCAL INFILE of this connection was accepted by the server. */
  private loadAccepted = false;
  private readonly pieces: string[] | undefined;

  constructor(
    private readonly connection: mysql.Connection,
    settings: WriteSettings,
    context: PluginContext,
    private readonly options: MysqlWriterOptions,
  ) {
    super(settings, context);
    this.loadData = options.loadData;
    if (settings.query !== undefined) this.pieces = splitPlaceholders(settings.query);
  }

  private codecsFor(plan: TablePlan): ColumnCodecs {
    let codecs = this.codecs.get(plan);
    if (!codecs) {
      const writes = plan.schema.fields.map((field, i): MysqlColumnWrite => {
        const name = plan.columns[i]!;
        const target = plan.targetTypes.get(name) ?? plan.targetTypes.get(name.toLowerCase()) ?? '';
        const hex = field.type.kind === 'bytes' || BINARY_TYPES.has(target);
        return { name, type: field.type, hex, bit: !hex && target === 'bit' };
      });
      codecs = { writes, load: writes.map(mysqlLoadEncoder), literal: writes.map(mysqlLiteralEncoder) };
      this.codecs.set(plan, codecs);
    }
    return codecs;
  }

  private async exec(plan: TablePlan, sql: string, rowOf?: (n: number) => number | undefined): Promise<void> {
    try {
      await mysqlQuery(this.connection, sql);
    } catch (err) {
      const place = mysqlPlace(err instanceof Error ? err.message : '');
      throw sinkError(plan, err, {
        row: place.row !== undefined && rowOf ? rowOf(place.row) : undefined,
        column: place.column,
      });
    }
  }

  /** SQL literals of one row's chosen positions; a bad value throws RowEncodeError(index). */
  private literals(
    row: readonly Value[],
    encoders: TextEncoder[],
    positions: readonly number[],
    index: number,
  ): string[] {
    return positions.map((p) => {
      const value = row[p];
      if (value === null || value === undefined) return 'NULL';
      try {
        return encoders[p]!(value);
      } catch (err) {
        throw new RowEncodeError(err, index, p);
      }
    });
  }

  protected bulkAvailable(): boolean {
    return this.loadData;
  }

  /**
   * The LOAD DATA running into the plan's table from this row on (a new one when that is not it);
   * `{ refused }` (the server's error) when the server does not allow LOAD DATA LOCAL INFILE.
   */
  private async openLoad(plan: TablePlan, firstRow: number): Promise<OpenLoad | { refused: unknown }> {
    if (this.load && (this.load.plan !== plan || this.load.nextRow !== firstRow)) await this.endBulk();
    if (this.load) return this.load;
    const stream = new MysqlLoadStream(this.connection, loadDataSql(plan.sqlName, this.codecsFor(plan).writes));
    try {
      await stream.start();
    } catch (err) {
      const errno = (err as { errno?: number }).errno;
      if (errno === undefined || !LOCAL_INFILE_REFUSED.has(errno)) throw sinkError(plan, err);
      return { refused: err };
    }
    this.loadAccepted = true;
    this.load = { plan, stream, firstRow, nextRow: firstRow };
    return this.load;
  }

  protected async bulkWrite(plan: TablePlan, rows: Value[][], firstRow: number): Promise<number | undefined> {
    const load = await this.openLoad(plan, firstRow);
    if ('refused' in load) {
      const err = load.refused;
      this.loadData = false;
      this.options.onLoadRefused(err instanceof Error ? err.message : String(err));
      await this.insertRun(plan, { kind: 'insert', rows, rowNumbers: rows.map((_, i) => firstRow + i) });
      return undefined;
    }
    let bytes: Buffer;
    try {
      bytes = encodeTextRows(rows, this.codecsFor(plan).load);
    } catch (err) {
      throw encodeError(plan, err, (i) => firstRow + i);
    }
    return this.send(load, bytes, rows.length);
  }

  private async send(load: OpenLoad, bytes: Buffer, rowCount: number): Promise<number> {
    load.nextRow += rowCount;
    try {
      await load.stream.write(bytes);
    } catch (err) {
      throw sinkError(load.plan, err);
    }
    return bytes.length;
  }

  /**
   * A PostgreSQL source's COPY text, transcoded into LOAD DATA text without decoding it into values
   * (see pg-text-to-load.ts): when every column can be and the batch is what PostgreSQL sends.
   * Undefined sends the batch the row path, and so does the writer's first load: the row path
   * handles a server refusing LOAD DATA LOCAL by writing INSERTs, which needs the rows' values.
   */
  protected override bulkWriteCopyText(
    plan: TablePlan,
    text: PgCopyText,
    rowCount: number,
    firstRow: number,
  ): Promise<number | undefined> | undefined {
    if (!this.loadAccepted) return undefined;
    const transcoder = this.transcoderFor(plan, text.types);
    if (!transcoder) return undefined;
    const bytes = transcoder.transcode(text.chunks);
    if (!bytes) return undefined;
    return this.writeTranscoded(plan, bytes, rowCount, firstRow);
  }

  private async writeTranscoded(plan: TablePlan, bytes: Buffer, rowCount: number, firstRow: number): Promise<number> {
    const load = await this.openLoad(plan, firstRow);
    // Accepted before on this connection: a refusal now is not something to work around silently.
    if ('refused' in load) throw sinkError(plan, load.refused);
    return this.send(load, bytes, rowCount);
  }

  private transcoderFor(plan: TablePlan, types: readonly string[]): PgLoadTranscoder | undefined {
    let transcoder = this.transcoders.get(plan);
    if (transcoder === undefined) {
      transcoder = pgLoadTranscoder(types, this.codecsFor(plan).writes) ?? null;
      this.transcoders.set(plan, transcoder);
      if (transcoder) {
        this.context.log('info', `${PLUGIN}: ${plan.displayName}: the source's COPY text is transcoded into LOAD DATA`);
      }
    }
    return transcoder ?? undefined;
  }

  protected async endBulk(): Promise<void> {
    const load = this.load;
    if (!load) return;
    this.load = undefined;
    let warnings: number;
    try {
      warnings = (await load.stream.end()).warningStatus;
    } catch (err) {
      throw sinkError(load.plan, err);
    }
    if (warnings > 0) await this.checkWarnings(load);
  }

  /**
   * LOAD DATA LOCAL reports bad values as warnings and stores something else (a truncated text, a
   * clipped number, NULL): any warning fails the job, naming the row and column.
   */
  private async checkWarnings(load: OpenLoad): Promise<void> {
    const warnings = await mysqlQuery<Warning[]>(this.connection, 'SHOW WARNINGS');
    const problems = warnings.filter((w) => w.Level !== 'Note');
    if (problems.length) {
      const first = problems[0]!;
      const place = mysqlPlace(first.Message);
      const more =
        problems.length > 1
          ? ` (and ${problems.length - 1} more: ${problems
              .slice(1, 4)
              .map((w) => w.Message)
              .join('; ')})`
          : '';
      throw sinkError(load.plan, new Error(`${first.Message}${more}`), {
        row: place.row !== undefined ? load.firstRow + place.row - 1 : undefined,
        column: place.column,
      });
    }
    if (warnings.length && !this.noted.has(load.plan)) {
      this.noted.add(load.plan);
      this.context.log(
        'warn',
        `Jdbc sink: table ${load.plan.displayName}: the server adjusted values while loading: ${warnings[0]!.Message}`,
      );
    }
  }

  /** Multi-row INSERT (or upsert) statements of at most batch_size rows and maxStatementBytes. */
  private async insertRun(plan: TablePlan, run: OpRun, upsertKeys?: string[]): Promise<void> {
    const { literal } = this.codecsFor(plan);
    const positions = plan.columns.map((_, i) => i);
    let tuples: string[] = [];
    let size = 0;
    let start = 0;
    const flush = async () => {
      const offset = start;
      await this.exec(
        plan,
        mysqlInsertSql(plan.sqlName, plan.quotedColumns, tuples, upsertKeys),
        (n) => run.rowNumbers[offset + n - 1],
      );
      start += tuples.length;
      tuples = [];
      size = 0;
    };
    for (let i = 0; i < run.rows.length; i++) {
      let tuple: string;
      try {
        tuple = `(${this.literals(run.rows[i]!, literal, positions, i).join(', ')})`;
      } catch (err) {
        throw encodeError(plan, err, (index) => run.rowNumbers[index]!);
      }
      if (
        tuples.length &&
        (tuples.length >= this.settings.batchSize || size + tuple.length > this.options.maxStatementBytes)
      ) {
        await flush();
      }
      tuples.push(tuple);
      size += tuple.length + 2;
    }
    if (tuples.length) await flush();
  }

  private async deleteRun(plan: TablePlan, run: OpRun, keys: string[]): Promise<void> {
    const { literal } = this.codecsFor(plan);
    const CHUNK = 1000;
    for (let start = 0; start < run.rows.length; start += CHUNK) {
      const chunk = run.rows.slice(start, start + CHUNK);
      let keyLiterals: string[][];
      try {
        keyLiterals = chunk.map((row, i) => this.literals(row, literal, plan.keyPositions, start + i));
      } catch (err) {
        throw encodeError(plan, err, (index) => run.rowNumbers[index]!);
      }
      await this.exec(plan, mysqlDeleteSql(plan.sqlName, keys, keyLiterals));
    }
  }

  private async updateRun(plan: TablePlan, run: OpRun, keys: string[]): Promise<void> {
    const { literal } = this.codecsFor(plan);
    const positions = plan.columns.map((_, i) => i);
    for (let i = 0; i < run.rows.length; i++) {
      let values: string[];
      try {
        values = this.literals(run.rows[i]!, literal, positions, i);
      } catch (err) {
        throw encodeError(plan, err, (index) => run.rowNumbers[index]!);
      }
      const sql = mysqlUpdateSql(plan.sqlName, plan.quotedColumns, values, keys);
      if (sql) await this.exec(plan, sql, () => run.rowNumbers[i]);
    }
  }

  protected async applyOps(plan: TablePlan, ops: PendingOp[]): Promise<void> {
    if (this.pieces) return this.runStatement(plan, ops);
    const keys = plan.keyPositions.map((i) => plan.quotedColumns[i]!);
    if (keys.length && this.settings.enableUpsert) {
      const { deletes, upserts } = reduceByKey(ops, plan.keyPositions);
      if (deletes.rows.length) await this.deleteRun(plan, deletes, keys);
      if (upserts.rows.length) await this.insertRun(plan, upserts, keys);
      return;
    }
    for (const run of runsInOrder(ops)) {
      switch (run.kind) {
        case 'insert':
        case 'upsert':
          await this.insertRun(plan, run);
          break;
        case 'update':
          await this.updateRun(plan, lastPerKey(run, plan.keyPositions), keys);
          break;
        case 'delete':
          await this.deleteRun(plan, run, keys);
          break;
      }
    }
  }

  /** The user's statement, once per row, its parameters replaced by the bound fields (as literals). */
  private async runStatement(plan: TablePlan, ops: PendingOp[]): Promise<void> {
    const pieces = this.pieces!;
    const { literal } = this.codecsFor(plan);
    const positions = plan.parameterPositions ?? pieces.slice(1).map((_, i) => i);
    for (let n = 0; n < ops.length; n++) {
      const op = ops[n]!;
      let values: string[];
      try {
        values = this.literals(op.row, literal, positions, n);
      } catch (err) {
        throw encodeError(plan, err, (index) => ops[index]!.rowNumber);
      }
      let sql = pieces[0]!;
      for (let i = 1; i < pieces.length; i++) sql += values[i - 1]! + pieces[i]!;
      await this.exec(plan, sql, () => op.rowNumber);
    }
  }

  protected async begin(): Promise<void> {
    await mysqlQuery(this.connection, 'START TRANSACTION');
  }

  protected async commit(): Promise<void> {
    await mysqlQuery(this.connection, 'COMMIT');
  }

  protected async rollback(): Promise<void> {
    const load = this.load;
    this.load = undefined;
    if (load) await load.stream.abort();
    await Promise.race([
      mysqlQuery(this.connection, 'ROLLBACK').catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
  }

  protected async savepoint(name: string): Promise<void> {
    await mysqlQuery(this.connection, `SAVEPOINT ${name}`);
  }

  protected async rollbackToSavepoint(name: string): Promise<void> {
    await mysqlQuery(this.connection, `ROLLBACK TO SAVEPOINT ${name}`);
  }

  protected async releaseSavepoint(name: string): Promise<void> {
    await mysqlQuery(this.connection, `RELEASE SAVEPOINT ${name}`);
  }

  protected retryable(err: unknown): boolean {
    const errno = (err as { errno?: unknown } | null)?.errno;
    return typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno);
  }

  protected async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.connection.end(() => resolve());
    });
  }
}
