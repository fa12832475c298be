/**
 * The contracts between the embedded engine's runner and its connectors and transforms.
 *
 * Flow: the runner asks each source for its tables (`open`), tells each transform the schemas it
 * will receive (`open` returns what it emits), opens each sink with the schemas it will receive,
 * then pulls batches from every source reader and pushes them through transforms into sinks.
 * A sink's `write` is awaited before the reader is pulled again: that is the backpressure, end to
 * end, so memory holds a few batches whatever the table size.
 */
import { getOption, isConfigObject, isExactNumber, type ConfigObject, type ConfigValue } from '../job-config/index.js';
import type { RowBatch, TableSchema } from './row.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface PluginContext {
  /** Log lines go to the run's log (masked for secrets by the runner's logger). */
  log(level: LogLevel, message: string): void;
  /** Aborted on cancel or on the failure of another part of the job: stop promptly. */
  signal: AbortSignal;
  /** env.parallelism, overridden by the plugin's own `parallelism`. */
  parallelism: number;
  jobMode: 'BATCH' | 'STREAMING';
  /** env.job.name or a generated one; used e.g. for temporary file names. */
  jobName: string;
  /** Unique per execution (the run id when there is one). */
  jobId: string;
}

export interface SourceReader {
  /** Batches of rows; the runner pulls the next only after the previous went through every sink. */
  read(): AsyncIterable<RowBatch>;
}

export interface Source {
  /** Connects, reads metadata and returns the tables it produces (batches index into this list). */
  open(context: PluginContext): Promise<TableSchema[]>;
  /** The parallel readers (splits grouped into `parallelism` readers). Called once, after open. */
  readers(context: PluginContext): SourceReader[] | Promise<SourceReader[]>;
  /** Releases every resource; called once whatever happened, also after a failed open. */
  close(): Promise<void>;
}

export interface Transform {
  /** Given the input tables, returns the output tables (same count, same order). May throw for bad options. */
  open(inputs: TableSchema[], context: PluginContext): TableSchema[];
  /** Transforms one batch; returns null or an empty batch to drop every row. Synchronous on purpose. */
  apply(batch: RowBatch): RowBatch | null;
}

export interface Sink {
  /** Applies save modes (creates/drops/truncates targets) and prepares writers. */
  open(tables: TableSchema[], context: PluginContext): Promise<void>;
  /**
   * Writes one batch. Resolve only when the sink can take more (buffers flushed or below a bound).
   * Returns the bytes it wrote for these rows, when it knows.
   */
  write(batch: RowBatch): Promise<number | void>;
  /** Flushes and commits everything; rows are durable when this resolves. */
  finish(): Promise<void>;
  /** Undoes what can be undone (rolls back, deletes temporary files). Called instead of finish on failure or cancel. */
  abort(reason: unknown): Promise<void>;
}

export interface PluginFactoryInput {
  /** The plugin's options block, variables already substituted. */
  options: PluginOptions;
  context: PluginContext;
}

/** An error in a plugin's options: names the plugin and the option. */
export class PluginConfigError extends Error {
  constructor(
    readonly plugin: string,
    readonly option: string | undefined,
    detail: string,
  ) {
    super(option ? `${plugin}: option "${option}" ${detail}` : `${plugin}: ${detail}`);
    this.name = 'PluginConfigError';
  }
}

/**
 * Typed access to a plugin's options with SeaTunnel's spellings: dotted keys work nested or flat
 * (`row.num = 5` or `row { num = 5 }`), numbers may be written as strings ("5"), booleans as
 * "true"/"false". A wrong type is a PluginConfigError naming the option.
 */
export class PluginOptions {
  constructor(
    readonly plugin: string,
    readonly raw: ConfigObject,
  ) {}

  has(name: string): boolean {
    const value = getOption(this.raw, name);
    return value !== undefined && value !== null;
  }

  value(name: string): ConfigValue | undefined {
    const value = getOption(this.raw, name);
    return value === null ? undefined : value;
  }

  /** The first option present among `names` (for renamed options: user / username). */
  firstOf(...names: string[]): string | undefined {
    return names.find((n) => this.has(n));
  }

  fail(option: string | undefined, detail: string): never {
    throw new PluginConfigError(this.plugin, option, detail);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const value = this.value(name);
    if (value === undefined) return fallback;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isExactNumber(value)) return value.$number;
    return this.fail(name, 'must be text');
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') this.fail(name, 'is required');
    return value;
  }

  int(name: string): number | undefined;
  int(name: string, fallback: number): number;
  int(name: string, fallback?: number): number | undefined {
    const value = this.number(name);
    if (value === undefined) return fallback;
    if (!Number.isInteger(value)) this.fail(name, `must be a whole number, got ${value}`);
    return value;
  }

  number(name: string): number | undefined;
  number(name: string, fallback: number): number;
  number(name: string, fallback?: number): number | undefined {
    const value = this.value(name);
    if (value === undefined) return fallback;
    const text = typeof value === 'number' ? String(value) : isExactNumber(value) ? value.$number : value;
    if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(Number(text))) {
      return this.fail(name, `must be a number, got ${JSON.stringify(value)}`);
    }
    return Number(text);
  }

  boolean(name: string): boolean | undefined;
  boolean(name: string, fallback: boolean): boolean;
  boolean(name: string, fallback?: boolean): boolean | undefined {
    const value = this.value(name);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return this.fail(name, `must be true or false, got ${JSON.stringify(value)}`);
  }

  /** One of `allowed`, case-insensitively; returned in the allowed spelling. */
  enumValue<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!found) this.fail(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    return found;
  }

  /** A list; a single string is a one-item list, a comma-separated string is split (SeaTunnel accepts both). */
  stringList(name: string): string[] | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
    if (!Array.isArray(value)) return this.fail(name, 'must be a list');
    return value.map((item, i) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number' || typeof item === 'boolean') return String(item);
      return this.fail(`${name}[${i}]`, 'must be text');
    });
  }

  list(name: string): ConfigValue[] | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(name, 'must be a list');
    return value;
  }

  object(name: string): ConfigObject | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!isConfigObject(value) || isExactNumber(value)) return this.fail(name, 'must be an object { ... }');
    return value;
  }

  /** Options of a nested object (e.g. one entry of tables_configs), reported under this plugin's name. */
  nested(raw: ConfigObject, label: string): PluginOptions {
    return new PluginOptions(`${this.plugin} ${label}`, raw);
  }
}
