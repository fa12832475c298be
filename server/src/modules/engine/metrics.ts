/**
 * Counters of a running job, per table: rows and bytes read (sources) and written (sinks), with
 * rates over the last interval and over the whole run. Cheap to update (plain number fields).
 */
import type { RowBatch, Value } from './row.js';

export interface TableMetrics {
  /** Table path as the source names it ("db.orders"). */
  table: string;
  rowsRead: number;
  bytesRead: number;
  rowsWritten: number;
  bytesWritten: number;
  /** Rows per second read over the last interval. */
  readRowsPerSecond: number;
  writeRowsPerSecond: number;
  /** Source's estimate of its row count (catalog statistics), when it has one. */
  estimatedRows?: number;
}

export interface MetricsSnapshot {
  time: string;
  elapsedMs: number;
  rowsRead: number;
  bytesRead: number;
  rowsWritten: number;
  bytesWritten: number;
  readRowsPerSecond: number;
  writeRowsPerSecond: number;
  writeBytesPerSecond: number;
  /** Sum of the tables' estimates when every source table has one. */
  estimatedRows?: number;
  /** Resident memory of the engine process, bytes. */
  memoryRss: number;
  /** Highest resident memory of the engine process so far, bytes. */
  memoryPeak: number;
  tables: TableMetrics[];
}

interface Counter {
  table: string;
  rowsRead: number;
  bytesRead: number;
  rowsWritten: number;
  bytesWritten: number;
  estimatedRows?: number;
  lastRowsRead: number;
  lastRowsWritten: number;
}

export class JobMetrics {
  private readonly tables = new Map<string, Counter>();
  private readonly startedAt = Date.now();
  private lastAt = this.startedAt;
  private lastBytesWritten = 0;
  private rates = { read: 0, write: 0, writeBytes: 0 };

  table(name: string): Counter {
    let counter = this.tables.get(name);
    if (!counter) {
      counter = {
        table: name,
        rowsRead: 0,
        bytesRead: 0,
        rowsWritten: 0,
        bytesWritten: 0,
        lastRowsRead: 0,
        lastRowsWritten: 0,
      };
      this.tables.set(name, counter);
    }
    return counter;
  }

  /** Takes a snapshot; `advance` moves the rate window (the periodic emission does, a final summary does not). */
  snapshot(advance = true): MetricsSnapshot {
    const now = Date.now();
    const seconds = Math.max((now - this.lastAt) / 1000, 0.001);
    const tables: TableMetrics[] = [];
    let rowsRead = 0;
    let bytesRead = 0;
    let rowsWritten = 0;
    let bytesWritten = 0;
    let estimated: number | undefined = 0;
    let readDelta = 0;
    let writeDelta = 0;
    for (const c of this.tables.values()) {
      const readRate = (c.rowsRead - c.lastRowsRead) / seconds;
      const writeRate = (c.rowsWritten - c.lastRowsWritten) / seconds;
      readDelta += c.rowsRead - c.lastRowsRead;
      writeDelta += c.rowsWritten - c.lastRowsWritten;
      if (advance) {
        c.lastRowsRead = c.rowsRead;
        c.lastRowsWritten = c.rowsWritten;
      }
      tables.push({
        table: c.table,
        rowsRead: c.rowsRead,
        bytesRead: c.bytesRead,
        rowsWritten: c.rowsWritten,
        bytesWritten: c.bytesWritten,
        readRowsPerSecond: Math.round(readRate),
        writeRowsPerSecond: Math.round(writeRate),
        ...(c.estimatedRows === undefined ? {} : { estimatedRows: c.estimatedRows }),
      });
      rowsRead += c.rowsRead;
      bytesRead += c.bytesRead;
      rowsWritten += c.rowsWritten;
      bytesWritten += c.bytesWritten;
      estimated = c.estimatedRows === undefined || estimated === undefined ? undefined : estimated + c.estimatedRows;
    }
    if (advance) {
      this.rates = {
        read: readDelta / seconds,
        write: writeDelta / seconds,
        writeBytes: (bytesWritten - this.lastBytesWritten) / seconds,
      };
      this.lastBytesWritten = bytesWritten;
      this.lastAt = now;
    }
    const elapsedMs = now - this.startedAt;
    const overall = (n: number) => (elapsedMs > 0 ? (n * 1000) / elapsedMs : 0);
    return {
      time: new Date(now).toISOString(),
      elapsedMs,
      rowsRead,
      bytesRead,
      rowsWritten,
      bytesWritten,
      // The final summary reports whole-run averages; periodic samples the last interval.
      readRowsPerSecond: Math.round(advance ? this.rates.read : overall(rowsRead)),
      writeRowsPerSecond: Math.round(advance ? this.rates.write : overall(rowsWritten)),
      writeBytesPerSecond: Math.round(advance ? this.rates.writeBytes : overall(bytesWritten)),
      ...(estimated === undefined || tables.length === 0 ? {} : { estimatedRows: estimated }),
      memoryRss: process.memoryUsage.rss(),
      memoryPeak: process.resourceUsage().maxRSS * 1024,
      tables,
    };
  }
}

/** Approximate bytes of a batch when its source did not measure them (text length, 8 per number). */
export function estimateBatchBytes(batch: RowBatch): number {
  let total = 0;
  for (const row of batch.rows) for (const value of row) total += valueBytes(value);
  return total;
}

function valueBytes(value: Value): number {
  if (value === null) return 1;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint') return 8;
  if (Buffer.isBuffer(value)) return value.length;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + valueBytes(v), 0);
  let sum = 0;
  for (const [k, v] of value) sum += valueBytes(k) + valueBytes(v);
  return sum;
}
