/**
 * Console sink: writes every row to the run's log, as SeaTunnel's Console sink does:
 * `subtaskIndex=0 rowIndex=1: SeaTunnelRow#tableId=db.t SeaTunnelRow#kind=INSERT : 1, A, 100`.
 * `log.print.data = false` prints no rows; `log.print.delay.ms` waits that long after each row.
 * The schema of each table is printed once when the sink opens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PluginContext, PluginOptions, Sink } from '../plugin.js';
import { formatDataType, tablePathText, valueText, type RowBatch, type TableSchema } from '../row.js';

export class ConsoleSink implements Sink {
  private readonly printData: boolean;
  private readonly delayMs: number;
  private tables: TableSchema[] = [];
  private tableIds: string[] = [];
  private context?: PluginContext;
  private rowIndex = 0;
  private received = 0;

  constructor(options: PluginOptions) {
    this.printData = options.boolean('log.print.data', true);
    this.delayMs = options.int('log.print.delay.ms', 0);
    if (this.delayMs < 0) options.fail('log.print.delay.ms', `must be 0 or more, got ${this.delayMs}`);
  }

  open(tables: TableSchema[], context: PluginContext): Promise<void> {
    this.tables = tables;
    this.tableIds = tables.map((t) => tablePathText(t.path));
    this.context = context;
    tables.forEach((table, i) => {
      const columns = table.fields.map((f) => `${f.name}<${formatDataType(f.type)}>`).join(', ');
      context.log('info', `output rowType of ${this.tableIds[i] || `table ${i}`}: ${columns}`);
    });
    return Promise.resolve();
  }

  async write(batch: RowBatch): Promise<void> {
    const context = this.context;
    this.received += batch.rows.length;
    if (!this.printData || !context) return;
    const tableId = this.tableIds[batch.table] ?? `table ${batch.table}`;
    for (let i = 0; i < batch.rows.length; i++) {
      const kind = batch.kinds?.[i] ?? 'INSERT';
      const fields = batch.rows[i]!.map(valueText).join(', ');
      this.rowIndex++;
      context.log(
        'info',
        `subtaskIndex=0 rowIndex=${this.rowIndex}: SeaTunnelRow#tableId=${tableId} SeaTunnelRow#kind=${kind} : ${fields}`,
      );
      if (this.delayMs > 0) {
        await sleep(this.delayMs, undefined, { signal: context.signal }).catch(() => undefined);
        context.signal.throwIfAborted();
      }
    }
  }

  finish(): Promise<void> {
    this.context?.log('info', `received ${this.received} rows of ${this.tables.length} table(s)`);
    return Promise.resolve();
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}
