/**
 * Runs one SeaTunnel-format job in this process: plans the plugin graph from plugin_output /
 * plugin_input, opens sources, transforms and sinks, pulls every source reader and pushes each
 * batch through its transforms into its sinks. A reader is pulled again only after the sinks took
 * its last batch, so memory is bounded by a few batches per reader whatever the table size.
 *
 * The embedded engine calls this inside its child process (worker.ts); tests call it directly.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getOption, type ConfigObject, type JobConfig, type PluginBlock } from '../job-config/index.js';
import { findPlugin, kindsOf, type PluginKind } from './connector-registry.js';
import { SINK_IMPLEMENTATIONS, SOURCE_IMPLEMENTATIONS, TRANSFORM_IMPLEMENTATIONS } from './implementations.js';
import { estimateBatchBytes, JobMetrics, type MetricsSnapshot } from './metrics.js';
import {
  PluginConfigError,
  PluginOptions,
  type LogLevel,
  type PluginContext,
  type Sink,
  type Source,
  type SourceReader,
  type Transform,
} from './plugin.js';
import { batchRowCount, plainBatch, tablePathText, withTable, type RowBatch, type TableSchema } from './row.js';

export type EngineErrorCode =
  | 'CONFIG_INVALID'
  | 'UNSUPPORTED'
  | 'SOURCE_FAILED'
  | 'TRANSFORM_FAILED'
  | 'SINK_FAILED'
  | 'ASSERTION_FAILED'
  | 'CANCELLED'
  | 'ENGINE_CRASHED';

export interface JobError {
  code: EngineErrorCode;
  message: string;
  /** "source[0] Jdbc", "sink[1] Console", when one plugin is to blame. */
  plugin?: string;
}

export type JobStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface JobResult {
  status: JobStatus;
  error?: JobError;
  metrics: MetricsSnapshot;
}

export interface LogLine {
  time: string;
  level: LogLevel;
  message: string;
  plugin?: string;
}

export interface RunOptions {
  jobId?: string;
  signal?: AbortSignal;
  log?: (line: LogLine) => void;
  onMetrics?: (metrics: MetricsSnapshot) => void;
  /** How often onMetrics is called while running (default 1 s). */
  metricsIntervalMs?: number;
}

/** An error with its engine code and the plugin it came from. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly plugin?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

const KNOWN_CODES = new Set<string>([
  'CONFIG_INVALID',
  'UNSUPPORTED',
  'SOURCE_FAILED',
  'TRANSFORM_FAILED',
  'SINK_FAILED',
  'ASSERTION_FAILED',
]);

/** Classifies anything thrown inside a plugin: its own engine code if it has one, else `fallback`. */
export function toJobError(err: unknown, fallback: EngineErrorCode, plugin?: string): JobError {
  if (err instanceof EngineError) return { code: err.code, message: err.message, plugin: err.plugin ?? plugin };
  const message = err instanceof Error ? err.message : String(err);
  const ownCode = (err as { code?: unknown } | null)?.code;
  const code: EngineErrorCode =
    err instanceof PluginConfigError
      ? 'CONFIG_INVALID'
      : typeof ownCode === 'string' && KNOWN_CODES.has(ownCode)
        ? (ownCode as EngineErrorCode)
        : fallback;
  return {
    code,
    message: plugin && !message.startsWith(pluginName(plugin)) ? `${plugin}: ${message}` : message,
    plugin,
  };
}

const pluginName = (label: string) => label.slice(label.indexOf(' ') + 1);

/** An EngineError for anything a plugin threw, keeping the cause. */
function wrap(err: unknown, fallback: EngineErrorCode, label: string): EngineError {
  const error = toJobError(err, fallback, label);
  return new EngineError(error.code, error.message, label, { cause: err });
}

interface SourceNode {
  label: string;
  block: PluginBlock;
  source: Source;
  context: PluginContext;
  tables: TableSchema[];
  output: string;
}

interface TransformNode {
  label: string;
  transform: Transform;
  output: string;
}

interface SinkNode {
  label: string;
  sink: Sink;
  tail: Promise<unknown>;
  tableNames: string[];
  opened: boolean;
}

type Consumer = { transform: TransformNode } | { sink: SinkNode; offset: number };

interface Stream {
  name: string;
  tables: TableSchema[];
  /** Metric counter names, per table index. */
  tableNames: string[];
  consumers: Consumer[];
}

/** env.* and per-plugin settings the runner itself reads. */
interface JobSettings {
  mode: 'BATCH' | 'STREAMING';
  parallelism: number;
  name: string;
  rowsPerSecond?: number;
  bytesPerSecond?: number;
}

function jobSettings(env: ConfigObject, jobId: string): JobSettings {
  const options = new PluginOptions('env', env);
  const mode = options.enumValue('job.mode', ['BATCH', 'STREAMING'] as const, 'BATCH');
  const parallelism = options.int('parallelism', 1);
  if (parallelism < 1 || parallelism > 64) options.fail('parallelism', `must be between 1 and 64, got ${parallelism}`);
  const positive = (name: string) => {
    const value = options.number(name);
    if (value !== undefined && !(value > 0)) options.fail(name, `must be greater than 0, got ${value}`);
    return value;
  };
  return {
    mode,
    parallelism,
    name: options.string('job.name', `job-${jobId.slice(0, 8)}`),
    rowsPerSecond: positive('read_limit.rows_per_second'),
    bytesPerSecond: positive('read_limit.bytes_per_second'),
  };
}

/** A plugin's output table name: plugin_output, or SeaTunnel's older result_table_name. */
function outputName(block: PluginBlock): string | undefined {
  const value = getOption(block.options, 'plugin_output') ?? getOption(block.options, 'result_table_name');
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function inputNames(block: PluginBlock): string[] | undefined {
  const value = getOption(block.options, 'plugin_input') ?? getOption(block.options, 'source_table_name');
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return undefined;
}

function implementation<T>(kind: PluginKind, block: PluginBlock, table: Record<string, T>, label: string): T {
  const found = table[block.plugin.toLowerCase()];
  if (found) return found;
  const declared = findPlugin(kind, block.plugin);
  if (declared) {
    throw new EngineError(
      'UNSUPPORTED',
      `${block.plugin} is a ${kind} the embedded engine does not run; set the task's engine to SeaTunnel to run it on a cluster`,
      label,
    );
  }
  const otherKinds = kindsOf(block.plugin);
  const hint = otherKinds.length > 0 ? ` (${block.plugin} is a ${otherKinds.join('/')}, not a ${kind})` : '';
  throw new EngineError('CONFIG_INVALID', `unknown ${kind} plugin "${block.plugin}"${hint}`, label);
}

/** Shared limit on read rows/bytes per second (env.read_limit.*): batches are split and spaced. */
class RateLimiter {
  private next = Date.now();
  constructor(
    private readonly rowsPerSecond: number | undefined,
    private readonly bytesPerSecond: number | undefined,
  ) {}

  get active(): boolean {
    return this.rowsPerSecond !== undefined || this.bytesPerSecond !== undefined;
  }

  /** Splits a batch so that each piece is about a tenth of a second's budget. */
  pieces(batch: RowBatch): RowBatch[] {
    batch = plainBatch(batch);
    const bytes = batch.bytes ?? estimateBatchBytes(batch);
    const perRow = batch.rows.length > 0 ? bytes / batch.rows.length : 0;
    let size = batch.rows.length;
    if (this.rowsPerSecond !== undefined) size = Math.min(size, Math.ceil(this.rowsPerSecond / 10));
    if (this.bytesPerSecond !== undefined && perRow > 0)
      size = Math.min(size, Math.ceil(this.bytesPerSecond / 10 / perRow));
    size = Math.max(1, size);
    if (size >= batch.rows.length) return [{ ...batch, bytes }];
    const out: RowBatch[] = [];
    for (let i = 0; i < batch.rows.length; i += size) {
      const rows = batch.rows.slice(i, i + size);
      out.push({
        table: batch.table,
        rows,
        ...(batch.kinds ? { kinds: batch.kinds.slice(i, i + size) } : {}),
        bytes: Math.round(perRow * rows.length),
      });
    }
    return out;
  }

  async take(rows: number, bytes: number, signal: AbortSignal): Promise<void> {
    const cost = Math.max(
      this.rowsPerSecond ? rows / this.rowsPerSecond : 0,
      this.bytesPerSecond ? bytes / this.bytesPerSecond : 0,
    );
    const now = Date.now();
    this.next = Math.max(this.next, now);
    const wait = this.next - now;
    this.next += cost * 1000;
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
  }
}

/** Runs a job to its end. Never throws: failures come back as status FAILED with an error. */
export async function runJob(config: JobConfig, options: RunOptions = {}): Promise<JobResult> {
  const jobId = options.jobId ?? randomUUID();
  const metrics = new JobMetrics();
  const controller = new AbortController();
  let failure: JobError | undefined;
  const fail = (error: JobError) => {
    failure ??= error;
    controller.abort(failure);
  };
  const onCancel = () => fail({ code: 'CANCELLED', message: 'the job was cancelled' });
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  const log = (level: LogLevel, message: string, plugin?: string) =>
    options.log?.({ time: new Date().toISOString(), level, message, ...(plugin ? { plugin } : {}) });
  const ticker = options.onMetrics
    ? setInterval(() => options.onMetrics!(metrics.snapshot()), options.metricsIntervalMs ?? 1000)
    : undefined;
  ticker?.unref();

  const sources: SourceNode[] = [];
  const sinks: SinkNode[] = [];
  try {
    const settings = jobSettings(config.env, jobId);
    if (settings.mode === 'STREAMING') {
      throw new EngineError(
        'UNSUPPORTED',
        'job.mode = STREAMING: the embedded engine runs BATCH jobs; run streaming jobs on the SeaTunnel engine',
        'env',
      );
    }
    if (config.source.length === 0) throw new EngineError('CONFIG_INVALID', 'the job has no source', 'source');
    if (config.sink.length === 0) throw new EngineError('CONFIG_INVALID', 'the job has no sink', 'sink');
    const contextFor = (block: PluginBlock, label: string): PluginContext => {
      const own = new PluginOptions(block.plugin, block.options).int('parallelism');
      return {
        log: (level, message) => log(level, message, label),
        signal: controller.signal,
        parallelism: own ?? settings.parallelism,
        jobMode: settings.mode,
        jobName: settings.name,
        jobId,
      };
    };
    const create = <T>(
      kind: PluginKind,
      block: PluginBlock,
      index: number,
      table: Record<string, (input: { options: PluginOptions; context: PluginContext }) => T>,
    ): { label: string; plugin: T; context: PluginContext } => {
      const label = `${kind}[${index}] ${block.plugin}`;
      const factory = implementation(kind, block, table, label);
      const context = contextFor(block, label);
      try {
        return {
          label,
          plugin: factory({ options: new PluginOptions(block.plugin, block.options), context }),
          context,
        };
      } catch (err) {
        throw wrap(err, 'CONFIG_INVALID', label);
      }
    };

    // ---- plan: create every plugin first, so option mistakes surface before any connection opens
    const streams = new Map<string, Stream>();
    const created = {
      sources: config.source.map((block, i) => ({ block, ...create('source', block, i, SOURCE_IMPLEMENTATIONS) })),
      transforms: config.transform.map((block, i) => ({
        block,
        ...create('transform', block, i, TRANSFORM_IMPLEMENTATIONS),
      })),
      sinks: config.sink.map((block, i) => ({ block, ...create('sink', block, i, SINK_IMPLEMENTATIONS) })),
    };

    // ---- open sources
    for (const [i, s] of created.sources.entries()) {
      const node: SourceNode = {
        label: s.label,
        block: s.block,
        source: s.plugin,
        context: s.context,
        tables: [],
        output: outputName(s.block) ?? `__source_${i}`,
      };
      sources.push(node);
      try {
        node.tables = await s.plugin.open(s.context);
      } catch (err) {
        throw wrap(err, 'SOURCE_FAILED', s.label);
      }
      if (streams.has(node.output)) {
        throw new EngineError('CONFIG_INVALID', `plugin_output "${node.output}" is produced twice`, s.label);
      }
      const tableNames = node.tables.map((t) => tablePathText(t.path) || node.output);
      node.tables.forEach((t, n) => {
        if (t.estimatedRows !== undefined) metrics.table(tableNames[n]!).estimatedRows = t.estimatedRows;
      });
      streams.set(node.output, { name: node.output, tables: node.tables, tableNames, consumers: [] });
      log(
        'info',
        `${s.label} reads ${node.tables.map((t) => tablePathText(t.path) || '(unnamed)').join(', ')}`,
        s.label,
      );
    }

    const lookup = (name: string, label: string): Stream => {
      const stream = streams.get(name);
      if (!stream) {
        throw new EngineError(
          'CONFIG_INVALID',
          `plugin_input "${name}" is not produced by any source or transform (known: ${[...streams.keys()].filter((k) => !k.startsWith('__')).join(', ') || 'none named'})`,
          label,
        );
      }
      return stream;
    };

    // ---- wire transforms in order; without plugin_input a transform reads the previous plugin's output
    let previous: string[] = sources.map((s) => s.output);
    for (const [i, t] of created.transforms.entries()) {
      const names = inputNames(t.block) ?? previous.slice(-1);
      if (names.length !== 1) {
        throw new EngineError(
          'CONFIG_INVALID',
          `a transform reads one input; plugin_input lists ${names.length}`,
          t.label,
        );
      }
      const input = lookup(names[0]!, t.label);
      let outputs: TableSchema[];
      try {
        outputs = t.plugin.open(input.tables, t.context);
      } catch (err) {
        throw wrap(err, 'CONFIG_INVALID', t.label);
      }
      const node: TransformNode = {
        label: t.label,
        transform: t.plugin,
        output: outputName(t.block) ?? `__transform_${i}`,
      };
      input.consumers.push({ transform: node });
      if (streams.has(node.output)) {
        throw new EngineError('CONFIG_INVALID', `plugin_output "${node.output}" is produced twice`, t.label);
      }
      streams.set(node.output, { name: node.output, tables: outputs, tableNames: input.tableNames, consumers: [] });
      previous = [node.output];
    }

    // ---- wire and open sinks; without plugin_input a sink reads the last transform, or every source
    for (const s of created.sinks) {
      const names = inputNames(s.block) ?? previous;
      const inputs = names.map((n) => lookup(n, s.label));
      const node: SinkNode = { label: s.label, sink: s.plugin, tail: Promise.resolve(), tableNames: [], opened: false };
      const tables: TableSchema[] = [];
      for (const input of inputs) {
        input.consumers.push({ sink: node, offset: tables.length });
        tables.push(...input.tables);
        node.tableNames.push(...input.tableNames);
      }
      sinks.push(node);
      try {
        await s.plugin.open(tables, s.context);
        node.opened = true;
      } catch (err) {
        throw wrap(err, 'SINK_FAILED', s.label);
      }
    }

    // ---- run
    const limiter = new RateLimiter(settings.rowsPerSecond, settings.bytesPerSecond);
    const push = async (stream: Stream, batch: RowBatch): Promise<void> => {
      for (const consumer of stream.consumers) {
        if ('transform' in consumer) {
          const node = consumer.transform;
          let out: RowBatch | null;
          try {
            // A transform may change the rows: it sees them without the source's encoding.
            out = node.transform.apply(plainBatch(batch));
          } catch (err) {
            throw wrap(err, 'TRANSFORM_FAILED', node.label);
          }
          if (out && batchRowCount(out) > 0) await push(streams.get(node.output)!, out);
        } else {
          const node = consumer.sink;
          const routed = withTable(batch, batch.table + consumer.offset);
          // Writes to a sink run one after another, in order. The source goes on reading while the
          // sink writes this batch, and waits only for the one before: at most two batches per
          // sink are held, so memory stays bounded while both ends work at once.
          const previous = node.tail;
          node.tail = previous.then(async () => {
            if (failure) return;
            try {
              const bytes = await node.sink.write(routed);
              const counter = metrics.table(node.tableNames[routed.table] ?? `table ${routed.table}`);
              counter.rowsWritten += batchRowCount(routed);
              counter.bytesWritten += typeof bytes === 'number' ? bytes : (routed.bytes ?? 0);
            } catch (err) {
              fail(toJobError(wrap(err, 'SINK_FAILED', node.label), 'SINK_FAILED'));
            }
          });
          await previous;
          if (failure) return;
        }
      }
    };

    const drive = async (node: SourceNode, reader: SourceReader): Promise<void> => {
      const stream = streams.get(node.output)!;
      try {
        for await (const batch of reader.read()) {
          if (controller.signal.aborted) break;
          if (batchRowCount(batch) === 0) continue;
          const pieces = limiter.active ? limiter.pieces(batch) : [batch];
          for (const piece of pieces) {
            if (limiter.active) await limiter.take(batchRowCount(piece), piece.bytes ?? 0, controller.signal);
            if (controller.signal.aborted) break;
            const counter = metrics.table(stream.tableNames[piece.table] ?? `table ${piece.table}`);
            counter.rowsRead += batchRowCount(piece);
            counter.bytesRead += piece.bytes ?? estimateBatchBytes(piece);
            await push(stream, piece);
          }
        }
      } catch (err) {
        if (!controller.signal.aborted) fail(toJobError(err, 'SOURCE_FAILED', node.label));
      }
    };

    const loops: Promise<void>[] = [];
    for (const node of sources) {
      let readers: SourceReader[];
      try {
        readers = await node.source.readers(node.context);
      } catch (err) {
        throw wrap(err, 'SOURCE_FAILED', node.label);
      }
      for (const reader of readers) loops.push(drive(node, reader));
    }
    await Promise.all(loops);
    for (const node of sinks) await node.tail;
    if (failure) throw new EngineError(failure.code, failure.message, failure.plugin);

    for (const node of sinks) {
      try {
        await node.sink.finish();
        node.opened = false;
      } catch (err) {
        throw wrap(err, 'SINK_FAILED', node.label);
      }
    }
  } catch (err) {
    fail(toJobError(err, 'SOURCE_FAILED'));
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    if (ticker) clearInterval(ticker);
    for (const node of sinks) {
      if (!node.opened) continue;
      await node.tail;
      await node.sink
        .abort(failure)
        .catch((err: unknown) =>
          log('warn', `could not undo: ${err instanceof Error ? err.message : String(err)}`, node.label),
        );
    }
    for (const node of sources) {
      await node.source
        .close()
        .catch((err: unknown) =>
          log('warn', `could not close: ${err instanceof Error ? err.message : String(err)}`, node.label),
        );
    }
  }
  const summary = metrics.snapshot(false);
  if (failure) {
    log(failure.code === 'CANCELLED' ? 'warn' : 'error', failure.message, failure.plugin);
    return { status: failure.code === 'CANCELLED' ? 'CANCELLED' : 'FAILED', error: failure, metrics: summary };
  }
  return { status: 'SUCCEEDED', metrics: summary };
}
