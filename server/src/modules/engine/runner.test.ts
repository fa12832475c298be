import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobConfig } from '../job-config/index.js';
import { SINK_IMPLEMENTATIONS, SOURCE_IMPLEMENTATIONS, TRANSFORM_IMPLEMENTATIONS } from './implementations.js';
import type { PluginContext, Sink, Source } from './plugin.js';
import type { RowBatch, TableSchema, Value } from './row.js';
import { runJob, type LogLine } from './runner.js';

/** Everything the test plugins did, by instance name. */
const journal: Record<string, string[]> = {};
const received: Record<string, RowBatch[]> = {};
const note = (name: string, event: string) => (journal[name] ??= []).push(event);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
/** Writes a "gated" sink waits on, released one by one by the test. */
const gates: ReturnType<typeof deferred>[] = [];

const table = (name: string): TableSchema => ({
  path: { table: name },
  fields: [{ name: 'id', type: { kind: 'int' }, nullable: false }],
});

beforeAll(() => {
  // A source producing `batches` batches of `rows` rows for each table named in `tables`.
  SOURCE_IMPLEMENTATIONS.testsource = ({ options }): Source => {
    const name = options.string('name', 'src');
    const tables = options.stringList('tables') ?? ['t'];
    const batches = options.int('batches', 3);
    const rows = options.int('rows', 2);
    const failAt = options.int('fail_at');
    return {
      open: () => {
        if (options.boolean('fail_open', false)) throw new Error('cannot connect to the test server');
        note(name, 'open');
        return Promise.resolve(tables.map(table));
      },
      readers: () => [
        {
          async *read() {
            for (let b = 0; b < batches; b++) {
              for (let t = 0; t < tables.length; t++) {
                if (failAt === b) throw new Error(`read failed at batch ${b}`);
                note(name, `produce ${b}`);
                const batchRows: Value[][] = Array.from({ length: rows }, (_, i) => [b * rows + i]);
                yield await Promise.resolve({ table: t, rows: batchRows });
              }
            }
          },
        },
      ],
      close: () => {
        note(name, 'close');
        return Promise.resolve();
      },
    };
  };
  // Adds 1000 to every id; `drop_odd` drops odd ids.
  TRANSFORM_IMPLEMENTATIONS.testtransform = ({ options }) => ({
    open: (inputs) => inputs.map((t) => ({ ...t, path: { table: `${t.path.table}_x` } })),
    apply: (batch) => {
      const rows = batch.rows
        .filter((r) => !options.boolean('drop_odd', false) || (r[0] as number) % 2 === 0)
        .map((r) => [(r[0] as number) + 1000]);
      return { ...batch, rows };
    },
  });
  SINK_IMPLEMENTATIONS.testsink = ({ options }): Sink => {
    const name = options.string('name', 'sink');
    const gated = options.boolean('gated', false);
    const failAt = options.int('fail_at');
    let writes = 0;
    return {
      open: (tables: TableSchema[], _context: PluginContext) => {
        note(name, `open ${tables.map((t) => t.path.table).join(',')}`);
        return Promise.resolve();
      },
      write: async (batch) => {
        const n = writes++;
        note(name, `write ${n}`);
        if (failAt === n) throw new Error('duplicate key value violates unique constraint');
        if (gated) {
          const gate = deferred();
          gates.push(gate);
          await gate.promise;
        }
        (received[name] ??= []).push(batch);
        return 10;
      },
      finish: () => {
        note(name, 'finish');
        return Promise.resolve();
      },
      abort: () => {
        note(name, 'abort');
        return Promise.resolve();
      },
    };
  };
});

afterAll(() => {
  delete SOURCE_IMPLEMENTATIONS.testsource;
  delete TRANSFORM_IMPLEMENTATIONS.testtransform;
  delete SINK_IMPLEMENTATIONS.testsink;
});

const job = (text: string) => parseJobConfig(text, 'HOCON').config;
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;

describe('runJob', () => {
  it('moves every batch from the source to the sink and reports per-table metrics', async () => {
    const [src, sink] = [unique('s'), unique('k')];
    const result = await runJob(
      job(`source { TestSource { name = ${src}, batches = 3, rows = 2 } }
 sink { TestSink { name = ${sink} } }`),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(received[sink]!.flatMap((b) => b.rows)).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(result.metrics.tables).toEqual([
      expect.objectContaining({ table: 't', rowsRead: 6, rowsWritten: 6, bytesWritten: 30 }),
    ]);
    expect(journal[sink]).toEqual(['open t', 'write 0', 'write 1', 'write 2', 'finish']);
    expect(journal[src]).toEqual(['open', 'produce 0', 'produce 1', 'produce 2', 'close']);
  });

  it('pulls the source at most one batch ahead of the sink (backpressure)', async () => {
    const [src, sink] = [unique('s'), unique('k')];
    gates.length = 0;
    const running = runJob(
      job(`source { TestSource { name = ${src}, batches = 5 } }
 sink { TestSink { name = ${sink}, gated = true } }`),
    );
    for (let released = 0; released < 5; released++) {
      while (gates.length <= released) await new Promise((r) => setImmediate(r));
      // The sink holds batch `released`: the source has produced it and the one queued behind it,
      // and waits for the sink to take the queued one before producing more.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(journal[src]!.filter((e) => e.startsWith('produce'))).toHaveLength(Math.min(released + 2, 5));
      gates[released]!.resolve();
    }
    expect((await running).status).toBe('SUCCEEDED');
  });

  it('wires plugin_output / plugin_input (and the old names): transforms, fan-out and a sink reading two inputs', async () => {
    const [a, b, k1, k2] = [unique('s'), unique('s'), unique('k'), unique('k')];
    const result = await runJob(
      job(`
        source {
          TestSource { name = ${a}, tables = [orders], batches = 1, rows = 4, plugin_output = a }
          TestSource { name = ${b}, tables = [users], batches = 1, rows = 1, result_table_name = b }
        }
        transform { TestTransform { plugin_input = a, plugin_output = a2, drop_odd = true } }
        sink {
          TestSink { name = ${k1}, plugin_input = [a2, b] }
          TestSink { name = ${k2}, source_table_name = a }
        }`),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(journal[k1]![0]).toBe('open orders_x,users');
    const byTable = (name: string, t: number) =>
      received[name]!.filter((x) => x.table === t).flatMap((x) => x.rows.map((r) => r[0]));
    expect(byTable(k1, 0)).toEqual([1000, 1002]);
    expect(byTable(k1, 1)).toEqual([0]);
    expect(byTable(k2, 0)).toEqual([0, 1, 2, 3]);
  });

  it('fails with the sink to blame, aborts the sinks and closes the sources, never finishing', async () => {
    const [src, sink] = [unique('s'), unique('k')];
    const lines: LogLine[] = [];
    const result = await runJob(
      job(`source { TestSource { name = ${src}, batches = 5 } }
 sink { TestSink { name = ${sink}, fail_at = 1 } }`),
      { log: (l) => lines.push(l) },
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toEqual({
      code: 'SINK_FAILED',
      plugin: 'sink[0] TestSink',
      message: 'sink[0] TestSink: duplicate key value violates unique constraint',
    });
    expect(journal[sink]).toEqual(['open t', 'write 0', 'write 1', 'abort']);
    expect(journal[src]).toContain('close');
    expect(result.metrics.rowsWritten).toBe(2);
    expect(lines.some((l) => l.level === 'error' && l.message.includes('duplicate key'))).toBe(true);
  });

  it('reports a source failure, during open or during reading', async () => {
    const opened = await runJob(
      job(`source { TestSource { fail_open = true } }
 sink { TestSink {} }`),
    );
    expect(opened.error).toMatchObject({ code: 'SOURCE_FAILED', plugin: 'source[0] TestSource' });
    expect(opened.error!.message).toContain('cannot connect to the test server');

    const sink = unique('k');
    const reading = await runJob(
      job(`source { TestSource { fail_at = 2 } }
 sink { TestSink { name = ${sink} } }`),
    );
    expect(reading.error).toMatchObject({
      code: 'SOURCE_FAILED',
      message: 'source[0] TestSource: read failed at batch 2',
    });
    expect(journal[sink]!.at(-1)).toBe('abort');
  });

  it('cancels: stops pulling, aborts the sink and ends CANCELLED', async () => {
    const [src, sink] = [unique('s'), unique('k')];
    gates.length = 0;
    const controller = new AbortController();
    const running = runJob(
      job(`source { TestSource { name = ${src}, batches = 100 } }
 sink { TestSink { name = ${sink}, gated = true } }`),
      { signal: controller.signal },
    );
    while (gates.length < 1) await new Promise((r) => setImmediate(r));
    controller.abort();
    gates[0]!.resolve();
    const result = await running;
    expect(result.status).toBe('CANCELLED');
    expect(result.error?.code).toBe('CANCELLED');
    expect(journal[sink]).toContain('abort');
    expect(journal[sink]).not.toContain('finish');
    // The batch held by the sink, the one queued behind it, at most one being produced: no more.
    expect(journal[src]!.filter((e) => e.startsWith('produce')).length).toBeLessThanOrEqual(3);
  });

  it('explains configs it cannot run', async () => {
    const cases: [string, string, RegExp][] = [
      ['source { Nope {} }\n sink { TestSink {} }', 'CONFIG_INVALID', /unknown source plugin "Nope"/],
      ['source { Console {} }\n sink { TestSink {} }', 'CONFIG_INVALID', /Console is a sink, not a source/],
      [
        'source { MySQL-CDC { username = u, table-names = [a.b] } }\n sink { TestSink {} }',
        'UNSUPPORTED',
        /MySQL-CDC is a source the embedded engine does not run; set the task's engine to SeaTunnel/,
      ],
      ['env { job.mode = STREAMING }\n source { TestSource {} }\n sink { TestSink {} }', 'UNSUPPORTED', /STREAMING/],
      [
        'source { TestSource { plugin_output = a } }\n sink { TestSink { plugin_input = b } }',
        'CONFIG_INVALID',
        /plugin_input "b" is not produced by any source or transform \(known: a\)/,
      ],
      ['env { parallelism = 0 }\n source { TestSource {} }\n sink { TestSink {} }', 'CONFIG_INVALID', /parallelism/],
      [
        'source { TestSource { batches = many } }\n sink { TestSink {} }',
        'CONFIG_INVALID',
        /option "batches" must be a number/,
      ],
    ];
    for (const [text, code, message] of cases) {
      const result = await runJob(job(text));
      expect(result.status, text).toBe('FAILED');
      expect(result.error?.code, text).toBe(code);
      expect(result.error?.message, text).toMatch(message);
    }
  });

  it('spaces reads under read_limit.rows_per_second by splitting batches into tenth-of-a-second pieces', async () => {
    const sink = unique('k');
    const result = await runJob(
      job(`env { read_limit.rows_per_second = 40 }
           source { TestSource { batches = 1, rows = 8 } }
 sink { TestSink { name = ${sink} } }`),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(received[sink]!.map((b) => b.rows.length)).toEqual([4, 4]);
  });
});
