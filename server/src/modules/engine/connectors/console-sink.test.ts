import { describe, expect, it } from 'vitest';
import { PluginOptions, type PluginContext } from '../plugin.js';
import { parseDataType, type TableSchema } from '../row.js';
import { ConsoleSink } from './console-sink.js';

function context(): PluginContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, message) => lines.push(`${level} ${message}`),
    signal: new AbortController().signal,
    parallelism: 1,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'test-job',
  };
}

const tables: TableSchema[] = [
  {
    path: { database: 'test', table: 't1' },
    fields: [
      { name: 'id', type: parseDataType('bigint'), nullable: false },
      { name: 'tags', type: parseDataType('map<string, int>'), nullable: true },
      { name: 'raw', type: parseDataType('bytes'), nullable: true },
    ],
  },
  { path: { table: 't2' }, fields: [{ name: 'amount', type: parseDataType('decimal(10, 2)'), nullable: true }] },
];

describe('Console sink', () => {
  it('prints each table’s schema once, then each row with its table and kind, as SeaTunnel', async () => {
    const sink = new ConsoleSink(new PluginOptions('Console', {}));
    const ctx = context();
    await sink.open(tables, ctx);
    await sink.write({
      table: 0,
      rows: [
        [1n, new Map([['a', 1]]), Buffer.from([1, 255])],
        [2n, null, null],
      ],
      kinds: ['INSERT', 'DELETE'],
    });
    await sink.write({ table: 1, rows: [['12.50']] });
    await sink.finish();
    expect(ctx.lines).toEqual([
      'info output rowType of test.t1: id<bigint>, tags<map<string, int>>, raw<bytes>',
      'info output rowType of t2: amount<decimal(10, 2)>',
      'info subtaskIndex=0 rowIndex=1: SeaTunnelRow#tableId=test.t1 SeaTunnelRow#kind=INSERT : 1, {a=1}, 0x01ff',
      'info subtaskIndex=0 rowIndex=2: SeaTunnelRow#tableId=test.t1 SeaTunnelRow#kind=DELETE : 2, null, null',
      'info subtaskIndex=0 rowIndex=3: SeaTunnelRow#tableId=t2 SeaTunnelRow#kind=INSERT : 12.50',
      'info received 3 rows of 2 table(s)',
    ]);
  });

  it('prints no rows with log.print.data = false', async () => {
    const sink = new ConsoleSink(new PluginOptions('Console', { log: { print: { data: false } } }));
    const ctx = context();
    await sink.open(tables, ctx);
    await sink.write({ table: 1, rows: [['1.00'], ['2.00']] });
    await sink.finish();
    expect(ctx.lines.filter((l) => l.includes('SeaTunnelRow'))).toEqual([]);
    expect(ctx.lines).toContain('info received 2 rows of 2 table(s)');
  });

  it('waits log.print.delay.ms after each row, and stops waiting when the job is cancelled', async () => {
    const sink = new ConsoleSink(new PluginOptions('Console', { 'log.print.delay.ms': 60_000 }));
    const controller = new AbortController();
    const ctx = { ...context(), signal: controller.signal };
    const lines: string[] = [];
    ctx.log = (_level, message) => lines.push(message);
    await sink.open(tables, ctx);
    const writing = sink.write({ table: 1, rows: [['1.00'], ['2.00'], ['3.00']] });
    await new Promise((resolve) => setImmediate(resolve));
    // The first row is printed, then the sink waits before the second.
    expect(lines.filter((l) => l.includes('SeaTunnelRow'))).toHaveLength(1);
    controller.abort(new Error('cancelled'));
    await expect(writing).rejects.toThrow('cancelled');
    expect(lines.filter((l) => l.includes('SeaTunnelRow'))).toHaveLength(1);
  });

  it('rejects a negative delay', () => {
    expect(() => new ConsoleSink(new PluginOptions('Console', { 'log.print.delay.ms': -1 }))).toThrow(
      'Console: option "log.print.delay.ms" must be 0 or more, got -1',
    );
  });
});
